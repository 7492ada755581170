// A view of an ICMPv6 message (RFC 4443 §2.1) in a caller-owned buffer: the upper-layer
// payload after any extension headers.
//
// |     Type      |     Code      |          Checksum             |
// |                 type-specific 32 bits                         |
// |           body: for errors, as much of the invoking packet as fits (§3)
//
// Types 0..127 are errors, 128..255 informational (RFC 4443 §2.1). The 32-bit word is
// the MTU of Packet Too Big (§3.2), the pointer of Parameter Problem (§3.4), or the
// echo identifier and sequence number (§4.1). The checksum covers the IPv6
// pseudo-header plus the message (§2.3).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "core/net/bytes.hpp"
#include "core/net/checksum.hpp"
#include "core/net/parse_error.hpp"

namespace s46::net {

namespace icmpv6_type {
inline constexpr std::uint8_t destination_unreachable = 1;
inline constexpr std::uint8_t packet_too_big = 2;
inline constexpr std::uint8_t time_exceeded = 3;
inline constexpr std::uint8_t parameter_problem = 4;
inline constexpr std::uint8_t echo_request = 128;
inline constexpr std::uint8_t echo_reply = 129;
}  // namespace icmpv6_type

template <PacketByte B>
class BasicIcmpv6View {
public:
    static constexpr std::size_t header_size = 8;

    // An empty view: what a failed Parsed holds. Its accessors must not be called.
    constexpr BasicIcmpv6View() = default;
    template <PacketByte O>
        requires(std::is_const_v<B> && !std::is_const_v<O>)
    constexpr BasicIcmpv6View(const BasicIcmpv6View<O>& o) : data_(o.data_) {}  // NOLINT: implicit like span's

    static constexpr Parsed<BasicIcmpv6View> parse(std::span<B> buf) {
        if (buf.size() < header_size) return ParseError::icmpv6_truncated;
        return BasicIcmpv6View(buf);
    }

    constexpr std::span<B> message() const { return data_; }
    constexpr std::span<B> body() const { return data_.subspan(header_size); }

    constexpr std::uint8_t type() const { return data_[0]; }
    constexpr std::uint8_t code() const { return data_[1]; }
    constexpr std::uint16_t checksum() const { return load_be16(&data_[2]); }
    constexpr std::uint32_t word() const { return load_be32(&data_[4]); }  // the type-specific 32 bits
    constexpr std::uint16_t identifier() const { return load_be16(&data_[4]); }  // echo, §4.1
    constexpr std::uint16_t sequence() const { return load_be16(&data_[6]); }    // echo, §4.1
    constexpr std::uint32_t mtu() const { return word(); }                       // packet too big, §3.2
    constexpr std::uint32_t pointer() const { return word(); }                   // parameter problem, §3.4

    constexpr bool is_error() const { return type() < 128; }
    constexpr bool is_echo() const { return type() == icmpv6_type::echo_request || type() == icmpv6_type::echo_reply; }
    // The invoking packet of an error, for ConstIpv6View::parse_embedded(); empty otherwise.
    constexpr std::span<B> embedded() const { return is_error() ? body() : std::span<B>{}; }

    constexpr void set_type(std::uint8_t v) requires MutableByte<B> { data_[0] = v; }
    constexpr void set_code(std::uint8_t v) requires MutableByte<B> { data_[1] = v; }
    constexpr void set_checksum(std::uint16_t v) requires MutableByte<B> { store_be16(&data_[2], v); }
    constexpr void set_word(std::uint32_t v) requires MutableByte<B> { store_be32(&data_[4], v); }
    constexpr void set_identifier(std::uint16_t v) requires MutableByte<B> { store_be16(&data_[4], v); }
    constexpr void set_sequence(std::uint16_t v) requires MutableByte<B> { store_be16(&data_[6], v); }
    constexpr void set_mtu(std::uint32_t v) requires MutableByte<B> { set_word(v); }

    // `pseudo` is the IPv6 layer's pseudo_header_sum(ip_protocol::icmpv6, message size).
    std::uint16_t compute_checksum(std::uint64_t pseudo) const {
        return checksum_finish(checksum_add(data_.subspan(4), checksum_add(data_.first(2), pseudo)));
    }
    bool checksum_valid(std::uint64_t pseudo) const { return checksum_fold(checksum_add(data_, pseudo)) == 0xffff; }
    void update_checksum(std::uint64_t pseudo) requires MutableByte<B> { set_checksum(compute_checksum(pseudo)); }
    constexpr void adjust_checksum16(std::uint16_t old_word, std::uint16_t new_word) requires MutableByte<B> {
        set_checksum(checksum_adjust16(checksum(), old_word, new_word));
    }
    constexpr void adjust_checksum32(std::uint32_t old_value, std::uint32_t new_value) requires MutableByte<B> {
        set_checksum(checksum_adjust32(checksum(), old_value, new_value));
    }
    void adjust_checksum_bytes(std::span<const std::uint8_t> old_bytes, std::span<const std::uint8_t> new_bytes)
        requires MutableByte<B>
    {
        set_checksum(net::checksum_adjust_bytes(checksum(), old_bytes, new_bytes));
    }

private:
    template <PacketByte>
    friend class BasicIcmpv6View;

    constexpr explicit BasicIcmpv6View(std::span<B> data) : data_(data) {}

    std::span<B> data_{};
};

using Icmpv6View = BasicIcmpv6View<std::uint8_t>;
using ConstIcmpv6View = BasicIcmpv6View<const std::uint8_t>;

}  // namespace s46::net
