// IPv4 addresses and prefixes: value types, parsing and formatting.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace s46::net {

struct Ipv4Address {
    std::uint32_t value = 0;  // host byte order

    constexpr Ipv4Address() = default;
    constexpr explicit Ipv4Address(std::uint32_t v) : value(v) {}
    constexpr Ipv4Address(std::uint8_t a, std::uint8_t b, std::uint8_t c, std::uint8_t d)
        : value((std::uint32_t{a} << 24) | (std::uint32_t{b} << 16) | (std::uint32_t{c} << 8) | d) {}

    static Result<Ipv4Address> parse(std::string_view text);
    std::string to_string() const;

    friend constexpr auto operator<=>(Ipv4Address, Ipv4Address) = default;
};

// Mask with the top `len` bits set (len 0..32).
constexpr std::uint32_t ipv4_mask(unsigned len) {
    return len == 0 ? 0u : (len >= 32 ? 0xffffffffu : ~((1u << (32 - len)) - 1u));
}

struct Ipv4Prefix {
    Ipv4Address address;  // always canonical: bits past `length` are zero
    std::uint8_t length = 0;

    constexpr Ipv4Prefix() = default;
    // Host bits past `len` are cleared, as RFC 7598 §4.1 says a receiver ignores them.
    constexpr Ipv4Prefix(Ipv4Address a, unsigned len)
        : address(a.value & ipv4_mask(len > 32 ? 32 : len)), length(static_cast<std::uint8_t>(len > 32 ? 32 : len)) {}

    // "a.b.c.d/len"; a bare address means /32. Host bits must be zero unless `allow_host_bits`.
    static Result<Ipv4Prefix> parse(std::string_view text, bool allow_host_bits = false);
    std::string to_string() const;

    constexpr bool contains(Ipv4Address a) const { return (a.value & ipv4_mask(length)) == address.value; }
    constexpr bool contains(const Ipv4Prefix& p) const { return p.length >= length && contains(p.address); }
    constexpr std::uint32_t mask() const { return ipv4_mask(length); }

    friend constexpr auto operator<=>(const Ipv4Prefix&, const Ipv4Prefix&) = default;
};

}  // namespace s46::net
