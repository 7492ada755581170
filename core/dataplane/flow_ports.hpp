// The ports a packet's flow is known by, for routing by port (RFC 7597 §5.3), source validation
// (§8.1) and the binding check on the way in (RFC 7596 §5.2).
//
//  * UDP, TCP: the transport ports.
//  * ICMP echo request/reply: the identifier, for both (RFC 7597 §8.2, RFC 7596 §8.1: BRs and
//    other CEs treat it like a port).
//  * ICMP errors: the ports of the quoted datagram, swapped. The quoted datagram travelled the
//    other way, so its destination port is the error sender's own port (RFC 7597 §8.2, RFC 5508
//    REQ-3; the Linux MAP-E FMR patch reads it the same way).
// Nothing for other protocols, non-first fragments, or headers cut short.
#pragma once

#include <cstdint>
#include <optional>

#include "core/net/bytes.hpp"
#include "core/net/icmpv4_packet.hpp"
#include "core/net/ip_protocol.hpp"
#include "core/net/ipv4_packet.hpp"

namespace s46::dataplane {

struct FlowPorts {
    std::uint16_t src = 0;
    std::uint16_t dst = 0;
    friend bool operator==(const FlowPorts&, const FlowPorts&) = default;
};

namespace detail {

// Ports of a transport header that starts at `p` with `n` bytes available (quoted data may be
// cut short after 8 bytes, RFC 792). Echo identifiers stand for both ports.
inline std::optional<FlowPorts> transport_ports(std::uint8_t protocol, const std::uint8_t* p, std::size_t n, bool quoted) {
    switch (protocol) {
        case net::ip_protocol::udp:
        case net::ip_protocol::tcp:
            if (n < 4) return std::nullopt;
            return FlowPorts{net::load_be16(p), net::load_be16(p + 2)};
        case net::ip_protocol::icmp: {
            if (n < 8) return std::nullopt;
            const std::uint8_t type = p[0];
            if (type == net::icmpv4_type::echo_request || type == net::icmpv4_type::echo_reply) {
                const std::uint16_t id = net::load_be16(p + 4);
                return FlowPorts{id, id};
            }
            if (quoted) return std::nullopt;  // no errors about errors (RFC 1812 §4.3.2.7)
            switch (type) {
                case net::icmpv4_type::destination_unreachable:
                case net::icmpv4_type::source_quench:
                case net::icmpv4_type::redirect:
                case net::icmpv4_type::time_exceeded:
                case net::icmpv4_type::parameter_problem: {
                    auto inner = net::ConstIpv4View::parse_embedded(std::span<const std::uint8_t>(p + 8, n - 8));
                    if (!inner || inner->fragment_offset() != 0) return std::nullopt;
                    auto body = inner->payload();
                    auto q = transport_ports(inner->protocol(), body.data(), body.size(), true);
                    if (!q) return std::nullopt;
                    return FlowPorts{q->dst, q->src};
                }
                default: return std::nullopt;
            }
        }
        default: return std::nullopt;
    }
}

}  // namespace detail

inline std::optional<FlowPorts> flow_ports(net::ConstIpv4View dgram) {
    if (dgram.fragment_offset() != 0) return std::nullopt;
    auto body = dgram.payload();
    return detail::transport_ports(dgram.protocol(), body.data(), body.size(), false);
}

}  // namespace s46::dataplane
