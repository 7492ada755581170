// Every vector in tests/vectors/options.json: decoding gives the listed fields and the encoder
// gives back the same bytes. Sub-option vectors (89-93) are decoded inside a minimal valid
// container, since on their own at top level they are ignored (also checked here).
#include "dhcp_test_util.hpp"

using namespace s46;
using namespace s46::dhcp;
using namespace s46::dhcp::test;

namespace {

std::uint16_t code_of(const Bytes& b) { return static_cast<std::uint16_t>(b[0] << 8 | b[1]); }

// Split a container value into its sub-options (the vectors are well-formed).
std::vector<Bytes> split(const Bytes& body) {
    std::vector<Bytes> out;
    for (std::size_t pos = 0; pos < body.size();) {
        std::size_t len = static_cast<std::size_t>(body[pos + 2] << 8 | body[pos + 3]);
        out.emplace_back(body.begin() + static_cast<std::ptrdiff_t>(pos), body.begin() + static_cast<std::ptrdiff_t>(pos + 4 + len));
        pos += 4 + len;
    }
    return out;
}

// The reserved flag bits of the i-th rule of a container vector, so the encoder can reproduce them.
std::uint8_t reserved_bits(const json& rule) { return static_cast<std::uint8_t>(rule.at("flags").get<unsigned>() & 0xfe); }

// Re-encode a container item by item in the vector's own wire order (the encoder's canonical
// order is RULEs/BIND first, then BRs).
Bytes encode_in_wire_order(std::uint16_t code, const Bytes& body, const json& dec, const provision::S46OptionSet& got) {
    Bytes v;
    std::size_t ri = 0, bi = 0;
    for (const auto& sub : split(body)) {
        switch (code_of(sub)) {
            case 89: {
                const auto& rules = code == 94 ? got.mape.at(0).rules : got.mapt.at(0).rules;
                v = cat({v, encode(rules.at(ri), reserved_bits(dec.at("rules").at(ri)))});
                ++ri;
                break;
            }
            case 90: {
                const auto& brs = code == 94 ? got.mape.at(0).brs : got.lw.at(0).brs;
                v = cat({v, encode_br(brs.at(bi++))});
                break;
            }
            case 91: v = cat({v, encode_dmr(got.mapt.at(0).dmr)}); break;
            case 92: v = cat({v, encode(*got.lw.at(0).bind)}); break;
            default: FAIL("unexpected sub-option in a container vector");
        }
    }
    return tlv(code, v);
}

}  // namespace

TEST_CASE("options.json: every option vector decodes to its fields and re-encodes byte for byte", "[dhcp][vectors]") {
    json doc = load_vectors("options.json");
    unsigned option_vectors = 0;
    for (const auto& [id, wire, code, dec] : decoded_option_vectors(doc)) {
        INFO(id << " " << to_hex(wire));
        ++option_vectors;
        switch (code) {
            case 93: {
                auto want = portparams_from_json(dec);
                // Inside a RULE and at container level.
                Bytes rule_with = tlv(89, cat({value_of(rule_opt()), wire}));
                auto s = decode(tlv(94, cat({rule_with, br_opt()})));
                REQUIRE(s.rejected.empty());
                CHECK(s.mape.at(0).rules.at(0).port_params == want);
                auto s2 = decode(tlv(94, cat({rule_opt(), br_opt(), wire})));
                REQUIRE(s2.rejected.empty());
                CHECK(s2.mape.at(0).port_params == want);
                CHECK(encode(*want) == wire);
                break;
            }
            case 89: {
                provision::Rule want = rule_from_json(dec);
                auto s = decode(tlv(94, cat({wire, br_opt()})));
                REQUIRE(s.rejected.empty());
                CHECK(s.mape.at(0).rules.at(0) == want);
                CHECK(encode(want, reserved_bits(dec)) == wire);
                break;
            }
            case 90: {
                auto s = decode(tlv(94, cat({rule_opt(), wire})));
                REQUIRE(s.rejected.empty());
                CHECK(s.mape.at(0).brs.at(0) == v6(dec.at("br")));
                CHECK(encode_br(v6(dec.at("br"))) == wire);
                break;
            }
            case 91: {
                auto s = decode(tlv(95, cat({rule_opt(), wire})));
                REQUIRE(s.rejected.empty());
                CHECK(s.mapt.at(0).dmr == p6(dec.at("dmr")));
                CHECK(encode_dmr(p6(dec.at("dmr"))) == wire);
                break;
            }
            case 92: {
                provision::V4v6Bind want = bind_from_json(dec);
                auto s = decode(tlv(96, cat({wire, br_opt()})));
                REQUIRE(s.rejected.empty());
                CHECK(s.lw.at(0).bind == want);
                CHECK(encode(want) == wire);
                break;
            }
            case 94:
            case 95:
            case 96: {
                auto s = decode(wire);
                REQUIRE(s.rejected.empty());
                std::vector<provision::Rule> rules;
                for (const auto& r : dec.at("rules")) rules.push_back(rule_from_json(r));
                std::vector<net::Ipv6Address> brs;
                for (const auto& b : dec.at("brs")) brs.push_back(v6(b));
                provision::S46OptionSet want;
                if (code == 94) {
                    want.mape.push_back({rules, brs, std::nullopt});
                    CHECK(dec.at("dmr").is_null());
                    CHECK(dec.at("bind").is_null());
                } else if (code == 95) {
                    want.mapt.push_back({rules, p6(dec.at("dmr"))});
                    CHECK(brs.empty());
                } else {
                    std::optional<provision::V4v6Bind> bind;
                    if (!dec.at("bind").is_null()) bind = bind_from_json(dec.at("bind"));
                    want.lw.push_back({brs, bind, std::nullopt});
                    CHECK(rules.empty());
                }
                CHECK(s == want);
                // Byte for byte: item by item in the vector's order always; the canonical container
                // encoder too, except for Kea's vector (BR before the RULEs, reserved flag 0x80).
                CHECK(to_hex(encode_in_wire_order(code, value_of(wire), dec, s)) == to_hex(wire));
                if (id == "kea-libdhcp-sw46options") {
                    CHECK(encode(s) != wire);
                    CHECK(without_rejections(decode(encode(s))) == s);
                } else {
                    CHECK(to_hex(encode(s)) == to_hex(wire));
                }
                break;
            }
            case 64: {
                auto s = decode(wire);
                REQUIRE(s.rejected.empty());
                std::string fqdn = dec.at("fqdn").at(0);
                fqdn.pop_back();  // the vectors keep the trailing dot; the struct does not
                CHECK(s.aftr_name == fqdn);
                CHECK(encode_aftr_name(dec.at("fqdn").at(0).get<std::string>()) == wire);
                CHECK(encode(s) == wire);
                break;
            }
            case 111: {
                auto s = decode(wire);
                REQUIRE(s.rejected.empty());
                auto codes = dec.at("codes").get<std::vector<std::uint16_t>>();
                CHECK(s.priority == codes);
                CHECK(encode_priority(codes) == wire);
                CHECK(encode(s) == wire);
                break;
            }
            default: FAIL("vector with an unexpected option code " << code);
        }
        if (code >= 89 && code <= 93) {
            // On its own at top level: ignored, with the reason.
            auto s = decode(wire);
            REQUIRE(s.rejected.size() == 1);
            CHECK(s.rejected[0].option == code);
            CHECK(s.rejected[0].why.ends_with(": ignored outside an S46 container"));
            CHECK(without_rejections(s) == provision::S46OptionSet{});
        }
    }
    CHECK(option_vectors == 15);
}

