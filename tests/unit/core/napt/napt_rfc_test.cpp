// One test per NAPT behavioural rule, named after the requirement it checks.
#include <catch2/catch.hpp>

#include <set>

#include "core/net/tcp_packet.hpp"
#include "tests/unit/core/napt/napt_fixture.hpp"

using namespace s46::napt;
using namespace s46::napt::test;
namespace tf = s46::net::tcp_flag;
namespace net = s46::net;

namespace {

Config with_filtering(Filtering f) {
    Config c = base_config();
    c.filtering = f;
    return c;
}

Bytes reply_udp(const Bytes& translated) {
    const Endpoints e = endpoints(translated);
    return udp_packet(e.dst, e.dport, e.src, e.sport);
}

Bytes reply_tcp(const Bytes& translated, std::uint8_t flags) {
    const Endpoints e = endpoints(translated);
    return tcp_packet(e.dst, e.dport, e.src, e.sport, flags);
}

}  // namespace

TEST_CASE("RFC 4787 REQ-1: endpoint-independent mapping for UDP", "[napt][rfc4787]") {
    Napt n = make_napt(with_filtering(Filtering::address_and_port_dependent));
    const auto p1 = udp_out_port(n, lan_a, 5000, remote_x, 53);
    CHECK(udp_out_port(n, lan_a, 5000, remote_y, 4444) == p1);
    CHECK(udp_out_port(n, lan_a, 5000, remote_x, 123) == p1);
    CHECK(udp_out_port(n, lan_a, 5001, remote_x, 53) != p1);  // another endpoint, another port
    CHECK(udp_out_port(n, lan_b, 5000, remote_x, 53) != p1);
    CHECK(n.mapping_count() == 3);
    CHECK(n.session_count() == 5);  // one per (mapping, remote address, remote port)
}

TEST_CASE("translation rewrites source outbound and destination inbound, checksums from scratch", "[napt][rfc1624]") {
    Napt n = make_napt();
    const Bytes p = udp_packet(lan_a, 40000, remote_x, 53, 33);
    auto o = out(n, p);
    REQUIRE(o.outcome.action() == Action::forward);
    const Endpoints e = endpoints(o.packet);
    CHECK(e.src == external_address);
    CHECK(e.dst == remote_x);
    CHECK(e.dport == 53);
    CHECK(e.sport >= 1024);
    CHECK(checksums_match(o.packet, p));
    // Only the address, the port and the two checksums changed.
    for (std::size_t i = 0; i < p.size(); ++i)
        if (i != 10 && i != 11 && (i < 12 || i > 15) && i != 20 && i != 21 && i != 26 && i != 27) CHECK(p[i] == o.packet[i]);

    auto back = in(n, reply_udp(o.packet));
    REQUIRE(back.outcome.action() == Action::forward);
    CHECK(endpoints(back.packet) == Endpoints{remote_x, lan_a, 53, 40000});
    CHECK(checksums_match(back.packet));
}

TEST_CASE("RFC 768: a UDP checksum of zero stays zero through the NAPT", "[napt][rfc768]") {
    Napt n = make_napt();
    const Bytes p = udp_packet(lan_a, 40000, remote_x, 53, 9, true);
    auto o = out(n, p);
    REQUIRE(o.outcome.ok());
    CHECK(get16(o.packet, 26) == 0);
    CHECK(checksums_match(o.packet, p));
    const Endpoints e = endpoints(o.packet);
    auto back = in(n, udp_packet(e.dst, e.dport, e.src, e.sport, 9, true));
    REQUIRE(back.outcome.ok());
    CHECK(get16(back.packet, 26) == 0);
}

TEST_CASE("RFC 4787 REQ-5: UDP mapping timer, default 300 s, never below 120 s", "[napt][rfc4787]") {
    Napt n = make_napt();
    auto o = out(n, udp_packet(lan_a, 5000, remote_x, 53), 1000);
    REQUIRE(o.outcome.ok());
    CHECK(in(n, reply_udp(o.packet), 1300).outcome.ok());  // 300 s after the last packet: still there
    CHECK(in(n, reply_udp(o.packet), 1601).outcome.reason() == DropReason::no_mapping_inbound);

    Config c = base_config();
    c.timeouts.udp = std::chrono::seconds(119);
    CHECK_FALSE(Napt::create(c).ok());
    c.timeouts.udp = std::chrono::seconds(120);
    CHECK(Napt::create(c).ok());
}

