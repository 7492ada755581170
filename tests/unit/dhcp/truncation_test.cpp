// Every truncation of every option vector in options.json gives the exact rejection reason.
//
// For a vector option (code, option-len L, value) and every cut c < L:
//   (ii)  option-len shortened to c and the value cut to c octets (consistent framing): the
//         reason comes from the option's own fields;
//   (i)   option-len left at L but the value cut to c octets: a framing error one level up;
//   (iii) option-len shortened to c but all L octets kept (the rest becomes the next TLV):
//         the first rejection is the same as in (ii) whenever (ii) rejects;
// and every cut h < 4 of the option header. Sub-option vectors (89-93) are placed last inside a
// minimal valid container (93: last inside a RULE) so that a cut reaches only them.
//
// The expected strings are computed here by a small independent model of the wire layout
// (where does the cut fall: fixed fields, prefix, sub-option header, sub-option value).
#include "dhcp_test_util.hpp"

using namespace s46;
using namespace s46::dhcp;
using namespace s46::dhcp::test;

namespace {

std::string decimal(std::size_t v) { return std::to_string(v); }

std::string name(std::uint16_t code) {
    switch (code) {
        case 64: return "OPTION_AFTR_NAME";
        case 89: return "OPTION_S46_RULE";
        case 90: return "OPTION_S46_BR";
        case 91: return "OPTION_S46_DMR";
        case 92: return "OPTION_S46_V4V6BIND";
        case 93: return "OPTION_S46_PORTPARAMS";
        case 94: return "OPTION_S46_CONT_MAPE";
        case 95: return "OPTION_S46_CONT_MAPT";
        case 96: return "OPTION_S46_CONT_LW";
        case 111: return "OPTION_S46_PRIORITY";
    }
    return "option " + decimal(code);
}

struct Sub {
    std::uint16_t code;
    std::size_t start, len;  // start of the header within the scanned region; value length
};

std::vector<Sub> subs_of(const Bytes& region, std::size_t from) {
    std::vector<Sub> out;
    for (std::size_t pos = from; pos < region.size();) {
        std::size_t len = static_cast<std::size_t>(region[pos + 2] << 8 | region[pos + 3]);
        out.push_back({static_cast<std::uint16_t>(region[pos] << 8 | region[pos + 1]), pos, len});
        pos += 4 + len;
    }
    return out;
}

// A cut at `c` in a sequence of sub-options (starting at `from`) inside `parent` at `path`:
// a framing reason when the cut is inside a sub-option, "" when it falls on a boundary.
std::string framing_cut(const Bytes& region, std::size_t from, std::size_t c, const std::string& path,
                        const std::string& parent) {
    for (const auto& s : subs_of(region, from)) {
        if (c == s.start) return "";
        if (c > s.start && c < s.start + 4 + s.len) {
            std::size_t h = c - s.start;
            std::string sub = path.empty() ? name(s.code) : path + "/" + name(s.code);
            if (h < 2) return (path.empty() ? "" : path + " ") + "truncated sub-option header (" + decimal(h) + " of 4 octets)";
            if (h < 4) return sub + " truncated option header (" + decimal(h) + " of 4 octets)";
            return sub + " option-len " + decimal(s.len) + " overruns " + parent + " (" + decimal(h - 4) + " octets left)";
        }
    }
    return "";
}

// Table 1 on the sub-options that survive a cut on a boundary.
std::string table1(std::uint16_t code, const Bytes& body, std::size_t c) {
    unsigned rule = 0, br = 0, dmr = 0;
    for (const auto& s : subs_of(body, 0)) {
        if (s.start >= c) break;
        rule += s.code == 89;
        br += s.code == 90;
        dmr += s.code == 91;
    }
    if (code != 96 && rule == 0) return "mandatory OPTION_S46_RULE missing";
    if (code != 95 && br == 0) return "mandatory OPTION_S46_BR missing";
    if (code == 95 && dmr == 0) return "mandatory OPTION_S46_DMR missing";
    return "";
}

// (ii): the reason (after "<top>: ") for option `code` whose value is cut to c octets, at `path`;
// "" when the cut option is still valid.
std::string value_cut(std::uint16_t code, const Bytes& v, std::size_t c, const std::string& path) {
    switch (code) {
        case 64: {
            if (c <= 3) return "option-len " + decimal(c) + " must be > 3";
            for (std::size_t pos = 0;;) {
                if (pos == c) return "FQDN at octet 0 is not terminated by a root label";
                std::size_t l = v[pos];
                if (pos + 1 + l > c) return "label at octet " + decimal(pos) + " (length " + decimal(l) + ") runs past the end of the option";
                pos += 1 + l;
            }
        }
        case 111: return (c < 2 || c % 2) ? "option-len " + decimal(c) + " must be >= 2 and even" : "";
        case 93: return path + " option-len " + decimal(c) + " != 4";
        case 90: return path + " option-len " + decimal(c) + " != 16";
        case 91: {
            if (c == 0) return path + " option-len 0 < 1";
            std::size_t need = (v[0] + 7u) / 8u;
            return path + " dmr-prefix6-len " + decimal(v[0]) + " needs " + decimal(need) + " prefix octets, only " + decimal(c - 1) + " left";
        }
        case 89:
        case 92: {
            const std::size_t fixed = code == 89 ? 8 : 5;
            const std::size_t plen = v[fixed - 1];
            const std::string field = code == 89 ? "prefix6-len" : "bindprefix6-len";
            if (c < fixed) return path + " option-len " + decimal(c) + " < " + decimal(fixed);
            std::size_t need = (plen + 7) / 8;
            if (c < fixed + need)
                return path + " " + field + " " + decimal(plen) + " needs " + decimal(need) + " prefix octets, only " + decimal(c - fixed) + " left";
            return framing_cut(v, fixed + need, c, path, name(code));
        }
        case 94:
        case 95:
        case 96: {
            std::string f = framing_cut(v, 0, c, "", name(code));
            return f.empty() ? table1(code, v, c) : f;
        }
    }
    FAIL("no model for option " << code);
    return "";
}

// Where a vector option is put for decoding: top-level, or last inside a minimal container.
struct Placement {
    std::uint16_t top;     // the top-level option code (prefix of every reason)
    std::string path;      // the option's path below the top-level option ("" at top level)
    std::string parent;    // the option whose value holds it ("the message" at top level)
    std::string parent_path;  // path of that parent below the top ("" for a container)
    Bytes (*wrap)(const Bytes&);
};

Bytes wrap_none(const Bytes& o) { return o; }
Bytes wrap_89(const Bytes& o) { return tlv(94, cat({br_opt(), o})); }
Bytes wrap_90(const Bytes& o) { return tlv(94, cat({rule_opt(), o})); }
Bytes wrap_91(const Bytes& o) { return tlv(95, cat({rule_opt(), o})); }
Bytes wrap_92(const Bytes& o) { return tlv(96, cat({br_opt(), o})); }
Bytes wrap_93(const Bytes& o) { return tlv(94, cat({br_opt(), tlv(89, cat({value_of(rule_opt()), o}))})); }

Placement placement(std::uint16_t code) {
    switch (code) {
        case 89: return {94, name(89), name(94), "", wrap_89};
        case 90: return {94, name(90), name(94), "", wrap_90};
        case 91: return {95, name(91), name(95), "", wrap_91};
        case 92: return {96, name(92), name(96), "", wrap_92};
        case 93: return {94, name(89) + "/" + name(93), name(89), name(89), wrap_93};
        default: return {code, "", "the message", "", wrap_none};
    }
}

}  // namespace