TEST_CASE("options.json: PSID field vectors (left-aligned on the wire, right-aligned decoded)", "[dhcp][vectors][psid]") {
    json doc = load_vectors("options.json");
    unsigned n = 0;
    for (const auto& vec : doc.at("option_wire_vectors")) {
        const std::string id = vec.at("id");
        INFO(id);
        if (id.starts_with("kea-readPsid-")) {
            ++n;
            // hex = PSID-len + PSID(16); offset 0 so that offset + psid-len stays <= 16.
            Bytes pp = tlv(93, cat({Bytes{0}, from_hex(vec.at("hex"))}));
            auto s = decode(tlv(94, cat({tlv(89, cat({value_of(rule_opt()), pp})), br_opt()})));
            if (vec.at("expected") == "invalid") {
                REQUIRE(s.rejected.size() == 1);
                CHECK(s.mape.empty());
                if (id == "kea-readPsid-17")
                    CHECK(s.rejected[0].why == "OPTION_S46_CONT_MAPE: OPTION_S46_RULE/OPTION_S46_PORTPARAMS psid-len 17 > 16");
                else
                    CHECK(s.rejected[0].why ==
                          "OPTION_S46_CONT_MAPE: OPTION_S46_RULE/OPTION_S46_PORTPARAMS PSID 0xb000 has bits set past psid-len 3");
            } else {
                REQUIRE(s.rejected.empty());
                provision::PortParams want{0, vec.at("expected").at("psid_len").get<std::uint8_t>(),
                                           vec.at("expected").at("psid").get<std::uint16_t>()};
                CHECK(s.mape.at(0).rules.at(0).port_params == want);
            }
        } else if (id.starts_with("kea-writePsid-")) {
            ++n;
            provision::PortParams in{0, vec.at("input").at("psid_len").get<std::uint8_t>(),
                                     vec.at("input").at("psid").get<std::uint16_t>()};
            CHECK(to_hex(encode(in)) == "005d000400" + vec.at("expected_hex").get<std::string>());
        } else if (id == "kea-readPrefix-34-masked") {
            ++n;
            // The prefix field of a DMR: bits past the length are ignored when received.
            auto s = decode(tlv(95, cat({rule_opt(), tlv(91, from_hex(vec.at("hex")))})));
            REQUIRE(s.rejected.empty());
            CHECK(s.mapt.at(0).dmr == p6(vec.at("expected")));
            // ... and of a RULE.
            Bytes rule_v = cat({from_hex("011018c0000200"), from_hex(vec.at("hex"))});
            auto s2 = decode(tlv(94, cat({tlv(89, rule_v), br_opt()})));
            REQUIRE(s2.rejected.empty());
            CHECK(s2.mape.at(0).rules.at(0).ipv6_prefix == p6(vec.at("expected")));
        } else if (id == "kea-writePrefix-34") {
            ++n;
            // Kea's test writes 2001:db8:ffff::/34; the bits past /34 are not sent.
            CHECK(to_hex(encode_dmr(p6("2001:db8:ffff::/34"))) == "005b0006" + vec.at("expected_hex").get<std::string>());
        }
    }
    CHECK(n == 10);
}
