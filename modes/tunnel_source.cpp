#include "modes/tunnel_source.hpp"

#include <string>
#include <vector>

namespace s46::modes {

Result<net::Ipv6Address> b4_tunnel_source(const PlanContext& ctx) {
    if (ctx.wan_address) return *ctx.wan_address;
    if (ctx.delegated_prefixes.empty()) return fail("no IPv6 address to source the tunnel from (no IA_NA address and no delegated prefix)");
    net::Ipv6Address a = ctx.delegated_prefixes.front().address;
    a.bytes[15] |= 1;
    return a;
}

namespace {

// <prefix>::1, the convention b4_tunnel_source() uses for a delegated prefix.
net::Ipv6Address first_address(const net::Ipv6Prefix& p) {
    net::Ipv6Address a = p.address;
    if (p.length < 128) a.bytes[15] |= 1;
    return a;
}

}  // namespace

Result<net::Ipv6Address> dhcp4o6_softwire_source(const std::optional<net::Ipv6Prefix>& bind_prefix,
                                                 const PlanContext& ctx) {
    if (!bind_prefix) return b4_tunnel_source(ctx);
    const net::Ipv6Prefix& b = *bind_prefix;
    std::vector<net::Ipv6Prefix> candidates;
    if (ctx.wan_address) candidates.emplace_back(*ctx.wan_address, 128);
    candidates.insert(candidates.end(), ctx.delegated_prefixes.begin(), ctx.delegated_prefixes.end());
    for (const auto& p : candidates) {
        if (b.contains(p)) return first_address(p);  // a /128 (the IA_NA address) is its own address
        if (p.contains(b)) return first_address(b);
    }
    std::string listed;
    for (const auto& p : candidates) listed += (listed.empty() ? "" : ", ") + p.to_string();
    return fail("the DHCP 4o6 bind prefix " + b.to_string() + " (option 137) overlaps none of the IA_NA address and delegated prefixes (" +
                (listed.empty() ? std::string("none") : listed) + ")");
}

std::uint16_t tunnel_mtu(const PlanContext& ctx) {
    // IPv6 links are at least 1280 (RFC 8200 §5), so the IPv4 tunnel MTU is at least 1240.
    std::uint16_t wan = ctx.wan_mtu < 1280 ? 1280 : ctx.wan_mtu;
    return static_cast<std::uint16_t>(wan - 40);
}

}  // namespace s46::modes
