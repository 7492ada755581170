#include "core/map/map_address.hpp"

namespace s46::map {

net::Ipv6Address interface_id_address(const net::Ipv6Prefix& prefix, net::Ipv4Address ipv4, std::uint16_t psid, IidLayout layout) {
    net::Ipv6Address a;  // all zero: the subnet-ID and the IID's leading bits
    const unsigned ipv4_at = layout == IidLayout::rfc7597 ? 80 : 72;
    a.set_bits(ipv4_at, 32, ipv4.value);
    a.set_bits(ipv4_at + 32, 16, psid);
    // The prefix goes on last so that one longer than /64 overwrites the IID top (RFC 7597 §6).
    for (unsigned i = 0; i < prefix.length; i += 64) {
        const unsigned len = prefix.length - i < 64 ? prefix.length - i : 64;
        a.set_bits(i, len, prefix.address.bits(i, len));
    }
    return a;
}

net::Ipv6Address map_ipv6_address(const net::Ipv6Prefix& end_user_prefix, const CeBinding& binding, IidLayout layout) {
    // The IPv4 prefix is canonical (host bits zero), which is the right-padding §6 asks for.
    return interface_id_address(end_user_prefix, binding.ipv4.address, binding.ports.psid(), layout);
}

Result<net::Ipv6Address> lw4o6_tunnel_source(const net::Ipv6Prefix& bind_prefix, std::span<const net::Ipv6Prefix> active_prefixes,
                                             net::Ipv4Address ipv4, std::uint16_t psid) {
    const net::Ipv6Prefix* best = nullptr;
    for (const auto& p : active_prefixes) {
        if (!p.contains(bind_prefix) && !bind_prefix.contains(p)) continue;
        if (!best || p.length > best->length) best = &p;
    }
    if (!best) return fail("bind-ipv6-prefix " + bind_prefix.to_string() + " matches none of the active IPv6 prefixes (RFC 7596 §5.1)");
    return interface_id_address(*best, ipv4, psid, IidLayout::rfc7597);
}

}  // namespace s46::map
