// Pipeline::outbound: one test per RFC rule and per drop reason, each asserting its counter.
#include "tests/unit/core/dataplane/dp_fixture.hpp"

using namespace s46;
using namespace s46::dataplane;
using namespace s46::dataplane::test;

namespace {

Outbound send(Pipeline& p, Bytes& packet, Time now = at_s(1), std::span<std::uint8_t> out = {}) {
    return p.outbound(packet, now, out);
}

}  // namespace

TEST_CASE("outbound: nothing configured drops everything", "[dataplane][outbound]") {
    Pipeline p(nullptr);
    Bytes pkt = udp_packet(lan_host, 1000, server, 53);
    CHECK(drop_reason(send(p, pkt)) == DropReason::not_configured);
    CHECK(p.counters().drop_not_configured == 1);
    auto plan = dslite_plan();
    plan.tunnel_remote.reset();  // AFTR-Name not resolved yet
    REQUIRE(p.configure(plan).ok());
    CHECK(drop_reason(send(p, pkt)) == DropReason::not_configured);
    CHECK(p.counters().drop_not_configured == 2);
}

TEST_CASE("outbound: malformed IPv4 and bad header checksums are dropped (RFC 791 §3.1)", "[dataplane][outbound]") {
    Pipeline p(nullptr);
    REQUIRE(p.configure(dslite_plan()).ok());
    Bytes shorty = udp_packet(lan_host, 1000, server, 53);
    put16(shorty, 2, static_cast<std::uint16_t>(shorty.size() + 1));
    CHECK(drop_reason(send(p, shorty)) == DropReason::bad_ipv4);
    Bytes v6 = udp_packet(lan_host, 1000, server, 53);
    v6[0] = 0x65;
    CHECK(drop_reason(send(p, v6)) == DropReason::bad_ipv4);
    Bytes sum = udp_packet(lan_host, 1000, server, 53);
    sum[10] ^= 1;
    CHECK(drop_reason(send(p, sum)) == DropReason::bad_ipv4_checksum);
    CHECK(p.counters().drop_bad_ipv4 == 2);
    CHECK(p.counters().drop_bad_ipv4_checksum == 1);
}

TEST_CASE("outbound: martian sources and destinations are not tunnelled (RFC 1812 §5.3.7)", "[dataplane][outbound]") {
    Pipeline p(nullptr);
    REQUIRE(p.configure(dslite_plan()).ok());
    Bytes lo = udp_packet(v4(127, 0, 0, 1), 1000, server, 53);
    CHECK(drop_reason(send(p, lo)) == DropReason::martian_source);
    Bytes mc = udp_packet(lan_host, 5353, v4(224, 0, 0, 251), 5353);
    CHECK(drop_reason(send(p, mc)) == DropReason::martian_destination);
    Bytes bc = udp_packet(lan_host, 68, 0xffffffffu, 67);
    CHECK(drop_reason(send(p, bc)) == DropReason::martian_destination);
    CHECK(p.counters().drop_martian_source == 1);
    CHECK(p.counters().drop_martian_destination == 2);
}

TEST_CASE("outbound DS-Lite: no NAT, everything to the AFTR, TC = inner TOS (RFC 6333 §6.6, §7.1)", "[dataplane][outbound][rfc6333]") {
    Pipeline p(nullptr);
    REQUIRE(p.configure(dslite_plan()).ok());
    Bytes pkt = udp_packet(lan_host, 1000, server, 53);
    set_tos(pkt, 0xb9);
    auto e = as<Encapsulated>(send(p, pkt));
    CHECK(e.remote == aftr);
    CHECK(e.traffic_class == 0xb9);
    const Bytes inner = bytes(e.inner);
    CHECK(endpoints(inner) == Endpoints{lan_host, server, 1000, 53});  // source unchanged
    CHECK(inner[8] == 63);                                               // one router hop
    CHECK(checksums_ok(inner));
    CHECK(p.counters().outbound_encapsulated == 1);
}

