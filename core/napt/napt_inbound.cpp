// WAN -> LAN (and hairpinned packets): destination translation back to the internal
// endpoint, subject to the filtering behaviour (RFC 4787 §5, RFC 5382 §4.3).
#include "core/napt/napt.hpp"
#include "core/napt/napt_lookup.hpp"
#include "core/napt/packet_shape.hpp"
#include "core/napt/rewrite.hpp"
#include "core/net/icmpv4_packet.hpp"
#include "core/net/ipv4_packet.hpp"

namespace s46::napt {

Outcome Napt::drop_inbound(DropReason r) {
    ++c_.drop(r);
    ++c_.inbound_dropped;
    return Outcome::drop(r);
}

Outcome Napt::translate_inbound(std::span<std::uint8_t> packet, Time now) {
    ++c_.inbound_packets;
    const Ipv4Shape shape = check_ipv4(packet);
    if (!shape.verdict.passed()) return drop_inbound(*shape.verdict.reason());
    std::uint8_t* ip = packet.data();
    // RFC 7597 §8.1 / RFC 7596 §5.2: only our own address is ours to translate.
    if (net::load_be32(ip + rewrite::ipv4_dst) != cfg_.external.value) return drop_inbound(DropReason::not_our_address);
    const std::uint16_t flags_fragment = net::load_be16(ip + 6);
    if (flags_fragment & 0x1fff) return drop_inbound(DropReason::fragment_without_ports);
    const bool fragment = flags_fragment & 0x2000;
    const auto proto = protocol_from_ip(ip[9]);
    if (!proto) return drop_inbound(DropReason::unsupported_protocol);
    const std::span<std::uint8_t> l4 = packet.subspan(shape.header_length, shape.total_length - shape.header_length);
    if (auto bad = check_transport(*proto, l4, fragment)) return drop_inbound(*bad);

    std::size_t port_offset = rewrite::dst_port;
    std::uint16_t remote_port = 0;
    std::uint8_t tcp_flags = 0;
    if (*proto == Protocol::icmp) {
        const std::uint8_t type = l4[0];
        if (net::ConstIcmpv4View::parse(l4)->is_error())
            return inbound_icmp_error(*net::Ipv4View::parse(packet), fragment, seconds_of(now));
        // A query from outside is for the CE itself, never for a mapping: RFC 5508 REQ-1
        // covers queries initiated from the private realm.
        if (type == net::icmpv4_type::echo_request) return drop_inbound(DropReason::icmp_query_unsolicited);
        if (type != net::icmpv4_type::echo_reply) return drop_inbound(DropReason::unsupported_icmp);
        port_offset = rewrite::icmp_identifier;
    } else {
        remote_port = net::load_be16(&l4[rewrite::src_port]);
        if (*proto == Protocol::tcp) tcp_flags = l4[13];
    }
    // RFC 5382 REQ-4: an unsolicited SYN is dropped silently (filtered); answering it
    // with ICMP after 6 s is left to the caller, which sees the reason.
    const Matched m = match_inbound(*proto, net::load_be16(&l4[port_offset]), net::load_be32(ip + rewrite::ipv4_src),
                                    remote_key(*proto, remote_port), tcp_flags, seconds_of(now), true);
    if (!m.verdict.passed()) return drop_inbound(*m.verdict.reason());

    rewrite::endpoint(ip, rewrite::ipv4_dst, l4, *proto, port_offset, m.internal_address, m.internal_port, !fragment);
    ++c_.inbound_translated;
    return Outcome::forward();
}

}  // namespace s46::napt
