// Static forwards in the NAPT engine: reserved ports stay out of dynamic allocation, inbound
// packets to them reach the LAN endpoint, the endpoint's own traffic leaves from them, and the
// reservations survive flush() and replan().
#include <catch2/catch.hpp>

#include <set>

#include "core/net/tcp_packet.hpp"
#include "tests/unit/core/napt/napt_fixture.hpp"

using namespace s46::napt;
using namespace s46::napt::test;
namespace tf = s46::net::tcp_flag;
namespace net = s46::net;

namespace {

// 16 ports, 1600-1615 (as drop: port_exhausted), one host may take them all.
Config small_set(Filtering f = Filtering::address_dependent) {
    Config c = base_config();
    c.ports = port_set(0, 12, 100);
    c.max_ports_per_host = 16;
    c.filtering = f;
    return c;
}

StaticForward forward(Protocol p, std::uint16_t external, std::uint32_t lan, std::uint16_t lan_port) {
    return StaticForward{p, external, net::Ipv4Address{lan}, lan_port};
}

void set_forwards(Napt& n, std::vector<StaticForward> f) {
    auto r = n.set_static_forwards(f);
    INFO((r.ok() ? std::string() : r.error()));
    REQUIRE(r.ok());
}

}  // namespace

TEST_CASE("static forward: a reserved port is never allocated, even when the rest of the set is exhausted", "[napt][static]") {
    Napt n = make_napt(small_set());
    set_forwards(n, {forward(Protocol::udp, 1607, lan_b, 5060)});
    std::set<std::uint16_t> got;
    for (std::uint16_t i = 0; i < 15; ++i) got.insert(udp_out_port(n, lan_a, static_cast<std::uint16_t>(1000 + i), remote_x, 53));
    CHECK(got.size() == 15);
    CHECK(got.count(1607) == 0);
    // The 16th port is the reserved one: refused, not handed out.
    auto r = out(n, udp_packet(lan_a, 2000, remote_x, 53));
    CHECK(r.outcome.action() == Action::drop);
    CHECK(r.outcome.reason() == DropReason::port_exhausted);
    // The forward's own endpoint still gets it.
    CHECK(udp_out_port(n, lan_b, 5060, remote_x, 53) == 1607);
    // TCP's 1607 is not reserved: another namespace (protocol.hpp).
    std::set<std::uint16_t> tcp;
    for (std::uint16_t i = 0; i < 16; ++i) {
        auto t = out(n, tcp_packet(lan_a, static_cast<std::uint16_t>(3000 + i), remote_x, 80, tf::syn));
        REQUIRE(t.outcome.ok());
        tcp.insert(endpoints(t.packet).sport);
    }
    CHECK(tcp.count(1607) == 1);
}

TEST_CASE("static forward: the reservation outlives expiry of the forward's mapping and a flush", "[napt][static]") {
    Napt n = make_napt(small_set());
    set_forwards(n, {forward(Protocol::udp, 1600, lan_b, 5060)});
    CHECK(udp_out_port(n, lan_b, 5060, remote_x, 53) == 1600);
    n.expire(at_s(10000), n.session_slots());
    CHECK(n.session_count() == 0);
    n.flush();
    for (std::uint16_t i = 0; i < 15; ++i) CHECK(udp_out_port(n, lan_a, static_cast<std::uint16_t>(1000 + i), remote_x, 53) != 1600);
    CHECK(out(n, udp_packet(lan_a, 2000, remote_x, 53)).outcome.reason() == DropReason::port_exhausted);
}

TEST_CASE("static forward: an inbound TCP SYN reaches the LAN server with the right rewrite and checksums", "[napt][static]") {
    Napt n = make_napt(small_set(Filtering::address_and_port_dependent));
    set_forwards(n, {forward(Protocol::tcp, 1605, lan_a, 22)});
    const Bytes syn = tcp_packet(remote_x, 40000, external_address, 1605, tf::syn);
    auto r = in(n, syn);
    REQUIRE(r.outcome.action() == Action::forward);
    CHECK(endpoints(r.packet) == Endpoints{remote_x, lan_a, 40000, 22});
    CHECK(checksums_match(r.packet));
    CHECK(n.counters().static_sessions_opened == 1);

    // The server's SYN+ACK leaves from the forwarded port, toward the client.
    auto synack = out(n, tcp_packet(lan_a, 22, remote_x, 40000, tf::syn | tf::ack));
    REQUIRE(synack.outcome.action() == Action::forward);
    CHECK(endpoints(synack.packet) == Endpoints{external_address, remote_x, 1605, 40000});
    CHECK(checksums_match(synack.packet));
    // The rest of the connection uses the session: a non-SYN segment is let in.
    CHECK(in(n, tcp_packet(remote_x, 40000, external_address, 1605, tf::ack)).outcome.ok());
    // A second client is let in as well, on the same mapping.
    auto second = in(n, tcp_packet(remote_y, 50000, external_address, 1605, tf::syn));
    REQUIRE(second.outcome.ok());
    CHECK(endpoints(second.packet) == Endpoints{remote_y, lan_a, 50000, 22});
    CHECK(n.mapping_count() == 1);
    CHECK(n.session_count() == 2);
}