TEST_CASE("outbound: full IPv6 packet on request (RFC 2473 §6)", "[dataplane][outbound][rfc2473]") {
    Options o;
    o.hop_limit = 40;
    Pipeline p(nullptr, o);
    REQUIRE(p.configure(dslite_plan()).ok());
    Bytes pkt = udp_packet(lan_host, 1000, server, 53);
    set_tos(pkt, 0x28);
    Bytes out(2048);
    auto e = as<Encapsulated>(send(p, pkt, at_s(1), out));
    const Bytes v6 = bytes(e.ipv6_packet);
    REQUIRE(v6.size() == pkt.size() + 40);
    CHECK(v6[6] == 4);
    CHECK(v6[7] == 40);
    CHECK(((v6[0] & 0x0f) << 4 | v6[1] >> 4) == 0x28);
    CHECK((v6[1] & 0x0f) == 0);
    CHECK(Bytes(v6.begin() + 8, v6.begin() + 24) == Bytes(b4_local.bytes.begin(), b4_local.bytes.end()));
    CHECK(Bytes(v6.begin() + 24, v6.begin() + 40) == Bytes(aftr.bytes.begin(), aftr.bytes.end()));
    CHECK(Bytes(v6.begin() + 40, v6.end()) == bytes(e.inner));
    Bytes tiny(30);
    CHECK(drop_reason(send(p, pkt, at_s(1), tiny)) == DropReason::output_buffer_too_small);
    CHECK(p.counters().drop_output_buffer_too_small == 1);
}

TEST_CASE("outbound: TTL <= 1 is answered with time exceeded 11/0 to the source (RFC 1812 §5.3.1)", "[dataplane][outbound]") {
    auto rig = make_rig(lw4o6_plan());
    Bytes pkt = udp_packet(lan_host, 1000, server, 53);
    set_ttl(pkt, 1);
    const Bytes original = pkt;
    auto r = as<ReplyToLan>(send(rig->pipe, pkt));
    CHECK(r.dropped == DropReason::ttl_exceeded);
    const Bytes icmp = bytes(r.packet);
    CHECK(checksums_ok(icmp));
    CHECK(endpoints(icmp).dst == lan_host);
    CHECK(icmp[20] == 11);
    CHECK(icmp[21] == 0);
    CHECK(Bytes(icmp.begin() + 28, icmp.end()) == original);  // quoted as sent, before NAPT
    CHECK(rig->pipe.counters().drop_ttl_exceeded == 1);
    CHECK(rig->pipe.counters().icmp_errors_sent == 1);
    CHECK(rig->napt.session_count() == 0);  // no mapping for a datagram about to die
}

TEST_CASE("outbound: the TTL decrement can be left to the kernel", "[dataplane][outbound]") {
    Options o;
    o.decrement_ttl = false;
    Pipeline p(nullptr, o);
    REQUIRE(p.configure(dslite_plan()).ok());
    Bytes pkt = udp_packet(lan_host, 1000, server, 53);
    set_ttl(pkt, 1);
    CHECK(as<Encapsulated>(send(p, pkt)).inner[8] == 1);
}

TEST_CASE("outbound: DF set and over the tunnel MTU -> ICMPv4 3/4 with the MTU, quoting the LAN's own header (RFC 2473 §7.2)",
          "[dataplane][outbound][rfc2473]") {
    auto rig = make_rig(lw4o6_plan());
    Bytes pkt = udp_packet(lan_host, 1000, server, 53, 1500 - 28);  // 1500 > 1460
    const Bytes original = pkt;
    auto r = as<ReplyToLan>(send(rig->pipe, pkt));
    CHECK(r.dropped == DropReason::df_too_big);
    const Bytes icmp = bytes(r.packet);
    CHECK(checksums_ok(icmp));
    CHECK(icmp[20] == 3);
    CHECK(icmp[21] == 4);
    CHECK(get16(icmp, 26) == 1460);
    CHECK(endpoints(icmp).dst == lan_host);
    // The quote carries the host's own address and port (NAPT undone), checksum valid.
    CHECK(endpoints(icmp, 28) == Endpoints{lan_host, server, 1000, 53});
    CHECK(ipv4_checksum_ok(std::span<const std::uint8_t>(icmp).subspan(28)));
    CHECK(rig->pipe.counters().drop_df_too_big == 1);
}

