// Pipeline::icmpv6_error: the RFC 2473 §8 relay of ICMPv6 errors about our tunnel packets, path
// MTU learning, and the lw4o6 "no binding" signal (RFC 7596 §5.1).
#include "tests/unit/core/dataplane/dp_fixture.hpp"

using namespace s46;
using namespace s46::dataplane;
using namespace s46::dataplane::test;

namespace {

const net::Ipv6Address router = v6("2001:db8:ffff:1::1");

// The IPv6 packet the pipeline sent for `packet`, as a router would quote it.
Bytes sent(Pipeline& p, Bytes packet, std::size_t quote = 1232) {
    Bytes out(packet.size() + 64);
    auto e = as<Encapsulated>(p.outbound(packet, at_s(1), out));
    Bytes v6(e.ipv6_packet.begin(), e.ipv6_packet.end());
    if (v6.size() > quote) v6.resize(quote);
    return v6;
}

Icmpv6Relay relay(Pipeline& p, std::uint8_t type, std::uint8_t code, std::uint32_t word, const Bytes& invoking,
                  const net::Ipv6Address& from, const net::Ipv6Address& to, Time now = at_s(2)) {
    const Bytes m = icmpv6_error(type, code, word, invoking, from, to);
    return p.icmpv6_error(m, from, now);
}

}  // namespace

TEST_CASE("icmpv6: Packet Too Big about a DF packet -> ICMPv4 3/4 with MTU - 40, path MTU lowered (RFC 2473 §8.3)",
          "[dataplane][icmpv6][rfc2473]") {
    auto rig = make_rig(lw4o6_plan());
    Bytes pkt = udp_packet(lan_host, 1000, server, 53, 1200);
    const Bytes invoking = sent(rig->pipe, pkt);
    auto r = as<ReplyToLan>(relay(rig->pipe, 2, 0, 1400, invoking, router, ce_local));
    CHECK_FALSE(r.dropped.has_value());
    const Bytes icmp = bytes(r.packet);
    CHECK(checksums_ok(icmp));
    CHECK(icmp[20] == 3);
    CHECK(icmp[21] == 4);
    CHECK(get16(icmp, 26) == 1360);
    // To the LAN host, quoting its own address and port (NAPT undone).
    CHECK(endpoints(icmp).dst == lan_host);
    CHECK(endpoints(icmp, 28) == Endpoints{lan_host, server, 1000, 53});
    CHECK(rig->pipe.path_mtu(br, at_s(3)) == 1360);
    CHECK(rig->pipe.counters().pmtu_updates == 1);
    CHECK(rig->pipe.counters().icmpv6_relayed == 1);
    // The next DF packet over 1360 toward the lwAFTR is answered locally.
    Bytes next = udp_packet(lan_host, 1000, server, 53, 1400 - 28);
    auto local = as<ReplyToLan>(rig->pipe.outbound(next, at_s(3)));
    CHECK(local.dropped == DropReason::df_too_big);
    CHECK(get16(local.packet, 26) == 1360);
}

TEST_CASE("icmpv6: Packet Too Big below the IPv6 minimum is read as 1280 (RFC 8201 §4)", "[dataplane][icmpv6]") {
    Pipeline p(nullptr);
    REQUIRE(p.configure(dslite_plan()).ok());
    const Bytes invoking = sent(p, udp_packet(lan_host, 1000, server, 53, 1300));
    auto r = as<ReplyToLan>(relay(p, 2, 0, 600, invoking, router, b4_local));
    CHECK(get16(r.packet, 26) == 1240);
    CHECK(p.path_mtu(aftr, at_s(3)) == 1240);
}

TEST_CASE("icmpv6: Packet Too Big about a packet without DF only lowers the path MTU", "[dataplane][icmpv6][rfc2473]") {
    Pipeline p(nullptr);
    REQUIRE(p.configure(dslite_plan()).ok());
    Bytes pkt = udp_packet(lan_host, 1000, server, 53, 1200);
    set_df(pkt, false);
    const Bytes invoking = sent(p, pkt);
    CHECK(drop_reason(relay(p, 2, 0, 1300, invoking, router, b4_local)) == DropReason::icmpv6_ptb_no_df);
    CHECK(p.path_mtu(aftr, at_s(3)) == 1260);
    CHECK(p.counters().drop_icmpv6_ptb_no_df == 1);
    CHECK(p.counters().pmtu_updates == 1);
}

TEST_CASE("icmpv6: unreachable, hop limit exceeded and parameter problem -> ICMPv4 3/1 (RFC 2473 §8.3)", "[dataplane][icmpv6][rfc2473]") {
    Pipeline p(nullptr);
    REQUIRE(p.configure(dslite_plan()).ok());
    const Bytes invoking = sent(p, udp_packet(lan_host, 1000, server, 53));
    for (auto [type, code] : {std::pair<int, int>{1, 0}, {1, 3}, {3, 0}, {4, 0}, {4, 2}}) {
        INFO(type << "/" << code);
        auto r = as<ReplyToLan>(relay(p, static_cast<std::uint8_t>(type), static_cast<std::uint8_t>(code), 0, invoking, router, b4_local));
        CHECK(r.packet[20] == 3);
        CHECK(r.packet[21] == 1);
        CHECK(endpoints(r.packet).dst == lan_host);
        CHECK(checksums_ok(r.packet));
    }
    CHECK(p.counters().icmpv6_relayed == 5);
}

