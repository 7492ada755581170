// A view of an IPv6 packet (RFC 8200 §3) in a caller-owned buffer.
//
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |Version| Traffic Class |           Flow Label                  |
// |         Payload Length        |  Next Header  |   Hop Limit   |
// |                     Source Address (128 bits)                 |
// |                  Destination Address (128 bits)               |
//
// payload() is everything after the fixed header, extension headers included;
// next_header() names the first of them. Jumbograms (RFC 2675: Payload Length 0 plus
// a Hop-by-Hop option) are not supported: a CPE link never carries one, and a zero
// Payload Length is read literally, as an empty payload.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "core/net/bytes.hpp"
#include "core/net/checksum.hpp"
#include "core/net/ipv6.hpp"
#include "core/net/parse_error.hpp"

namespace s46::net {

template <PacketByte B>
class BasicIpv6View {
public:
    static constexpr std::size_t header_size = 40;

    // An empty view: what a failed Parsed holds. Its accessors must not be called.
    constexpr BasicIpv6View() = default;
    template <PacketByte O>
        requires(std::is_const_v<B> && !std::is_const_v<O>)
    constexpr BasicIpv6View(const BasicIpv6View<O>& o)  // NOLINT: implicit like span's
        : data_(o.data_), truncated_(o.truncated_) {}

    // A complete packet: 40 + Payload Length must fit in `buf`; trailing bytes are outside the view.
    static constexpr Parsed<BasicIpv6View> parse(std::span<B> buf) { return parse_impl(buf, false); }
    // The packet quoted in an ICMPv6 error (RFC 4443 §3): the fixed header must be whole,
    // the payload may be cut short (then truncated() is true).
    static constexpr Parsed<BasicIpv6View> parse_embedded(std::span<B> buf) { return parse_impl(buf, true); }

    // ---- extents ----
    constexpr std::span<B> packet() const { return data_; }
    constexpr std::span<B> header() const { return data_.first(header_size); }
    constexpr std::span<B> payload() const { return data_.subspan(header_size); }
    constexpr bool truncated() const { return truncated_; }

    // ---- fields ----
    constexpr std::uint8_t version() const { return data_[0] >> 4; }
    constexpr std::uint8_t traffic_class() const { return static_cast<std::uint8_t>((data_[0] << 4) | (data_[1] >> 4)); }
    constexpr std::uint8_t dscp() const { return traffic_class() >> 2; }  // RFC 2474 §3
    constexpr std::uint8_t ecn() const { return traffic_class() & 0x03; }  // RFC 3168 §5
    constexpr std::uint32_t flow_label() const { return load_be32(&data_[0]) & 0x000fffffu; }
    constexpr std::uint16_t payload_length() const { return load_be16(&data_[4]); }
    constexpr std::uint8_t next_header() const { return data_[6]; }
    constexpr std::uint8_t hop_limit() const { return data_[7]; }
    constexpr std::span<B, 16> src_bytes() const { return data_.subspan(8).template first<16>(); }
    constexpr std::span<B, 16> dst_bytes() const { return data_.subspan(24).template first<16>(); }
    Ipv6Address src() const { return to_address(src_bytes()); }
    Ipv6Address dst() const { return to_address(dst_bytes()); }

    // ---- setters (mutable views only); IPv6 has no header checksum ----
    constexpr void set_traffic_class(std::uint8_t v) requires MutableByte<B> {
        data_[0] = static_cast<std::uint8_t>((data_[0] & 0xf0) | (v >> 4));
        data_[1] = static_cast<std::uint8_t>((data_[1] & 0x0f) | (v << 4));
    }
    constexpr void set_flow_label(std::uint32_t v) requires MutableByte<B> {
        store_be32(&data_[0], (load_be32(&data_[0]) & 0xfff00000u) | (v & 0x000fffffu));
    }
    constexpr void set_next_header(std::uint8_t v) requires MutableByte<B> { data_[6] = v; }
    constexpr void set_hop_limit(std::uint8_t v) requires MutableByte<B> { data_[7] = v; }
    constexpr void set_src(const Ipv6Address& a) requires MutableByte<B> { copy_in(8, a); }
    constexpr void set_dst(const Ipv6Address& a) requires MutableByte<B> { copy_in(24, a); }

    // Pseudo-header sum for an upper-layer checksum (RFC 8200 §8.1). `protocol` and
    // `length` are the upper layer's own, after any extension headers.
    constexpr std::uint64_t pseudo_header_sum(std::uint8_t protocol, std::uint32_t length) const {
        return pseudo_header_sum_v6(std::span<const std::uint8_t, 16>(src_bytes()),
                                    std::span<const std::uint8_t, 16>(dst_bytes()), length, protocol);
    }

private:
    template <PacketByte>
    friend class BasicIpv6View;

    constexpr BasicIpv6View(std::span<B> data, bool truncated) : data_(data), truncated_(truncated) {}

    static constexpr Parsed<BasicIpv6View> parse_impl(std::span<B> buf, bool allow_truncated) {
        if (buf.size() < header_size) return ParseError::ipv6_truncated;
        if ((buf[0] >> 4) != 6) return ParseError::ipv6_bad_version;
        std::size_t total = header_size + load_be16(&buf[4]);
        bool cut = total > buf.size();
        if (cut && !allow_truncated) return ParseError::ipv6_payload_length_exceeds_buffer;
        return BasicIpv6View(buf.first(cut ? buf.size() : total), cut);
    }

    static Ipv6Address to_address(std::span<B, 16> s) {
        Ipv6Address a;
        for (std::size_t i = 0; i < 16; ++i) a.bytes[i] = s[i];
        return a;
    }

    constexpr void copy_in(std::size_t at, const Ipv6Address& a) requires MutableByte<B> {
        for (std::size_t i = 0; i < 16; ++i) data_[at + i] = a.bytes[i];
    }

    std::span<B> data_{};
    bool truncated_ = false;
};

using Ipv6View = BasicIpv6View<std::uint8_t>;
using ConstIpv6View = BasicIpv6View<const std::uint8_t>;

}  // namespace s46::net
