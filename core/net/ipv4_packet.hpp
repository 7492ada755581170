// A view of an IPv4 datagram (RFC 791 §3.1) in a caller-owned buffer.
//
//  0                   1                   2                   3
//  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |Version|  IHL  |Type of Service|          Total Length         |
// |         Identification        |Flags|      Fragment Offset    |
// |  Time to Live |    Protocol   |         Header Checksum       |
// |                       Source Address                          |
// |                    Destination Address                        |
// |                    Options                    |    Padding    |
//
// parse() checks every length field against the buffer once; the view then caches
// the header and datagram extents, so no setter can make an accessor reach past the
// buffer. Bytes after Total Length (Ethernet padding) are outside the view.
// Setters change only their field: keep the header checksum right with
// update_checksum() or, for a single rewritten field, the RFC 1624 adjust_checksum*().
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "core/net/bytes.hpp"
#include "core/net/checksum.hpp"
#include "core/net/ipv4.hpp"
#include "core/net/parse_error.hpp"

namespace s46::net {

template <PacketByte B>
class BasicIpv4View {
public:
    static constexpr std::size_t min_header_size = 20;

    // Flag bits in the 16-bit flags/fragment-offset word (RFC 791 §3.1).
    static constexpr std::uint16_t flag_reserved = 0x8000;
    static constexpr std::uint16_t flag_df = 0x4000;
    static constexpr std::uint16_t flag_mf = 0x2000;
    static constexpr std::uint16_t fragment_offset_mask = 0x1fff;

    // An empty view: what a failed Parsed holds. Its accessors must not be called.
    constexpr BasicIpv4View() = default;
    // A mutable view converts to a read-only one.
    template <PacketByte O>
        requires(std::is_const_v<B> && !std::is_const_v<O>)
    constexpr BasicIpv4View(const BasicIpv4View<O>& o)  // NOLINT: implicit like span's
        : data_(o.data_), header_len_(o.header_len_), truncated_(o.truncated_) {}

    // A complete datagram: Total Length must fit in `buf`.
    static constexpr Parsed<BasicIpv4View> parse(std::span<B> buf) { return parse_impl(buf, false); }

    // The datagram quoted inside an ICMP error (RFC 792; RFC 1812 §4.3.2.3): the header
    // must be whole, but the data may be cut short, so Total Length may exceed `buf`.
    // payload() is then what is present and truncated() is true.
    static constexpr Parsed<BasicIpv4View> parse_embedded(std::span<B> buf) { return parse_impl(buf, true); }

    // ---- extents ----
    constexpr std::span<B> datagram() const { return data_; }  // header + payload, up to Total Length
    constexpr std::span<B> header() const { return data_.first(header_len_); }
    constexpr std::span<B> options() const { return data_.subspan(min_header_size, header_len_ - min_header_size); }
    constexpr std::span<B> payload() const { return data_.subspan(header_len_); }
    constexpr bool truncated() const { return truncated_; }

    // ---- fields ----
    constexpr std::uint8_t version() const { return data_[0] >> 4; }
    constexpr std::uint8_t ihl() const { return data_[0] & 0x0f; }  // in 32-bit words
    constexpr std::size_t header_length() const { return header_len_; }
    constexpr std::uint8_t tos() const { return data_[1]; }
    constexpr std::uint8_t dscp() const { return data_[1] >> 2; }  // RFC 2474 §3
    constexpr std::uint8_t ecn() const { return data_[1] & 0x03; }  // RFC 3168 §5
    constexpr std::uint16_t total_length() const { return load_be16(&data_[2]); }
    constexpr std::uint16_t identification() const { return load_be16(&data_[4]); }
    constexpr std::uint16_t flags_fragment() const { return load_be16(&data_[6]); }
    constexpr bool dont_fragment() const { return flags_fragment() & flag_df; }
    constexpr bool more_fragments() const { return flags_fragment() & flag_mf; }
    constexpr std::uint16_t fragment_offset() const { return flags_fragment() & fragment_offset_mask; }  // 8-byte units
    // RFC 791: a datagram is a fragment unless it is the first and only piece.
    constexpr bool is_fragment() const { return more_fragments() || fragment_offset() != 0; }
    constexpr std::uint8_t ttl() const { return data_[8]; }
    constexpr std::uint8_t protocol() const { return data_[9]; }
    constexpr std::uint16_t checksum() const { return load_be16(&data_[10]); }
    constexpr Ipv4Address src() const { return Ipv4Address{load_be32(&data_[12])}; }
    constexpr Ipv4Address dst() const { return Ipv4Address{load_be32(&data_[16])}; }