TEST_CASE("every truncation of every option vector gives the exact reason", "[dhcp][vectors][truncation]") {
    json doc = load_vectors("options.json");
    unsigned checked = 0;
    for (const auto& [id, wire, code, decoded] : decoded_option_vectors(doc)) {
        const Bytes v = value_of(wire);
        const Placement at = placement(code);
        const std::string top = name(at.top) + ": ";
        const bool nested = at.top != code;
        INFO(id);

        for (std::size_t c = 0; c < v.size(); ++c) {
            INFO("cut at value octet " << c);
            const Bytes cut(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(c));

            // (ii) length and value cut together.
            std::string want = value_cut(code, v, c, at.path);
            auto s = decode(at.wrap(tlv(code, cut)));
            if (!want.empty()) {
                REQUIRE(s.rejected.size() == 1);
                CHECK(s.rejected[0].option == at.top);
                CHECK(s.rejected[0].why == top + want);
                CHECK(without_rejections(s) == provision::S46OptionSet{});
            } else {
                // Still valid: a container/RULE/BIND missing trailing sub-options, or a shorter 111.
                CHECK(s.rejected.empty());
                CHECK(without_rejections(s) != provision::S46OptionSet{});
                if (code == 111) CHECK(s.priority->size() == c / 2);
            }
            ++checked;

            // (i) value cut, option-len unchanged.
            auto s1 = decode(at.wrap(tlv_len(code, static_cast<std::uint16_t>(v.size()), cut)));
            REQUIRE(s1.rejected.size() == 1);
            CHECK(s1.rejected[0].option == at.top);
            std::string overrun = " option-len " + decimal(v.size()) + " overruns " + at.parent + " (" + decimal(c) + " octets left)";
            CHECK(s1.rejected[0].why == (nested ? top + at.path + overrun : top + overrun.substr(1)));
            ++checked;

            // (iii) option-len cut, value kept: the trailing octets are parsed as whatever they look like.
            auto s3 = decode(at.wrap(tlv_len(code, static_cast<std::uint16_t>(c), v)));
            if (!want.empty()) {
                REQUIRE_FALSE(s3.rejected.empty());
                CHECK(s3.rejected[0].why == top + want);
            }
            ++checked;
        }

        // Cuts inside the option header.
        for (std::size_t h = 0; h < 4; ++h) {
            INFO("header cut to " << h << " octets");
            const Bytes hdr(wire.begin(), wire.begin() + static_cast<std::ptrdiff_t>(h));
            auto s = decode(at.wrap(hdr));
            std::string want;
            if (h == 0) {
                // Nothing left of the option: top level, an empty message; nested, the parent
                // without it (89/90/91 are mandatory where they were placed; 92/93 are optional).
                if (code == 89) want = top + "mandatory OPTION_S46_RULE missing";
                if (code == 90) want = top + "mandatory OPTION_S46_BR missing";
                if (code == 91) want = top + "mandatory OPTION_S46_DMR missing";
            } else if (h == 1) {
                want = nested ? top + (at.parent_path.empty() ? "" : at.parent_path + " ") +
                                    "truncated sub-option header (1 of 4 octets)"
                              : "truncated option header (1 of 4 octets) at the end of the message";
            } else {
                want = nested ? top + at.path + " truncated option header (" + decimal(h) + " of 4 octets)"
                              : top + "truncated option header (" + decimal(h) + " of 4 octets)";
            }
            if (want.empty()) {
                CHECK(s.rejected.empty());
                if (code == 92) CHECK_FALSE(s.lw.at(0).bind.has_value());
                if (code == 93) CHECK_FALSE(s.mape.at(0).rules.at(0).port_params.has_value());
            } else {
                REQUIRE(s.rejected.size() == 1);
                CHECK(s.rejected[0].why == want);
                CHECK(s.rejected[0].option == ((!nested && h == 1) ? 0 : at.top));
            }
            ++checked;
        }
    }
    // 15 option vectors, 3 cases per value octet plus 4 header cuts each.
    CHECK(checked == 1326);
}

