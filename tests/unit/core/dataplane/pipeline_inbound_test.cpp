// Pipeline::inbound: source validation, the binding check, traffic class, reverse NAPT and
// reassembly; one test per rule and per drop reason, each asserting its counter.
#include "tests/unit/core/dataplane/dp_fixture.hpp"

using namespace s46;
using namespace s46::dataplane;
using namespace s46::dataplane::test;

namespace {

Inbound receive(Pipeline& p, const net::Ipv6Address& from, const net::Ipv6Address& to, Bytes& inner, std::uint8_t tc = 0,
                Time now = at_s(2)) {
    return p.inbound(from, to, tc, inner, now);
}

// Opens a UDP mapping for lan_host:1000 -> server:53 and returns the external port.
std::uint16_t open_mapping(Rig& rig, std::uint32_t remote = server, std::uint16_t rport = 53) {
    Bytes pkt = udp_packet(lan_host, 1000, remote, rport);
    auto r = rig.pipe.outbound(pkt, at_s(1));
    return endpoints(as<Encapsulated>(r).inner).sport;
}

}  // namespace

TEST_CASE("inbound: nothing configured, or not addressed to our tunnel address", "[dataplane][inbound]") {
    Pipeline p(nullptr);
    Bytes pkt = udp_packet(server, 53, lan_host, 1000);
    CHECK(drop_reason(receive(p, aftr, b4_local, pkt)) == DropReason::not_configured);
    REQUIRE(p.configure(dslite_plan()).ok());
    CHECK(drop_reason(receive(p, aftr, v6("2001:db8:100::99"), pkt)) == DropReason::bad_outer);
    CHECK(p.counters().drop_not_configured == 1);
    CHECK(p.counters().drop_bad_outer == 1);
}

TEST_CASE("inbound DS-Lite: only the AFTR, any LAN destination, no NAT (RFC 6333 §5.2, §6.6)", "[dataplane][inbound][rfc6333]") {
    Pipeline p(nullptr);
    REQUIRE(p.configure(dslite_plan()).ok());
    Bytes pkt = udp_packet(server, 53, lan_host, 1000);
    const Bytes original = pkt;
    auto t = as<ToLan>(receive(p, aftr, b4_local, pkt));
    CHECK(bytes(t.packet) == original);
    Bytes spoof = udp_packet(server, 53, lan_host, 1000);
    CHECK(drop_reason(receive(p, v6("2001:db8:a::2"), b4_local, spoof)) == DropReason::spoofed_source);
    CHECK(p.counters().drop_spoofed_source == 1);
    CHECK(p.counters().inbound_delivered == 1);
}

TEST_CASE("inbound: malformed inner IPv4 and martians", "[dataplane][inbound]") {
    Pipeline p(nullptr);
    REQUIRE(p.configure(dslite_plan()).ok());
    Bytes bad = udp_packet(server, 53, lan_host, 1000);
    bad.resize(15);
    CHECK(drop_reason(receive(p, aftr, b4_local, bad)) == DropReason::bad_ipv4);
    Bytes sum = udp_packet(server, 53, lan_host, 1000);
    sum[11] ^= 0x10;
    CHECK(drop_reason(receive(p, aftr, b4_local, sum)) == DropReason::bad_ipv4_checksum);
    Bytes lo = udp_packet(v4(127, 0, 0, 1), 53, lan_host, 1000);
    CHECK(drop_reason(receive(p, aftr, b4_local, lo)) == DropReason::martian_source);
    Bytes mc = udp_packet(server, 53, v4(239, 1, 2, 3), 1000);
    CHECK(drop_reason(receive(p, aftr, b4_local, mc)) == DropReason::martian_destination);
}

