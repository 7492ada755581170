// Whether an IPv4 datagram has the shape translation needs, and where its parts are.
// Checked before anything is rewritten, so a refused packet leaves the buffer untouched.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "core/napt/drop_reason.hpp"
#include "core/napt/protocol.hpp"
#include "core/net/bytes.hpp"
#include "core/net/ip_protocol.hpp"
#include "core/net/parse_error.hpp"
#include "core/verdict.hpp"

namespace s46::napt {

// The refusal for an IPv4 view parse error: short buffers are `truncated`, fields that
// contradict each other `malformed`.
DropReason reason_for(net::ParseError e);

// The checks of net::Ipv4View::parse, in its order, without building a view: on the
// packet path the view's Parsed<> wrapper went through the stack and cost a store-forwarding
// stall per packet (measured, docs/performance.md).
struct Ipv4Shape {
    Verdict<DropReason> verdict = Verdict<DropReason>::pass();
    std::uint16_t header_length = 0;  // as far as read; to be used only when passed
    std::uint16_t total_length = 0;   // as far as read; to be used only when passed
};

// A refusal keeps the lengths already read rather than zeroing them: then the last check and
// the pass differ only in the verdict and stay a branch. With zeroed lengths GCC 12 merged them
// into cmovs the rest of the inbound path depended on, 4 instructions per packet more
// (callgrind, docs/performance.md "Issue 12 restructuring").
inline Ipv4Shape check_ipv4(std::span<const std::uint8_t> p) {
    using V = Verdict<DropReason>;
    if (p.size() < 20) return {V::drop(DropReason::truncated)};
    if ((p[0] >> 4) != 4) return {V::drop(DropReason::malformed)};  // RFC 791 §3.1 version
    const auto header_length = static_cast<std::uint16_t>((p[0] & 0x0f) * 4);
    if (header_length < 20) return {V::drop(DropReason::malformed)};  // IHL < 5
    if (header_length > p.size()) return {V::drop(DropReason::truncated), header_length};
    const auto total_length = static_cast<std::uint16_t>((p[2] << 8) | p[3]);
    if (total_length < header_length) return {V::drop(DropReason::malformed), header_length, total_length};
    if (total_length > p.size()) return {V::drop(DropReason::truncated), header_length, total_length};
    return {V::pass(), header_length, total_length};
}

// UDP, TCP and ICMP headers as the NAPT reads them. A whole datagram must agree with its
// length fields (RFC 768 length, RFC 9293 data offset). A first fragment only needs the
// fixed header: the transport checksum covers data in later fragments too, and the
// incremental update (RFC 1624) stays right for the reassembled datagram.
// The fixed header is 8 bytes for UDP and ICMP, 20 for TCP (flags and checksum).
inline std::optional<DropReason> check_transport(Protocol p, std::span<const std::uint8_t> l4, bool first_fragment) {
    switch (p) {
        case Protocol::udp: {
            if (l4.size() < 8) return DropReason::truncated;
            if (first_fragment) return std::nullopt;
            const std::size_t len = net::load_be16(&l4[4]);  // RFC 768: header + data
            if (len < 8 || len > l4.size()) return DropReason::malformed;
            return std::nullopt;
        }
        case Protocol::tcp: {
            if (l4.size() < 20) return DropReason::truncated;
            const std::size_t header = static_cast<std::size_t>(l4[12] >> 4) * 4;  // RFC 9293 §3.1 data offset
            if (header < 20) return DropReason::malformed;
            if (!first_fragment && header > l4.size()) return DropReason::malformed;
            return std::nullopt;
        }
        case Protocol::icmp:
            if (l4.size() < 8) return DropReason::truncated;  // RFC 792: type, code, checksum, 4 more
            return std::nullopt;
    }
    return DropReason::unsupported_protocol;
}

// The common case in one pass: a whole datagram (no fragment, MF clear) without IPv4 options,
// UDP or TCP, whose length fields agree. When this says ok, check_ipv4() and check_transport()
// pass and the packet is no fragment; when it does not, the caller runs them, which name the
// reason. About a third of the instructions of the two in sequence, whose early returns
// each kept their own reason (measured with callgrind on bench/pipeline_bench). Used outbound
// only: the same change inbound measured slower at 64 Ki sessions in random order (Inbound/64/1
// 5.6-7.2 against 7.9-13.9 Mpps, interleaved runs), for reasons not found.
struct PlainShape {
    bool ok = false;
    Protocol protocol = Protocol::udp;
    std::uint16_t total_length = 0;
};

inline PlainShape plain_udp_tcp(std::span<const std::uint8_t> p) {
    PlainShape s;
    if (p.size() < 28 || p[0] != 0x45) return s;  // version 4, IHL 5
    const std::size_t total = net::load_be16(&p[2]);
    if (total > p.size() || (net::load_be16(&p[6]) & 0x3fff) != 0) return s;  // MF or offset
    if (p[9] == net::ip_protocol::udp) {
        if (total < 28) return s;
        const std::size_t len = net::load_be16(&p[24]);  // RFC 768: header + data
        if (len < 8 || len > total - 20) return s;
        s.protocol = Protocol::udp;
    } else if (p[9] == net::ip_protocol::tcp) {
        if (total < 40) return s;
        const std::size_t header = static_cast<std::size_t>(p[32] >> 4) * 4;  // RFC 9293 §3.1 data offset
        if (header < 20 || header > total - 20) return s;
        s.protocol = Protocol::tcp;
    } else {
        return s;
    }
    s.total_length = static_cast<std::uint16_t>(total);
    s.ok = true;
    return s;
}

}  // namespace s46::napt
