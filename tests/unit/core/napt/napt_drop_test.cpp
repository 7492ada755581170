// One test per drop reason: the packet that triggers it, the reason in the verdict, its
// counter (and only its counter), and an untouched buffer.
#include <catch2/catch.hpp>

#include <set>

#include "core/net/tcp_packet.hpp"
#include "tests/unit/core/napt/napt_fixture.hpp"

using namespace s46::napt;
using namespace s46::napt::test;
namespace net = s46::net;

namespace {

enum class Dir { out, in };

// Translates `p` in direction `d` and checks that it is refused for `r` alone.
void expect_drop(Napt& n, Dir d, Bytes p, DropReason r, std::int64_t t_s = 0) {
    const Bytes before = p;
    const Counters c0 = n.counters();
    const Outcome o = d == Dir::out ? n.translate_outbound(p, at_s(t_s)) : n.translate_inbound(p, at_s(t_s));
    INFO("expected " << to_string(r) << ", got " << (o.ok() ? "a translation" : to_string(*o.reason())));
    CHECK(o.action() == Action::drop);
    CHECK(o.reason() == r);
    CHECK(p == before);
    const Counters& c = n.counters();
    CHECK(c.drop(r) == c0.drop(r) + 1);
    CHECK(c.total_drops() == c0.total_drops() + 1);
    if (d == Dir::out) CHECK(c.outbound_dropped == c0.outbound_dropped + 1);
    else CHECK(c.inbound_dropped == c0.inbound_dropped + 1);
}

Bytes with_byte(Bytes p, std::size_t at, std::uint8_t v) {
    p[at] = v;
    return p;
}

}  // namespace

TEST_CASE("every reason has a distinct name and a description", "[napt][drop]") {
    std::set<std::string_view> names;
    for (std::size_t i = 0; i < kDropReasonCount; ++i) {
        const auto r = static_cast<DropReason>(i);
        CHECK(to_string(r).substr(0, 5) == "napt_");
        CHECK_FALSE(describe(r).empty());
        names.insert(to_string(r));
    }
    CHECK(names.size() == kDropReasonCount);
    CHECK(to_string(DropReason::port_exhausted) == "napt_port_exhausted");
}

TEST_CASE("drop: truncated", "[napt][drop]") {
    Napt n = make_napt();
    const Bytes p = udp_packet(lan_a, 5000, remote_x, 53);
    expect_drop(n, Dir::out, Bytes(p.begin(), p.begin() + 10), DropReason::truncated);  // short IPv4 header
    expect_drop(n, Dir::out, Bytes(p.begin(), p.end() - 1), DropReason::truncated);     // Total Length past the buffer
    Bytes short_udp = udp_packet(lan_a, 5000, remote_x, 53, 0);
    short_udp.resize(24);
    put16(short_udp, 2, 24);
    expect_drop(n, Dir::out, short_udp, DropReason::truncated);                         // 4 bytes of UDP
    Bytes short_tcp = concat(ipv4_header(lan_a, remote_x, 6, 10), Bytes(10, 0));  // 10 bytes of TCP
    expect_drop(n, Dir::out, short_tcp, DropReason::truncated);
}

TEST_CASE("drop: malformed", "[napt][drop]") {
    Napt n = make_napt();
    const Bytes p = udp_packet(lan_a, 5000, remote_x, 53);
    expect_drop(n, Dir::out, with_byte(p, 0, 0x55), DropReason::malformed);  // version 5
    expect_drop(n, Dir::out, with_byte(p, 0, 0x44), DropReason::malformed);  // IHL 4
    Bytes long_udp = p;
    put16(long_udp, 24, 200);  // UDP length beyond the datagram
    expect_drop(n, Dir::out, long_udp, DropReason::malformed);
    Bytes t = tcp_packet(remote_x, 80, external_address, 5000, net::tcp_flag::syn);
    expect_drop(n, Dir::in, with_byte(t, 32, 0x40), DropReason::malformed);  // data offset 4
}

TEST_CASE("drop: unsupported_protocol", "[napt][drop]") {
    Napt n = make_napt();
    Bytes gre = ipv4_header(lan_a, remote_x, 47, 8);
    gre.resize(28, 0);
    expect_drop(n, Dir::out, gre, DropReason::unsupported_protocol);
    Bytes gre_in = ipv4_header(remote_x, external_address, 47, 8);
    gre_in.resize(28, 0);
    expect_drop(n, Dir::in, gre_in, DropReason::unsupported_protocol);
}