TEST_CASE("inbound lw4o6: only the lwAFTR (RFC 7596 §5.2 MUST)", "[dataplane][inbound][rfc7596]") {
    auto rig = make_rig(lw4o6_plan());
    const std::uint16_t ext = open_mapping(*rig);
    Bytes reply = udp_packet(server, 53, ce_address, ext);
    CHECK(drop_reason(receive(rig->pipe, aftr, ce_local, reply)) == DropReason::spoofed_source);
    auto t = as<ToLan>(receive(rig->pipe, br, ce_local, reply));
    CHECK(endpoints(t.packet) == Endpoints{server, lan_host, 53, 1000});
    CHECK(checksums_ok(t.packet));
    CHECK(rig->pipe.counters().drop_spoofed_source == 1);
}

TEST_CASE("inbound lw4o6: destination address or port outside the binding is dropped (RFC 7596 §5.2 MUST)",
          "[dataplane][inbound][rfc7596]") {
    auto rig = make_rig(lw4o6_plan());
    Bytes other_addr = udp_packet(server, 53, v4(192, 0, 2, 19), 13400);
    CHECK(drop_reason(receive(rig->pipe, br, ce_local, other_addr)) == DropReason::not_our_binding);
    Bytes other_port = udp_packet(server, 53, ce_address, 13312 + 256);  // PSID 0x35's first port
    CHECK(drop_reason(receive(rig->pipe, br, ce_local, other_port)) == DropReason::not_our_binding);
    Bytes echo = echo_packet(server, ce_address, 8, 0x1234);  // identifier outside the set
    CHECK(drop_reason(receive(rig->pipe, br, ce_local, echo)) == DropReason::not_our_binding);
    CHECK(rig->pipe.counters().drop_not_our_binding == 3);
}

TEST_CASE("inbound lw4o6: optionally answered with ICMPv4 3/13 toward the lwAFTR (RFC 7596 §5.2 MAY)", "[dataplane][inbound][rfc7596]") {
    Options o;
    o.answer_not_our_binding = true;
    auto rig = make_rig(lw4o6_plan(), o);
    Bytes other_port = udp_packet(server, 53, ce_address, 80);
    auto r = as<ReplyToTunnel>(receive(rig->pipe, br, ce_local, other_port));
    CHECK(r.dropped == DropReason::not_our_binding);
    CHECK(r.reply.remote == br);
    const Bytes icmp = bytes(r.reply.inner);
    CHECK(checksums_ok(icmp));
    CHECK(endpoints(icmp).src == ce_address);
    CHECK(endpoints(icmp).dst == server);
    CHECK(icmp[20] == 3);
    CHECK(icmp[21] == 13);
    CHECK(rig->pipe.counters().drop_not_our_binding == 1);
    CHECK(rig->pipe.counters().icmp_errors_sent == 1);
}

TEST_CASE("inbound: a port of ours with no mapping is refused by reverse NAPT", "[dataplane][inbound]") {
    auto rig = make_rig(lw4o6_plan());
    Bytes pkt = udp_packet(server, 53, ce_address, 13400);
    auto d = as<Drop>(receive(rig->pipe, br, ce_local, pkt));
    CHECK(d.reason == DropReason::napt_inbound);
    CHECK(rig->napt.detail_name(d.napt_detail) == "napt_no_mapping_inbound");
    CHECK(rig->pipe.counters().drop_napt_inbound == 1);
}

TEST_CASE("inbound: traffic class copied back into the inner TOS, ECN per RFC 6040 (RFC 6333 §7.1)", "[dataplane][inbound][rfc6333]") {
    Pipeline p(nullptr);
    REQUIRE(p.configure(dslite_plan()).ok());
    Bytes pkt = udp_packet(server, 53, lan_host, 1000);
    set_tos(pkt, 0x02);  // ECT(0)
    auto t = as<ToLan>(receive(p, aftr, b4_local, pkt, 0xbb));  // EF + CE
    CHECK(t.packet[1] == 0xbb);
    CHECK(checksums_ok(t.packet));
    Bytes not_ect = udp_packet(server, 53, lan_host, 1000);
    CHECK(drop_reason(receive(p, aftr, b4_local, not_ect, 0x03)) == DropReason::ecn_ce_not_ect);
    CHECK(p.counters().drop_ecn_ce_not_ect == 1);
}