TEST_CASE("static forward: a TCP segment other than a SYN opens nothing", "[napt][static]") {
    Napt n = make_napt(small_set());
    set_forwards(n, {forward(Protocol::tcp, 1605, lan_a, 22)});
    auto r = in(n, tcp_packet(remote_x, 40000, external_address, 1605, tf::ack));
    CHECK(r.outcome.action() == Action::drop);
    CHECK(r.outcome.reason() == DropReason::filtered);
    CHECK(in(n, tcp_packet(remote_x, 40000, external_address, 1605, tf::syn | tf::ack)).outcome.reason() == DropReason::filtered);
    CHECK(n.session_count() == 0);
    // An unforwarded port of the set stays closed.
    CHECK(in(n, tcp_packet(remote_x, 40000, external_address, 1606, tf::syn)).outcome.reason() == DropReason::no_mapping_inbound);
}

TEST_CASE("static forward: inbound UDP to another LAN port, and the server's reply uses the external port", "[napt][static]") {
    Napt n = make_napt(small_set());
    set_forwards(n, {forward(Protocol::udp, 1610, lan_b, 5060)});
    const Bytes p = udp_packet(remote_y, 7000, external_address, 1610, 21);
    auto r = in(n, p);
    REQUIRE(r.outcome.action() == Action::forward);
    CHECK(endpoints(r.packet) == Endpoints{remote_y, lan_b, 7000, 5060});
    CHECK(checksums_match(r.packet, p));
    auto reply = out(n, udp_packet(lan_b, 5060, remote_y, 7000));
    REQUIRE(reply.outcome.ok());
    CHECK(endpoints(reply.packet) == Endpoints{external_address, remote_y, 1610, 7000});
    CHECK(checksums_match(reply.packet));
}

TEST_CASE("static forward: outbound from the LAN server, before any inbound, uses the external port", "[napt][static]") {
    Napt n = make_napt(small_set());
    set_forwards(n, {forward(Protocol::tcp, 1612, lan_a, 8080)});
    auto o = out(n, tcp_packet(lan_a, 8080, remote_x, 443, tf::syn));
    REQUIRE(o.outcome.ok());
    CHECK(endpoints(o.packet).sport == 1612);
    CHECK(checksums_match(o.packet));
    // Another port of the same host is dynamic and never 1612.
    auto other = out(n, tcp_packet(lan_a, 8081, remote_x, 443, tf::syn));
    REQUIRE(other.outcome.ok());
    CHECK(endpoints(other.packet).sport != 1612);
}

TEST_CASE("static forward: setting one moves mappings out of the way", "[napt][static]") {
    Napt n = make_napt(small_set());
    const auto taken = udp_out_port(n, lan_a, 1000, remote_x, 53);  // someone else holds the port
    const auto own = udp_out_port(n, lan_b, 5060, remote_x, 53);    // the endpoint on another port
    REQUIRE(taken != own);
    auto r = n.set_static_forwards(std::vector{forward(Protocol::udp, taken, lan_b, 5060)});
    REQUIRE(r.ok());
    CHECK(*r == 2);
    CHECK(n.counters().sessions_displaced == 2);
    CHECK(n.session_count() == 0);
    CHECK(udp_out_port(n, lan_b, 5060, remote_x, 53) == taken);
    CHECK(udp_out_port(n, lan_a, 1000, remote_x, 53) != taken);
}

TEST_CASE("static forward: deleting one frees its port for dynamic use", "[napt][static]") {
    Napt n = make_napt(small_set());
    set_forwards(n, {forward(Protocol::udp, 1600, lan_b, 5060)});
    set_forwards(n, {});
    std::set<std::uint16_t> got;
    for (std::uint16_t i = 0; i < 16; ++i) got.insert(udp_out_port(n, lan_a, static_cast<std::uint16_t>(1000 + i), remote_x, 53));
    CHECK(got.count(1600) == 1);
    CHECK(n.static_forwards().empty());
}

TEST_CASE("static forward: the engine refuses ports outside its dynamic ports and colliding forwards", "[napt][static]") {
    Napt n = make_napt(small_set());
    CHECK_FALSE(n.set_static_forwards(std::vector{forward(Protocol::udp, 80, lan_a, 80)}).ok());
    CHECK_FALSE(n.set_static_forwards(std::vector{forward(Protocol::icmp, 1600, lan_a, 1)}).ok());
    CHECK_FALSE(n.set_static_forwards(std::vector{forward(Protocol::udp, 1600, lan_a, 1), forward(Protocol::udp, 1600, lan_b, 2)}).ok());
    CHECK_FALSE(n.set_static_forwards(std::vector{forward(Protocol::udp, 1600, lan_a, 1), forward(Protocol::udp, 1601, lan_a, 1)}).ok());
    CHECK(n.set_static_forwards(std::vector{forward(Protocol::udp, 1600, lan_a, 1), forward(Protocol::tcp, 1600, lan_a, 1)}).ok());
}

TEST_CASE("static forward: replan keeps the forwards the new set holds", "[napt][static]") {
    Napt n = make_napt(small_set());
    set_forwards(n, {forward(Protocol::udp, 1600, lan_a, 53), forward(Protocol::udp, 1615, lan_b, 53)});
    // PSID 100 -> a set of 32 ports 1600-1631 (k = 11): both kept; then 4096-4111: neither.
    REQUIRE(n.replan(net::Ipv4Address{external_address}, port_set(0, 11, 50)).ok());
    CHECK(n.static_forwards().size() == 2);
    CHECK(in(n, udp_packet(remote_x, 9, external_address, 1615)).outcome.ok());
    REQUIRE(n.replan(net::Ipv4Address{external_address}, port_set(0, 12, 256)).ok());
    CHECK(n.static_forwards().empty());
}