TEST_CASE("drop: fragment_without_ports (the caller reassembles)", "[napt][drop]") {
    Napt n = make_napt();
    Bytes p = udp_packet(lan_a, 5000, remote_x, 53);
    put16(p, 6, 0x0010);  // offset 16 * 8 bytes, MF clear: a last fragment
    put16(p, 10, 0);
    put16(p, 10, s46::test::naive_checksum(Bytes(p.begin(), p.begin() + 20)));
    expect_drop(n, Dir::out, p, DropReason::fragment_without_ports);
    // A first fragment carries the ports and is translated; the UDP length may exceed it.
    Bytes first = udp_packet(lan_a, 5000, remote_x, 53, 32);
    put16(first, 6, 0x2000);  // MF
    put16(first, 24, 1000);   // the whole datagram's UDP length
    put16(first, 10, 0);
    put16(first, 10, s46::test::naive_checksum(Bytes(first.begin(), first.begin() + 20)));
    CHECK(n.translate_outbound(first, at_s(0)).ok());
}

TEST_CASE("drop: unsupported_icmp", "[napt][drop]") {
    Napt n = make_napt();
    Bytes ts = echo_packet(lan_a, remote_x, 13, 1);  // timestamp request
    expect_drop(n, Dir::out, ts, DropReason::unsupported_icmp);
    expect_drop(n, Dir::in, echo_packet(remote_x, external_address, 14, 1), DropReason::unsupported_icmp);
    // An error about an error (RFC 1122 §3.2.2 forbids sending one).
    auto o = out(n, udp_packet(lan_a, 5000, remote_x, 53));
    Bytes err = icmp_error(remote_x, external_address, 3, 3, o.packet);
    expect_drop(n, Dir::in, icmp_error(remote_x, external_address, 3, 3, err), DropReason::unsupported_icmp);
}

TEST_CASE("drop: icmp_query_unsolicited", "[napt][drop]") {
    Napt n = make_napt();
    expect_drop(n, Dir::in, echo_packet(remote_x, external_address, 8, 1234), DropReason::icmp_query_unsolicited);
    expect_drop(n, Dir::out, echo_packet(lan_a, remote_x, 0, 1234), DropReason::icmp_query_unsolicited);
}

TEST_CASE("drop: icmp_bad_checksum", "[napt][drop]") {
    Napt n = make_napt();
    auto o = out(n, udp_packet(lan_a, 5000, remote_x, 53));
    expect_drop(n, Dir::in, with_byte(icmp_error(remote_x, external_address, 3, 3, o.packet), 30, 0xee),
                DropReason::icmp_bad_checksum);
}

TEST_CASE("drop: icmp_error_no_mapping", "[napt][drop]") {
    Napt n = make_napt();
    auto o = out(n, udp_packet(lan_a, 5000, remote_x, 53));
    const auto p = endpoints(o.packet).sport;
    expect_drop(n, Dir::in, icmp_error(remote_x, external_address, 3, 3, udp_packet(external_address, p + 1, remote_x, 53)),
                DropReason::icmp_error_no_mapping);
    expect_drop(n, Dir::in, icmp_error(remote_x, external_address, 3, 3, udp_packet(remote_y, p, remote_x, 53)),
                DropReason::icmp_error_no_mapping);  // the quote's source is not us
    expect_drop(n, Dir::out, icmp_error(lan_a, remote_x, 3, 3, udp_packet(remote_x, 53, lan_b, 5000)),
                DropReason::icmp_error_no_mapping);
}

TEST_CASE("drop: not_our_address", "[napt][drop]") {
    Napt n = make_napt();
    expect_drop(n, Dir::in, udp_packet(remote_x, 53, v4(192, 0, 2, 2), 5000), DropReason::not_our_address);
}

TEST_CASE("drop: port_outside_set", "[napt][drop]") {
    Config c = base_config();
    c.ports = port_set(6, 8, 0x34);
    Napt n = make_napt(c);
    expect_drop(n, Dir::in, udp_packet(remote_x, 53, external_address, 1238), DropReason::port_outside_set);
    expect_drop(n, Dir::in, echo_packet(remote_x, external_address, 0, 1238), DropReason::port_outside_set);
}

TEST_CASE("drop: no_mapping_inbound", "[napt][drop]") {
    Napt n = make_napt();
    expect_drop(n, Dir::in, udp_packet(remote_x, 53, external_address, 40000), DropReason::no_mapping_inbound);
    expect_drop(n, Dir::in, udp_packet(remote_x, 53, external_address, 80), DropReason::no_mapping_inbound);  // reserved
}

TEST_CASE("drop: filtered", "[napt][drop]") {
    Napt n = make_napt();
    const auto p = udp_out_port(n, lan_a, 5000, remote_x, 53);
    expect_drop(n, Dir::in, udp_packet(remote_y, 53, external_address, p), DropReason::filtered);
}