TEST_CASE("inbound: traffic class copy can be switched off (pipe model)", "[dataplane][inbound]") {
    Options o;
    o.copy_traffic_class_inbound = false;
    Pipeline p(nullptr, o);
    REQUIRE(p.configure(dslite_plan()).ok());
    Bytes pkt = udp_packet(server, 53, lan_host, 1000);
    CHECK(as<ToLan>(receive(p, aftr, b4_local, pkt, 0xbb)).packet[1] == 0);
}

TEST_CASE("inbound GI-4over6: the destination must be inside the routed prefix", "[dataplane][inbound][rfc7596]") {
    Pipeline p(nullptr);
    REQUIRE(p.configure(gi_plan()).ok());
    Bytes in = udp_packet(server, 53, gi_host, 1000);
    CHECK(endpoints(as<ToLan>(receive(p, br, ce_local, in)).packet).dst == gi_host);
    Bytes out = udp_packet(server, 53, v4(192, 0, 2, 40), 1000);
    CHECK(drop_reason(receive(p, br, ce_local, out)) == DropReason::not_our_binding);
}

TEST_CASE("inbound MAP-E: the BR is exempt from the source check (RFC 7597 §8.1)", "[dataplane][inbound][rfc7597]") {
    auto rig = make_rig(mape_plan(true));
    const std::uint16_t ext = open_mapping(*rig);
    Bytes reply = udp_packet(server, 53, ce_address, ext);
    CHECK(endpoints(as<ToLan>(receive(rig->pipe, br, ce_local, reply)).packet) == Endpoints{server, lan_host, 53, 1000});
}

TEST_CASE("inbound MAP-E: a peer CE must own the inner source address and port (RFC 7597 §8.1)", "[dataplane][inbound][rfc7597]") {
    auto rig = make_rig(mape_plan(true));
    const std::uint16_t ext = open_mapping(*rig, peer_ipv4, peer_port);
    Bytes good = udp_packet(peer_ipv4, peer_port, ce_address, ext);
    CHECK(endpoints(as<ToLan>(receive(rig->pipe, peer_ce, ce_local, good)).packet).dst == lan_host);
    // Wrong inner source address for that CE (EA bits say 192.0.2.19).
    Bytes wrong_addr = udp_packet(v4(192, 0, 2, 20), peer_port, ce_address, ext);
    CHECK(drop_reason(receive(rig->pipe, peer_ce, ce_local, wrong_addr)) == DropReason::spoofed_source);
    // A source port of another PSID.
    Bytes wrong_port = udp_packet(peer_ipv4, static_cast<std::uint16_t>(peer_port + 4), ce_address, ext);
    CHECK(drop_reason(receive(rig->pipe, peer_ce, ce_local, wrong_port)) == DropReason::spoofed_source);
    // Outside every rule.
    Bytes stranger = udp_packet(peer_ipv4, peer_port, ce_address, ext);
    CHECK(drop_reason(receive(rig->pipe, v6("2001:db9::1"), ce_local, stranger)) == DropReason::spoofed_source);
    CHECK(rig->pipe.counters().drop_spoofed_source == 3);
}

TEST_CASE("inbound MAP-E: the strict full-address comparison catches a forged interface identifier", "[dataplane][inbound][rfc7597]") {
    auto rig = make_rig(mape_plan(true));
    const std::uint16_t ext = open_mapping(*rig, peer_ipv4, peer_port);
    const auto forged = v6("2001:db8:13:5600:0:c000:213:99");  // right EA bits, wrong IID
    Bytes pkt = udp_packet(peer_ipv4, peer_port, ce_address, ext);
    CHECK(drop_reason(receive(rig->pipe, forged, ce_local, pkt)) == DropReason::spoofed_source);
    // With the EA-bits-only check of RFC 7597 §8.1 as written, it passes.
    Options o;
    o.source_check = map::SourceCheckMode::ea_bits;
    auto lax = make_rig(mape_plan(true), o);
    const std::uint16_t ext2 = open_mapping(*lax, peer_ipv4, peer_port);
    Bytes pkt2 = udp_packet(peer_ipv4, peer_port, ce_address, ext2);
    as<ToLan>(receive(lax->pipe, forged, ce_local, pkt2));
}