TEST_CASE("RFC 4787 REQ-6: outbound packets refresh the mapping (and inbound ones too)", "[napt][rfc4787]") {
    Napt n = make_napt();
    auto o = out(n, udp_packet(lan_a, 5000, remote_x, 53), 0);
    for (int t = 250; t <= 1000; t += 250) REQUIRE(out(n, udp_packet(lan_a, 5000, remote_x, 53), t).outcome.ok());
    CHECK(in(n, reply_udp(o.packet), 1290).outcome.ok());
    for (int t = 1500; t <= 2500; t += 250) REQUIRE(in(n, reply_udp(o.packet), t).outcome.ok());  // inbound refresh
    CHECK(in(n, reply_udp(o.packet), 2801).outcome.reason() == DropReason::no_mapping_inbound);
}

TEST_CASE("RFC 4787 REQ-8: filtering behaviours", "[napt][rfc4787]") {
    struct Case {
        Filtering f;
        bool same_address_other_port;
        bool other_address;
    };
    for (Case k : {Case{Filtering::endpoint_independent, true, true}, Case{Filtering::address_dependent, true, false},
                   Case{Filtering::address_and_port_dependent, false, false}}) {
        INFO("filtering " << static_cast<int>(k.f));
        Napt n = make_napt(with_filtering(k.f));
        auto o = out(n, udp_packet(lan_a, 5000, remote_x, 3478));
        const Endpoints e = endpoints(o.packet);
        CHECK(in(n, udp_packet(remote_x, 3478, external_address, e.sport)).outcome.ok());
        auto r1 = in(n, udp_packet(remote_x, 3479, external_address, e.sport));
        CHECK(r1.outcome.ok() == k.same_address_other_port);
        auto r2 = in(n, udp_packet(remote_y, 3478, external_address, e.sport));
        CHECK(r2.outcome.ok() == k.other_address);
        if (!r2.outcome.ok()) CHECK(r2.outcome.reason() == DropReason::filtered);
        // Inbound never creates state, whatever the filtering.
        CHECK(n.session_count() == 1);
    }
}

TEST_CASE("RFC 4787 REQ-9 / RFC 5382 REQ-8: hairpinning with external source address and port", "[napt][rfc4787][rfc5382]") {
    for (Filtering f : {Filtering::endpoint_independent, Filtering::address_dependent, Filtering::address_and_port_dependent}) {
        INFO("filtering " << static_cast<int>(f));
        Napt n = make_napt(with_filtering(f));
        // Hole punching through our own NAPT: both learn the other's external endpoint
        // (from a rendezvous server, remote_x) and send to it.
        const auto pa = udp_out_port(n, lan_a, 6000, remote_x, 3478);
        const auto pb = udp_out_port(n, lan_b, 7000, remote_x, 3478);
        auto a_first = out(n, udp_packet(lan_a, 6000, external_address, pb));
        REQUIRE(a_first.outcome.action() == Action::hairpin);
        CHECK(endpoints(a_first.packet) == Endpoints{external_address, external_address, pa, pb});
        auto b_gets_first = in(n, a_first.packet);
        // B has not sent to A's endpoint yet: only endpoint-independent filtering lets it in.
        CHECK(b_gets_first.outcome.ok() == (f == Filtering::endpoint_independent));
        auto b_out = out(n, udp_packet(lan_b, 7000, external_address, pa));
        REQUIRE(b_out.outcome.action() == Action::hairpin);
        // The hairpinned packet goes back in, to A, from B's external endpoint (REQ-9a).
        auto to_a = in(n, b_out.packet);
        REQUIRE(to_a.outcome.ok());
        CHECK(endpoints(to_a.packet) == Endpoints{external_address, lan_a, pb, 6000});
        CHECK(checksums_match(to_a.packet));
        // Now both directions pass.
        auto a_out = out(n, udp_packet(lan_a, 6000, external_address, pb));
        REQUIRE(a_out.outcome.action() == Action::hairpin);
        auto to_b = in(n, a_out.packet);
        REQUIRE(to_b.outcome.ok());
        CHECK(endpoints(to_b.packet) == Endpoints{external_address, lan_b, pa, 7000});
    }
    // TCP the same way.
    Napt n = make_napt();
    auto a_syn = out(n, tcp_packet(lan_a, 6000, remote_x, 80, tf::syn));
    const std::uint16_t pa = endpoints(a_syn.packet).sport;
    auto b_syn = out(n, tcp_packet(lan_b, 7000, external_address, pa, tf::syn));
    REQUIRE(b_syn.outcome.action() == Action::hairpin);
    // A has sent only to remote_x, so under the default address-dependent filtering B's
    // SYN is filtered like any unsolicited one; with endpoint-independent filtering it
    // reaches A.
    CHECK(in(n, b_syn.packet).outcome.reason() == DropReason::filtered);
    Config eif = with_filtering(Filtering::endpoint_independent);
    Napt open = make_napt(eif);
    const auto qa = endpoints(out(open, tcp_packet(lan_a, 6000, remote_x, 80, tf::syn)).packet).sport;
    auto syn = out(open, tcp_packet(lan_b, 7000, external_address, qa, tf::syn));
    REQUIRE(syn.outcome.action() == Action::hairpin);
    auto at_a = in(open, syn.packet);
    REQUIRE(at_a.outcome.ok());
    CHECK(endpoints(at_a.packet).dst == lan_a);
    CHECK(checksums_match(at_a.packet));
}