TEST_CASE("icmpv6: types and codes without a relay are dropped", "[dataplane][icmpv6]") {
    Pipeline p(nullptr);
    REQUIRE(p.configure(dslite_plan()).ok());
    const Bytes invoking = sent(p, udp_packet(lan_host, 1000, server, 53));
    CHECK(drop_reason(relay(p, 3, 1, 0, invoking, router, b4_local)) == DropReason::icmpv6_unhandled);  // reassembly time
    CHECK(drop_reason(relay(p, 128, 0, 0, invoking, router, b4_local)) == DropReason::icmpv6_unhandled);
    CHECK(p.counters().drop_icmpv6_unhandled == 2);
}

TEST_CASE("icmpv6: the invoking packet must be IPv4-in-IPv6 from our tunnel address", "[dataplane][icmpv6]") {
    Pipeline p(nullptr);
    REQUIRE(p.configure(dslite_plan()).ok());
    const Bytes inner = udp_packet(lan_host, 1000, server, 53);
    const Bytes someone_else = ipv6_packet(v6("2001:db8:100::7"), aftr, 4, inner);
    CHECK(drop_reason(relay(p, 1, 0, 0, someone_else, router, b4_local)) == DropReason::icmpv6_not_ours);
    const Bytes udp6 = ipv6_packet(b4_local, aftr, 17, inner);
    CHECK(drop_reason(relay(p, 1, 0, 0, udp6, router, b4_local)) == DropReason::icmpv6_not_ours);
    CHECK(p.counters().drop_icmpv6_not_ours == 2);
}

TEST_CASE("icmpv6: short messages, bad checksums and unparsable quotes are malformed", "[dataplane][icmpv6]") {
    Pipeline p(nullptr);
    REQUIRE(p.configure(dslite_plan()).ok());
    const Bytes invoking = sent(p, udp_packet(lan_host, 1000, server, 53));
    const Bytes tiny{1, 0, 0};
    CHECK(drop_reason(p.icmpv6_error(tiny, router, at_s(2))) == DropReason::icmpv6_malformed);
    Bytes bad = icmpv6_error(1, 0, 0, invoking, router, b4_local);
    bad[2] ^= 1;
    CHECK(drop_reason(p.icmpv6_error(bad, router, at_s(2))) == DropReason::icmpv6_malformed);
    const Bytes cut(invoking.begin(), invoking.begin() + 50);  // IPv6 header whole, IPv4 header not
    CHECK(drop_reason(relay(p, 1, 0, 0, cut, router, b4_local)) == DropReason::icmpv6_malformed);
    CHECK(p.counters().drop_icmpv6_malformed == 3);
}

TEST_CASE("icmpv6: the encapsulation limit option is skipped in the quote and counted in the MTU", "[dataplane][icmpv6][rfc2473]") {
    Options o;
    o.encapsulation_limit = 4;
    Pipeline p(nullptr, o);
    REQUIRE(p.configure(dslite_plan()).ok());
    const Bytes invoking = sent(p, udp_packet(lan_host, 1000, server, 53, 1200));
    auto r = as<ReplyToLan>(relay(p, 2, 0, 1400, invoking, router, b4_local));
    CHECK(get16(r.packet, 26) == 1352);
}

TEST_CASE("icmpv6: lw4o6 1/5 from the lwAFTR flags 'no binding' (RFC 7596 §5.1)", "[dataplane][icmpv6][rfc7596]") {
    auto rig = make_rig(lw4o6_plan());
    const Bytes invoking = sent(rig->pipe, udp_packet(lan_host, 1000, server, 53));
    CHECK_FALSE(rig->pipe.no_binding_reported());
    auto r = as<ReplyToLan>(relay(rig->pipe, 1, 5, 0, invoking, br, ce_local));
    CHECK(r.packet[21] == 1);
    CHECK(rig->pipe.no_binding_reported());
    CHECK(rig->pipe.counters().no_binding_events == 1);
    CHECK(rig->pipe.take_no_binding_event());
    CHECK_FALSE(rig->pipe.take_no_binding_event());
}

TEST_CASE("icmpv6: lw4o6 1/5 from anyone but the lwAFTR is discarded (RFC 7596 §5.1 MUST)", "[dataplane][icmpv6][rfc7596]") {
    auto rig = make_rig(lw4o6_plan());
    const Bytes invoking = sent(rig->pipe, udp_packet(lan_host, 1000, server, 53));
    CHECK(drop_reason(relay(rig->pipe, 1, 5, 0, invoking, router, ce_local)) == DropReason::icmpv6_from_unknown);
    CHECK_FALSE(rig->pipe.no_binding_reported());
    CHECK(rig->pipe.counters().drop_icmpv6_from_unknown == 1);
}