TEST_CASE("inbound MAP-E hub-and-spoke: peers may not send directly", "[dataplane][inbound][rfc7597]") {
    auto rig = make_rig(mape_plan(false));
    Bytes pkt = udp_packet(peer_ipv4, peer_port, ce_address, 1300);
    CHECK(drop_reason(receive(rig->pipe, peer_ce, ce_local, pkt)) == DropReason::spoofed_source);
}

TEST_CASE("inbound: fragments are reassembled before reverse NAPT", "[dataplane][inbound]") {
    auto rig = make_rig(lw4o6_plan());
    const std::uint16_t ext = open_mapping(*rig);
    Bytes whole = udp_packet(server, 53, ce_address, ext, 1200);
    set_df(whole, false);
    auto frags = fragments(whole, 512);
    REQUIRE(frags.size() == 3);
    as<Held>(receive(rig->pipe, br, ce_local, frags[2]));
    as<Held>(receive(rig->pipe, br, ce_local, frags[0]));
    auto t = as<ToLan>(receive(rig->pipe, br, ce_local, frags[1]));
    CHECK(t.packet.size() == whole.size());
    CHECK(endpoints(t.packet) == Endpoints{server, lan_host, 53, 1000});
    CHECK(checksums_ok(t.packet));
    CHECK(rig->pipe.counters().inbound_held == 2);
    CHECK(rig->pipe.counters().fragments_reassembled == 2);
}

TEST_CASE("inbound: spoofed fragments never reach reassembly", "[dataplane][inbound]") {
    auto rig = make_rig(lw4o6_plan());
    Bytes whole = udp_packet(server, 53, ce_address, 13400, 1200);
    set_df(whole, false);
    auto frags = fragments(whole, 512);
    CHECK(drop_reason(receive(rig->pipe, aftr, ce_local, frags[1])) == DropReason::spoofed_source);
    CHECK(rig->pipe.pending_fragments() == 0);
}

TEST_CASE("inbound: reassembly timeouts are counted by expire()", "[dataplane][inbound]") {
    auto rig = make_rig(lw4o6_plan());
    Bytes whole = udp_packet(server, 53, ce_address, 13400, 1200);
    set_df(whole, false);
    auto frags = fragments(whole, 512);
    as<Held>(receive(rig->pipe, br, ce_local, frags[0], 0, at_s(0)));
    rig->pipe.expire(at_s(14));
    CHECK(rig->pipe.counters().drop_reassembly_timeout == 0);
    rig->pipe.expire(at_s(15));
    CHECK(rig->pipe.counters().drop_reassembly_timeout == 1);
    CHECK(rig->pipe.counters().fragments_discarded == 1);
}

TEST_CASE("inbound: a whole IPv6 packet through inbound_ipv6", "[dataplane][inbound]") {
    Pipeline p(nullptr);
    REQUIRE(p.configure(dslite_plan()).ok());
    Bytes inner = udp_packet(server, 53, lan_host, 1000);
    Bytes v6pkt = ipv6_packet(aftr, b4_local, 4, inner, 0x20);
    auto t = as<ToLan>(p.inbound_ipv6(v6pkt, at_s(1)));
    CHECK(t.packet[1] == 0x20);
    Bytes not_ipip = ipv6_packet(aftr, b4_local, 17, inner);
    CHECK(drop_reason(p.inbound_ipv6(not_ipip, at_s(1))) == DropReason::bad_outer);
    CHECK(p.counters().inbound_packets == 2);
}