TEST_CASE("drop: port_exhausted, and existing flows are unaffected", "[napt][drop]") {
    Config c = base_config();
    c.ports = port_set(0, 12, 100);  // 16 ports, 1600-1615
    c.max_ports_per_host = 16;
    Napt n = make_napt(c);
    std::set<std::uint16_t> got;
    for (std::uint16_t i = 0; i < 16; ++i) got.insert(udp_out_port(n, lan_a, static_cast<std::uint16_t>(1000 + i), remote_x, 53));
    CHECK(got.size() == 16);
    CHECK(*got.begin() == 1600);
    CHECK(*got.rbegin() == 1615);
    expect_drop(n, Dir::out, udp_packet(lan_b, 1000, remote_x, 53), DropReason::port_exhausted);
    CHECK(out(n, udp_packet(lan_a, 1003, remote_y, 99)).outcome.ok());  // a new session on an old mapping
    CHECK(out(n, tcp_packet(lan_b, 1000, remote_x, 80, 2)).outcome.ok());  // TCP has its own 16 ports
}

TEST_CASE("drop: host_share_exhausted (ports and sessions)", "[napt][drop]") {
    Config c = base_config();
    c.max_ports_per_host = 2;
    c.max_sessions_per_host = 3;
    Napt n = make_napt(c);
    CHECK(out(n, udp_packet(lan_a, 1, remote_x, 53)).outcome.ok());
    CHECK(out(n, udp_packet(lan_a, 2, remote_x, 53)).outcome.ok());
    expect_drop(n, Dir::out, udp_packet(lan_a, 3, remote_x, 53), DropReason::host_share_exhausted);
    CHECK(out(n, udp_packet(lan_a, 1, remote_y, 53)).outcome.ok());  // third session
    expect_drop(n, Dir::out, udp_packet(lan_a, 2, remote_y, 53), DropReason::host_share_exhausted);
    CHECK(out(n, udp_packet(lan_b, 3, remote_x, 53)).outcome.ok());
}

TEST_CASE("drop: session_table_full", "[napt][drop]") {
    Config c = base_config();
    c.max_sessions = 4;
    c.max_sessions_per_host = 8;
    Napt n = make_napt(c);
    for (std::uint16_t i = 0; i < 4; ++i) REQUIRE(out(n, udp_packet(lan_a, 100 + i, remote_x, 53)).outcome.ok());
    expect_drop(n, Dir::out, udp_packet(lan_b, 100, remote_x, 53), DropReason::session_table_full);
    expect_drop(n, Dir::out, udp_packet(lan_a, 100, remote_y, 53), DropReason::session_table_full);
    // Expired sessions are reclaimed when the table is full (Config::reclaim_scan).
    CHECK(out(n, udp_packet(lan_b, 100, remote_x, 53), 1000).outcome.ok());
}

TEST_CASE("drop: host_table_full", "[napt][drop]") {
    Config c = base_config();
    c.max_hosts = 2;
    Napt n = make_napt(c);
    CHECK(out(n, udp_packet(lan_a, 1, remote_x, 53)).outcome.ok());
    CHECK(out(n, udp_packet(lan_b, 1, remote_x, 53)).outcome.ok());
    expect_drop(n, Dir::out, udp_packet(v4(192, 168, 1, 12), 1, remote_x, 53), DropReason::host_table_full);
}

TEST_CASE("drop: mapping_session_limit", "[napt][drop]") {
    Config c = base_config();
    c.max_sessions = 70000;
    c.max_sessions_per_host = 70000;
    c.filtering = Filtering::address_and_port_dependent;
    Napt n = make_napt(c);
    for (std::uint32_t i = 0; i < 65535; ++i) {
        Bytes q = udp_packet(lan_a, 5000, remote_x, static_cast<std::uint16_t>(i));
        REQUIRE(n.translate_outbound(q, at_s(0)).ok());
    }
    CHECK(n.find_mapping(Protocol::udp, net::Ipv4Address{lan_a}, 5000, at_s(0))->sessions == 65535);
    expect_drop(n, Dir::out, udp_packet(lan_a, 5000, remote_y, 1), DropReason::mapping_session_limit);
}

TEST_CASE("the counters add up", "[napt][drop]") {
    Napt n = make_napt();
    out(n, udp_packet(lan_a, 5000, remote_x, 53));
    in(n, udp_packet(remote_y, 53, external_address, 9));
    in(n, Bytes(5, 0));
    const Counters& c = n.counters();
    CHECK(c.outbound_packets == c.outbound_translated + c.outbound_dropped);
    CHECK(c.inbound_packets == c.inbound_translated + c.inbound_dropped);
    CHECK(c.total_drops() == c.outbound_dropped + c.inbound_dropped);
    CHECK(c.total_drops() == 2);
}
