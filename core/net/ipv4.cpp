#include "core/net/ipv4.hpp"

#include <charconv>

namespace s46::net {

namespace {

// Parses a decimal number in [0, max] that occupies all of `s`; no signs, no leading '+'.
bool parse_uint(std::string_view s, unsigned max, unsigned& out) {
    if (s.empty() || s.size() > 10) return false;
    for (char c : s)
        if (c < '0' || c > '9') return false;
    unsigned long v = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc{} || p != s.data() + s.size() || v > max) return false;
    out = static_cast<unsigned>(v);
    return true;
}

}  // namespace

Result<Ipv4Address> Ipv4Address::parse(std::string_view text) {
    std::uint32_t value = 0;
    std::string_view rest = text;
    for (int i = 0; i < 4; ++i) {
        auto dot = rest.find('.');
        std::string_view part = (i < 3) ? rest.substr(0, dot) : rest;
        if (i < 3 && dot == std::string_view::npos) return fail("invalid IPv4 address '" + std::string(text) + "': expected four dotted octets");
        unsigned octet = 0;
        // Leading zeros are refused: "010" is octal to inet_aton and decimal to others.
        if (!parse_uint(part, 255, octet) || (part.size() > 1 && part[0] == '0'))
            return fail("invalid IPv4 address '" + std::string(text) + "': bad octet '" + std::string(part) + "'");
        value = (value << 8) | octet;
        if (i < 3) rest = rest.substr(dot + 1);
    }
    return Ipv4Address{value};
}

std::string Ipv4Address::to_string() const {
    return std::to_string(value >> 24) + '.' + std::to_string((value >> 16) & 0xff) + '.' +
           std::to_string((value >> 8) & 0xff) + '.' + std::to_string(value & 0xff);
}

Result<Ipv4Prefix> Ipv4Prefix::parse(std::string_view text, bool allow_host_bits) {
    auto slash = text.find('/');
    auto addr = Ipv4Address::parse(text.substr(0, slash));
    if (!addr) return fail(addr.error());
    unsigned len = 32;
    if (slash != std::string_view::npos) {
        auto len_text = text.substr(slash + 1);
        if (!parse_uint(len_text, 32, len))
            return fail("invalid IPv4 prefix '" + std::string(text) + "': length must be 0..32");
    }
    Ipv4Prefix p(*addr, len);
    if (!allow_host_bits && p.address != *addr)
        return fail("invalid IPv4 prefix '" + std::string(text) + "': bits set past the prefix length");
    return p;
}

std::string Ipv4Prefix::to_string() const { return address.to_string() + '/' + std::to_string(length); }

}  // namespace s46::net
