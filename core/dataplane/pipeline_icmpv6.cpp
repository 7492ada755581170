// Pipeline::icmpv6_error: ICMPv6 errors about our tunnel packets, relayed to the IPv4 source as
// RFC 2473 §8 (§8.3 for IPv4 inner packets) says (docs/dataplane.md, "ICMPv6 errors").
#include <algorithm>

#include "core/dataplane/icmp_error.hpp"
#include "core/dataplane/pipeline.hpp"
#include "core/dataplane/pipeline_state.hpp"
#include "core/net/icmpv4_packet.hpp"
#include "core/net/icmpv6_packet.hpp"
#include "core/net/ip_protocol.hpp"
#include "core/net/ipv6_packet.hpp"

namespace s46::dataplane {

namespace {

enum class Relay : std::uint8_t { none, host_unreachable, packet_too_big };

// RFC 2473 §8.3 table (docs/dataplane.md, "ICMPv6 errors"). Parameter Problem: every code, as Snabb does; RFC 2473
// names only the encapsulation-limit case, but any problem with our outer packet means the
// inner one did not get through. Time Exceeded: hop limit only, like Linux ip6_tnl_err().
Relay relay_for(std::uint8_t type, std::uint8_t code) {
    switch (type) {
        case net::icmpv6_type::destination_unreachable: return Relay::host_unreachable;
        case net::icmpv6_type::packet_too_big: return code == 0 ? Relay::packet_too_big : Relay::none;
        case net::icmpv6_type::time_exceeded: return code == 0 ? Relay::host_unreachable : Relay::none;
        case net::icmpv6_type::parameter_problem: return Relay::host_unreachable;
        default: return Relay::none;
    }
}

constexpr std::uint8_t kAddressUnreachableCode = 5;  // RFC 4443 §3.1: "source address failed ingress/egress policy"

// Errors that say the tunnel's remote end cannot take our packets at all (RFC 4443 §3.1
// codes 0 no route, 1 administratively prohibited, 3 address unreachable, 6 reject route;
// §3.4 code 1 unrecognised Next Header: the address answers but does not decapsulate).
// Not code 4 (port unreachable: meaningless for IPIP) nor 5 (our source failed a policy:
// a binding problem, not a dead remote).
bool says_remote_unreachable(std::uint8_t type, std::uint8_t code) {
    if (type == net::icmpv6_type::destination_unreachable) return code == 0 || code == 1 || code == 3 || code == 6;
    return type == net::icmpv6_type::parameter_problem && code == 1;
}
constexpr std::uint32_t kIpv6MinMtu = 1280;          // RFC 8200 §5

}  // namespace

Icmpv6Relay Pipeline::icmpv6_error(std::span<const std::uint8_t> message, const net::Ipv6Address& source, Time now) {
    ++counters_.icmpv6_packets;
    const State& s = *state_;
    if (s.mode == select::Mode::none || !s.remote) return drop_icmpv6(DropReason::not_configured);

    // The error was sent to the invoking packet's source, our tunnel address, which gives the
    // pseudo-header (RFC 4443 §2.3).
    auto m = net::ConstIcmpv6View::parse(message);
    if (!m) return drop_icmpv6(DropReason::icmpv6_malformed);
    const auto pseudo = net::pseudo_header_sum_v6(source, s.tunnel.local(), static_cast<std::uint32_t>(message.size()),
                                                  net::ip_protocol::icmpv6);
    if (!m->checksum_valid(pseudo)) return drop_icmpv6(DropReason::icmpv6_malformed);
    const Relay relay = relay_for(m->type(), m->code());
    if (relay == Relay::none) return drop_icmpv6(DropReason::icmpv6_unhandled);

    // The invoking packet must be one of ours: IPv4-in-IPv6 from our tunnel address.
    auto outer = net::ConstIpv6View::parse_embedded(m->body());
    if (!outer) return drop_icmpv6(DropReason::icmpv6_malformed);
    if (outer->src() != s.tunnel.local()) return drop_icmpv6(DropReason::icmpv6_not_ours);
    std::span<const std::uint8_t> rest = outer->payload();
    std::uint8_t next = outer->next_header();
    std::size_t overhead = 40;
    if (next == net::ip_protocol::destination_options) {  // our encapsulation limit (RFC 2473 §4.1.1)
        if (rest.size() < 2) return drop_icmpv6(DropReason::icmpv6_malformed);
        const std::size_t len = (std::size_t{rest[1]} + 1) * 8;
        if (len > rest.size()) return drop_icmpv6(DropReason::icmpv6_malformed);
        next = rest[0];
        rest = rest.subspan(len);
        overhead += len;
    }
    if (next != net::ip_protocol::ipv4) return drop_icmpv6(DropReason::icmpv6_not_ours);
    auto inner = net::ConstIpv4View::parse_embedded(rest);
    if (!inner) return drop_icmpv6(DropReason::icmpv6_malformed);

    // The daemon may move to another AFTR address (RFC 6334 §3 allows several AAAA records;
    // docs/tunnel-events.md). Only about packets to the remote itself: a MAP-E mesh peer
    // being unreachable says nothing about the BR.
    if (outer->dst() == *s.remote && says_remote_unreachable(m->type(), m->code())) {
        ++counters_.remote_unreachable_events;
        remote_unreachable_ = true;
    }

    // lw4o6: 1/5 from the lwAFTR says it holds no binding for us (RFC 7596 §5.1). It MUST come
    // from the configured lwAFTR; anyone else's is discarded.
    if (s.mode == select::Mode::lw4o6 && m->type() == net::icmpv6_type::destination_unreachable &&
        m->code() == kAddressUnreachableCode) {
        if (source != *s.remote) return drop_icmpv6(DropReason::icmpv6_from_unknown);
        ++counters_.no_binding_events;
        no_binding_ = true;
    }

    std::uint8_t code = icmpv4_code::host_unreachable;
    std::uint32_t rest_word = 0;
    if (relay == Relay::packet_too_big) {
        // RFC 2473 §8.3: the tunnel MTU toward that exit is the reported MTU minus our headers.
        // A report below the IPv6 minimum is read as the minimum (RFC 8201 §4, RFC 8021).
        // A quoted header as long as the MTU cannot be one of ours; 68 is the IPv4 floor (RFC 791).
        const std::uint32_t v6 = std::max<std::uint32_t>(m->mtu(), kIpv6MinMtu);
        const std::uint32_t inner_mtu = v6 > overhead + 68 ? static_cast<std::uint32_t>(v6 - overhead) : 68u;
        const auto mtu = static_cast<std::uint16_t>(std::min<std::uint32_t>(inner_mtu, s.tunnel_mtu));
        if (path_mtu_.lower(outer->dst(), mtu, now)) ++counters_.pmtu_updates;
        if (!inner->dont_fragment()) return drop_icmpv6(DropReason::icmpv6_ptb_no_df);
        code = icmpv4_code::fragmentation_needed;
        rest_word = path_mtu_.lookup(outer->dst(), s.tunnel_mtu, now);
    }

    // The LAN host only recognises the error if the quoted header carries its own address and
    // port, so NAPT is undone on a copy (RFC 5508 REQ-4 in spirit).
    auto quoted = restored_quote(inner->datagram(), now);
    if (quoted.empty()) return drop_icmpv6(DropReason::icmpv6_not_relayable);
    auto q = net::ConstIpv4View::parse_embedded(quoted);
    if (!q || !may_send_icmp_error(*q)) return drop_icmpv6(DropReason::icmpv6_not_relayable);
    auto reply = icmp_error(s.icmp_source, net::icmpv4_type::destination_unreachable, code, rest_word, quoted, now);
    if (reply.empty()) return drop_icmpv6(DropReason::icmpv6_rate_limited);
    ++counters_.icmpv6_relayed;
    return ReplyToLan{reply, std::nullopt};
}

}  // namespace s46::dataplane
