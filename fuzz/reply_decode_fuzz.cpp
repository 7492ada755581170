// Fuzz target: dhcp::decode_reply_options (the concatenated options of a DHCPv6 Reply).
//
// Invariants, for every input:
//  * it returns (never throws), and every rejection has a non-empty reason that starts with an
//    option name;
//  * libdhcp++ as an oracle (s46_kea_oracle.hpp): every top-level option the decoder accepts on
//    its own is read by libdhcp++ without an exception and to the same values (a disagreement
//    means a check or a conversion is wrong on one side);
//  * everything kept is in range: RULE ea-len <= 48, prefixes canonical, PORTPARAMS offset <= 15,
//    psid-len <= 16, offset + psid-len <= 16, PSID < 2^psid-len; AFTR-Name is LDH labels of 1..63
//    octets; 111 is non-empty without duplicates; 137's prefix is canonical;
//  * every kept container satisfies RFC 7598 Table 1, re-checked here on the raw bytes with an
//    independent walk: the kept containers of each kind are, in order, a subsequence of the raw
//    containers whose sub-option codes and counts obey Table 1, with the same RULE/BR/BIND counts;
//  * round trip: decode(encode(set)) has no rejections and equals the set (without its
//    rejections), and encoding that again gives the same bytes.
#include <cstdint>
#include <cstdio>
#include <span>
#include <string>
#include <vector>

#include "dhcp/option_framer.hpp"
#include "dhcp/s46_codec.hpp"
#include "fuzz/fuzz_check.hpp"
#include "fuzz/s46_kea_oracle.hpp"

using namespace s46;

