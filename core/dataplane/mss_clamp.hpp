// TCP MSS clamping, both directions (docs/dataplane.md, outbound step 7 and inbound step 7).
// A segment with SYN set (a SYN or a SYN-ACK) has every MSS option above tunnel MTU − 40 lowered
// to it and its checksum fixed incrementally, so neither end ever sends a segment the tunnel
// must fragment (RFC 4459 §3.2, RFC 6908 §5). Both directions, because each end sizes what it
// sends by the MSS the *other* end advertised: clamping only outbound SYNs protects the remote's
// segments toward the LAN, and clamping inbound SYN-ACKs (and inbound SYNs, for mapped servers)
// protects the LAN host's segments toward the tunnel even if the host's own MTU is larger than
// the tunnel's. This is what CPEs do (Linux `TCPMSS --clamp-mss-to-pmtu` on SYN and SYN-ACK in
// FORWARD, Cisco `ip tcp adjust-mss` on both directions of an interface).
#pragma once

#include <cstdint>

#include "core/net/ip_protocol.hpp"
#include "core/net/ipv4_packet.hpp"
#include "core/net/tcp_packet.hpp"

namespace s46::dataplane {

// The TCP part: true if an MSS option was lowered. Only a datagram that carries the TCP
// header (no fragment offset) is looked at; one with a truncated header is left alone.
inline bool clamp_tcp_mss(net::Ipv4View& ip, std::uint16_t tunnel_mtu) {
    if (ip.fragment_offset() != 0 || tunnel_mtu <= 40) return false;
    auto tcp = net::TcpView::parse(ip.payload());
    return tcp && tcp->syn() && tcp->clamp_mss(static_cast<std::uint16_t>(tunnel_mtu - 40));
}

// Forced inline so that the common answer, not TCP, is one compare on the packet path (GCC
// otherwise kept the whole function out of line: a call per packet).
[[gnu::always_inline]] inline bool clamp_syn_mss(net::Ipv4View& ip, std::uint16_t tunnel_mtu) {
    return ip.protocol() == net::ip_protocol::tcp && clamp_tcp_mss(ip, tunnel_mtu);
}

}  // namespace s46::dataplane
