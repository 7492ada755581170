// Arbitrary tunnel packets into Pipeline::inbound(), inbound_ipv6() and icmpv6_error() for each
// mode (input format in dataplane_fuzz_common.hpp). Before the records, the harness opens NAPT
// mappings the way a LAN would (UDP, TCP, echo to a server; UDP to the MAP-E peer), so replies
// can match. Record kinds: 0 inbound(inner IPv4), 1 inbound_ipv6(whole IPv6 packet),
// 2 icmpv6_error(message), 3 expire(). Outer source: 0 the remote endpoint, 1 the MAP-E peer
// CE, 2 a stranger, 3 the record's first 16 bytes. `fix` makes checksums and lengths right
// (the ICMPv6 checksum too); `aim` addresses an inner packet to the first live mapping of its
// protocol, or makes an ICMPv6 error quote a packet we really sent.
//
// Invariants after every call:
//  * ToLan: a whole IPv4 datagram with a valid header checksum; GI-4over6: its destination in
//    the routed prefix; NAPT modes: no longer addressed to the external address unless a
//    hairpin-like mapping says so (its destination came from the mapping table);
//  * ReplyToTunnel: an ICMPv4 error (<= 576 bytes, checksums right) back to the outer source;
//  * ICMPv6 relays: an ICMPv4 error of at most 576 bytes with checksums right;
//  * the counters add up; inbound_packets and icmpv6_packets equal the calls made.
#include <cstdint>
#include <cstring>
#include <vector>

#include "core/net/icmpv6_packet.hpp"
#include "fuzz/dataplane_fuzz_common.hpp"

using namespace s46;
using namespace s46::dataplane;
using namespace s46::dataplane::fuzz;

