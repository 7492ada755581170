// End to end, in memory, per mode: the test plays the AFTR / lwAFTR / BR / peer CE. A LAN packet
// goes out as a whole IPv6 packet; the fake peer checks the outer header and the inner source,
// answers, and the answer must come back to the original LAN endpoint.
#include "tests/unit/core/dataplane/dp_fixture.hpp"

using namespace s46;
using namespace s46::dataplane;
using namespace s46::dataplane::test;

namespace {

struct Sent {
    net::Ipv6Address src, dst;
    std::uint8_t traffic_class = 0;
    Bytes inner;
};

// What the far end receives: the IPv6 packet parsed by hand.
Sent on_the_wire(const Encapsulated& e) {
    const Bytes p = bytes(e.ipv6_packet);
    REQUIRE(p.size() >= 60);
    REQUIRE(p[0] >> 4 == 6);
    REQUIRE(p[6] == 4);
    Sent s;
    std::copy(p.begin() + 8, p.begin() + 24, s.src.bytes.begin());
    std::copy(p.begin() + 24, p.begin() + 40, s.dst.bytes.begin());
    s.traffic_class = static_cast<std::uint8_t>((p[0] & 0x0f) << 4 | p[1] >> 4);
    s.inner.assign(p.begin() + 40, p.end());
    CHECK(get16(p, 4) == s.inner.size());
    CHECK(s.dst == e.remote);
    CHECK(bytes(e.inner) == s.inner);
    CHECK(checksums_ok(s.inner));
    return s;
}

Sent out(Pipeline& p, Bytes packet, Time now = at_s(1)) {
    Bytes buf(packet.size() + 64);
    return on_the_wire(as<Encapsulated>(p.outbound(packet, now, buf)));
}

Bytes back(Pipeline& p, const net::Ipv6Address& from, const net::Ipv6Address& to, const Bytes& inner, std::uint8_t tc = 0,
           Time now = at_s(2)) {
    Bytes v6pkt = ipv6_packet(from, to, 4, inner, tc);
    auto t = as<ToLan>(p.inbound_ipv6(v6pkt, now));
    CHECK(checksums_ok(t.packet));
    return bytes(t.packet);
}

void check_books(const Counters& c) {
    CHECK(c.outbound_packets == c.outbound_encapsulated + c.outbound_hairpinned + c.outbound_held + c.outbound_dropped);
    CHECK(c.inbound_packets == c.inbound_delivered + c.inbound_held + c.inbound_dropped);
    CHECK(c.icmpv6_packets == c.icmpv6_relayed + c.icmpv6_dropped);
    CHECK(c.total_drops() == c.outbound_dropped + c.inbound_dropped + c.icmpv6_dropped + c.fragments_discarded);
}

}  // namespace

TEST_CASE("end to end DS-Lite: the AFTR does the NAT; the B4 passes LAN addresses (RFC 6333)", "[dataplane][e2e][rfc6333]") {
    Pipeline p(nullptr);
    REQUIRE(p.configure(dslite_plan()).ok());
    Bytes pkt = tcp_packet(lan_host, 40000, server, 443, 0x02, 1460);
    set_tos(pkt, 0x88);  // AF41
    const Sent s = out(p, pkt);
    CHECK(s.src == b4_local);
    CHECK(s.dst == aftr);
    CHECK(s.traffic_class == 0x88);
    CHECK(endpoints(s.inner) == Endpoints{lan_host, server, 40000, 443});
    CHECK(tcp_mss_of(s.inner) == 1420);
    // The AFTR's NAT answered from the server; it de-NATs to the B4's private source.
    Bytes reply = tcp_packet(server, 443, lan_host, 40000, 0x12);
    const Bytes lan = back(p, aftr, b4_local, reply, 0x88);
    CHECK(endpoints(lan) == Endpoints{server, lan_host, 443, 40000});
    CHECK(lan[1] == 0x88);
    check_books(p.counters());
}

TEST_CASE("end to end lw4o6: NAPT into the port set, lwAFTR only, LAN endpoint restored (RFC 7596)", "[dataplane][e2e][rfc7596]") {
    auto rig = make_rig(lw4o6_plan());
    const map::PortSet ours = *map::PortSet::make(0, 8, 0x34);
    for (std::uint16_t sport : {1000, 1001, 50000}) {
        Bytes pkt = udp_packet(lan_host, sport, server, 53);
        set_tos(pkt, 0x2a);
        const Sent s = out(rig->pipe, pkt);
        CHECK(s.src == ce_local);
        CHECK(s.dst == br);
        CHECK(s.traffic_class == 0x2a);
        const Endpoints ep = endpoints(s.inner);
        CHECK(ep.src == ce_address);
        CHECK(ours.contains(ep.sport));
        Bytes reply = udp_packet(server, 53, ce_address, ep.sport);
        CHECK(endpoints(back(rig->pipe, br, ce_local, reply)) == Endpoints{server, lan_host, 53, sport});
    }
    // ICMP echo: the identifier comes from the port set too (RFC 7596 §8.2).
    Bytes ping = echo_packet(lan_host, server, 8, 0x0101);
    const Sent s = out(rig->pipe, ping);
    const std::uint16_t id = endpoints(s.inner).sport;
    CHECK(ours.contains(id));
    Bytes pong = echo_packet(server, ce_address, 0, id);
    CHECK(endpoints(back(rig->pipe, br, ce_local, pong)) == Endpoints{server, lan_host, 0x0101, 0x0101});
    check_books(rig->pipe.counters());
}

