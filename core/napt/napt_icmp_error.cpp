// ICMP errors that quote a translated packet (RFC 5508 §4; RFC 5382 REQ-9).
//
// The quoted packet travelled the other way: an error going out quotes a packet that
// came in (its destination is the internal endpoint), an error coming in quotes a packet
// that went out (its source is our external endpoint). Translation reverts the quote to
// what its sender saw -- address, port or echo identifier, the quote's IPv4 checksum and
// its transport checksum when quoted -- and fixes the error's own ICMP checksum for every
// word that changed; then the outer address is translated like any packet's.
//
// Checks first (RFC 5508 REQ-3): the ICMP checksum, the quoted IPv4 header checksum, a
// quote long enough for the ports. The quoted transport checksum is not validated (REQ-3c)
// and is adjusted incrementally when present, so a quote cut short stays consistent.
// Errors neither refresh nor remove state (REQ-6; RFC 4787 REQ-12, RFC 5382 REQ-10).
#include "core/napt/napt.hpp"
#include "core/napt/napt_lookup.hpp"
#include "core/napt/packet_shape.hpp"
#include "core/napt/rewrite.hpp"
#include "core/net/icmpv4_packet.hpp"

namespace s46::napt {

namespace {

struct Quote {
    Verdict<DropReason> verdict = Verdict<DropReason>::pass();
    net::Icmpv4View icmp;
    net::Ipv4View ip;  // the quoted datagram, possibly cut short (parse_embedded)
    Protocol protocol = Protocol::udp;
};

Quote check_quote(const net::Ipv4View& outer, bool fragment) {
    Quote q;
    auto refuse = [&](DropReason r) {
        q.verdict = Verdict<DropReason>::drop(r);
        return q;
    };
    // The checksum covers the whole message, which a fragment does not hold.
    if (fragment) return refuse(DropReason::fragment_without_ports);
    q.icmp = *net::Icmpv4View::parse(outer.payload());  // 8 bytes checked by check_transport
    if (!q.icmp.checksum_valid()) return refuse(DropReason::icmp_bad_checksum);
    const auto quoted = net::Ipv4View::parse_embedded(q.icmp.body());
    if (!quoted) return refuse(reason_for(quoted.error()));
    q.ip = *quoted;
    if (!q.ip.checksum_valid()) return refuse(DropReason::icmp_bad_checksum);
    if (q.ip.fragment_offset() != 0) return refuse(DropReason::fragment_without_ports);
    const auto proto = protocol_from_ip(q.ip.protocol());
    if (!proto) return refuse(DropReason::unsupported_protocol);
    q.protocol = *proto;
    // RFC 792: the quote holds at least the first 64 bits of the datagram's data, which is
    // where ports and echo identifiers live.
    if (q.ip.payload().size() < 8) return refuse(DropReason::truncated);
    if (q.protocol == Protocol::icmp) {
        const std::uint8_t t = q.ip.payload()[0];
        // RFC 1122 §3.2.2: no error is sent about an error, so none is translated.
        if (t != net::icmpv4_type::echo_request && t != net::icmpv4_type::echo_reply)
            return refuse(DropReason::unsupported_icmp);
    }
    return q;
}

constexpr std::size_t quoted_port_offset(Protocol p, bool source) {
    return p == Protocol::icmp ? rewrite::icmp_identifier : (source ? rewrite::src_port : rewrite::dst_port);
}

// Rewrites the quote's address and port/identifier, with its checksums and the enclosing ICMP
// checksum (rewrite::quoted_endpoint).
void rewrite_quote(Quote& q, std::size_t address_offset, std::size_t port_offset, std::uint32_t new_address,
                   std::uint16_t new_port) {
    const std::uint16_t icmp_sum =
        rewrite::quoted_endpoint(q.ip, q.protocol, address_offset, port_offset, new_address, new_port, q.icmp.checksum());
    q.icmp.set_checksum(icmp_sum);  // an error's type is nonzero: no all-zero case
}

void rewrite_outer_address(net::Ipv4View& outer, std::size_t address_offset, std::uint32_t new_address) {
    std::uint8_t* ip = outer.datagram().data();
    const std::uint32_t old_address = net::load_be32(ip + address_offset);
    net::store_be32(ip + address_offset, new_address);
    outer.adjust_checksum32(old_address, new_address);  // ICMP has no pseudo-header
}

}  // namespace

// RFC 5508 REQ-5: from a LAN host, quoting a packet that came in to it.
Outcome Napt::outbound_icmp_error(net::Ipv4View ip, bool fragment, std::uint32_t now_s) {
    Quote q = check_quote(ip, fragment);
    if (!q.verdict.passed()) return drop_outbound(*q.verdict.reason());
    // The quote is an inbound packet after translation: destination = internal endpoint.
    // Its echo counterpart is a reply; an echo request never came in through us.
    if (q.protocol == Protocol::icmp && q.ip.payload()[0] != net::icmpv4_type::echo_reply)
        return drop_outbound(DropReason::icmp_error_no_mapping);
    const std::size_t port_offset = quoted_port_offset(q.protocol, false);
    const std::uint32_t mpos = find_mapping_pos(q.protocol, q.ip.dst().value, net::load_be16(&q.ip.payload()[port_offset]));
    if (mpos == empty_ref || mappings_.at(mpos).expiry <= now_s) return drop_outbound(DropReason::icmp_error_no_mapping);
    const std::uint16_t external_port = mappings_.at(mpos).external_port;

    // For hairpinning, the quote's source (before translation) is the other host's external endpoint.
    const bool hairpin = ip.dst() == cfg_.external && q.protocol != Protocol::icmp && q.ip.src() == cfg_.external &&
                         index_.set().contains(net::load_be16(&q.ip.payload()[rewrite::src_port]));
    rewrite_quote(q, rewrite::ipv4_dst, port_offset, cfg_.external.value, external_port);
    // RFC 5508 REQ-5c: the error's own source is the internal host (or router): translate it.
    rewrite_outer_address(ip, rewrite::ipv4_src, cfg_.external.value);
    ++c_.outbound_translated;
    ++c_.icmp_errors_translated;
    if (hairpin) {
        ++c_.outbound_hairpinned;  // RFC 5508 REQ-7: hairpinned errors MUST traverse
        return Outcome::hairpin();
    }
    return Outcome::forward();
}

// RFC 5508 REQ-4: from outside, quoting a packet we sent out.
Outcome Napt::inbound_icmp_error(net::Ipv4View ip, bool fragment, std::uint32_t now_s) {
    Quote q = check_quote(ip, fragment);
    if (!q.verdict.passed()) return drop_inbound(*q.verdict.reason());
    if (q.ip.src() != cfg_.external) return drop_inbound(DropReason::icmp_error_no_mapping);
    if (q.protocol == Protocol::icmp && q.ip.payload()[0] != net::icmpv4_type::echo_request)
        return drop_inbound(DropReason::icmp_error_no_mapping);
    const std::span<const std::uint8_t> l4 = q.ip.payload();
    const std::size_t port_offset = quoted_port_offset(q.protocol, true);
    const std::uint16_t remote_port = q.protocol == Protocol::icmp ? 0 : net::load_be16(&l4[rewrite::dst_port]);
    // The quoted destination is the remote the session was made with; the error itself may
    // come from a router on the way (Time Exceeded), so the outer source is not checked.
    const Matched m = match_inbound(q.protocol, net::load_be16(&l4[port_offset]), q.ip.dst().value,
                                    remote_key(q.protocol, remote_port), 0, now_s, false);
    if (!m.verdict.passed()) return drop_inbound(DropReason::icmp_error_no_mapping);

    rewrite_quote(q, rewrite::ipv4_src, port_offset, m.internal_address, m.internal_port);
    rewrite_outer_address(ip, rewrite::ipv4_dst, m.internal_address);  // REQ-4c
    ++c_.inbound_translated;
    ++c_.icmp_errors_translated;
    return Outcome::forward();
}

}  // namespace s46::napt
