// IPv6 addresses and prefixes: value types, RFC 4291/5952 parsing and formatting,
// and bit-field access used by the MAP arithmetic (RFC 7597 §5.2 counts bits from the top).
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace s46::net {

struct Ipv6Address {
    std::array<std::uint8_t, 16> bytes{};  // network byte order

    static Result<Ipv6Address> parse(std::string_view text);
    // RFC 5952 canonical text form.
    std::string to_string() const;

    // Read `len` bits (0..64) starting at bit `start` (0 = most significant bit of byte 0).
    std::uint64_t bits(unsigned start, unsigned len) const;
    // Write the low `len` bits of `v` at bit `start`.
    void set_bits(unsigned start, unsigned len, std::uint64_t v);

    friend constexpr auto operator<=>(const Ipv6Address&, const Ipv6Address&) = default;
};

struct Ipv6Prefix {
    Ipv6Address address;  // canonical: bits past `length` are zero
    std::uint8_t length = 0;

    Ipv6Prefix() = default;
    // Bits past `len` are cleared (RFC 7598 §4.1: receivers mask the padding).
    Ipv6Prefix(const Ipv6Address& a, unsigned len);

    // "addr/len"; a bare address means /128. Host bits must be zero unless `allow_host_bits`.
    static Result<Ipv6Prefix> parse(std::string_view text, bool allow_host_bits = false);
    std::string to_string() const;

    bool contains(const Ipv6Address& a) const;
    bool contains(const Ipv6Prefix& p) const { return p.length >= length && contains(p.address); }

    friend constexpr auto operator<=>(const Ipv6Prefix&, const Ipv6Prefix&) = default;
};

}  // namespace s46::net
