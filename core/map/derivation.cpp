#include "core/map/derivation.hpp"

namespace s46::map {

const char* to_string(Ipv4Kind kind) {
    switch (kind) {
        case Ipv4Kind::prefix: return "ipv4-prefix";
        case Ipv4Kind::full_address: return "full-ipv4";
        case Ipv4Kind::shared_address: return "shared-ipv4";
    }
    return "?";
}

Result<CeBinding> binding_from_ea(const Rule& rule, std::uint64_t ea, std::uint8_t default_offset, Perspective perspective) {
    const unsigned o = rule.o(), r = rule.r();
    const unsigned q = rule.ea_psid_bits();
    const unsigned v4_bits = rule.ea_ipv4_bits();
    if (o < 64) ea &= (std::uint64_t{1} << o) - 1u;

    CeBinding b;
    b.ea_bits = ea;
    // The top min(o, p) EA bits follow the rule IPv4 prefix (§5.2); with o + r < 32 the rest of
    // the address is host bits of the CE's prefix.
    const std::uint64_t v4_suffix = ea >> q;
    const unsigned v4_len = r + v4_bits;
    const auto v4 = static_cast<std::uint32_t>(rule.ipv4_prefix.address.value | (v4_suffix << (32 - v4_len)));
    b.ipv4 = net::Ipv4Prefix(net::Ipv4Address(v4), v4_len);

    if (v4_len < 32) {
        b.kind = Ipv4Kind::prefix;
        // RFC 7598 §4.5: PORTPARAMS with an explicit PSID MUST be discarded when the CE gets a prefix.
        if (rule.explicit_psid) b.notes.push_back("explicit PSID discarded: the CE gets an IPv4 prefix (RFC 7598 §4.5)");
        return b;
    }

    unsigned k = q;
    unsigned psid = static_cast<unsigned>(q == 0 ? 0 : ea & ((std::uint64_t{1} << q) - 1u));
    if (rule.explicit_psid && (q == 0 || perspective == Perspective::own)) {
        // RFC 7598 §4.5: an explicit PSID MUST be used by the CE that receives it.
        if (q > 0)
            b.notes.push_back("explicit PSID " + std::to_string(rule.explicit_psid->value) + "/" +
                              std::to_string(rule.explicit_psid->len) + " overrides the " + std::to_string(q) +
                              "-bit PSID in the EA bits (RFC 7598 §4.5)");
        k = rule.explicit_psid->len;
        psid = rule.explicit_psid->value;
    }
    if (k == 0) {
        b.kind = Ipv4Kind::full_address;
        return b;
    }

    const unsigned a = rule.psid_offset.value_or(default_offset);
    auto ports = PortSet::make(a, k, psid);
    if (!ports) {
        const char* whose = rule.psid_offset ? "the rule's" : "the default";
        return fail(ports.error() + " with " + whose + " offset");
    }
    b.kind = Ipv4Kind::shared_address;
    b.ports = *ports;
    return b;
}

Result<CeBinding> derive_binding(const Rule& rule, const net::Ipv6Prefix& end_user_prefix, std::uint8_t default_offset) {
    if (!rule.ipv6_prefix.contains(end_user_prefix))
        return fail("End-user prefix " + end_user_prefix.to_string() + " is not inside the rule's ipv6-prefix " +
                    rule.ipv6_prefix.to_string());
    // RFC 7597 §5.2: the EA bits are read from the End-user prefix, so it must hold all of them.
    if (rule.n() + rule.o() > end_user_prefix.length)
        return fail("n+o exceeds End-user prefix length (RFC 7597 §5.2 MUST): prefix6-len " + std::to_string(rule.n()) +
                    " + ea-len " + std::to_string(rule.o()) + " > " + std::to_string(end_user_prefix.length));
    return binding_from_ea(rule, end_user_prefix.address.bits(rule.n(), rule.o()), default_offset, Perspective::own);
}

}  // namespace s46::map
