// Shared helpers for the core/map tests: loading tests/vectors/map.json and turning its
// rule notations into map::Rule. Anything the helpers do not understand fails the test, so a new
// vector field cannot be skipped silently.
#pragma once

#include <catch2/catch.hpp>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "core/map/port_set.hpp"
#include "core/map/rule.hpp"
#include "core/net/ipv4.hpp"
#include "core/net/ipv6.hpp"

namespace s46::map::test {

inline const nlohmann::json& map_vectors() {
    static const nlohmann::json doc = [] {
        std::ifstream in(S46_VECTOR_DIR "/map.json");
        REQUIRE(in.good());
        return nlohmann::json::parse(in);
    }();
    return doc;
}

// The value `s` spells, failing the test (and naming `s`) when it does not parse.
template <class T>
T parsed(const std::string& s) {
    auto r = T::parse(s);
    INFO(s);
    REQUIRE(r.ok());
    return *r;
}

inline net::Ipv4Address v4(const std::string& s) { return parsed<net::Ipv4Address>(s); }
inline net::Ipv6Address v6(const std::string& s) { return parsed<net::Ipv6Address>(s); }
inline net::Ipv4Prefix p4(const std::string& s) { return parsed<net::Ipv4Prefix>(s); }
inline net::Ipv6Prefix p6(const std::string& s) { return parsed<net::Ipv6Prefix>(s); }

// Rule from a map_bmr_vectors "rule" object; null fields are absent parameters.
inline Rule rule_from_json(const nlohmann::json& j) {
    Rule r;
    r.ipv6_prefix = p6(j.at("ipv6_prefix").get<std::string>());
    r.ipv4_prefix = p4(j.at("ipv4_prefix").get<std::string>());
    r.ea_len = j.at("ea_len").get<std::uint8_t>();
    if (!j.at("psid_offset").is_null()) r.psid_offset = j.at("psid_offset").get<std::uint8_t>();
    const auto& len = j.at("explicit_psid_len");
    const auto& psid = j.at("explicit_psid");
    REQUIRE(len.is_null() == psid.is_null());
    if (!len.is_null()) r.explicit_psid = ExplicitPsid{len.get<std::uint8_t>(), psid.get<std::uint16_t>()};
    return r;
}

// Rule from the compact notation of forwarding and anti-spoof rows:
// "2001:db8::/40,192.0.2.0/24,ea=16,F=1" with optional "a=N".
inline Rule rule_from_notation(const std::string& text) {
    INFO(text);
    std::vector<std::string> parts;
    std::stringstream ss(text);
    for (std::string part; std::getline(ss, part, ',');) parts.push_back(part);
    REQUIRE(parts.size() >= 3);
    Rule r;
    r.ipv6_prefix = p6(parts[0]);
    r.ipv4_prefix = p4(parts[1]);
    for (std::size_t i = 2; i < parts.size(); ++i) {
        auto eq = parts[i].find('=');
        REQUIRE(eq != std::string::npos);
        std::string key = parts[i].substr(0, eq);
        unsigned value = static_cast<unsigned>(std::stoul(parts[i].substr(eq + 1)));
        if (key == "ea") r.ea_len = static_cast<std::uint8_t>(value);
        else if (key == "F") r.forwarding = value != 0;
        else if (key == "a") r.psid_offset = static_cast<std::uint8_t>(value);
        else FAIL("unknown key in rule notation: " << key);
    }
    return r;
}

// RFC 7597 App. A Ex. 1 rule: 2001:db8::/40, 192.0.2.0/24, ea-len 16 (q = 8), no F flag.
inline Rule example1_rule() {
    Rule r;
    r.ipv6_prefix = p6("2001:db8::/40");
    r.ipv4_prefix = p4("192.0.2.0/24");
    r.ea_len = 16;
    return r;
}

// The End-user prefix 2001:db8:12:XX00::/56 with XX = `psid`: under example1_rule() every one of
// them maps to 192.0.2.18, with that PSID (EA bits 0x12XX).
inline net::Ipv6Prefix example1_end_user_prefix(unsigned psid) {
    net::Ipv6Address a = v6("2001:db8:12::");
    a.set_bits(48, 8, psid);
    return net::Ipv6Prefix(a, 56);
}

inline std::string range_text(PortRange r) { return std::to_string(r.first) + "-" + std::to_string(r.last); }

inline std::vector<std::string> range_texts(const std::vector<PortRange>& ranges) {
    std::vector<std::string> out;
    for (auto r : ranges) out.push_back(range_text(r));
    return out;
}

// The first and last `n` entries, for comparing against the vectors' first_ranges/last_ranges.
inline std::vector<std::string> head(const std::vector<std::string>& v, std::size_t n) {
    return {v.begin(), v.begin() + static_cast<std::ptrdiff_t>(std::min(n, v.size()))};
}
inline std::vector<std::string> tail(const std::vector<std::string>& v, std::size_t n) {
    return {v.end() - static_cast<std::ptrdiff_t>(std::min(n, v.size())), v.end()};
}

}  // namespace s46::map::test