TEST_CASE("hairpin only for our own ports: a shared address's other ports belong to other CEs", "[napt][rfc7597]") {
    Config c = base_config();
    c.ports = port_set(6, 8, 0x34);
    Napt n = make_napt(c);
    // Port 1234 has PSID (1234 >> 2) & 0xff = 0x34: ours. 1238 -> 0x35: another CE's.
    REQUIRE(c.ports.contains(1234));
    REQUIRE_FALSE(c.ports.contains(1238));
    CHECK(out(n, udp_packet(lan_a, 5000, external_address, 1234)).outcome.action() == Action::hairpin);
    auto other = out(n, udp_packet(lan_a, 5001, external_address, 1238));
    CHECK(other.outcome.action() == Action::forward);  // mesh: the FMR / BR takes it to the other CE
    CHECK(endpoints(other.packet).src == external_address);
    // Inbound from the sibling CE with source = destination address (two CEs sharing one IPv4 address, RFC 7597 §5.3).
    const auto p = endpoints(other.packet).sport;
    auto back = in(n, udp_packet(external_address, 1238, external_address, p));
    REQUIRE(back.outcome.ok());
    CHECK(endpoints(back.packet) == Endpoints{external_address, lan_a, 1238, 5001});
}

TEST_CASE("RFC 5382 REQ-1/REQ-2: TCP mapping is endpoint independent; handshake and simultaneous open", "[napt][rfc5382]") {
    Napt n = make_napt(with_filtering(Filtering::address_and_port_dependent));
    auto syn = out(n, tcp_packet(lan_a, 40000, remote_x, 443, tf::syn));
    REQUIRE(syn.outcome.ok());
    CHECK(checksums_match(syn.packet));
    const auto p = endpoints(syn.packet).sport;
    CHECK(endpoints(out(n, tcp_packet(lan_a, 40000, remote_y, 443, tf::syn)).packet).sport == p);
    auto synack = in(n, reply_tcp(syn.packet, tf::syn | tf::ack));
    REQUIRE(synack.outcome.ok());
    CHECK(checksums_match(synack.packet));
    CHECK(out(n, tcp_packet(lan_a, 40000, remote_x, 443, tf::ack)).outcome.ok());

    // Simultaneous open: both sides send SYN; ours goes first, theirs comes in as a SYN.
    auto s1 = out(n, tcp_packet(lan_b, 41000, remote_y, 5555, tf::syn));
    REQUIRE(s1.outcome.ok());
    CHECK(in(n, reply_tcp(s1.packet, tf::syn)).outcome.ok());
    CHECK(out(n, tcp_packet(lan_b, 41000, remote_y, 5555, tf::syn | tf::ack)).outcome.ok());
    CHECK(in(n, reply_tcp(s1.packet, tf::syn | tf::ack)).outcome.ok());
}

