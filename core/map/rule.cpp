#include "core/map/rule.hpp"

namespace s46::map {

namespace {

std::string num(unsigned v) { return std::to_string(v); }

}  // namespace

Result<Rule> validate(const Rule& rule) {
    // The prefix types clamp their lengths and clear host bits when built through their
    // constructors, but the members are public, so check what was actually stored.
    if (rule.ipv6_prefix.length > 128) return fail("prefix6-len " + num(rule.ipv6_prefix.length) + " exceeds 128 (RFC 7598 §4.1)");
    if (rule.ipv4_prefix.length > 32) return fail("prefix4-len " + num(rule.ipv4_prefix.length) + " exceeds 32 (RFC 7598 §4.1)");
    if (net::Ipv6Prefix(rule.ipv6_prefix.address, rule.n()) != rule.ipv6_prefix)
        return fail("ipv6-prefix " + rule.ipv6_prefix.address.to_string() + " has bits set past prefix6-len " + num(rule.n()));
    if (net::Ipv4Prefix(rule.ipv4_prefix.address, rule.r()) != rule.ipv4_prefix)
        return fail("ipv4-prefix " + rule.ipv4_prefix.address.to_string() + " has bits set past prefix4-len " + num(rule.r()));

    // RFC 7597 §5.2: the EA field is at most 48 bits and must fit in the 128-bit address after the rule prefix.
    if (rule.ea_len > 48) return fail("ea-len " + num(rule.ea_len) + " exceeds 48 (RFC 7597 §5.2)");
    if (rule.n() + rule.o() > 128)
        return fail("ea-len " + num(rule.o()) + " after prefix6-len " + num(rule.n()) + " runs past bit 128 (RFC 7597 §5.2)");
    // The PSID is a 16-bit port field: q = o - p bits of it come from the EA field.
    if (rule.ea_psid_bits() > 16)
        return fail("ea-len " + num(rule.o()) + " with prefix4-len " + num(rule.r()) + " leaves a " + num(rule.ea_psid_bits()) +
                    "-bit PSID, more than 16 (RFC 7597 §5.2)");

    // RFC 7598 §4.5 port parameters.
    if (rule.psid_offset && *rule.psid_offset > 15) return fail("offset " + num(*rule.psid_offset) + " exceeds 15 (RFC 7598 §4.5)");
    if (rule.explicit_psid) {
        const auto& e = *rule.explicit_psid;
        if (e.len == 0) return fail("PSID-len 0 cannot carry an explicit PSID (RFC 7598 §4.5: the PSID field is ignored)");
        if (e.len > 16) return fail("PSID-len " + num(e.len) + " exceeds 16 (RFC 7598 §4.5)");
        if (e.value >= (1u << e.len)) return fail("PSID " + num(e.value) + " does not fit in PSID-len " + num(e.len));
        if (rule.psid_offset && *rule.psid_offset + e.len > 16)
            return fail("offset " + num(*rule.psid_offset) + " + PSID-len " + num(e.len) + " exceeds the 16 port bits (RFC 7597 §5.1)");
    } else if (rule.psid_offset && *rule.psid_offset + rule.ea_psid_bits() > 16) {
        return fail("offset " + num(*rule.psid_offset) + " + PSID-len " + num(rule.ea_psid_bits()) +
                    " (from ea-len and prefix4-len) exceeds the 16 port bits (RFC 7597 §5.1)");
    }
    return rule;
}

Result<Rule> from_provision(const provision::Rule& rule, const std::optional<provision::PortParams>& container_params) {
    Rule out;
    out.ipv6_prefix = rule.ipv6_prefix;
    out.ipv4_prefix = rule.ipv4_prefix;
    out.ea_len = rule.ea_len;
    out.forwarding = rule.forwarding;
    const auto& params = rule.port_params ? rule.port_params : container_params;
    if (params) {
        out.psid_offset = params->offset;
        if (params->psid_len > 0) out.explicit_psid = ExplicitPsid{params->psid_len, params->psid};
    }
    return validate(out);
}

std::string to_string(const Rule& rule) {
    std::string s = rule.ipv6_prefix.to_string() + ' ' + rule.ipv4_prefix.to_string() + " ea-len " + num(rule.ea_len);
    if (rule.psid_offset) s += " offset " + num(*rule.psid_offset);
    if (rule.explicit_psid) s += " psid " + num(rule.explicit_psid->value) + '/' + num(rule.explicit_psid->len);
    if (rule.forwarding) s += " fmr";
    return s;
}

}  // namespace s46::map