    // ---- setters (mutable views only) ----
    constexpr void set_tos(std::uint8_t v) requires MutableByte<B> { data_[1] = v; }
    constexpr void set_dscp(std::uint8_t v) requires MutableByte<B> {
        data_[1] = static_cast<std::uint8_t>((v << 2) | (data_[1] & 0x03));
    }
    constexpr void set_ecn(std::uint8_t v) requires MutableByte<B> {
        data_[1] = static_cast<std::uint8_t>((data_[1] & 0xfc) | (v & 0x03));
    }
    constexpr void set_identification(std::uint16_t v) requires MutableByte<B> { store_be16(&data_[4], v); }
    constexpr void set_dont_fragment(bool on) requires MutableByte<B> { set_flag(flag_df, on); }
    constexpr void set_more_fragments(bool on) requires MutableByte<B> { set_flag(flag_mf, on); }
    constexpr void set_fragment_offset(std::uint16_t units) requires MutableByte<B> {
        store_be16(&data_[6], static_cast<std::uint16_t>((flags_fragment() & ~fragment_offset_mask) | (units & fragment_offset_mask)));
    }
    constexpr void set_ttl(std::uint8_t v) requires MutableByte<B> { data_[8] = v; }
    constexpr void set_protocol(std::uint8_t v) requires MutableByte<B> { data_[9] = v; }
    constexpr void set_checksum(std::uint16_t v) requires MutableByte<B> { store_be16(&data_[10], v); }
    constexpr void set_src(Ipv4Address a) requires MutableByte<B> { store_be32(&data_[12], a.value); }
    constexpr void set_dst(Ipv4Address a) requires MutableByte<B> { store_be32(&data_[16], a.value); }

    // ---- header checksum (RFC 791 §3.1: the header only, options included) ----
    // The checksum the header should carry, whatever its checksum field holds now.
    std::uint16_t compute_checksum() const {
        auto h = header();
        return checksum_finish(checksum_add(h.subspan(12), checksum_add(h.first(10))));
    }
    bool checksum_valid() const { return checksum_fold(checksum_add(header())) == 0xffff; }
    void update_checksum() requires MutableByte<B> { set_checksum(compute_checksum()); }
    // After rewriting one field with a setter (RFC 1624), e.g. TTL/protocol word or an address.
    constexpr void adjust_checksum16(std::uint16_t old_word, std::uint16_t new_word) requires MutableByte<B> {
        set_checksum(checksum_adjust16(checksum(), old_word, new_word));
    }
    constexpr void adjust_checksum32(std::uint32_t old_value, std::uint32_t new_value) requires MutableByte<B> {
        set_checksum(checksum_adjust32(checksum(), old_value, new_value));
    }

    // Pseudo-header sum for a TCP/UDP checksum carried in this datagram (RFC 9293 §3.1).
    constexpr std::uint64_t pseudo_header_sum(std::uint8_t protocol, std::uint16_t length) const {
        return pseudo_header_sum_v4(src(), dst(), protocol, length);
    }

private:
    template <PacketByte>
    friend class BasicIpv4View;

    constexpr BasicIpv4View(std::span<B> data, std::uint8_t header_len, bool truncated)
        : data_(data), header_len_(header_len), truncated_(truncated) {}

    static constexpr Parsed<BasicIpv4View> parse_impl(std::span<B> buf, bool allow_truncated) {
        if (buf.size() < min_header_size) return ParseError::ipv4_truncated;
        if ((buf[0] >> 4) != 4) return ParseError::ipv4_bad_version;
        std::size_t hl = std::size_t{buf[0] & 0x0fu} * 4;
        if (hl < min_header_size) return ParseError::ipv4_ihl_too_small;
        if (hl > buf.size()) return ParseError::ipv4_header_exceeds_buffer;
        std::size_t total = load_be16(&buf[2]);
        if (total < hl) return ParseError::ipv4_total_length_below_header;
        bool cut = total > buf.size();
        if (cut && !allow_truncated) return ParseError::ipv4_total_length_exceeds_buffer;
        return BasicIpv4View(buf.first(cut ? buf.size() : total), static_cast<std::uint8_t>(hl), cut);
    }

    constexpr void set_flag(std::uint16_t flag, bool on) requires MutableByte<B> {
        std::uint16_t w = flags_fragment();
        store_be16(&data_[6], static_cast<std::uint16_t>(on ? (w | flag) : (w & ~flag)));
    }

    std::span<B> data_{};
    std::uint8_t header_len_ = min_header_size;
    bool truncated_ = false;
};

using Ipv4View = BasicIpv4View<std::uint8_t>;
using ConstIpv4View = BasicIpv4View<const std::uint8_t>;

}  // namespace s46::net
