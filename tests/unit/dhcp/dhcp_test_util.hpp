// Helpers for the dhcp/ codec tests: hex, TLV building, vector (JSON) to provision structs,
// readable printing of decoded sets for Catch2 failure messages.
#pragma once

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <cstdint>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "core/provision/s46_options.hpp"
#include "dhcp/s46_codec.hpp"

namespace s46::dhcp::test {

using Bytes = std::vector<std::uint8_t>;
using nlohmann::json;

inline Bytes from_hex(std::string hex) {
    std::erase(hex, ' ');
    Bytes b;
    for (std::size_t i = 0; i + 1 < hex.size(); i += 2) b.push_back(static_cast<std::uint8_t>(std::stoul(hex.substr(i, 2), nullptr, 16)));
    return b;
}

inline std::string to_hex(const Bytes& b) {
    static const char* d = "0123456789abcdef";
    std::string s;
    for (auto c : b) {
        s += d[c >> 4];
        s += d[c & 15];
    }
    return s;
}

inline Bytes cat(std::initializer_list<Bytes> parts) {
    Bytes r;
    for (const auto& p : parts) r.insert(r.end(), p.begin(), p.end());
    return r;
}

// code, option-len = value.size(), value.
inline Bytes tlv(std::uint16_t code, const Bytes& value) { return encode_option(code, value); }

// code, an explicit (possibly lying) option-len, value.
inline Bytes tlv_len(std::uint16_t code, std::uint16_t len, const Bytes& value) {
    Bytes b{static_cast<std::uint8_t>(code >> 8), static_cast<std::uint8_t>(code), static_cast<std::uint8_t>(len >> 8),
            static_cast<std::uint8_t>(len)};
    b.insert(b.end(), value.begin(), value.end());
    return b;
}

inline Bytes value_of(const Bytes& option) { return Bytes(option.begin() + 4, option.end()); }

inline provision::S46OptionSet decode(const Bytes& b) { return decode_reply_options(b); }

inline net::Ipv6Address v6(const std::string& s) { return net::Ipv6Address::parse(s).value(); }
inline net::Ipv6Prefix p6(const std::string& s) { return net::Ipv6Prefix::parse(s, true).value(); }
inline net::Ipv4Prefix p4(const std::string& s) { return net::Ipv4Prefix::parse(s, true).value(); }
inline net::Ipv4Address v4(const std::string& s) { return net::Ipv4Address::parse(s).value(); }

// Well-formed building blocks.
inline Bytes br_opt(const std::string& a = "2001:db8:ffff::1") { return encode_br(v6(a)); }
inline provision::Rule base_rule() {
    provision::Rule r;
    r.forwarding = true;
    r.ea_len = 16;
    r.ipv4_prefix = p4("192.0.2.0/24");
    r.ipv6_prefix = p6("2001:db8::/40");
    return r;
}
inline Bytes rule_opt() { return encode(base_rule()); }

// ---------------------------------------------------------------- vectors (options.json)

inline json load_vectors(const std::string& file) {
    std::ifstream in(std::string(S46_VECTOR_DIR) + "/" + file);
    REQUIRE(in.good());
    return json::parse(in);
}

// The option vectors of options.json that have a "decoded" form: whole options, with their code.
struct OptionVector {
    std::string id;
    Bytes wire;
    std::uint16_t code = 0;
    json decoded;
};

inline std::vector<OptionVector> decoded_option_vectors(const json& doc) {
    std::vector<OptionVector> out;
    for (const auto& vec : doc.at("option_wire_vectors")) {
        if (!vec.contains("decoded")) continue;
        Bytes wire = from_hex(vec.at("hex"));
        REQUIRE(wire.size() >= 4);
        const auto code = static_cast<std::uint16_t>(wire[0] << 8 | wire[1]);
        out.push_back({vec.at("id"), std::move(wire), code, vec.at("decoded")});
    }
    return out;
}

inline std::optional<provision::PortParams> portparams_from_json(const json& j) {
    if (j.is_null()) return std::nullopt;
    provision::PortParams p;
    p.offset = j.at("offset").get<std::uint8_t>();
    p.psid_len = j.at("psid_len").get<std::uint8_t>();
    p.psid = j.at("psid").get<std::uint16_t>();
    return p;
}

inline provision::Rule rule_from_json(const json& j) {
    provision::Rule r;
    r.forwarding = j.at("F").get<bool>();
    r.ea_len = j.at("ea_len").get<std::uint8_t>();
    r.ipv4_prefix = p4(j.at("ipv4_prefix").get<std::string>());
    r.ipv6_prefix = p6(j.at("ipv6_prefix").get<std::string>());
    r.port_params = portparams_from_json(j.value("portparams", json()));
    return r;
}

inline provision::V4v6Bind bind_from_json(const json& j) {
    provision::V4v6Bind b;
    b.ipv4 = v4(j.at("ipv4").get<std::string>());
    b.bind_prefix = p6(j.at("bind_prefix").get<std::string>());
    b.port_params = portparams_from_json(j.value("portparams", json()));
    return b;
}

// ---------------------------------------------------------------- printing

inline std::string describe(const provision::PortParams& p) {
    return "{offset " + std::to_string(p.offset) + " psid-len " + std::to_string(p.psid_len) + " psid " +
           std::to_string(p.psid) + "}";
}
inline std::string describe(const std::optional<provision::PortParams>& p) { return p ? describe(*p) : "-"; }
inline std::string describe(const provision::Rule& r) {
    return "rule{F=" + std::to_string(r.forwarding) + " ea " + std::to_string(r.ea_len) + " " + r.ipv4_prefix.to_string() +
           " " + r.ipv6_prefix.to_string() + " pp " + describe(r.port_params) + "}";
}
inline std::string describe(const provision::S46OptionSet& s) {
    std::ostringstream o;
    o << "aftr=" << (s.aftr_name ? *s.aftr_name : "-");
    for (const auto& c : s.mape) {
        o << " mape[";
        for (const auto& r : c.rules) o << describe(r) << " ";
        for (const auto& b : c.brs) o << "br " << b.to_string() << " ";
        o << "pp " << describe(c.port_params) << "]";
    }
    for (const auto& c : s.mapt) {
        o << " mapt[";
        for (const auto& r : c.rules) o << describe(r) << " ";
        o << "dmr " << c.dmr.to_string() << "]";
    }
    for (const auto& c : s.lw) {
        o << " lw[";
        for (const auto& b : c.brs) o << "br " << b.to_string() << " ";
        if (c.bind)
            o << "bind " << c.bind->ipv4.to_string() << " " << c.bind->bind_prefix.to_string() << " pp "
              << describe(c.bind->port_params) << " ";
        o << "pp " << describe(c.port_params) << "]";
    }
    if (s.priority) {
        o << " prio[";
        for (auto c : *s.priority) o << c << " ";
        o << "]";
    }
    if (s.dhcp4o6_servers) o << " 4o6";
    for (const auto& d : s.dns_servers) o << " dns " << d.to_string();
    for (const auto& r : s.rejected) o << " REJ(" << r.option << ": " << r.why << ")";
    return o.str();
}

inline std::vector<std::string> reasons(const provision::S46OptionSet& s) {
    std::vector<std::string> out;
    for (const auto& r : s.rejected) out.push_back(r.why);
    return out;
}

inline provision::S46OptionSet without_rejections(provision::S46OptionSet s) {
    s.rejected.clear();
    return s;
}

}  // namespace s46::dhcp::test

namespace Catch {
template <>
struct StringMaker<std::vector<std::uint8_t>> {
    static std::string convert(const std::vector<std::uint8_t>& b) { return "hex " + s46::dhcp::test::to_hex(b); }
};
template <>
struct StringMaker<s46::provision::S46OptionSet> {
    static std::string convert(const s46::provision::S46OptionSet& s) { return s46::dhcp::test::describe(s); }
};
template <>
struct StringMaker<s46::provision::Rule> {
    static std::string convert(const s46::provision::Rule& r) { return s46::dhcp::test::describe(r); }
};
template <>
struct StringMaker<s46::provision::PortParams> {
    static std::string convert(const s46::provision::PortParams& p) { return s46::dhcp::test::describe(p); }
};
}  // namespace Catch