TEST_CASE("outbound: DF clear and over the MTU is encapsulated whole; the outer packet is fragmented (RFC 6333 §5.3)",
          "[dataplane][outbound][rfc6333]") {
    Pipeline p(nullptr);
    REQUIRE(p.configure(dslite_plan()).ok());
    Bytes pkt = udp_packet(lan_host, 1000, server, 53, 1500 - 28);
    set_df(pkt, false);
    auto e = as<Encapsulated>(send(p, pkt));
    CHECK(e.inner.size() == 1500);
}

TEST_CASE("outbound: payload over 65535 with the encapsulation limit option", "[dataplane][outbound][rfc2473]") {
    Options o;
    o.encapsulation_limit = 4;
    Pipeline p(nullptr, o);
    auto plan = dslite_plan();
    plan.tunnel_mtu = 65535;
    REQUIRE(p.configure(plan).ok());
    Bytes pkt = udp_packet(lan_host, 1000, server, 53, 65535 - 28);
    set_df(pkt, false);
    CHECK(drop_reason(send(p, pkt)) == DropReason::encap_too_big);
    CHECK(p.counters().drop_encap_too_big == 1);
}

TEST_CASE("outbound: TCP SYN MSS clamped to path MTU - 40, checksum fixed", "[dataplane][outbound]") {
    auto rig = make_rig(lw4o6_plan());
    Bytes syn = tcp_syn_with_mss(lan_host, 40000, server, 443, 1460);
    auto e = as<Encapsulated>(send(rig->pipe, syn));
    const Bytes inner = bytes(e.inner);
    CHECK(tcp_mss_of(inner) == 1420);
    CHECK(checksums_ok(inner));
    CHECK(rig->pipe.counters().mss_clamped == 1);
    Bytes small = tcp_syn_with_mss(lan_host, 40001, server, 443, 1200);
    CHECK(tcp_mss_of(bytes(as<Encapsulated>(send(rig->pipe, small)).inner)) == 1200);
    CHECK(rig->pipe.counters().mss_clamped == 1);
}

TEST_CASE("outbound lw4o6: NAPT onto the binding, everything to the lwAFTR (RFC 7596 §5.2)", "[dataplane][outbound][rfc7596]") {
    auto rig = make_rig(lw4o6_plan());
    Bytes pkt = udp_packet(lan_host, 1000, server, 53);
    auto e = as<Encapsulated>(send(rig->pipe, pkt));
    CHECK(e.remote == br);
    const Endpoints ep = endpoints(bytes(e.inner));
    CHECK(ep.src == ce_address);
    CHECK(ep.sport >= 13312);
    CHECK(ep.sport <= 13567);
    CHECK(checksums_ok(bytes(e.inner)));
}

TEST_CASE("outbound: NAPT refusals are counted with the engine's detail", "[dataplane][outbound]") {
    auto rig = make_rig(lw4o6_plan());
    Bytes gre = udp_packet(lan_host, 1, server, 2);
    gre[9] = 47;
    fix_ipv4_checksum(gre);
    auto d = as<Drop>(send(rig->pipe, gre));
    CHECK(d.reason == DropReason::napt_outbound);
    CHECK(rig->napt.detail_name(d.napt_detail) == "napt_unsupported_protocol");
    CHECK(rig->pipe.counters().drop_napt_outbound == 1);
}