TEST_CASE("end to end MAP-E via the BR (hub-and-spoke and off-domain traffic, RFC 7597 §5.4)", "[dataplane][e2e][rfc7597]") {
    for (bool mesh : {false, true}) {
        auto rig = make_rig(mape_plan(mesh));
        const map::PortSet ours = *map::PortSet::make(6, 8, 0x34);
        // Off-domain always goes to the BR; with hub-and-spoke the peer does too.
        for (auto [dst, dport] : {std::pair<std::uint32_t, std::uint16_t>{server, 53}, {peer_ipv4, peer_port}}) {
            Bytes pkt = udp_packet(lan_host, 2000, dst, dport);
            const Sent s = out(rig->pipe, pkt);
            const bool direct = mesh && dst == peer_ipv4;
            CHECK(s.dst == (direct ? peer_ce : br));
            CHECK(s.src == ce_local);
            const Endpoints ep = endpoints(s.inner);
            CHECK(ep.src == ce_address);
            CHECK(ours.contains(ep.sport));
            if (direct) continue;
            Bytes reply = udp_packet(dst, dport, ce_address, ep.sport);
            CHECK(endpoints(back(rig->pipe, br, ce_local, reply)) == Endpoints{dst, lan_host, dport, 2000});
        }
        check_books(rig->pipe.counters());
    }
}

TEST_CASE("end to end MAP-E mesh: CE to CE over the FMR, both ways (RFC 7597 §5.3, §8.1)", "[dataplane][e2e][rfc7597]") {
    auto rig = make_rig(mape_plan(true));
    Bytes pkt = tcp_packet(lan_host, 33000, peer_ipv4, peer_port, 0x02, 1460);
    const Sent s = out(rig->pipe, pkt);
    CHECK(s.dst == peer_ce);
    const Endpoints ep = endpoints(s.inner);
    CHECK(ep.src == ce_address);
    CHECK(ep.dst == peer_ipv4);
    CHECK(ep.dport == peer_port);
    // The peer answers directly from its MAP address; source validation accepts it.
    Bytes reply = tcp_packet(peer_ipv4, peer_port, ce_address, ep.sport, 0x12);
    CHECK(endpoints(back(rig->pipe, peer_ce, ce_local, reply)) == Endpoints{peer_ipv4, lan_host, peer_port, 33000});
    check_books(rig->pipe.counters());
}

TEST_CASE("end to end MAP-E: two CEs sharing one address talk over the FMR (RFC 7597 §5.3, mesh)", "[dataplane][e2e][rfc7597]") {
    // Our sibling: same 192.0.2.18, PSID 0x35 -> End-user prefix 2001:db8:12:3500::/56.
    auto rig = make_rig(mape_plan(true));
    const std::uint16_t sibling_port = (1u << 10) | (0x35u << 2);
    const auto sibling = v6("2001:db8:12:3500:0:c000:212:35");
    Bytes pkt = udp_packet(lan_host, 4000, ce_address, sibling_port);
    const Sent s = out(rig->pipe, pkt);
    CHECK(s.dst == sibling);
    const Endpoints ep = endpoints(s.inner);
    CHECK(ep.src == ce_address);  // source address = destination address
    CHECK(ep.dst == ce_address);
    Bytes reply = udp_packet(ce_address, sibling_port, ce_address, ep.sport);
    CHECK(endpoints(back(rig->pipe, sibling, ce_local, reply)) == Endpoints{ce_address, lan_host, sibling_port, 4000});
}

TEST_CASE("end to end GI-4over6: no NAPT, the LAN's routed prefix both ways", "[dataplane][e2e][rfc7596]") {
    Pipeline p(nullptr);
    REQUIRE(p.configure(gi_plan()).ok());
    Bytes pkt = udp_packet(gi_host, 5000, server, 53);
    const Sent s = out(p, pkt);
    CHECK(s.dst == br);
    CHECK(endpoints(s.inner) == Endpoints{gi_host, server, 5000, 53});
    Bytes reply = udp_packet(server, 53, gi_host, 5000);
    CHECK(endpoints(back(p, br, ce_local, reply)) == Endpoints{server, gi_host, 53, 5000});
    check_books(p.counters());
}