// 137 is not among the option vectors (options.json holds RFC 7598 and Kea's own vectors), so its
// truncations are walked here with the same three cases.
TEST_CASE("every truncation of option 137 gives the exact reason", "[dhcp][truncation][bindprefix]") {
    const Bytes v = from_hex("3820010db8001234");  // /56: 1 + 7 octets
    const std::string top = "OPTION_S46_BIND_IPV6_PREFIX: ";
    for (std::size_t c = 0; c < v.size(); ++c) {
        INFO("cut at value octet " << c);
        const Bytes cut(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(c));
        const std::string want = c == 0 ? "option-len 0 < 1" : "bindprefix6-len 56 needs 7 prefix octets, only " + decimal(c - 1) + " left";
        auto s = decode(tlv(137, cut));
        REQUIRE(s.rejected.size() == 1);
        CHECK(s.rejected[0].option == 137);
        CHECK(s.rejected[0].why == top + want);
        CHECK_FALSE(s.bind_ipv6_prefix.has_value());

        auto s1 = decode(tlv_len(137, static_cast<std::uint16_t>(v.size()), cut));
        REQUIRE(s1.rejected.size() == 1);
        CHECK(s1.rejected[0].why == top + "option-len " + decimal(v.size()) + " overruns the message (" + decimal(c) + " octets left)");

        auto s3 = decode(tlv_len(137, static_cast<std::uint16_t>(c), v));
        REQUIRE_FALSE(s3.rejected.empty());
        CHECK(s3.rejected[0].why == top + want);
    }
    const Bytes whole = tlv(137, v);
    for (std::size_t h = 1; h < 4; ++h) {
        const Bytes hdr(whole.begin(), whole.begin() + static_cast<std::ptrdiff_t>(h));
        auto s = decode(hdr);
        REQUIRE(s.rejected.size() == 1);
        CHECK(s.rejected[0].why == (h == 1 ? "truncated option header (1 of 4 octets) at the end of the message"
                                           : top + "truncated option header (" + decimal(h) + " of 4 octets)"));
    }
}
