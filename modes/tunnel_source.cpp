#include "modes/tunnel_source.hpp"

namespace s46::modes {

Result<net::Ipv6Address> b4_tunnel_source(const PlanContext& ctx) {
    if (ctx.wan_address) return *ctx.wan_address;
    if (ctx.delegated_prefixes.empty()) return fail("no IPv6 address to source the tunnel from (no IA_NA address and no delegated prefix)");
    net::Ipv6Address a = ctx.delegated_prefixes.front().address;
    a.bytes[15] |= 1;
    return a;
}

std::uint16_t tunnel_mtu(const PlanContext& ctx) {
    // IPv6 links are at least 1280 (RFC 8200 §5), so the IPv4 tunnel MTU is at least 1240.
    std::uint16_t wan = ctx.wan_mtu < 1280 ? 1280 : ctx.wan_mtu;
    return static_cast<std::uint16_t>(wan - 40);
}

}  // namespace s46::modes
