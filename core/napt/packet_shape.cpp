#include "core/napt/packet_shape.hpp"

#include "core/net/bytes.hpp"

namespace s46::napt {

DropReason reason_for(net::ParseError e) {
    switch (e) {
        case net::ParseError::ipv4_truncated:
        case net::ParseError::ipv4_header_exceeds_buffer:
        case net::ParseError::ipv4_total_length_exceeds_buffer: return DropReason::truncated;
        default: return DropReason::malformed;
    }
}

std::optional<DropReason> check_transport(Protocol p, std::span<const std::uint8_t> l4, bool first_fragment) {
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

}  // namespace s46::napt