TEST_CASE("icmpv6: no relay when NAPT has no mapping or the inner packet was an ICMP error", "[dataplane][icmpv6]") {
    auto rig = make_rig(lw4o6_plan());
    const Bytes invoking = sent(rig->pipe, udp_packet(lan_host, 1000, server, 53));
    REQUIRE(rig->pipe.configure(lw4o6_plan()).ok());  // same binding: mapping kept
    CHECK(std::holds_alternative<ReplyToLan>(relay(rig->pipe, 1, 0, 0, invoking, router, ce_local)));
    auto other = lw4o6_plan();
    other.ports.psid = 0x35;  // new PSID: NAPT flushed, the quoted port means nothing now
    other.tunnel_local = ce_local;
    REQUIRE(rig->pipe.configure(other).ok());
    CHECK(drop_reason(relay(rig->pipe, 1, 0, 0, invoking, router, ce_local)) == DropReason::icmpv6_not_relayable);

    Pipeline ds(nullptr);
    REQUIRE(ds.configure(dslite_plan()).ok());
    const Bytes err = icmp_error(lan_host, server, 3, 3, udp_packet(server, 53, lan_host, 1000));
    const Bytes inv = sent(ds, err);
    CHECK(drop_reason(relay(ds, 1, 0, 0, inv, router, b4_local)) == DropReason::icmpv6_not_relayable);
    CHECK(rig->pipe.counters().drop_icmpv6_not_relayable == 1);
    CHECK(ds.counters().drop_icmpv6_not_relayable == 1);
}

TEST_CASE("icmpv6: relays obey the ICMPv4 rate limit (RFC 1812 §4.3.2.8)", "[dataplane][icmpv6]") {
    Options o;
    o.icmp_rate_per_second = 1;
    o.icmp_burst = 1;
    Pipeline p(nullptr, o);
    REQUIRE(p.configure(dslite_plan()).ok());
    const Bytes invoking = sent(p, udp_packet(lan_host, 1000, server, 53));
    CHECK(std::holds_alternative<ReplyToLan>(relay(p, 1, 0, 0, invoking, router, b4_local)));
    CHECK(drop_reason(relay(p, 1, 0, 0, invoking, router, b4_local)) == DropReason::icmpv6_rate_limited);
    CHECK(p.counters().icmp_rate_limited == 1);
    CHECK(p.counters().drop_icmpv6_rate_limited == 1);
    CHECK(std::holds_alternative<ReplyToLan>(relay(p, 1, 0, 0, invoking, router, b4_local, at_s(4))));
}

TEST_CASE("icmpv6: unreachable errors about packets to the AFTR flag 'remote unreachable'", "[dataplane][icmpv6]") {
    Pipeline p(nullptr);
    REQUIRE(p.configure(dslite_plan()).ok());
    const Bytes invoking = sent(p, udp_packet(lan_host, 1000, server, 53));
    // Each of these says the AFTR cannot take our packets (RFC 4443 §3.1, §3.4).
    const std::pair<std::uint8_t, std::uint8_t> dead[] = {{1, 0}, {1, 1}, {1, 3}, {1, 6}, {4, 1}};
    std::uint64_t n = 0;
    for (auto [type, code] : dead) {
        INFO("ICMPv6 " << int(type) << "/" << int(code));
        relay(p, type, code, 0, invoking, router, b4_local, at_s(2 + static_cast<std::int64_t>(n)));
        CHECK(p.counters().remote_unreachable_events == ++n);
        CHECK(p.take_remote_unreachable_event());
        CHECK_FALSE(p.take_remote_unreachable_event());
    }
    // These do not: port unreachable is meaningless for IPIP, 1/5 is about our source, and a
    // Packet Too Big or hop-limit Time Exceeded is a path property, not a dead AFTR.
    const std::pair<std::uint8_t, std::uint8_t> alive[] = {{1, 4}, {1, 5}, {2, 0}, {3, 0}, {4, 0}};
    for (auto [type, code] : alive) {
        INFO("ICMPv6 " << int(type) << "/" << int(code));
        relay(p, type, code, 1400, invoking, router, b4_local, at_s(10));
        CHECK_FALSE(p.take_remote_unreachable_event());
    }
    CHECK(p.counters().remote_unreachable_events == n);
}

TEST_CASE("icmpv6: MAP-E: an unreachable mesh peer is not an unreachable BR", "[dataplane][icmpv6][rfc7597]") {
    auto rig = make_rig(mape_plan());
    const Bytes to_peer = sent(rig->pipe, udp_packet(lan_host, 1000, peer_ipv4, peer_port));
    relay(rig->pipe, 1, 3, 0, to_peer, router, rig->pipe.tunnel().local());
    CHECK_FALSE(rig->pipe.take_remote_unreachable_event());
    const Bytes to_br = sent(rig->pipe, udp_packet(lan_host, 1000, server, 53));
    relay(rig->pipe, 1, 3, 0, to_br, router, rig->pipe.tunnel().local());
    CHECK(rig->pipe.take_remote_unreachable_event());
    CHECK(rig->pipe.counters().remote_unreachable_events == 1);
}
