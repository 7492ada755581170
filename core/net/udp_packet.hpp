// A view of a UDP datagram (RFC 768) in a caller-owned buffer: the IP payload.
//
// +--------+--------+--------+--------+
// |   Source Port   |  Dest. Port     |
// |     Length      |    Checksum     |
//
// Checksum zero semantics (RFC 768; RFC 8200 §8.1):
//  * a computed checksum of 0x0000 is transmitted as 0xFFFF (the other one's
//    complement zero), so 0x0000 on the wire always means "no checksum";
//  * over IPv4 "no checksum" is legal; there is nothing to adjust, so NAPT leaves it at
//    0x0000 when it rewrites addresses or ports;
//  * over IPv6 it is not (RFC 8200 §8.1; RFC 6935/6936 tunnel exceptions aside): the
//    receiver drops it, and a translator to IPv6 must compute one (RFC 7915 §4.5).
// verify_checksum() therefore reports `absent` separately and lets the caller decide.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "core/net/bytes.hpp"
#include "core/net/checksum.hpp"
#include "core/net/parse_error.hpp"

namespace s46::net {

enum class ChecksumStatus : std::uint8_t { valid, invalid, absent };

template <PacketByte B>
class BasicUdpView {
public:
    static constexpr std::size_t header_size = 8;

    // An empty view: what a failed Parsed holds. Its accessors must not be called.
    constexpr BasicUdpView() = default;
    template <PacketByte O>
        requires(std::is_const_v<B> && !std::is_const_v<O>)
    constexpr BasicUdpView(const BasicUdpView<O>& o) : data_(o.data_) {}  // NOLINT: implicit like span's

    // `buf` is the IP payload. The Length field bounds the view; bytes past it are ignored.
    static constexpr Parsed<BasicUdpView> parse(std::span<B> buf) {
        if (buf.size() < header_size) return ParseError::udp_truncated;
        std::size_t len = load_be16(&buf[4]);
        if (len < header_size) return ParseError::udp_length_below_header;
        if (len > buf.size()) return ParseError::udp_length_exceeds_buffer;
        return BasicUdpView(buf.first(len));
    }

    constexpr std::span<B> datagram() const { return data_; }
    constexpr std::span<B> payload() const { return data_.subspan(header_size); }

    constexpr std::uint16_t src_port() const { return load_be16(&data_[0]); }
    constexpr std::uint16_t dst_port() const { return load_be16(&data_[2]); }
    constexpr std::uint16_t length() const { return load_be16(&data_[4]); }
    constexpr std::uint16_t checksum() const { return load_be16(&data_[6]); }

    constexpr void set_src_port(std::uint16_t v) requires MutableByte<B> { store_be16(&data_[0], v); }
    constexpr void set_dst_port(std::uint16_t v) requires MutableByte<B> { store_be16(&data_[2], v); }
    constexpr void set_checksum(std::uint16_t v) requires MutableByte<B> { store_be16(&data_[6], v); }

    // `pseudo` is the IP layer's pseudo_header_sum(ip_protocol::udp, length()).
    // Returns the field value to transmit: never 0x0000 (RFC 768).
    std::uint16_t compute_checksum(std::uint64_t pseudo) const {
        std::uint16_t c = checksum_finish(checksum_add(data_.subspan(8), checksum_add(data_.first(6), pseudo)));
        return c == 0 ? 0xffff : c;
    }
    void update_checksum(std::uint64_t pseudo) requires MutableByte<B> { set_checksum(compute_checksum(pseudo)); }
    ChecksumStatus verify_checksum(std::uint64_t pseudo) const {
        if (checksum() == 0) return ChecksumStatus::absent;
        return checksum_fold(checksum_add(data_, pseudo)) == 0xffff ? ChecksumStatus::valid : ChecksumStatus::invalid;
    }

    // RFC 1624 updates after a port (16-bit) or IPv4 address (32-bit, pseudo-header)
    // rewrite. An absent checksum stays absent; a result of 0x0000 is sent as 0xFFFF.
    constexpr void adjust_checksum16(std::uint16_t old_word, std::uint16_t new_word) requires MutableByte<B> {
        if (checksum() != 0) set_checksum(nonzero(checksum_adjust16(checksum(), old_word, new_word)));
    }
    constexpr void adjust_checksum32(std::uint32_t old_value, std::uint32_t new_value) requires MutableByte<B> {
        if (checksum() != 0) set_checksum(nonzero(checksum_adjust32(checksum(), old_value, new_value)));
    }
    // An IPv6 address in the pseudo-header (16 bytes, even offset).
    void adjust_checksum_bytes(std::span<const std::uint8_t> old_bytes, std::span<const std::uint8_t> new_bytes)
        requires MutableByte<B>
    {
        if (checksum() != 0) set_checksum(nonzero(net::checksum_adjust_bytes(checksum(), old_bytes, new_bytes)));
    }

private:
    template <PacketByte>
    friend class BasicUdpView;

    constexpr explicit BasicUdpView(std::span<B> data) : data_(data) {}
    static constexpr std::uint16_t nonzero(std::uint16_t c) { return c == 0 ? 0xffff : c; }

    std::span<B> data_{};
};

using UdpView = BasicUdpView<std::uint8_t>;
using ConstUdpView = BasicUdpView<const std::uint8_t>;

}  // namespace s46::net
