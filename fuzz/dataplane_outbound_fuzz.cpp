// Arbitrary LAN packets into Pipeline::outbound() for each mode (input format in
// dataplane_fuzz_common.hpp). Record kinds: 0 outbound, 1 outbound with an IPv6 output buffer,
// 2 outbound with an output buffer one byte short, 3 expire(). `fix` makes the packet's IPv4
// and transport checksums and lengths right; `aim` points it at our own external endpoint, at
// the port the last encapsulated packet was given (hairpin), or, in MAP-E, at the peer CE.
//
// Invariants after every call:
//  * every span handed back lies in the caller's buffers or is a well-formed datagram of the
//    pipeline's own (reassembled or generated);
//  * Encapsulated: a whole IPv4 datagram with a valid header checksum; its source inside the
//    binding (NAPT modes: the external address with a port / echo identifier of the port set;
//    GI-4over6: the routed prefix); the remote is the configured one or, in MAP-E, inside the
//    FMR's IPv6 prefix; the IPv6 packet, when asked for, is header + exactly those bytes;
//  * ReplyToLan: an ICMPv4 error of at most 576 bytes, checksums right, to a unicast host;
//  * Hairpin: a valid IPv4 header, from the external address;
//  * the counters add up, and outbound_packets equals the calls made.
#include <cstdint>
#include <cstring>
#include <vector>

#include "fuzz/dataplane_fuzz_common.hpp"

using namespace s46;
using namespace s46::dataplane;
using namespace s46::dataplane::fuzz;

namespace {

void check_encapsulated(const Harness& h, const Encapsulated& e, std::size_t out_size) {
    check_ipv4(e.inner);
    auto ip = net::ConstIpv4View::parse(e.inner);
    const modes::Plan& plan = h.plan;
    if (plan.napt) {
        S46_FUZZ_CHECK(ip->src() == plan.ipv4.address);
        if (!ip->is_fragment() && ip->payload().size() >= 8) {
            const auto l4 = ip->payload();
            if (ip->protocol() == net::ip_protocol::udp || ip->protocol() == net::ip_protocol::tcp)
                S46_FUZZ_CHECK(h.ports.contains(net::load_be16(&l4[0])));
            if (ip->protocol() == net::ip_protocol::icmp && l4[0] == net::icmpv4_type::echo_request)
                S46_FUZZ_CHECK(h.ports.contains(net::load_be16(&l4[4])));
        }
    }
    if (plan.lan_routed_prefix) S46_FUZZ_CHECK(plan.lan_routed_prefix->contains(ip->src()));
    const bool via_fmr = !plan.fmrs.empty() && plan.fmrs[0].ipv6_prefix.contains(e.remote);
    S46_FUZZ_CHECK(e.remote == *plan.tunnel_remote || via_fmr);
    if (via_fmr) S46_FUZZ_CHECK(plan.fmrs[0].ipv4_prefix.contains(ip->dst()));
    S46_FUZZ_CHECK(e.traffic_class == ip->tos());
    if (out_size) {
        const std::size_t overhead = e.ipv6_packet.size() - e.inner.size();
        S46_FUZZ_CHECK(overhead == 40 || overhead == 48);
        S46_FUZZ_CHECK(e.ipv6_packet.size() <= out_size);
        S46_FUZZ_CHECK((e.ipv6_packet[0] >> 4) == 6);
        S46_FUZZ_CHECK(std::memcmp(e.ipv6_packet.data() + overhead, e.inner.data(), e.inner.size()) == 0);
    } else {
        S46_FUZZ_CHECK(e.ipv6_packet.empty());
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 2) return 0;
    Harness h(data[0], data[1]);
    Pipeline& pipe = *h.pipe;
    Reader in{data + 2, size - 2};
    Reader::Record r;
    Time now = std::chrono::seconds(1);
    std::uint64_t calls = 0;
    std::uint16_t last_external = 0;  // source port of the last Encapsulated UDP/TCP packet
    while (in.next(r)) {
        now += std::chrono::seconds(r.step() * 5);
        if (r.kind() == 3) {
            pipe.expire(now);
            check_books(pipe);
            continue;
        }
        // An exactly-sized copy, so ASan sees any read past the packet.
        std::vector<std::uint8_t> pkt(r.bytes.begin(), r.bytes.end());
        if (r.aim() && pkt.size() >= 28) {
            // Toward our own external address (hairpin) or the peer CE (MAP-E mesh).
            const bool peer = h.plan.mode == select::Mode::mape && (r.extra & 1);
            net::store_be32(&pkt[16], peer ? kPeer : h.plan.ipv4.address.value);
            const std::size_t l4 = std::size_t{pkt[0] & 0x0fu} * 4;
            if (l4 + 4 <= pkt.size()) net::store_be16(&pkt[l4 + 2], peer ? kPeerPort : last_external);
        }
        if (r.fix()) fix_ipv4(pkt);
        std::vector<std::uint8_t> out;
        if (r.kind() == 1) out.resize(pkt.size() + 48);
        if (r.kind() == 2) out.resize(pkt.size() + 39);
        const Outbound res = pipe.outbound(pkt, now, out);
        ++calls;
        std::visit(
            [&](const auto& v) {
                using V = std::decay_t<decltype(v)>;
                if constexpr (std::is_same_v<V, Encapsulated>) {
                    check_encapsulated(h, v, out.size());
                    S46_FUZZ_CHECK(inside(v.ipv6_packet, out));
                    const auto ip = net::ConstIpv4View::parse(v.inner);
                    if ((ip->protocol() == net::ip_protocol::udp || ip->protocol() == net::ip_protocol::tcp) &&
                        !ip->is_fragment() && ip->payload().size() >= 2)
                        last_external = net::load_be16(ip->payload().data());
                } else if constexpr (std::is_same_v<V, ReplyToLan>) {
                    check_icmp_error(v.packet);
                    S46_FUZZ_CHECK(v.dropped.has_value());
                } else if constexpr (std::is_same_v<V, Hairpin>) {
                    check_ipv4(v.packet);
                    S46_FUZZ_CHECK(net::ConstIpv4View::parse(v.packet)->src() == h.plan.ipv4.address);
                } else if constexpr (std::is_same_v<V, Drop>) {
                    S46_FUZZ_CHECK(static_cast<std::size_t>(v.reason) < kDropReasonCount);
                }
            },
            res);
        check_books(pipe);
        S46_FUZZ_CHECK(pipe.counters().outbound_packets == calls);
    }
    summary().add(pipe.counters());
    return 0;
}