namespace {

std::vector<std::uint8_t> udp(std::uint32_t src, std::uint16_t sport, std::uint32_t dst, std::uint16_t dport) {
    std::vector<std::uint8_t> p(36, 0);
    p[0] = 0x45;
    p[8] = 64;
    p[9] = 17;
    net::store_be32(&p[12], src);
    net::store_be32(&p[16], dst);
    net::store_be16(&p[20], sport);
    net::store_be16(&p[22], dport);
    fix_ipv4(p);
    return p;
}

struct Opened {
    std::vector<std::uint8_t> sent;  // the whole IPv6 packet that went out
    std::uint8_t protocol = 0;
    std::uint16_t external = 0;  // port or echo identifier
};

// A LAN host's first packets: they open the mappings inbound packets can aim at.
std::vector<Opened> open_mappings(Harness& h) {
    std::vector<std::vector<std::uint8_t>> lan;
    const std::uint32_t host = h.plan.lan_routed_prefix ? h.plan.lan_routed_prefix->address.value + 2 : kLanHost;
    lan.push_back(udp(host, 1000, kServer, 53));
    auto tcp = udp(host, 2000, kServer, 80);
    tcp.resize(40);
    tcp[9] = 6;
    tcp[32] = 5 << 4;
    tcp[33] = 0x02;
    fix_ipv4(tcp);
    lan.push_back(tcp);
    auto echo = udp(host, 0, kServer, 0);
    echo[9] = 1;
    echo[20] = 8;
    echo[21] = 0;
    net::store_be16(&echo[24], 0x0101);
    fix_ipv4(echo);
    lan.push_back(echo);
    if (h.plan.mode == select::Mode::mape) lan.push_back(udp(host, 3000, kPeer, kPeerPort));
    std::vector<Opened> opened;
    for (auto& p : lan) {
        std::vector<std::uint8_t> out(p.size() + 48);
        const Outbound res = h.pipe->outbound(p, std::chrono::seconds(1), out);
        const auto* e = std::get_if<Encapsulated>(&res);
        S46_FUZZ_CHECK(e != nullptr);
        Opened o;
        o.sent.assign(e->ipv6_packet.begin(), e->ipv6_packet.end());
        o.protocol = e->inner[9];
        o.external = net::load_be16(&e->inner[o.protocol == net::ip_protocol::icmp ? 24 : 20]);
        opened.push_back(o);
    }
    return opened;
}

net::Ipv6Address outer_source(const Harness& h, const Reader::Record& r) {
    switch (r.source()) {
        case 0: return *h.plan.tunnel_remote;
        case 1: return kPeerCe;
        case 2: return kStranger;
        default: {
            net::Ipv6Address a;
            for (std::size_t i = 0; i < 16 && i < r.bytes.size(); ++i) a.bytes[i] = r.bytes[i];
            return a;
        }
    }
}

void check_to_lan(const Harness& h, std::span<const std::uint8_t> p) {
    check_ipv4(p);
    auto ip = net::ConstIpv4View::parse(p);
    if (h.plan.lan_routed_prefix) S46_FUZZ_CHECK(h.plan.lan_routed_prefix->contains(ip->dst()));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 2) return 0;
    Harness h(data[0], data[1]);
    Pipeline& pipe = *h.pipe;
    const std::vector<Opened> opened = open_mappings(h);
    const std::uint64_t out_calls = opened.size();
    Reader in{data + 2, size - 2};
    Reader::Record r;
    Time now = std::chrono::seconds(2);
    std::uint64_t in_calls = 0, icmp_calls = 0;
    const net::Ipv6Address local = h.plan.tunnel_local;
    while (in.next(r)) {
        now += std::chrono::seconds(r.step() * 5);
        const net::Ipv6Address from = outer_source(h, r);
        std::vector<std::uint8_t> pkt(r.bytes.begin(), r.bytes.end());
        switch (r.kind()) {
            case 0:
            case 1: {
                const std::size_t at = r.kind() == 1 ? 40 : 0;
                if (r.kind() == 1 && pkt.size() >= 40 && r.fix()) {
                    pkt[0] = static_cast<std::uint8_t>(0x60 | (pkt[0] & 0x0f));
                    net::store_be16(&pkt[4], static_cast<std::uint16_t>(pkt.size() - 40));
                    pkt[6] = net::ip_protocol::ipv4;
                    std::memcpy(&pkt[8], from.bytes.data(), 16);
                    std::memcpy(&pkt[24], local.bytes.data(), 16);
                }
                std::span<std::uint8_t> inner = std::span<std::uint8_t>(pkt).subspan(std::min(at, pkt.size()));
                if (r.aim() && inner.size() >= 28 && h.plan.napt) {
                    for (const auto& o : opened)
                        if (o.protocol == inner[9]) {
                            net::store_be32(&inner[16], h.plan.ipv4.address.value);
                            net::store_be16(&inner[20 + (o.protocol == net::ip_protocol::icmp ? 4 : 2)], o.external);
                            break;
                        }
                }
                if (r.fix()) fix_ipv4(inner);
                const Inbound res = r.kind() == 1 ? pipe.inbound_ipv6(pkt, now) : pipe.inbound(from, local, r.extra, pkt, now);
                ++in_calls;
                std::visit(
                    [&](const auto& v) {
                        using V = std::decay_t<decltype(v)>;
                        if constexpr (std::is_same_v<V, ToLan>) {
                            check_to_lan(h, v.packet);
                        } else if constexpr (std::is_same_v<V, ReplyToTunnel>) {
                            check_icmp_error(v.reply.inner);
                            S46_FUZZ_CHECK(r.kind() == 1 || v.reply.remote == from);
                        }
                    },
                    res);
                break;
            }
            case 2: {
                if (r.aim() && !opened.empty() && pkt.size() >= 8) {
                    // Quote a packet we really sent, cut to what the record holds after 8 bytes.
                    const auto& s = opened[r.extra % opened.size()].sent;
                    pkt.resize(8 + std::min(s.size(), std::max<std::size_t>(pkt.size() - 8, 48)));
                    std::memcpy(&pkt[8], s.data(), pkt.size() - 8);
                }
                if (r.fix() && pkt.size() >= 8) {
                    net::store_be16(&pkt[2], 0);
                    const auto pseudo = net::pseudo_header_sum_v6(from, local, static_cast<std::uint32_t>(pkt.size()),
                                                                  net::ip_protocol::icmpv6);
                    net::store_be16(&pkt[2], net::checksum_finish(net::checksum_add(pkt, pseudo)));
                }
                const Icmpv6Relay res = pipe.icmpv6_error(pkt, from, now);
                ++icmp_calls;
                if (const auto* reply = std::get_if<ReplyToLan>(&res)) {
                    check_icmp_error(reply->packet);
                    S46_FUZZ_CHECK(!reply->dropped.has_value());
                }
                break;
            }
            default: pipe.expire(now); break;
        }
        check_books(pipe);
        const Counters& c = pipe.counters();
        S46_FUZZ_CHECK(c.inbound_packets == in_calls);
        S46_FUZZ_CHECK(c.icmpv6_packets == icmp_calls);
        S46_FUZZ_CHECK(c.outbound_packets == out_calls);
    }
    summary().add(pipe.counters());
    return 0;
}
