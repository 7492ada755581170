#include "core/dataplane/fmr_rules.hpp"

#include "core/map/derivation.hpp"
#include "core/map/forwarding.hpp"
#include "core/map/map_address.hpp"

namespace s46::dataplane {

namespace {

// The rule ready for the packet path, or nullopt (with the reason in `why`) when it is unusable.
std::optional<map::Rule> packet_path_rule(const map::Rule& rule, std::string& why) {
    map::Rule r = rule;
    if (r.o() + r.r() < 32) r.explicit_psid.reset();  // RFC 7598 §4.5: discarded for a prefix
    // Whether these fail depends on the rule's a, k and q only, never on the address or port.
    auto binding = map::binding_from_ea(r, 0, kDefaultPsidOffset, map::Perspective::peer);
    if (!binding) {
        why = "rule " + map::to_string(rule) + " left out of forwarding and source validation: " + binding.error();
        return std::nullopt;
    }
    auto address = map::ce_address(r, r.ipv4_prefix.address, 0, kDefaultPsidOffset);
    if (!address) {
        why = "rule " + map::to_string(rule) + " left out of forwarding and source validation: " + address.error();
        return std::nullopt;
    }
    return r;
}

}  // namespace

PacketPathRules PacketPathRules::prepare(std::span<const map::Rule> rules, std::vector<std::string>& notes) {
    PacketPathRules out;
    for (const auto& rule : rules) {
        std::string why;
        if (auto r = packet_path_rule(rule, why)) {
            out.kept_.push_back(out.rules_.size());
            out.rules_.push_back(*r);
        } else {
            out.kept_.push_back(std::nullopt);
            notes.push_back(why);
        }
    }
    return out;
}

PacketPathRules PacketPathRules::pick(std::span<const std::size_t> picks) const {
    PacketPathRules out;
    for (std::size_t i : picks) {
        out.kept_.push_back(out.rules_.size());
        out.rules_.push_back(rules_.at(i));
    }
    return out;
}

std::optional<net::Ipv6Address> PacketPathRules::peer_ce_address(std::size_t i, net::Ipv4Address dst, std::uint16_t port,
                                                                 bool legacy_iid) const {
    const map::Rule& rule = rules_[i];
    auto a = map::ce_address(rule, dst, port, kDefaultPsidOffset);
    if (!a) return std::nullopt;
    if (!legacy_iid) return *a;
    // Same End-user prefix (n + o bits) and binding; only the interface identifier moves.
    auto b = map::binding_from_ea(rule, a->bits(rule.n(), rule.o()), kDefaultPsidOffset, map::Perspective::peer);
    if (!b) return std::nullopt;
    return map::interface_id_address(net::Ipv6Prefix(*a, rule.n() + rule.o()), b->ipv4.address, b->ports.psid(),
                                     map::IidLayout::draft03);
}

bool PacketPathRules::peer_source_valid(const net::Ipv6Address& br, const net::Ipv6Address& outer_src,
                                        net::Ipv4Address inner_src, std::uint16_t inner_port, map::SourceCheckMode mode,
                                        bool legacy_iid) const {
    if (!legacy_iid) return map::check_source(rules_, br, outer_src, inner_src, inner_port, kDefaultPsidOffset, mode).accepted();
    // check_source recomputes the RFC 7597 layout; in a draft-03 domain compare ourselves.
    auto d = map::check_source(rules_, br, outer_src, inner_src, inner_port, kDefaultPsidOffset, map::SourceCheckMode::ea_bits);
    if (!d.accepted()) return false;
    if (mode != map::SourceCheckMode::full_address || !d.rule) return true;
    auto expected = peer_ce_address(*d.rule, inner_src, inner_port, true);
    return expected && *expected == outer_src;
}

}  // namespace s46::dataplane
