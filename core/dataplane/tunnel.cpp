#include "core/dataplane/tunnel.hpp"

#include <cstring>

#include "core/net/bytes.hpp"
#include "core/net/ip_protocol.hpp"
#include "core/net/ipv6_packet.hpp"

namespace s46::dataplane {

namespace {

// RFC 2473 §4.1.1: option type 4, length 1, the limit; then PadN (type 1, length 1, one zero
// byte) to fill the Destination Options header to its 8-byte unit (RFC 8200 §4.2).
constexpr std::uint8_t kEncapLimitOption = 4;
constexpr std::uint8_t kPad1 = 0;
constexpr std::uint8_t kPadN = 1;

}  // namespace

std::size_t Ipv4InIpv6Tunnel::encapsulate(const net::Ipv6Address& remote, std::uint8_t traffic_class,
                                          std::span<const std::uint8_t> inner, std::span<std::uint8_t> out) const {
    const std::size_t extra = params_.encapsulation_limit ? 8 : 0;
    const std::size_t payload = inner.size() + extra;
    if (payload > 0xffff || out.size() < 40 + payload) return 0;
    std::uint8_t* p = out.data();
    // Version 6, traffic class, flow label 0 (RFC 2473 §6.5).
    p[0] = static_cast<std::uint8_t>(0x60 | (traffic_class >> 4));
    p[1] = static_cast<std::uint8_t>(traffic_class << 4);
    p[2] = 0;
    p[3] = 0;
    net::store_be16(p + 4, static_cast<std::uint16_t>(payload));
    p[6] = extra ? net::ip_protocol::destination_options : net::ip_protocol::ipv4;
    p[7] = params_.hop_limit;
    std::memcpy(p + 8, params_.local.bytes.data(), 16);
    std::memcpy(p + 24, remote.bytes.data(), 16);
    if (extra) {
        const std::uint8_t opts[8] = {net::ip_protocol::ipv4, 0, kEncapLimitOption, 1, *params_.encapsulation_limit, kPadN, 1, 0};
        std::memcpy(p + 40, opts, 8);
    }
    std::memcpy(p + 40 + extra, inner.data(), inner.size());
    return 40 + payload;
}

Decapsulation Ipv4InIpv6Tunnel::decapsulate(std::span<std::uint8_t> packet) const {
    Decapsulation d;
    auto v6 = net::Ipv6View::parse(packet);
    if (!v6) return d;
    d.src = v6->src();
    d.dst = v6->dst();
    d.traffic_class = v6->traffic_class();
    if (d.dst != params_.local) return d;
    std::span<std::uint8_t> rest = v6->payload();
    std::uint8_t next = v6->next_header();
    if (next == net::ip_protocol::destination_options) {
        // One Destination Options header, e.g. an encapsulation limit a peer put there (RFC 2473
        // §4.1.1). Options whose type's top two bits are not 00 must not be skipped (RFC 8200 §4.2).
        if (rest.size() < 8) return d;
        const std::size_t len = (std::size_t{rest[1]} + 1) * 8;
        if (len > rest.size()) return d;
        for (std::size_t i = 2; i < len;) {
            const std::uint8_t type = rest[i];
            if (type == kPad1) {
                ++i;
                continue;
            }
            if (i + 1 >= len || i + 2 + rest[i + 1] > len) return d;
            if ((type & 0xc0) != 0) return d;
            i += 2 + std::size_t{rest[i + 1]};
        }
        next = rest[0];
        rest = rest.subspan(len);
    }
    if (next != net::ip_protocol::ipv4) return d;
    d.verdict = Verdict<DropReason>::pass();
    d.inner = rest;
    return d;
}

}  // namespace s46::dataplane