TEST_CASE("RFC 5382 REQ-4: an unsolicited inbound SYN is dropped silently", "[napt][rfc5382]") {
    Napt n = make_napt();
    auto udp = out(n, udp_packet(lan_a, 40000, remote_x, 53));  // a UDP mapping on some port
    const auto p = endpoints(udp.packet).sport;
    auto r = in(n, tcp_packet(remote_x, 80, external_address, p, tf::syn));
    CHECK(r.outcome.action() == Action::drop);
    CHECK(r.outcome.reason() == DropReason::no_mapping_inbound);  // no TCP mapping on that port
    auto t = out(n, tcp_packet(lan_a, 40001, remote_x, 80, tf::syn));
    const auto q = endpoints(t.packet).sport;
    auto from_y = in(n, tcp_packet(remote_y, 80, external_address, q, tf::syn));
    CHECK(from_y.outcome.reason() == DropReason::filtered);
    CHECK(n.counters().filtered == 1);
}

TEST_CASE("RFC 5382 REQ-5: established idle-timeout 7440 s, transitory 240 s", "[napt][rfc5382]") {
    Napt n = make_napt();
    auto syn = out(n, tcp_packet(lan_a, 40000, remote_x, 443, tf::syn), 0);
    const Bytes ack = reply_tcp(syn.packet, tf::ack);

    SECTION("half-open: transitory") {
        CHECK(in(n, ack, 240).outcome.ok());  // still there after 240 s idle
        CHECK(in(n, ack, 481).outcome.reason() == DropReason::no_mapping_inbound);
    }
    SECTION("established after the handshake") {
        REQUIRE(in(n, reply_tcp(syn.packet, tf::syn | tf::ack), 1).outcome.ok());
        REQUIRE(out(n, tcp_packet(lan_a, 40000, remote_x, 443, tf::ack), 2).outcome.ok());
        CHECK(in(n, ack, 2 + 7440).outcome.ok());
        CHECK(in(n, ack, 2 + 7440 + 7441).outcome.reason() == DropReason::no_mapping_inbound);
    }
    SECTION("FIN both ways: transitory") {
        REQUIRE(in(n, reply_tcp(syn.packet, tf::syn | tf::ack), 1).outcome.ok());
        REQUIRE(out(n, tcp_packet(lan_a, 40000, remote_x, 443, tf::fin | tf::ack), 2).outcome.ok());
        REQUIRE(in(n, reply_tcp(syn.packet, tf::fin | tf::ack), 3).outcome.ok());
        CHECK(in(n, ack, 3 + 240).outcome.ok());
        CHECK(in(n, ack, 3 + 240 + 241).outcome.reason() == DropReason::no_mapping_inbound);
    }
    SECTION("RFC 7857 §2.2: a RST is held for the transitory timeout, not acted on at once") {
        REQUIRE(in(n, reply_tcp(syn.packet, tf::syn | tf::ack), 1).outcome.ok());
        REQUIRE(in(n, reply_tcp(syn.packet, tf::rst), 2).outcome.ok());
        CHECK(in(n, ack, 2 + 240).outcome.ok());
        CHECK(in(n, ack, 2 + 240 + 241).outcome.reason() == DropReason::no_mapping_inbound);
    }
    SECTION("timeouts below the floors are refused") {
        Config c = base_config();
        c.timeouts.tcp_established = std::chrono::seconds(7439);
        CHECK_FALSE(Napt::create(c).ok());
        c = base_config();
        c.timeouts.tcp_transitory = std::chrono::seconds(239);
        CHECK_FALSE(Napt::create(c).ok());
    }
}