TEST_CASE("outbound: NAPT out of room is answered with 3/13 (RFC 5508 REQ-8)", "[dataplane][outbound]") {
    auto nc = napt_config();
    nc.max_sessions = 1;
    auto rig = make_rig(lw4o6_plan(), {}, nc);
    Bytes a = udp_packet(lan_host, 1000, server, 53);
    as<Encapsulated>(send(rig->pipe, a));
    Bytes b = udp_packet(lan_host2, 1000, server, 53);
    auto r = as<ReplyToLan>(send(rig->pipe, b));
    CHECK(r.dropped == DropReason::napt_outbound);
    const Bytes icmp = bytes(r.packet);
    CHECK(icmp[20] == 3);
    CHECK(icmp[21] == 13);
    CHECK(endpoints(icmp).dst == lan_host2);
    CHECK(rig->pipe.counters().drop_napt_outbound == 1);
}

TEST_CASE("outbound: hairpin to our own external endpoint comes back to the LAN (RFC 4787 REQ-9)", "[dataplane][outbound]") {
    // Endpoint-independent filtering: the hairpinned packet's source is our own external address,
    // which lan_host2's mapping never sent to (address-dependent filtering would refuse it).
    auto nc = napt_config();
    nc.filtering = napt::Filtering::endpoint_independent;
    auto rig = make_rig(lw4o6_plan(), {}, nc);
    // lan_host2 opens a mapping; lan_host then sends to its external endpoint.
    Bytes open = udp_packet(lan_host2, 7000, server, 53);
    const std::uint16_t ext = endpoints(bytes(as<Encapsulated>(send(rig->pipe, open)).inner)).sport;
    Bytes to_self = udp_packet(lan_host, 1000, ce_address, ext);
    auto h = as<Hairpin>(send(rig->pipe, to_self));
    const Endpoints ep = endpoints(bytes(h.packet));
    CHECK(ep.dst == lan_host2);
    CHECK(ep.dport == 7000);
    CHECK(ep.src == ce_address);
    CHECK(checksums_ok(bytes(h.packet)));
    CHECK(rig->pipe.counters().outbound_hairpinned == 1);
}

TEST_CASE("outbound GI-4over6: no NAPT; sources outside the routed prefix are dropped", "[dataplane][outbound][rfc7596]") {
    Pipeline p(nullptr);
    REQUIRE(p.configure(gi_plan()).ok());
    Bytes ok = udp_packet(gi_host, 1000, server, 53);
    auto e = as<Encapsulated>(send(p, ok));
    CHECK(e.remote == br);
    CHECK(endpoints(bytes(e.inner)).src == gi_host);
    Bytes other = udp_packet(lan_host, 1000, server, 53);
    CHECK(drop_reason(send(p, other)) == DropReason::source_not_ours);
    CHECK(p.counters().drop_source_not_ours == 1);
}

TEST_CASE("outbound: a plan without a route drops with no_route", "[dataplane][outbound]") {
    Pipeline p(nullptr);
    auto plan = dslite_plan();
    plan.forwarding = {{p4("203.0.113.0/24"), std::nullopt}};
    REQUIRE(p.configure(plan).ok());
    Bytes pkt = udp_packet(lan_host, 1000, server, 53);
    CHECK(drop_reason(send(p, pkt)) == DropReason::no_route);
    Bytes routed = udp_packet(lan_host, 1000, server2, 53);
    CHECK(as<Encapsulated>(send(p, routed)).remote == aftr);
    CHECK(p.counters().drop_no_route == 1);
}

TEST_CASE("outbound MAP-E: mesh by FMR to the peer's MAP address, else the BR (RFC 7597 §5.3, §5.4)", "[dataplane][outbound][rfc7597]") {
    auto rig = make_rig(mape_plan(true));
    Bytes mesh = udp_packet(lan_host, 1000, peer_ipv4, peer_port);
    auto e = as<Encapsulated>(send(rig->pipe, mesh));
    CHECK(e.remote == peer_ce);
    map::PortSet ours = *map::PortSet::make(6, 8, 0x34);
    const Endpoints ep = endpoints(bytes(e.inner));
    CHECK(ep.src == ce_address);
    CHECK(ours.contains(ep.sport));
    Bytes out = udp_packet(lan_host, 1001, server, 53);
    CHECK(as<Encapsulated>(send(rig->pipe, out)).remote == br);
    auto hub = make_rig(mape_plan(false));
    Bytes mesh2 = udp_packet(lan_host, 1000, peer_ipv4, peer_port);
    CHECK(as<Encapsulated>(send(hub->pipe, mesh2)).remote == br);
}

