#include "core/map/forwarding.hpp"

#include "core/map/derivation.hpp"
#include "core/map/map_address.hpp"
#include "core/map/port_set.hpp"

namespace s46::map {

namespace {

// A rule whose EA bits carry no PSID but which names one explicit PSID describes a single CE
// (RFC 7597 App. A Ex. 5): only ports of that PSID belong behind it. When the offset leaves no
// room for the PSID the port cannot be tested; the rule matches and ce_address() reports why.
bool port_matches(const Rule& rule, std::uint16_t port, std::uint8_t default_offset) {
    if (!rule.explicit_psid || rule.ea_psid_bits() > 0 || rule.o() + rule.r() < 32) return true;
    auto ports = PortSet::make(rule.psid_offset.value_or(default_offset), rule.explicit_psid->len, rule.explicit_psid->value);
    return !ports || ports->contains(port);
}

}  // namespace

bool routes_by_port(const Rule& rule) {
    return rule.ea_psid_bits() > 0 || (rule.explicit_psid && rule.o() + rule.r() == 32);
}

std::optional<std::size_t> select_fmr(std::span<const Rule> rules, net::Ipv4Address dst, std::uint16_t port,
                                      std::uint8_t default_offset) {
    std::optional<std::size_t> best;
    for (std::size_t i = 0; i < rules.size(); ++i) {
        const Rule& rule = rules[i];
        if (!rule.forwarding || !rule.ipv4_prefix.contains(dst)) continue;
        if (!port_matches(rule, port, default_offset)) continue;
        if (!best || rule.r() > rules[*best].r()) best = i;
    }
    return best;
}

Result<net::Ipv6Address> ce_address(const Rule& rule, net::Ipv4Address dst, std::uint16_t port, std::uint8_t default_offset) {
    const unsigned r = rule.r(), q = rule.ea_psid_bits(), v4_bits = rule.ea_ipv4_bits();
    // The v4_bits address bits right after the rule prefix (§5.2 read backwards).
    const std::uint64_t suffix = std::uint64_t{dst.value & ~net::ipv4_mask(r)} >> (32 - r - v4_bits);
    std::uint64_t ea = suffix << q;
    if (q > 0) {
        const unsigned a = rule.psid_offset.value_or(default_offset);
        if (a + q > 16)
            return fail("offset " + std::to_string(a) + " + PSID-len " + std::to_string(q) + " exceeds the 16 port bits (RFC 7597 §5.1)");
        ea |= PortSet::psid_of(port, a, q);
    }
    // Going through binding_from_ea keeps this the exact inverse of what the owning CE derives.
    auto binding = binding_from_ea(rule, ea, default_offset, Perspective::peer);
    if (!binding) return fail(binding.error());
    net::Ipv6Address prefix = rule.ipv6_prefix.address;
    prefix.set_bits(rule.n(), rule.o(), ea);
    return interface_id_address(net::Ipv6Prefix(prefix, rule.n() + rule.o()), binding->ipv4.address, binding->ports.psid());
}

Result<NextHop> next_hop(std::span<const Rule> rules, const net::Ipv6Address& br, net::Ipv4Address dst, std::uint16_t port,
                         std::uint8_t default_offset) {
    auto fmr = select_fmr(rules, dst, port, default_offset);
    if (!fmr) return NextHop{NextHop::Via::remote, br};
    auto address = ce_address(rules[*fmr], dst, port, default_offset);
    if (!address) return fail("FMR " + to_string(rules[*fmr]) + ": " + address.error());
    return NextHop{NextHop::Via::fmr, *address};
}

}  // namespace s46::map