namespace {

using View = std::span<const std::uint8_t>;

std::uint16_t rd16(View v, std::size_t at) { return static_cast<std::uint16_t>(v[at] << 8 | v[at + 1]); }

bool portparams_ok(const provision::PortParams& p) {
    if (p.offset > 15 || p.psid_len > 16 || p.offset + p.psid_len > 16) return false;
    return p.psid_len == 16 || p.psid < (1u << p.psid_len);
}

bool rule_ok(const provision::Rule& r) {
    if (r.ea_len > 48 || r.ipv4_prefix.length > 32 || r.ipv6_prefix.length > 128) return false;
    if (r.ipv4_prefix.address.value & ~net::ipv4_mask(r.ipv4_prefix.length)) return false;
    if (!(net::Ipv6Prefix(r.ipv6_prefix.address, r.ipv6_prefix.length) == r.ipv6_prefix)) return false;
    return !r.port_params || portparams_ok(*r.port_params);
}

bool ldh_name_ok(const std::string& name) {
    if (name.empty() || name.size() > 253) return false;
    std::size_t start = 0;
    while (start <= name.size()) {
        std::size_t dot = name.find('.', start);
        if (dot == std::string::npos) dot = name.size();
        std::size_t len = dot - start;
        if (len == 0 || len > 63) return false;
        if (name[start] == '-' || name[dot - 1] == '-') return false;
        for (std::size_t i = start; i < dot; ++i) {
            char c = name[i];
            bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
            if (!ok) return false;
        }
        start = dot + 1;
    }
    return true;
}

// Table 1 on raw bytes: sub-option counts of one container, or nothing if its framing is broken
// or it breaks the table.
struct RawCounts {
    unsigned rule = 0, br = 0, dmr = 0, bind = 0, pp = 0;
};

bool raw_table1(std::uint16_t code, View body, RawCounts& n) {
    for (std::size_t pos = 0; pos < body.size();) {
        if (body.size() - pos < 4) return false;
        std::uint16_t c = rd16(body, pos), len = rd16(body, pos + 2);
        if (len > body.size() - pos - 4) return false;
        switch (c) {
            case 89: ++n.rule; break;
            case 90: ++n.br; break;
            case 91: ++n.dmr; break;
            case 92: ++n.bind; break;
            case 93: ++n.pp; break;
            default: return false;
        }
        pos += 4u + len;
    }
    if (n.pp > 1) return false;
    switch (code) {
        case 94: return n.rule >= 1 && n.br >= 1 && n.dmr == 0 && n.bind == 0;
        case 95: return n.rule >= 1 && n.br == 0 && n.dmr == 1 && n.bind == 0;
        case 96: return n.rule == 0 && n.br >= 1 && n.dmr == 0 && n.bind <= 1;
    }
    return false;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const View in(data, size);
    provision::S46OptionSet set;
    try {
        set = dhcp::decode_reply_options(in);
    } catch (...) {
        S46_FUZZ_CHECK(!"decode_reply_options threw");
    }

    for (const auto& r : set.rejected) {
        S46_FUZZ_CHECK(!r.why.empty());
        S46_FUZZ_CHECK(r.why.starts_with("OPTION_") || r.why.starts_with("option ") || r.why.starts_with("truncated option header"));
    }

    for (dhcp::Dhcpv6OptionWalker walk(in); !walk.done();) {
        const std::size_t at = walk.offset();
        const dhcp::OptionFrame f = walk.next();
        if (f.kind != dhcp::OptionFrame::Kind::ok) break;
        const View tlv = in.subspan(at, f.header_size + f.len);
        if (!dhcp::decode_reply_options(tlv).rejected.empty()) continue;
        if (auto why = fuzz::kea_disagreement(tlv)) {
            std::fprintf(stderr, "option %u: %s\n", f.code, why->c_str());
            S46_FUZZ_CHECK(!"libdhcp++ disagrees with decode_reply_options");
        }
    }

    if (set.aftr_name) S46_FUZZ_CHECK(ldh_name_ok(*set.aftr_name));
    if (set.priority) {
        S46_FUZZ_CHECK(!set.priority->empty());
        for (std::size_t i = 0; i < set.priority->size(); ++i)
            for (std::size_t j = 0; j < i; ++j) S46_FUZZ_CHECK((*set.priority)[i] != (*set.priority)[j]);
    }
    if (set.bind_ipv6_prefix) {
        const auto& b = *set.bind_ipv6_prefix;
        S46_FUZZ_CHECK(b.length <= 128 && net::Ipv6Prefix(b.address, b.length) == b);
    }
    for (const auto& c : set.mape) {
        S46_FUZZ_CHECK(!c.rules.empty() && !c.brs.empty());
        for (const auto& r : c.rules) S46_FUZZ_CHECK(rule_ok(r));
        if (c.port_params) S46_FUZZ_CHECK(portparams_ok(*c.port_params));
    }
    for (const auto& c : set.mapt) {
        S46_FUZZ_CHECK(!c.rules.empty());
        for (const auto& r : c.rules) S46_FUZZ_CHECK(rule_ok(r));
        S46_FUZZ_CHECK(c.dmr.length <= 128);
    }
    for (const auto& c : set.lw) {
        S46_FUZZ_CHECK(!c.brs.empty());
        if (c.bind && c.bind->port_params) S46_FUZZ_CHECK(portparams_ok(*c.bind->port_params));
        if (c.port_params) S46_FUZZ_CHECK(portparams_ok(*c.port_params));
    }

    // Independent Table 1 walk over the raw top-level options.
    std::vector<RawCounts> raw94, raw95, raw96;
    for (std::size_t pos = 0; pos + 4 <= in.size();) {
        std::uint16_t code = rd16(in, pos), len = rd16(in, pos + 2);
        if (len > in.size() - pos - 4) break;
        RawCounts n;
        if ((code == 94 || code == 95 || code == 96) && raw_table1(code, in.subspan(pos + 4, len), n))
            (code == 94 ? raw94 : code == 95 ? raw95 : raw96).push_back(n);
        pos += 4u + len;
    }
    auto subsequence = [](const auto& kept, const std::vector<RawCounts>& raw, auto same) {
        std::size_t j = 0;
        for (const auto& c : kept) {
            while (j < raw.size() && !same(c, raw[j])) ++j;
            if (j == raw.size()) return false;
            ++j;
        }
        return true;
    };
    S46_FUZZ_CHECK(subsequence(set.mape, raw94, [](const provision::MapEContainer& c, const RawCounts& n) {
        return c.rules.size() == n.rule && c.brs.size() == n.br && c.port_params.has_value() == (n.pp == 1);
    }));
    S46_FUZZ_CHECK(subsequence(set.mapt, raw95, [](const provision::MapTContainer& c, const RawCounts& n) {
        return c.rules.size() == n.rule;
    }));
    S46_FUZZ_CHECK(subsequence(set.lw, raw96, [](const provision::LwContainer& c, const RawCounts& n) {
        return c.brs.size() == n.br && c.bind.has_value() == (n.bind == 1) && c.port_params.has_value() == (n.pp == 1);
    }));

    // Round trip.
    const std::vector<std::uint8_t> enc = dhcp::encode(set);
    provision::S46OptionSet again = dhcp::decode_reply_options(enc);
    S46_FUZZ_CHECK(again.rejected.empty());
    set.rejected.clear();
    S46_FUZZ_CHECK(again == set);
    S46_FUZZ_CHECK(dhcp::encode(again) == enc);
    return 0;
}