TEST_CASE("RFC 5508 REQ-1/1a: echo queries translated, identifier mapping independent of the remote", "[napt][rfc5508]") {
    Config c = base_config();
    c.ports = port_set(6, 8, 0x34);
    Napt n = make_napt(c);
    const Bytes ping = echo_packet(lan_a, remote_x, 8, 0x1234, 7);
    auto o = out(n, ping);
    REQUIRE(o.outcome.ok());
    const auto id = endpoints(o.packet).sport;
    CHECK(c.ports.contains(id));  // RFC 7597 §8.2 / RFC 7596 §8.2: identifier from the port set
    CHECK(checksums_match(o.packet));
    CHECK(endpoints(out(n, echo_packet(lan_a, remote_y, 8, 0x1234, 8)).packet).sport == id);
    auto reply = in(n, echo_packet(remote_x, external_address, 0, id, 7));
    REQUIRE(reply.outcome.ok());
    CHECK(endpoints(reply.packet) == Endpoints{remote_x, lan_a, 0x1234, 0x1234});
    CHECK(checksums_match(reply.packet));
}

TEST_CASE("RFC 5508 REQ-2: ICMP query session lasts 60 s, not less", "[napt][rfc5508]") {
    Napt n = make_napt();
    auto o = out(n, echo_packet(lan_a, remote_x, 8, 99), 100);
    const auto id = endpoints(o.packet).sport;
    CHECK(in(n, echo_packet(remote_x, external_address, 0, id), 160).outcome.ok());
    CHECK(in(n, echo_packet(remote_x, external_address, 0, id), 221).outcome.reason() == DropReason::no_mapping_inbound);
    Config c = base_config();
    c.timeouts.icmp_query = std::chrono::seconds(59);
    CHECK_FALSE(Napt::create(c).ok());
}

TEST_CASE("RFC 5508 REQ-4: an inbound ICMP error has its quoted packet translated back", "[napt][rfc5508]") {
    Napt n = make_napt();
    const Bytes original = udp_packet(lan_a, 5000, remote_x, 53, 20);
    auto o = out(n, original);
    const auto p = endpoints(o.packet).sport;
    SECTION("from the remote, whole quote") {
        auto r = in(n, icmp_error(remote_x, external_address, 3, 3, o.packet));
        REQUIRE(r.outcome.ok());
        CHECK(endpoints(r.packet) == Endpoints{remote_x, lan_a, 0, 0});  // outer: ICMP has no port; REQ-4c
        const std::size_t q = quote_offset(r.packet);
        CHECK(endpoints(r.packet, q) == endpoints(original));  // REQ-4a: the quote as A sent it
        CHECK(r.packet[20] == 3);                               // REQ-4b: type and code unchanged
        CHECK(r.packet[21] == 3);
        CHECK(checksums_match(r.packet));
        // The quote is bytewise the original packet.
        CHECK(Bytes(r.packet.begin() + static_cast<std::ptrdiff_t>(q), r.packet.end()) == original);
        CHECK(n.counters().icmp_errors_translated == 1);
    }
    SECTION("from a router on the path, quote cut to header + 8 bytes (RFC 792)") {
        const std::uint32_t router = v4(198, 51, 100, 254);
        auto r = in(n, icmp_error(router, external_address, 11, 0, o.packet, 28));
        REQUIRE(r.outcome.ok());
        CHECK(endpoints(r.packet).src == router);
        CHECK(endpoints(r.packet, quote_offset(r.packet)) == endpoints(original));
        CHECK(checksums_match(r.packet));
    }
    SECTION("TCP quote of 8 bytes: ports translated, no checksum to touch") {
        auto t = out(n, tcp_packet(lan_a, 6000, remote_x, 80, tf::syn));
        auto r = in(n, icmp_error(remote_x, external_address, 3, 4, t.packet, 28));
        REQUIRE(r.outcome.ok());
        CHECK(endpoints(r.packet, quote_offset(r.packet)).sport == 6000);
        CHECK(checksums_match(r.packet));
    }
    SECTION("echo request quoted") {
        const Bytes ping = echo_packet(lan_b, remote_y, 8, 0x4242, 1);
        auto e = out(n, ping);
        auto r = in(n, icmp_error(remote_y, external_address, 3, 1, e.packet));
        REQUIRE(r.outcome.ok());
        CHECK(Bytes(r.packet.begin() + static_cast<std::ptrdiff_t>(quote_offset(r.packet)), r.packet.end()) == ping);
        CHECK(checksums_match(r.packet));
    }
    SECTION("filtering applies to the quote's destination") {
        Bytes forged = udp_packet(external_address, p, remote_y, 53, 20);  // we never sent to remote_y
        auto r = in(n, icmp_error(remote_y, external_address, 3, 3, forged));
        CHECK(r.outcome.reason() == DropReason::icmp_error_no_mapping);
    }
}

