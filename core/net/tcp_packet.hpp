// A view of a TCP segment (RFC 9293 §3.1) in a caller-owned buffer: the IP payload.
//
// |          Source Port          |       Destination Port        |
// |                        Sequence Number                        |
// |                    Acknowledgment Number                      |
// |  Data |       |C|E|U|A|P|R|S|F|                               |
// | Offset| Rsrvd |W|C|R|C|S|S|Y|I|            Window             |
// |                               |R|E|G|K|H|T|N|N|               |
// |           Checksum            |         Urgent Pointer        |
// |                           [Options]                           |
//
// TCP has no length field: the segment is the whole of `buf`, so pass exactly the IP
// payload. The checksum covers pseudo-header + segment (RFC 9293 §3.1).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "core/net/bytes.hpp"
#include "core/net/checksum.hpp"
#include "core/net/parse_error.hpp"
#include "core/net/tcp_options.hpp"

namespace s46::net {

namespace tcp_flag {
inline constexpr std::uint8_t fin = 0x01;
inline constexpr std::uint8_t syn = 0x02;
inline constexpr std::uint8_t rst = 0x04;
inline constexpr std::uint8_t psh = 0x08;
inline constexpr std::uint8_t ack = 0x10;
inline constexpr std::uint8_t urg = 0x20;
inline constexpr std::uint8_t ece = 0x40;  // RFC 3168 §6.1
inline constexpr std::uint8_t cwr = 0x80;  // RFC 3168 §6.1
}  // namespace tcp_flag

template <PacketByte B>
class BasicTcpView {
public:
    static constexpr std::size_t min_header_size = 20;

    // An empty view: what a failed Parsed holds. Its accessors must not be called.
    constexpr BasicTcpView() = default;
    template <PacketByte O>
        requires(std::is_const_v<B> && !std::is_const_v<O>)
    constexpr BasicTcpView(const BasicTcpView<O>& o)  // NOLINT: implicit like span's
        : data_(o.data_), header_len_(o.header_len_) {}

    static constexpr Parsed<BasicTcpView> parse(std::span<B> buf) {
        if (buf.size() < min_header_size) return ParseError::tcp_truncated;
        std::size_t hl = static_cast<std::size_t>(buf[12] >> 4) * 4;
        if (hl < min_header_size) return ParseError::tcp_data_offset_too_small;
        if (hl > buf.size()) return ParseError::tcp_header_exceeds_buffer;
        return BasicTcpView(buf, static_cast<std::uint8_t>(hl));
    }

    // ---- extents ----
    constexpr std::span<B> segment() const { return data_; }
    constexpr std::span<B> header() const { return data_.first(header_len_); }
    constexpr std::span<B> options() const { return data_.subspan(min_header_size, header_len_ - min_header_size); }
    constexpr std::span<B> payload() const { return data_.subspan(header_len_); }
    constexpr TcpOptionRange<B> option_range() const { return TcpOptionRange<B>(options()); }

    // ---- fields ----
    constexpr std::uint16_t src_port() const { return load_be16(&data_[0]); }
    constexpr std::uint16_t dst_port() const { return load_be16(&data_[2]); }
    constexpr std::uint32_t seq() const { return load_be32(&data_[4]); }
    constexpr std::uint32_t ack() const { return load_be32(&data_[8]); }
    constexpr std::uint8_t data_offset() const { return data_[12] >> 4; }  // in 32-bit words
    constexpr std::size_t header_length() const { return header_len_; }
    constexpr std::uint8_t flags() const { return data_[13]; }  // tcp_flag bits
    constexpr bool has_flags(std::uint8_t mask) const { return (flags() & mask) == mask; }
    constexpr bool fin() const { return has_flags(tcp_flag::fin); }
    constexpr bool syn() const { return has_flags(tcp_flag::syn); }
    constexpr bool rst() const { return has_flags(tcp_flag::rst); }
    constexpr bool ack_flag() const { return has_flags(tcp_flag::ack); }
    constexpr std::uint16_t window() const { return load_be16(&data_[14]); }
    constexpr std::uint16_t checksum() const { return load_be16(&data_[16]); }
    constexpr std::uint16_t urgent_pointer() const { return load_be16(&data_[18]); }

