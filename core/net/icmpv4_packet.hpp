// A view of an ICMPv4 message (RFC 792) in a caller-owned buffer: the IP payload.
//
// |     Type      |     Code      |          Checksum             |
// |                 rest of header (type-specific)                |
// |           data: for errors, the offending datagram's start    |
//
// The rest-of-header word is read by name: echo identifier/sequence (RFC 792), the
// next-hop MTU of "fragmentation needed" (RFC 1191 §4), the parameter-problem pointer.
// The checksum covers the whole message and has no pseudo-header (RFC 792).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "core/net/bytes.hpp"
#include "core/net/checksum.hpp"
#include "core/net/parse_error.hpp"

namespace s46::net {

namespace icmpv4_type {
inline constexpr std::uint8_t echo_reply = 0;
inline constexpr std::uint8_t destination_unreachable = 3;
inline constexpr std::uint8_t source_quench = 4;
inline constexpr std::uint8_t redirect = 5;
inline constexpr std::uint8_t echo_request = 8;
inline constexpr std::uint8_t time_exceeded = 11;
inline constexpr std::uint8_t parameter_problem = 12;
}  // namespace icmpv4_type

namespace icmpv4_code {
inline constexpr std::uint8_t fragmentation_needed = 4;  // with destination_unreachable (RFC 1191 §4)
}  // namespace icmpv4_code

template <PacketByte B>
class BasicIcmpv4View {
public:
    static constexpr std::size_t header_size = 8;

    // An empty view: what a failed Parsed holds. Its accessors must not be called.
    constexpr BasicIcmpv4View() = default;
    template <PacketByte O>
        requires(std::is_const_v<B> && !std::is_const_v<O>)
    constexpr BasicIcmpv4View(const BasicIcmpv4View<O>& o) : data_(o.data_) {}  // NOLINT: implicit like span's

    static constexpr Parsed<BasicIcmpv4View> parse(std::span<B> buf) {
        if (buf.size() < header_size) return ParseError::icmpv4_truncated;
        return BasicIcmpv4View(buf);
    }

    constexpr std::span<B> message() const { return data_; }
    constexpr std::span<B> body() const { return data_.subspan(header_size); }

    constexpr std::uint8_t type() const { return data_[0]; }
    constexpr std::uint8_t code() const { return data_[1]; }
    constexpr std::uint16_t checksum() const { return load_be16(&data_[2]); }
    constexpr std::uint32_t rest_of_header() const { return load_be32(&data_[4]); }
    constexpr std::uint16_t identifier() const { return load_be16(&data_[4]); }  // echo, RFC 792
    constexpr std::uint16_t sequence() const { return load_be16(&data_[6]); }    // echo, RFC 792
    constexpr std::uint16_t next_hop_mtu() const { return load_be16(&data_[6]); }  // frag needed, RFC 1191 §4
    constexpr std::uint8_t pointer() const { return data_[4]; }                    // parameter problem, RFC 792

    constexpr bool is_echo() const { return type() == icmpv4_type::echo_request || type() == icmpv4_type::echo_reply; }
    // The error messages of RFC 792 that quote the offending datagram's header + 64 bits.
    constexpr bool is_error() const {
        switch (type()) {
            case icmpv4_type::destination_unreachable:
            case icmpv4_type::source_quench:
            case icmpv4_type::redirect:
            case icmpv4_type::time_exceeded:
            case icmpv4_type::parameter_problem: return true;
            default: return false;
        }
    }
    constexpr bool is_fragmentation_needed() const {
        return type() == icmpv4_type::destination_unreachable && code() == icmpv4_code::fragmentation_needed;
    }
    // The quoted datagram of an error, for ConstIpv4View::parse_embedded(); empty otherwise.
    constexpr std::span<B> embedded() const { return is_error() ? body() : std::span<B>{}; }

    constexpr void set_type(std::uint8_t v) requires MutableByte<B> { data_[0] = v; }
    constexpr void set_code(std::uint8_t v) requires MutableByte<B> { data_[1] = v; }
    constexpr void set_checksum(std::uint16_t v) requires MutableByte<B> { store_be16(&data_[2], v); }
    constexpr void set_rest_of_header(std::uint32_t v) requires MutableByte<B> { store_be32(&data_[4], v); }
    constexpr void set_identifier(std::uint16_t v) requires MutableByte<B> { store_be16(&data_[4], v); }
    constexpr void set_sequence(std::uint16_t v) requires MutableByte<B> { store_be16(&data_[6], v); }
    constexpr void set_next_hop_mtu(std::uint16_t v) requires MutableByte<B> { store_be16(&data_[6], v); }

    std::uint16_t compute_checksum() const { return checksum_finish(checksum_add(data_.subspan(4), checksum_add(data_.first(2)))); }
    bool checksum_valid() const { return checksum_fold(checksum_add(data_)) == 0xffff; }
    void update_checksum() requires MutableByte<B> { set_checksum(compute_checksum()); }
    // RFC 1624 update after rewriting a 16-bit field, e.g. the echo identifier in NAPT.
    constexpr void adjust_checksum16(std::uint16_t old_word, std::uint16_t new_word) requires MutableByte<B> {
        set_checksum(all_zero_fixup(checksum_adjust16(checksum(), old_word, new_word)));
    }
    constexpr void adjust_checksum32(std::uint32_t old_value, std::uint32_t new_value) requires MutableByte<B> {
        set_checksum(all_zero_fixup(checksum_adjust32(checksum(), old_value, new_value)));
    }

private:
    template <PacketByte>
    friend class BasicIcmpv4View;

    constexpr explicit BasicIcmpv4View(std::span<B> data) : data_(data) {}

    // RFC 1624 eqn. 3 yields 0x0000 both for a message whose sum is -0 (right) and for a
    // message that is entirely zero, whose checksum must be 0xFFFF (see checksum.hpp).
    // ICMPv4 is the one case where that can happen: no pseudo-header, and an Echo Reply
    // is type 0, code 0, so identifier, sequence and data may all be zero. A 0x0000
    // result is rare (about 1 in 65536), so look at the bytes only then.
    constexpr std::uint16_t all_zero_fixup(std::uint16_t c) const {
        if (c != 0) return c;
        for (std::size_t i = 0; i < data_.size(); ++i)
            if (i != 2 && i != 3 && data_[i] != 0) return c;
        return 0xffff;
    }

    std::span<B> data_{};
};

using Icmpv4View = BasicIcmpv4View<std::uint8_t>;
using ConstIcmpv4View = BasicIcmpv4View<const std::uint8_t>;

}  // namespace s46::net