TEST_CASE("RFC 5508 REQ-3: bad ICMP or quoted IPv4 checksums are dropped", "[napt][rfc5508]") {
    Napt n = make_napt();
    auto o = out(n, udp_packet(lan_a, 5000, remote_x, 53));
    Bytes err = icmp_error(remote_x, external_address, 3, 3, o.packet);
    Bytes bad_icmp = err;
    bad_icmp[22] ^= 0x01;
    CHECK(in(n, bad_icmp).outcome.reason() == DropReason::icmp_bad_checksum);
    Bytes bad_quote = o.packet;
    bad_quote[10] ^= 0x01;  // the quoted IPv4 checksum; the ICMP checksum is recomputed over it
    CHECK(in(n, icmp_error(remote_x, external_address, 3, 3, bad_quote)).outcome.reason() == DropReason::icmp_bad_checksum);
    CHECK(n.counters().icmp_bad_checksum == 2);
}

TEST_CASE("RFC 5508 REQ-5: an ICMP error from a LAN host is translated out", "[napt][rfc5508]") {
    Napt n = make_napt();
    auto o = out(n, udp_packet(lan_a, 5000, remote_x, 53));
    auto inbound = in(n, reply_udp(o.packet));  // remote_x:53 -> lan_a:5000 after translation
    REQUIRE(inbound.outcome.ok());
    auto r = out(n, icmp_error(lan_a, remote_x, 3, 3, inbound.packet));
    REQUIRE(r.outcome.action() == Action::forward);
    CHECK(endpoints(r.packet).src == external_address);  // REQ-5c
    // The quote is what remote_x sent: to our external endpoint.
    CHECK(endpoints(r.packet, quote_offset(r.packet)) == endpoints(reply_udp(o.packet)));
    CHECK(checksums_match(r.packet));
    // Quoting a packet that never came through: dropped.
    auto stray = out(n, icmp_error(lan_a, remote_x, 3, 3, udp_packet(remote_x, 53, lan_a, 5999)));
    CHECK(stray.outcome.reason() == DropReason::icmp_error_no_mapping);
}

TEST_CASE("RFC 5508 REQ-6 / RFC 4787 REQ-12: ICMP errors neither refresh nor end a session", "[napt][rfc5508][rfc4787]") {
    Napt n = make_napt();
    auto o = out(n, udp_packet(lan_a, 5000, remote_x, 53), 0);  // alive until 300 s have passed
    // Each error finds the session: none ended it (or the next would be dropped).
    for (int t = 100; t <= 300; t += 100)
        REQUIRE(in(n, icmp_error(remote_x, external_address, 3, 3, o.packet), t).outcome.ok());
    // Had the error at 300 s refreshed it, this would pass.
    CHECK(in(n, reply_udp(o.packet), 302).outcome.reason() == DropReason::no_mapping_inbound);
}

TEST_CASE("RFC 5508 REQ-7: hairpinned ICMP errors traverse", "[napt][rfc5508]") {
    Napt n = make_napt(with_filtering(Filtering::endpoint_independent));
    const auto pa = udp_out_port(n, lan_a, 6000, remote_x, 3478);
    auto b_out = out(n, udp_packet(lan_b, 7000, external_address, pa));
    REQUIRE(b_out.outcome.action() == Action::hairpin);
    auto at_a = in(n, b_out.packet);
    REQUIRE(at_a.outcome.ok());
    // A answers with port unreachable; it hairpins to B with B's original packet quoted.
    auto err = out(n, icmp_error(lan_a, external_address, 3, 3, at_a.packet));
    REQUIRE(err.outcome.action() == Action::hairpin);
    auto at_b = in(n, err.packet);
    REQUIRE(at_b.outcome.ok());
    CHECK(endpoints(at_b.packet).dst == lan_b);
    CHECK(endpoints(at_b.packet, quote_offset(at_b.packet)) ==
          (Endpoints{lan_b, external_address, 7000, pa}));
    CHECK(checksums_match(at_b.packet));
}

