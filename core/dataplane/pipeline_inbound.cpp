// Pipeline::inbound: a decapsulated IPv4 datagram toward the LAN (docs/dataplane.md, "Inbound").
#include "core/dataplane/ecn.hpp"
#include "core/dataplane/fmr_rules.hpp"
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

Inbound Pipeline::inbound(const net::Ipv6Address& outer_src, const net::Ipv6Address& outer_dst, std::uint8_t traffic_class,
                          std::span<std::uint8_t> inner, Time now) {
    ++counters_.inbound_packets;
    const State& s = *state_;
    if (s.mode == select::Mode::none || !s.remote) return drop_in(DropReason::not_configured);
    if (outer_dst != s.tunnel.local()) return drop_in(DropReason::bad_outer);

    auto parsed = net::Ipv4View::parse(inner);
    if (!parsed) return drop_in(DropReason::bad_ipv4);
    net::Ipv4View ip = *parsed;
    if (options_.verify_ipv4_checksum && !header_checksum_ok(ip)) return drop_in(DropReason::bad_ipv4_checksum);
    if (martian_source(ip.src())) return drop_in(DropReason::martian_source);
    if (martian_destination(ip.dst())) return drop_in(DropReason::martian_destination);

    // 1. Source validation, the cheap part first so that spoofers cannot fill reassembly slots.
    //    DS-Lite and lw4o6: only the AFTR / lwAFTR (RFC 6333 §5.2 point-to-point softwire;
    //    RFC 7596 §5.2 MUST). MAP-E: the BR, or a peer CE under an FMR (RFC 7597 §8.1).
    const bool from_remote = outer_src == *s.remote;
    const bool peer = s.mode == select::Mode::mape && !from_remote;
    if (!from_remote) {
        if (!peer) return drop_in(DropReason::spoofed_source);
        bool covered = false;
        for (const auto& r : s.source_rules.rules()) covered = covered || r.ipv6_prefix.contains(outer_src);
        if (!covered) return drop_in(DropReason::spoofed_source);
    }

    // 2. Reassembly where ports matter: reverse NAPT, and a peer's source port (RFC 7597 §8.3.2).
    if ((s.napt || peer) && ip.is_fragment()) {
        DropReason why{};
        switch (reassemble(reassembly_in_, ip, now, why)) {
            case FragmentStep::held: ++counters_.inbound_held; return Held{};
            case FragmentStep::dropped: return drop_in(why);
            case FragmentStep::complete: break;
        }
    }
    const auto ports = (s.napt || peer) ? flow_ports(ip) : std::nullopt;

    // 3. A peer CE must own the inner source address and port: the strict full-address
    //    comparison by default (RFC 7597 §8.1, Options::source_check). A packet without ports
    //    is checked as port 0, which only a rule without a PSID accepts.
    if (peer && !s.source_rules.peer_source_valid(*s.remote, outer_src, ip.src(), ports ? ports->src : 0,
                                   options_.source_check, s.legacy_iid))
        return drop_in(DropReason::spoofed_source);

    // 4. The destination must be ours: the binding's address and port set (RFC 7596 §5.2 MUST,
    //    RFC 7597 §8.1 MUST by default), or GI-4over6's routed prefix. DS-Lite: the AFTR
    //    addresses LAN hosts directly (RFC 6333 §6.6), nothing to check.
    bool ours = true;
    if (s.napt) ours = s.ipv4.contains(ip.dst()) && (!ports || s.ports.contains(ports->dst));
    else if (s.lan_prefix) ours = s.lan_prefix->contains(ip.dst());
    if (!ours) {
        if (options_.answer_not_our_binding) {
            // RFC 7596 §5.2 MAY: ICMPv4 3/13 to the sender, back through the softwire it came by.
            ++counters_.inbound_dropped;
            ++counters_.drop_not_our_binding;
            auto reply = icmp_error(s.ipv4.address, net::icmpv4_type::destination_unreachable,
                                    icmpv4_code::administratively_prohibited, 0, ip.datagram(), now);
            if (!reply.empty()) return ReplyToTunnel{Encapsulated{outer_src, 0xc0, reply, {}}, DropReason::not_our_binding};
            return Drop{DropReason::not_our_binding, 0};
        }
        return drop_in(DropReason::not_our_binding);
    }

    // 5. Traffic class back into the inner header: DSCP copied, ECN combined (RFC 6333 §7.1,
    //    RFC 6040 §4.2; Options::copy_traffic_class_inbound).
    if (options_.copy_traffic_class_inbound) {
        const auto ecn = decapsulated_ecn(ip.ecn(), traffic_class & 3);
        if (!ecn) return drop_in(DropReason::ecn_ce_not_ect);
        const std::uint8_t tos = static_cast<std::uint8_t>((traffic_class & 0xfc) | *ecn);
        if (tos != ip.tos()) {
            const std::uint16_t before = static_cast<std::uint16_t>((ip.header()[0] << 8) | ip.tos());
            ip.set_tos(tos);
            ip.adjust_checksum16(before, static_cast<std::uint16_t>((before & 0xff00) | tos));
        }
    }

    // 6. Reverse NAPT to the LAN host (RFC 3022; ICMP errors per RFC 5508).
    if (s.napt) {
        const NaptVerdict v = napt_->inbound(ip.datagram(), now);
        if (v.action != NaptAction::translated) return drop_in(DropReason::napt_inbound, v.detail);
    }

    // 7. MSS clamp on SYN-ACKs (and SYNs) toward the LAN, to the MTU toward the sender, so the
    //    LAN host's segments fit the tunnel whatever MSS it advertised itself (RFC 4459 §3.2;
    //    mss_clamp.hpp). After NAPT, so a refused packet stays untouched.
    if (options_.clamp_mss && ip.protocol() == net::ip_protocol::tcp &&
        clamp_syn_mss(ip, path_mtu_.lookup(outer_src, s.tunnel_mtu, now)))
        ++counters_.mss_clamped_inbound;
    ++counters_.inbound_delivered;
    return ToLan{ip.datagram()};
}

Inbound Pipeline::inbound_ipv6(std::span<std::uint8_t> ipv6_packet, Time now) {
    auto d = state_->tunnel.decapsulate(ipv6_packet);
    if (!d.verdict.passed()) {
        ++counters_.inbound_packets;
        return drop_in(*d.verdict.reason());
    }
    return inbound(d.src, d.dst, d.traffic_class, d.inner, now);
}

}  // namespace s46::dataplane