// The SYN-ACK's MSS is what the LAN host sizes its segments toward the tunnel by: clamped to
// tunnel MTU - 40 too, not only outbound SYNs (RFC 4459 §3.2; core/dataplane/mss_clamp.hpp).
TEST_CASE("inbound: TCP SYN-ACK MSS clamped to tunnel MTU - 40, checksum fixed", "[dataplane][inbound]") {
    auto rig = make_rig(lw4o6_plan());
    // The LAN host's SYN advertises less than the tunnel allows: left alone, counted nowhere.
    Bytes syn = tcp_syn_with_mss(lan_host, 40000, server, 443, 1200);
    const std::uint16_t ext = endpoints(as<Encapsulated>(rig->pipe.outbound(syn, at_s(1))).inner).sport;
    CHECK(rig->pipe.counters().mss_clamped == 0);

    Bytes syn_ack = tcp_packet(server, 443, ce_address, ext, 0x12, 1460);
    const Bytes t = bytes(as<ToLan>(receive(rig->pipe, br, ce_local, syn_ack)).packet);
    CHECK(endpoints(t) == Endpoints{server, lan_host, 443, 40000});
    CHECK(tcp_mss_of(t) == 1460 - 40);
    CHECK(checksums_ok(t));
    CHECK(rig->pipe.counters().mss_clamped_inbound == 1);
    CHECK(rig->pipe.counters().mss_clamped == 0);

    // At or below the limit: unchanged, not counted.
    Bytes small = tcp_packet(server, 443, ce_address, ext, 0x12, 1380);
    const Bytes t2 = bytes(as<ToLan>(receive(rig->pipe, br, ce_local, small)).packet);
    CHECK(tcp_mss_of(t2) == 1380);
    CHECK(checksums_ok(t2));
    // Not a SYN: an MSS option outside the handshake means nothing (RFC 9293 §3.7.1), left alone.
    Bytes ack = tcp_packet(server, 443, ce_address, ext, 0x10, 1460);
    CHECK(tcp_mss_of(bytes(as<ToLan>(receive(rig->pipe, br, ce_local, ack)).packet)) == 1460);
    CHECK(rig->pipe.counters().mss_clamped_inbound == 1);
}

TEST_CASE("inbound: SYN MSS clamp follows a lowered path MTU; switched off with clamp_mss", "[dataplane][inbound]") {
    Pipeline p(nullptr);
    REQUIRE(p.configure(dslite_plan()).ok());
    // A Packet Too Big (MTU 1300) about a packet to the AFTR lowers the path MTU to 1260.
    Bytes big = udp_packet(lan_host, 1000, server, 53, 1200);
    Bytes out(big.size() + 64);
    auto e = as<Encapsulated>(p.outbound(big, at_s(1), out));
    const Bytes ptb = icmpv6_error(2, 0, 1300, e.ipv6_packet, v6("2001:db8:ffff:1::1"), b4_local);
    (void)p.icmpv6_error(ptb, v6("2001:db8:ffff:1::1"), at_s(2));
    REQUIRE(p.path_mtu(aftr, at_s(3)) == 1260);

    // DS-Lite (no NAPT) clamps too, and a SYN from outside (a server on the LAN) is clamped like a SYN-ACK.
    Bytes syn = tcp_packet(server, 443, lan_host, 8080, 0x02, 1460);
    const Bytes t = bytes(as<ToLan>(receive(p, aftr, b4_local, syn, 0, at_s(3))).packet);
    CHECK(tcp_mss_of(t) == 1260 - 40);
    CHECK(checksums_ok(t));
    CHECK(p.counters().mss_clamped_inbound == 1);

    Options off;
    off.clamp_mss = false;
    Pipeline q(nullptr, off);
    REQUIRE(q.configure(dslite_plan()).ok());
    Bytes syn_ack = tcp_packet(server, 443, lan_host, 40000, 0x12, 1460);
    CHECK(tcp_mss_of(bytes(as<ToLan>(receive(q, aftr, b4_local, syn_ack)).packet)) == 1460);
    CHECK(q.counters().mss_clamped_inbound == 0);
}
