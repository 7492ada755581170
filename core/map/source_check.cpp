#include "core/map/source_check.hpp"

#include "core/map/derivation.hpp"
#include "core/map/forwarding.hpp"

namespace s46::map {

const char* to_string(SourceVerdict verdict) {
    switch (verdict) {
        case SourceVerdict::accept: return "accept";
        case SourceVerdict::accept_from_br: return "accept-from-br";
        case SourceVerdict::drop_no_rule: return "drop-no-rule";
        case SourceVerdict::drop_rule_unusable: return "drop-rule-unusable";
        case SourceVerdict::drop_ipv4: return "drop-ipv4";
        case SourceVerdict::drop_port: return "drop-port";
        case SourceVerdict::drop_address_mismatch: return "drop-address-mismatch";
    }
    return "?";
}

SourceDecision check_source(std::span<const Rule> rules, const net::Ipv6Address& br, const net::Ipv6Address& outer_src,
                            net::Ipv4Address inner_src, std::uint16_t inner_port, std::uint8_t default_offset,
                            SourceCheckMode mode) {
    if (outer_src == br) return {SourceVerdict::accept_from_br, std::nullopt};

    std::optional<std::size_t> match;
    for (std::size_t i = 0; i < rules.size(); ++i)
        if (rules[i].ipv6_prefix.contains(outer_src) && (!match || rules[i].n() > rules[*match].n())) match = i;
    if (!match) return {SourceVerdict::drop_no_rule, std::nullopt};
    const Rule& rule = rules[*match];

    // The sender is a peer: read its binding from its EA bits as any other node would.
    auto binding = binding_from_ea(rule, outer_src.bits(rule.n(), rule.o()), default_offset, Perspective::peer);
    if (!binding) return {SourceVerdict::drop_rule_unusable, match};
    if (!binding->ipv4.contains(inner_src)) return {SourceVerdict::drop_ipv4, match};
    if (!binding->ports.contains(inner_port)) return {SourceVerdict::drop_port, match};

    if (mode == SourceCheckMode::full_address) {
        auto expected = ce_address(rule, inner_src, inner_port, default_offset);
        if (!expected) return {SourceVerdict::drop_rule_unusable, match};
        if (*expected != outer_src) return {SourceVerdict::drop_address_mismatch, match};
    }
    return {SourceVerdict::accept, match};
}

}  // namespace s46::map