TEST_CASE("RFC 7596 §5.1: a new address or PSID flushes the table", "[napt][rfc7596]") {
    Config c = base_config();
    c.ports = port_set(0, 8, 0x34);  // lw4o6: a = 0, one contiguous range 13312-13567
    Napt n = make_napt(c);
    auto o = out(n, udp_packet(lan_a, 5000, remote_x, 53));
    REQUIRE(o.outcome.ok());
    CHECK(endpoints(o.packet).sport >= 13312);
    CHECK(endpoints(o.packet).sport <= 13567);
    SECTION("flush") {
        CHECK(n.flush() == 1);
        CHECK(n.session_count() == 0);
        CHECK(n.mapping_count() == 0);
        CHECK(n.host_count() == 0);
        CHECK(in(n, reply_udp(o.packet)).outcome.reason() == DropReason::no_mapping_inbound);
        CHECK(n.counters().flushes == 1);
    }
    SECTION("replan to another PSID and address") {
        const std::uint32_t new_address = v4(192, 0, 2, 99);
        auto r = n.replan(net::Ipv4Address{new_address}, port_set(0, 8, 0x35));
        REQUIRE(r.ok());
        CHECK(*r == 1);
        CHECK(n.session_count() == 0);
        CHECK(in(n, reply_udp(o.packet)).outcome.reason() == DropReason::not_our_address);
        auto again = out(n, udp_packet(lan_a, 5000, remote_x, 53));
        REQUIRE(again.outcome.ok());
        CHECK(endpoints(again.packet).src == new_address);
        CHECK(endpoints(again.packet).sport >= 13568);
        CHECK(endpoints(again.packet).sport <= 13823);
        CHECK(n.counters().outbound_translated == 2);  // counters survive the replan
    }
    SECTION("a replan that cannot work changes nothing") {
        auto r = n.replan(net::Ipv4Address{external_address}, port_set(0, 16, 0));  // port 0 only
        CHECK_FALSE(r.ok());
        CHECK(n.session_count() == 1);
    }
}

TEST_CASE("RFC 6056 §3.3.1: the first port depends on the seed", "[napt][rfc6056]") {
    std::set<std::uint16_t> firsts;
    for (std::uint64_t seed = 1; seed <= 16; ++seed) {
        Config c = base_config();
        c.seed = seed;
        Napt n = make_napt(c);
        firsts.insert(udp_out_port(n, lan_a, 5000, remote_x, 53));
    }
    CHECK(firsts.size() >= 14);  // 16 draws from 64512 ports: a collision or two at most
}

TEST_CASE("fair share: one host cannot take every port or session", "[napt][rfc6888]") {
    Config c = base_config();
    c.ports = port_set(6, 10, 5);  // 63 ports
    Napt n = make_napt(c);
    CHECK(n.config().max_ports_per_host == 15);  // a quarter of the set by default
    for (std::uint16_t i = 0; i < 15; ++i) REQUIRE(out(n, udp_packet(lan_a, 1000 + i, remote_x, 53)).outcome.ok());
    auto r = out(n, udp_packet(lan_a, 2000, remote_x, 53));
    CHECK(r.outcome.reason() == DropReason::host_share_exhausted);
    CHECK(n.host_usage(net::Ipv4Address{lan_a}).ports[0] == 15);
    // Other hosts, other protocols and existing flows are unaffected.
    CHECK(out(n, udp_packet(lan_b, 2000, remote_x, 53)).outcome.ok());
    CHECK(out(n, tcp_packet(lan_a, 2000, remote_x, 80, tf::syn)).outcome.ok());
    CHECK(out(n, udp_packet(lan_a, 1000, remote_x, 53)).outcome.ok());
}
