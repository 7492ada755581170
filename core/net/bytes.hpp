// Big-endian (network byte order) field access on raw packet bytes.
// Byte-wise shifts rather than memcpy + byteswap: alignment-safe, endian-independent,
// and GCC/Clang fold them into a single load plus bswap/movbe.
#pragma once

#include <concepts>
#include <cstdint>
#include <type_traits>

namespace s46::net {

// Packet views are templates over the byte type: `std::uint8_t` gives a view with
// setters over a mutable buffer, `const std::uint8_t` a read-only one.
template <class B>
concept PacketByte = std::same_as<std::remove_const_t<B>, std::uint8_t>;

template <class B>
concept MutableByte = PacketByte<B> && !std::is_const_v<B>;

constexpr std::uint16_t load_be16(const std::uint8_t* p) {
    return static_cast<std::uint16_t>((p[0] << 8) | p[1]);
}

constexpr std::uint32_t load_be32(const std::uint8_t* p) {
    return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) | p[3];
}

constexpr void store_be16(std::uint8_t* p, std::uint16_t v) {
    p[0] = static_cast<std::uint8_t>(v >> 8);
    p[1] = static_cast<std::uint8_t>(v);
}

constexpr void store_be32(std::uint8_t* p, std::uint32_t v) {
    p[0] = static_cast<std::uint8_t>(v >> 24);
    p[1] = static_cast<std::uint8_t>(v >> 16);
    p[2] = static_cast<std::uint8_t>(v >> 8);
    p[3] = static_cast<std::uint8_t>(v);
}

}  // namespace s46::net
