#include <catch2/catch.hpp>

#include "core/map/derivation.hpp"
#include "core/map/map_address.hpp"
#include "core/map/source_check.hpp"
#include "tests/unit/core/map/map_vectors.hpp"

using namespace s46;
using namespace s46::map;
using namespace s46::map::test;

namespace {

bool accepted(const std::string& expectation) {
    REQUIRE((expectation.rfind("accept", 0) == 0 || expectation == "drop"));
    return expectation.rfind("accept", 0) == 0;
}

}  // namespace

TEST_CASE("anti_spoof_vectors from map.json", "[map][vectors][rfc7597]") {
    const auto& rows = map_vectors().at("anti_spoof_vectors");
    REQUIRE(rows.size() >= 3);
    const auto default_br = v6("2001:db8:ffff::1");
    for (const auto& row : rows) {
        const std::string id = row.at("id");
        INFO(id);
        const auto& in = row.at("input");
        std::vector<Rule> rules;
        if (in.contains("rule")) {
            rules.push_back(rule_from_notation(in.at("rule")));
            REQUIRE(validate(rules.back()).ok());
        }
        // "2001:db8:ffff::1 (== configured BR)": the source is the BR itself.
        std::string src_text = in.at("outer_src");
        const bool src_is_br = src_text.find("configured BR") != std::string::npos;
        const auto outer_src = v6(src_text.substr(0, src_text.find(' ')));
        const auto br = src_is_br ? outer_src : default_br;
        const auto inner = v4(in.at("inner_src"));
        const auto port = in.at("inner_sport").get<std::uint16_t>();

        auto rfc = check_source(rules, br, outer_src, inner, port, kMapEDefaultPsidOffset, SourceCheckMode::ea_bits);
        auto strict = check_source(rules, br, outer_src, inner, port, kMapEDefaultPsidOffset, SourceCheckMode::full_address);
        for (const auto& [key, value] : row.at("expected").items()) {
            INFO(key << " rfc=" << to_string(rfc.verdict) << " strict=" << to_string(strict.verdict));
            if (key == "rfc_check") CHECK(rfc.accepted() == accepted(value));
            else if (key == "strict_check") CHECK(strict.accepted() == accepted(value));
            else if (key == "decision") {
                CHECK(rfc.accepted() == accepted(value));
                CHECK(strict.accepted() == accepted(value));
                if (src_is_br) {
                    CHECK(rfc.verdict == SourceVerdict::accept_from_br);
                    // The exemption is what accepted it: from anywhere else the same packet is dropped.
                    auto not_br = check_source(rules, default_br == outer_src ? v6("2001:db8:fffe::1") : default_br, outer_src,
                                               inner, port, kMapEDefaultPsidOffset, SourceCheckMode::ea_bits);
                    CHECK(not_br.verdict == SourceVerdict::drop_no_rule);
                }
            } else FAIL("unhandled expected key " << key);
        }
    }
}

TEST_CASE("source validation verdicts name the reason", "[map][rfc7597][rejection]") {
    Rule rule;
    rule.ipv6_prefix = p6("2001:db8:f0::/48");
    rule.ipv4_prefix = p4("198.18.0.0/24");
    rule.ea_len = 12;  // p = 8, q = 4
    rule.psid_offset = 6;
    std::vector<Rule> rules{rule};
    const auto br = v6("2001:db8:ffff::1");
    const auto src = v6("2001:db8:f0:c30:0:c612:c:3");  // EA 0x0c3: 198.18.0.12, PSID 3

    auto verdict = [&](const net::Ipv6Address& s, const char* ipv4, std::uint16_t port, SourceCheckMode mode) {
        return check_source(rules, br, s, v4(ipv4), port, kMapEDefaultPsidOffset, mode).verdict;
    };
    CHECK(verdict(src, "198.18.0.12", 16606, SourceCheckMode::ea_bits) == SourceVerdict::accept);
    CHECK(verdict(v6("2001:db8:f1::1"), "198.18.0.12", 16606, SourceCheckMode::ea_bits) == SourceVerdict::drop_no_rule);
    CHECK(verdict(src, "198.18.0.13", 16606, SourceCheckMode::ea_bits) == SourceVerdict::drop_ipv4);
    CHECK(verdict(src, "198.18.0.12", 16862, SourceCheckMode::ea_bits) == SourceVerdict::drop_port);
    // PSID 3 in the low block (A = 0): excluded by a = 6 (RFC 7597 §5.1), so not the CE's port.
    CHECK(verdict(src, "198.18.0.12", 3 * 64, SourceCheckMode::ea_bits) == SourceVerdict::drop_port);

    // A forged interface ID with the right EA bits: §8.1 as written accepts, the strict check does not.
    const auto forged = v6("2001:db8:f0:c30:dead:beef:0:1");
    CHECK(verdict(forged, "198.18.0.12", 16606, SourceCheckMode::ea_bits) == SourceVerdict::accept);
    CHECK(verdict(forged, "198.18.0.12", 16606, SourceCheckMode::full_address) == SourceVerdict::drop_address_mismatch);
    CHECK(std::string(to_string(SourceVerdict::drop_address_mismatch)) == "drop-address-mismatch");

    Rule wide;  // q = 16 with the default offset 6: no binding can be derived
    wide.ipv6_prefix = p6("2001:db8::/32");
    wide.ipv4_prefix = p4("0.0.0.0/0");
    wide.ea_len = 48;
    std::vector<Rule> wide_rules{wide};
    auto unusable = check_source(wide_rules, br, v6("2001:db8:c000:212:4d0::1"), v4("192.0.2.18"), 1232,
                                 kMapEDefaultPsidOffset, SourceCheckMode::ea_bits);
    CHECK(unusable.verdict == SourceVerdict::drop_rule_unusable);
}

TEST_CASE("every CE's own traffic passes both checks; its neighbours' ports do not", "[map][property][rfc7597]") {
    const Rule rule = example1_rule();
    std::vector<Rule> rules{rule};
    const auto br = v6("2001:db8:ffff::1");
    unsigned wrong = 0;
    for (unsigned low = 0; low < 256; low += 5) {
        const auto eup = example1_end_user_prefix(low);
        auto b = derive_binding(rule, eup, kMapEDefaultPsidOffset);
        REQUIRE(b.ok());
        const auto src = map_ipv6_address(eup, *b);
        for (unsigned port = 0; port < 65536; port += 7) {
            const bool mine = b->ports.contains(static_cast<std::uint16_t>(port));
            for (auto mode : {SourceCheckMode::ea_bits, SourceCheckMode::full_address}) {
                auto d = check_source(rules, br, src, b->ipv4.address, static_cast<std::uint16_t>(port), kMapEDefaultPsidOffset, mode);
                if (d.accepted() != mine) ++wrong;
            }
        }
    }
    CHECK(wrong == 0);
}