    // The first well-formed MSS option's value (RFC 9293 §3.7.1; only meaningful on SYN).
    constexpr std::optional<std::uint16_t> mss() const {
        for (const auto& o : option_range())
            if (o.kind == tcp_option::mss && o.value.size() == 2) return load_be16(o.value.data());
        return std::nullopt;
    }

    // ---- setters (mutable views only) ----
    constexpr void set_src_port(std::uint16_t v) requires MutableByte<B> { store_be16(&data_[0], v); }
    constexpr void set_dst_port(std::uint16_t v) requires MutableByte<B> { store_be16(&data_[2], v); }
    constexpr void set_seq(std::uint32_t v) requires MutableByte<B> { store_be32(&data_[4], v); }
    constexpr void set_ack(std::uint32_t v) requires MutableByte<B> { store_be32(&data_[8], v); }
    constexpr void set_flags(std::uint8_t v) requires MutableByte<B> { data_[13] = v; }
    constexpr void set_window(std::uint16_t v) requires MutableByte<B> { store_be16(&data_[14], v); }
    constexpr void set_checksum(std::uint16_t v) requires MutableByte<B> { store_be16(&data_[16], v); }
    constexpr void set_urgent_pointer(std::uint16_t v) requires MutableByte<B> { store_be16(&data_[18], v); }

    // ---- checksum; `pseudo` is the IP layer's pseudo_header_sum(ip_protocol::tcp, segment size) ----
    std::uint16_t compute_checksum(std::uint64_t pseudo) const {
        return checksum_finish(checksum_add(data_.subspan(18), checksum_add(data_.first(16), pseudo)));
    }
    bool checksum_valid(std::uint64_t pseudo) const { return checksum_fold(checksum_add(data_, pseudo)) == 0xffff; }
    void update_checksum(std::uint64_t pseudo) requires MutableByte<B> { set_checksum(compute_checksum(pseudo)); }
    // RFC 1624 updates after rewriting a port, an IPv4 address (pseudo-header) or an IPv6 address.
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

    // MSS clamping for tunnels with a smaller MTU (RFC 4459 §3.2 discusses the practice).
    // Lowers every well-formed MSS option above `limit` to `limit` and fixes the checksum
    // incrementally. Every one, not just the first: receivers differ in which duplicate
    // they honour (Linux takes the last). Options can sit at odd offsets after a lone
    // NOP, where the value straddles checksum words, hence the byte swap. The caller
    // decides whether the segment is a SYN. Returns true if anything changed.
    constexpr bool clamp_mss(std::uint16_t limit) requires MutableByte<B> {
        bool changed = false;
        for (const auto& o : option_range()) {
            if (o.kind != tcp_option::mss || o.value.size() != 2) continue;
            std::uint16_t old_mss = load_be16(o.value.data());
            if (old_mss <= limit) continue;
            store_be16(o.value.data(), limit);
            bool odd = (min_header_size + o.offset + 2) % 2 != 0;
            set_checksum(odd ? checksum_adjust16(checksum(), byte_swap16(old_mss), byte_swap16(limit))
                             : checksum_adjust16(checksum(), old_mss, limit));
            changed = true;
        }
        return changed;
    }

private:
    template <PacketByte>
    friend class BasicTcpView;

    constexpr BasicTcpView(std::span<B> data, std::uint8_t header_len) : data_(data), header_len_(header_len) {}

    std::span<B> data_{};
    std::uint8_t header_len_ = min_header_size;
};

using TcpView = BasicTcpView<std::uint8_t>;
using ConstTcpView = BasicTcpView<const std::uint8_t>;

}  // namespace s46::net