TEST_CASE("outbound: non-first fragments are reassembled before NAPT (RFC 7597 §8.3.2)", "[dataplane][outbound][rfc7597]") {
    auto rig = make_rig(lw4o6_plan());
    Bytes whole = udp_packet(lan_host, 1000, server, 53, 1000);
    set_df(whole, false);
    auto frags = fragments(whole, 512);
    REQUIRE(frags.size() == 2);
    as<Held>(send(rig->pipe, frags[1]));
    auto e = as<Encapsulated>(send(rig->pipe, frags[0]));
    const Bytes inner = bytes(e.inner);
    CHECK(inner.size() == whole.size());
    CHECK(endpoints(inner).src == ce_address);
    CHECK(checksums_ok(inner));
    const auto& c = rig->pipe.counters();
    CHECK(c.outbound_held == 1);
    CHECK(c.fragments_reassembled == 1);
    CHECK(c.datagrams_reassembled == 1);
}

TEST_CASE("outbound: DS-Lite passes fragments through without reassembly", "[dataplane][outbound][rfc6333]") {
    Pipeline p(nullptr);
    REQUIRE(p.configure(dslite_plan()).ok());
    Bytes whole = udp_packet(lan_host, 1000, server, 53, 1000);
    set_df(whole, false);
    auto frags = fragments(whole, 512);
    CHECK(as<Encapsulated>(send(p, frags[1])).inner.size() == frags[1].size());
    CHECK(as<Encapsulated>(send(p, frags[0])).inner.size() == frags[0].size());
}

TEST_CASE("outbound: reassembly drops are counted per fragment", "[dataplane][outbound]") {
    Options o;
    o.reassembly = ReassemblyLimits{1, 65535, std::chrono::seconds(15)};
    auto rig = make_rig(lw4o6_plan(), o);
    auto frag = [](std::uint16_t id) {
        Bytes w = udp_packet(lan_host, 1000, server, 53, 1000);
        put16(w, 4, id);
        set_df(w, false);
        return fragments(w, 512);
    };
    auto a = frag(1), b = frag(2);
    as<Held>(send(rig->pipe, a[1], at_s(0)));
    CHECK(drop_reason(send(rig->pipe, b[1], at_s(1))) == DropReason::reassembly_overflow);
    as<Held>(send(rig->pipe, a[1] = frag(3)[1], at_s(16)));  // the first one timed out on the way
    CHECK(rig->pipe.counters().drop_reassembly_timeout == 1);
    Bytes dup = a[1];
    CHECK(drop_reason(send(rig->pipe, dup, at_s(17))) == DropReason::reassembly_bad_fragment);
    const auto& c = rig->pipe.counters();
    CHECK(c.drop_reassembly_overflow == 1);
    CHECK(c.drop_reassembly_bad_fragment == 2);  // the overlapping one and the one it overlapped
    CHECK(c.fragments_discarded == 2);
    CHECK(c.outbound_held == 2);
}

TEST_CASE("outbound: bookkeeping adds up", "[dataplane][outbound]") {
    auto rig = make_rig(lw4o6_plan());
    Bytes a = udp_packet(lan_host, 1, server, 2), b = udp_packet(v4(127, 0, 0, 1), 1, server, 2);
    Bytes c2 = udp_packet(lan_host, 1, server, 2, 1500);
    send(rig->pipe, a);
    send(rig->pipe, b);
    send(rig->pipe, c2);
    const auto& c = rig->pipe.counters();
    CHECK(c.outbound_packets == 3);
    CHECK(c.outbound_packets == c.outbound_encapsulated + c.outbound_hairpinned + c.outbound_held + c.outbound_dropped);
    CHECK(c.total_drops() == c.outbound_dropped + c.inbound_dropped + c.icmpv6_dropped + c.fragments_discarded);
}
