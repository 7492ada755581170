// Pipeline::outbound: a LAN IPv4 datagram toward the softwire (docs/dataplane.md, "Outbound").
#include "core/dataplane/flow_ports.hpp"
#include "core/dataplane/header_checksum.hpp"
#include "core/dataplane/icmp_error.hpp"
#include "core/dataplane/martians.hpp"
#include "core/dataplane/mss_clamp.hpp"
#include "core/dataplane/pipeline.hpp"
#include "core/dataplane/pipeline_state.hpp"
#include "core/net/icmpv4_packet.hpp"
#include "core/net/ip_protocol.hpp"

namespace s46::dataplane {

Outbound Pipeline::outbound(std::span<std::uint8_t> packet, Time now, std::span<std::uint8_t> ipv6_out) {
    ++counters_.outbound_packets;
    const State& s = *state_;
    if (s.mode == select::Mode::none || !s.remote) return drop_out(DropReason::not_configured);

    // 1. A well-formed IPv4 datagram from a unicast source to a unicast destination.
    auto parsed = net::Ipv4View::parse(packet);
    if (!parsed) return drop_out(DropReason::bad_ipv4);
    net::Ipv4View ip = *parsed;
    if (options_.verify_ipv4_checksum && !header_checksum_ok(ip)) return drop_out(DropReason::bad_ipv4_checksum);
    if (martian_source(ip.src())) return drop_out(DropReason::martian_source);
    if (martian_destination(ip.dst())) return drop_out(DropReason::martian_destination);
    // GI-4over6: the lwAFTR only routes the LAN's prefix back (RFC 7596 §5.2 binding).
    if (s.lan_prefix && !s.lan_prefix->contains(ip.src())) return drop_out(DropReason::source_not_ours);

    // 2. Reassembly in front of NAPT: only the first fragment has ports (RFC 7597 §8.3.2).
    //    Without NAPT (DS-Lite, GI-4over6) fragments go through as they are.
    if (s.napt && ip.is_fragment()) {
        DropReason why{};
        switch (reassemble(reassembly_out_, ip, now, why)) {
            case FragmentStep::held: ++counters_.outbound_held; return Held{};
            case FragmentStep::dropped: return drop_out(why);
            case FragmentStep::complete: break;
        }
    }

    // 3. TTL: the CE forwards IPv4 (RFC 1812 §5.3.1); checked before NAPT so that a datagram
    //    about to die creates no mapping, and the error quotes what the host sent.
    if (options_.decrement_ttl && ip.ttl() <= 1)
        return answer_out(DropReason::ttl_exceeded, net::icmpv4_type::time_exceeded, icmpv4_code::ttl_exceeded_in_transit, 0,
                          ip.datagram(), now);

    // 4. NAPT44 onto the binding (RFC 7596 §5.2, RFC 7597 §8). It may hairpin (RFC 4787 REQ-9).
    if (s.napt) {
        const NaptVerdict v = napt_->outbound(ip.datagram(), now);
        if (v.action == NaptAction::dropped) {
            if (v.resource_refusal && options_.answer_napt_refusal) {
                // RFC 5508 REQ-8: tell the host it could not get a mapping (3/13).
                ++counters_.outbound_dropped;
                ++counters_.drop_napt_outbound;
                auto reply = icmp_error(s.icmp_source, net::icmpv4_type::destination_unreachable,
                                        icmpv4_code::administratively_prohibited, 0, ip.datagram(), now);
                if (!reply.empty()) return ReplyToLan{reply, DropReason::napt_outbound};
                return Drop{DropReason::napt_outbound, v.detail};
            }
            return drop_out(DropReason::napt_outbound, v.detail);
        }
        if (v.action == NaptAction::hairpin) {
            if (options_.decrement_ttl) decrement_ttl(ip);
            ++counters_.outbound_hairpinned;
            return Hairpin{ip.datagram()};
        }
    }

    // 5. Next hop: LPM over the plan's routes; MAP-E FMRs need the destination port (RFC 7597 §5.3).
    std::uint16_t port = 0;
    if (s.uses_ports) {
        if (auto fp = flow_ports(ip)) port = fp->dst;
    }
    const NextHop hop = s.forwarder.next_hop(ip.dst(), port);
    if (hop.via == NextHop::Via::none) return drop_out(DropReason::no_route);

    // 6. Tunnel MTU (RFC 2473 §7.2): DF set and too big -> ICMPv4 3/4 with the MTU toward that
    //    exit; DF clear -> encapsulate, and the outer IPv6 packet is fragmented after
    //    encapsulation (RFC 6333 §5.3: never the inner packet). The error quotes the datagram
    //    as the host sent it, so NAPT is undone on a copy.
    const std::uint16_t mtu = path_mtu_.lookup(hop.address, s.tunnel_mtu, now);
    if (ip.total_length() > mtu && ip.dont_fragment()) {
        auto quoted = restored_quote(ip.datagram(), now);
        if (quoted.empty()) return drop_out(DropReason::df_too_big);
        return answer_out(DropReason::df_too_big, net::icmpv4_type::destination_unreachable, icmpv4_code::fragmentation_needed,
                          mtu, quoted, now);
    }
    if (ip.total_length() + s.tunnel.overhead() - 40 > 0xffff) return drop_out(DropReason::encap_too_big);

    // 7. MSS clamp on SYNs so TCP never needs the fragmentation above (RFC 6908 §5).
    if (options_.clamp_mss && clamp_syn_mss(ip, mtu)) ++counters_.mss_clamped;

    // 8. One router hop (RFC 2473 §6.3: the tunnel itself is one virtual hop, the outer hop
    //    limit is the tunnel's own).
    if (options_.decrement_ttl) decrement_ttl(ip);

    // 9. Encapsulation: traffic class = inner TOS (RFC 6333 §7.1, RFC 6040 §4.1).
    std::span<const std::uint8_t> whole;
    if (!ipv6_out.empty()) {
        const std::size_t n = s.tunnel.encapsulate(hop.address, ip.tos(), ip.datagram(), ipv6_out);
        if (n == 0) return drop_out(DropReason::output_buffer_too_small);
        whole = ipv6_out.first(n);
    }
    ++counters_.outbound_encapsulated;
    // Built in the return slot: copying a finished Encapsulated into the variant compiled to a
    // `rep movs` that cost a third of a DS-Lite packet (bench/pipeline_bench.cpp).
    return Outbound{std::in_place_type<Encapsulated>, hop.address, ip.tos(), ip.datagram(), whole};
}

}  // namespace s46::dataplane
