// LAN -> WAN: source translation (RFC 3022 §2.2 NAPT; RFC 4787, RFC 5382, RFC 5508).
#include "core/napt/napt.hpp"
#include "core/napt/napt_lookup.hpp"
#include "core/napt/packet_shape.hpp"
#include "core/napt/rewrite.hpp"
#include "core/net/icmpv4_packet.hpp"
#include "core/net/ipv4_packet.hpp"

namespace s46::napt {

Outcome Napt::drop_outbound(DropReason r) {
    ++c_.drop(r);
    ++c_.outbound_dropped;
    return Outcome::drop(r);
}

Outcome Napt::translate_outbound(std::span<std::uint8_t> packet, Time now) {
    ++c_.outbound_packets;
    std::uint8_t* ip = packet.data();
    std::optional<Protocol> proto;
    bool fragment = false;
    std::span<std::uint8_t> l4;
    if (const PlainShape plain = plain_udp_tcp(packet); plain.ok) {
        proto = plain.protocol;
        l4 = packet.subspan(20, plain.total_length - 20u);
    } else {
        const Ipv4Shape shape = check_ipv4(packet);
        if (!shape.verdict.passed()) return drop_outbound(*shape.verdict.reason());
        const std::uint16_t flags_fragment = net::load_be16(ip + 6);
        // Only the first fragment carries ports; the caller reassembles (docs/napt.md).
        if (flags_fragment & 0x1fff) return drop_outbound(DropReason::fragment_without_ports);
        fragment = flags_fragment & 0x2000;  // MF: a first fragment
        proto = protocol_from_ip(ip[9]);
        if (!proto) return drop_outbound(DropReason::unsupported_protocol);
        l4 = packet.subspan(shape.header_length, shape.total_length - shape.header_length);
        if (auto bad = check_transport(*proto, l4, fragment)) return drop_outbound(*bad);
    }

    std::size_t port_offset = rewrite::src_port;
    std::uint16_t remote_port = 0;
    std::uint8_t tcp_flags = 0;
    if (*proto == Protocol::icmp) {
        const std::uint8_t type = l4[0];
        if (net::ConstIcmpv4View::parse(l4)->is_error())
            return outbound_icmp_error(*net::Ipv4View::parse(packet), fragment, seconds_of(now));
        // Only a LAN host's query opens a session (RFC 5508 REQ-1); its reply comes back in.
        if (type == net::icmpv4_type::echo_reply) return drop_outbound(DropReason::icmp_query_unsolicited);
        if (type != net::icmpv4_type::echo_request) return drop_outbound(DropReason::unsupported_icmp);
        port_offset = rewrite::icmp_identifier;
    } else {
        remote_port = net::load_be16(&l4[rewrite::dst_port]);
        if (*proto == Protocol::tcp) tcp_flags = l4[13];
    }
    const std::uint32_t dst = net::load_be32(ip + rewrite::ipv4_dst);
    const Bound b = bind_outbound(*proto, net::load_be32(ip + rewrite::ipv4_src), net::load_be16(&l4[port_offset]), dst,
                                  remote_key(*proto, remote_port), tcp_flags, seconds_of(now));
    if (!b.verdict.passed()) return drop_outbound(*b.verdict.reason());

    rewrite::endpoint(ip, rewrite::ipv4_src, l4, *proto, port_offset, cfg_.external.value, b.external_port, !fragment);
    ++c_.outbound_translated;
    // RFC 4787 REQ-9 / RFC 5382 REQ-8: to one of our own external ports -> back in.
    // Echo queries are not hairpinned: RFC 5508 REQ-7 asks that of Basic NAT only.
    if (dst == cfg_.external.value && *proto != Protocol::icmp && index_.set().contains(remote_port)) {
        ++c_.outbound_hairpinned;
        return Outcome::hairpin();
    }
    return Outcome::forward();
}

}  // namespace s46::napt