TEST_CASE("mode switch: NAPT flushed when IPv4 or PSID change, not otherwise (RFC 7596 §5.1)", "[dataplane][configure][rfc7596]") {
    auto rig = make_rig(lw4o6_plan());
    Bytes pkt = udp_packet(lan_host, 1000, server, 53);
    out(rig->pipe, pkt);
    REQUIRE(rig->napt.session_count() == 1);

    SECTION("same binding, other MTU and hop limit: kept") {
        auto plan = lw4o6_plan();
        plan.tunnel_mtu = 1400;
        Options o;
        o.hop_limit = 32;
        auto r = rig->pipe.configure(plan, o);
        REQUIRE(r.ok());
        CHECK_FALSE(r->napt_flushed);
        CHECK(rig->napt.session_count() == 1);
        CHECK(rig->pipe.counters().napt_flushes == 0);
        CHECK(rig->pipe.tunnel().params().hop_limit == 32);
    }
    SECTION("lw4o6 -> MAP-E with the same address and PSID but another offset: the port set changed, flushed") {
        auto r = rig->pipe.configure(mape_plan(true));
        REQUIRE(r.ok());
        CHECK(r->napt_flushed);
        CHECK(rig->napt.session_count() == 0);
    }
    SECTION("new PSID: flushed") {
        auto plan = lw4o6_plan();
        plan.ports.psid = 0x35;
        auto r = rig->pipe.configure(plan);
        REQUIRE(r.ok());
        CHECK(r->napt_flushed);
        CHECK(rig->napt.session_count() == 0);
        CHECK(rig->pipe.counters().napt_flushes == 1);
        Bytes again = udp_packet(lan_host, 1000, server, 53);
        CHECK((endpoints(out(rig->pipe, again).inner).sport >> 8) == 0x35);
    }
    SECTION("new IPv4 address: flushed") {
        auto plan = lw4o6_plan();
        plan.ipv4 = p4("192.0.2.99/32");
        auto r = rig->pipe.configure(plan);
        REQUIRE(r.ok());
        CHECK(r->napt_flushed);
        CHECK(rig->napt.session_count() == 0);
    }
    SECTION("to DS-Lite: NAPT off, flushed; back to lw4o6 starts empty") {
        auto r = rig->pipe.configure(dslite_plan());
        REQUIRE(r.ok());
        CHECK(r->napt_flushed);
        CHECK(rig->napt.session_count() == 0);
        Bytes ds = udp_packet(lan_host, 1000, server, 53);
        CHECK(endpoints(out(rig->pipe, ds).inner).src == lan_host);
        auto r2 = rig->pipe.configure(lw4o6_plan());
        REQUIRE(r2.ok());
        CHECK_FALSE(r2->napt_flushed);  // nothing was running
    }
    SECTION("a plan that cannot be built changes nothing") {
        auto bad = lw4o6_plan();
        bad.ports = {10, 10, 1};  // offset + PSID-len > 16
        auto r = rig->pipe.configure(bad);
        CHECK_FALSE(r.ok());
        CHECK(rig->napt.session_count() == 1);
        CHECK(rig->pipe.mode() == select::Mode::lw4o6);
        Bytes still = udp_packet(lan_host, 1000, server, 53);
        CHECK(out(rig->pipe, still).dst == br);
    }
}

TEST_CASE("configure: a NAPT plan needs a NAPT", "[dataplane][configure]") {
    Pipeline p(nullptr);
    CHECK_FALSE(p.configure(lw4o6_plan()).ok());
    CHECK(p.mode() == select::Mode::none);
}

TEST_CASE("configure: new reassembly limits discard pending fragments, counted", "[dataplane][configure]") {
    auto rig = make_rig(lw4o6_plan());
    Bytes whole = udp_packet(lan_host, 1000, server, 53, 1000);
    set_df(whole, false);
    as<Held>(rig->pipe.outbound(fragments(whole, 512)[1], at_s(1)));
    Options o;
    o.reassembly.max_datagrams = 4;
    REQUIRE(rig->pipe.configure(lw4o6_plan(), o).ok());
    CHECK(rig->pipe.counters().drop_reassembly_flushed == 1);
    CHECK(rig->pipe.pending_fragments() == 0);
    check_books(rig->pipe.counters());
}

TEST_CASE("configure: unusable FMRs are reported in the notes", "[dataplane][configure]") {
    auto plan = mape_plan(true);
    map::Rule bad = example1_rule();
    bad.ipv4_prefix = p4("10.0.0.0/8");
    bad.ea_len = 40;
    plan.fmrs.push_back(bad);
    plan.forwarding.push_back({bad.ipv4_prefix, 1});
    auto rig = make_rig(mape_plan(true));
    auto r = rig->pipe.configure(plan);
    REQUIRE(r.ok());
    CHECK(r->notes.size() == 1);
}
