// Properties over whole port sets and random packets: allocated ports and identifiers lie
// in the set and use all of it, CEs sharing an address never collide, checksums verify
// from scratch, memory stays within budget and does not grow with traffic, expiry works
// without anyone calling expire().
#include <catch2/catch.hpp>

#include <random>
#include <set>

#include "core/net/tcp_packet.hpp"
#include "tests/unit/core/napt/napt_fixture.hpp"

using namespace s46::napt;
using namespace s46::napt::test;
namespace net = s46::net;

namespace {

// A distinct internal endpoint per index: 64 hosts x 4096 ports.
std::uint32_t host_of(std::uint32_t i) { return v4(10, 0, static_cast<std::uint8_t>(i >> 12 >> 6), static_cast<std::uint8_t>(1 + ((i >> 12) & 63))); }
std::uint16_t port_of(std::uint32_t i) { return static_cast<std::uint16_t>(1024 + (i & 4095)); }

Bytes outbound_for(Protocol p, std::uint32_t i) {
    switch (p) {
        case Protocol::udp: return udp_packet(host_of(i), port_of(i), remote_x, 53);
        case Protocol::tcp: return tcp_packet(host_of(i), port_of(i), remote_x, 443, net::tcp_flag::syn);
        case Protocol::icmp: return echo_packet(host_of(i), remote_x, 8, port_of(i));
    }
    return {};
}

// Allocates until the set is exhausted; returns the external ports/identifiers handed out.
std::vector<std::uint16_t> exhaust(Napt& n, Protocol p) {
    std::vector<std::uint16_t> got;
    for (std::uint32_t i = 0;; ++i) {
        Bytes pkt = outbound_for(p, i);
        const Outcome o = n.translate_outbound(pkt, at_s(0));
        if (!o.ok()) {
            REQUIRE(o.reason() == DropReason::port_exhausted);
            break;
        }
        got.push_back(endpoints(pkt).sport);
    }
    return got;
}

Config roomy(const s46::map::PortSet& set, std::uint64_t seed = 1) {
    Config c = base_config();
    c.ports = set;
    c.max_sessions = 3 * 65536;
    c.max_ports_per_host = 65536;
    c.max_sessions_per_host = 3 * 65536;
    c.seed = seed;
    return c;
}

}  // namespace

TEST_CASE("property: every port and ICMP identifier allocated is in the set, and all of it is used", "[napt][property][rfc7597]") {
    struct Abc {
        unsigned a, k, psid;
    };
    for (Abc s : {Abc{6, 8, 0x34}, Abc{6, 8, 0}, Abc{6, 8, 255}, Abc{4, 4, 3}, Abc{0, 8, 0x34}, Abc{6, 6, 63},
                  Abc{8, 4, 5}, Abc{0, 12, 100}, Abc{2, 10, 511}}) {
        INFO("a=" << s.a << " k=" << s.k << " psid=" << s.psid);
        const auto set = port_set(s.a, s.k, s.psid);
        Napt n = make_napt(roomy(set));
        const PortIndex& index = n.port_index();
        for (Protocol p : {Protocol::udp, Protocol::tcp, Protocol::icmp}) {
            const auto got = exhaust(n, p);
            REQUIRE(got.size() == index.size());
            const std::set<std::uint16_t> distinct(got.begin(), got.end());
            REQUIRE(distinct.size() == got.size());
            for (auto port : got) REQUIRE(index.slot_of(port) != PortIndex::npos);  // in the set, a dynamic port
            if (s.a > 0) {
                // Every block (A = 1 .. 2^a - 1) was used, bar those below 1024 (a > 6).
                std::set<unsigned> blocks;
                for (auto port : got) blocks.insert(port >> (16 - s.a));
                unsigned expected = 0;
                set.for_each_range([&](s46::map::PortRange r) { expected += r.first >= 1024; });
                CHECK(blocks.size() == expected);
                if (s.a <= 6) CHECK(expected == set.range_count());
            }
        }
        // The mappings the table holds say the same.
        n.for_each_mapping(at_s(0), [&](const MappingInfo& m) { REQUIRE(set.contains(m.external_port)); });
    }
}

TEST_CASE("property: a full address allocates 1024-65535, never a well-known port", "[napt][property]") {
    Napt n = make_napt(roomy(s46::map::PortSet::all()));
    const auto got = exhaust(n, Protocol::udp);
    REQUIRE(got.size() == 64512);
    CHECK(*std::min_element(got.begin(), got.end()) == 1024);
    CHECK(std::set<std::uint16_t>(got.begin(), got.end()).size() == 64512);
}

TEST_CASE("property: CEs sharing one address with different PSIDs never pick the same port", "[napt][property][rfc7597]") {
    // a = 6, k = 8: the 256 PSIDs split 1024-65535 between them, 252 ports each.
    std::vector<int> owner(65536, -1);
    for (unsigned psid = 0; psid < 256; ++psid) {
        Config c = roomy(port_set(6, 8, psid), psid + 1);
        c.max_sessions = 1024;
        Napt n = make_napt(c);
        const auto got = exhaust(n, Protocol::udp);
        REQUIRE(got.size() == 252);
        for (auto port : got) {
            INFO("port " << port << " psid " << psid);
            REQUIRE(owner[port] == -1);
            owner[port] = static_cast<int>(psid);
        }
    }
    for (std::uint32_t port = 0; port < 65536; ++port) REQUIRE((owner[port] != -1) == (port >= 1024));
}

TEST_CASE("property: after translation every checksum verifies from scratch", "[napt][property][rfc1624]") {
    std::mt19937 rng(1624);
    for (Filtering f : {Filtering::endpoint_independent, Filtering::address_and_port_dependent}) {
        Config c = base_config();
        c.filtering = f;
        c.ports = port_set(6, 8, 0x34);
        Napt n = make_napt(c);
        for (int i = 0; i < 3000; ++i) {
            const std::uint32_t src = v4(192, 168, 1, static_cast<std::uint8_t>(rng() % 8 + 1));
            const std::uint32_t dst = v4(198, 51, 100, static_cast<std::uint8_t>(rng()));
            const std::uint16_t sport = static_cast<std::uint16_t>(rng()), dport = static_cast<std::uint16_t>(rng());
            const std::size_t len = rng() % 40;
            Bytes p;
            switch (rng() % 4) {
                case 0: p = udp_packet(src, sport, dst, dport, len, rng() % 8 == 0); break;
                case 1: p = tcp_packet(src, sport, dst, dport, static_cast<std::uint8_t>(rng()), len); break;
                case 2: p = echo_packet(src, dst, 8, sport, dport, len); break;
                default: p = udp_packet(src, sport, dst, dport, len);
            }
            const Bytes original = p;
            if (!n.translate_outbound(p, at_s(i)).ok()) continue;
            REQUIRE(checksums_match(p, original));
            // The reply, and an error about what we sent, both ways through the checks.
            const Endpoints e = endpoints(p);
            Bytes reply = p[9] == 17 ? udp_packet(e.dst, e.dport, e.src, e.sport, len, get16(p, 26) == 0)
                          : p[9] == 6 ? tcp_packet(e.dst, e.dport, e.src, e.sport, static_cast<std::uint8_t>(rng()), len)
                                      : echo_packet(e.dst, e.src, 0, e.sport, dport, len);
            const Bytes reply_original = reply;
            REQUIRE(n.translate_inbound(reply, at_s(i)).ok());
            REQUIRE(checksums_match(reply, reply_original));
            REQUIRE(endpoints(reply) == (Endpoints{e.dst, src, p[9] == 1 ? sport : dport, sport}));
            Bytes err = icmp_error(e.dst, external_address, 3, static_cast<std::uint8_t>(rng() % 16), p, 20 + 8 + rng() % 40);
            REQUIRE(n.translate_inbound(err, at_s(i)).ok());
            REQUIRE(checksums_match(err));
        }
    }
}

TEST_CASE("property: an all-zero echo reply keeps checksum 0xFFFF (RFC 1624 eqn. 3 corner)", "[napt][property][rfc1624]") {
    Napt n = make_napt();
    Bytes ping = echo_packet(lan_a, remote_x, 8, 0, 0, 0);  // identifier 0, sequence 0, no data
    REQUIRE(n.translate_outbound(ping, at_s(0)).ok());
    Bytes reply = echo_packet(remote_x, external_address, 0, endpoints(ping).sport, 0, 0);
    REQUIRE(n.translate_inbound(reply, at_s(0)).ok());
    CHECK(get16(reply, 22) == 0xffff);  // the message is all zero: checksum_finish(0)
    CHECK(checksums_match(reply));
}

TEST_CASE("memory: within 64 bytes per session at 64 Ki sessions, and no growth with traffic", "[napt][property][memory]") {
    struct Case {
        const char* name;
        s46::map::PortSet set;
        std::uint32_t sessions;
        double budget;
    };
    for (const Case& k : {Case{"full address, 64 Ki", s46::map::PortSet::all(), 65536, 64.0},
                          Case{"a=6 k=8, 64 Ki", *s46::map::PortSet::make(6, 8, 0x34), 65536, 64.0},
                          Case{"a=6 k=8, 4 Ki", *s46::map::PortSet::make(6, 8, 0x34), 4096, 64.0},
                          Case{"full address, 256 Ki", s46::map::PortSet::all(), 262144, 64.0}}) {
        INFO(k.name);
        Config c = base_config();
        c.ports = k.set;
        c.max_sessions = k.sessions;
        Napt n = make_napt(c);
        const std::size_t before = n.memory_bytes();
        INFO("bytes per session " << n.bytes_per_session());
        CHECK(n.bytes_per_session() <= k.budget);
        std::mt19937 rng(7);
        for (int i = 0; i < 20000; ++i) {
            Bytes p = udp_packet(v4(10, 0, static_cast<std::uint8_t>(rng() % 4), static_cast<std::uint8_t>(rng())),
                                 static_cast<std::uint16_t>(rng()), remote_x, 53);
            n.translate_outbound(p, at_s(i / 50));
        }
        CHECK(n.memory_bytes() == before);
    }
}

TEST_CASE("expiry: amortised over new sessions, and expire() on a timer", "[napt][property][expiry]") {
    Config c = base_config();
    c.max_sessions = 4096;
    c.max_sessions_per_host = 4096;
    c.max_ports_per_host = 65535;
    Napt n = make_napt(c);
    for (std::uint16_t i = 0; i < 2000; ++i) REQUIRE(out(n, udp_packet(lan_a, static_cast<std::uint16_t>(1024 + i), remote_x, 53), 0).outcome.ok());
    CHECK(n.session_count() == 2000);
    SECTION("new sessions sweep a few entries each") {
        // 2000 new sessions after the first ones expired move the hand past every slot.
        for (std::uint16_t i = 0; i < 2000; ++i)
            REQUIRE(out(n, udp_packet(lan_b, static_cast<std::uint16_t>(1024 + i), remote_x, 53), 1000).outcome.ok());
        CHECK(n.session_count() == 2000);
        CHECK(n.counters().sessions_expired == 2000);
        CHECK(n.counters().mappings_removed == 2000);
        CHECK(n.host_usage(net::Ipv4Address{lan_a}).sessions == 0);
    }
    SECTION("expire() with a budget") {
        CHECK(n.expire(at_s(100), n.session_slots()) == 0);  // nothing is due yet
        std::size_t removed = 0;
        // A step is an advance or a removal: slots + 2000 steps cover everything.
        for (int tick = 0; tick < 16; ++tick) removed += n.expire(at_s(400 + tick), n.session_slots() / 8);
        CHECK(n.expire(at_s(500), 1) == 0);
        CHECK(removed == 2000);
        CHECK(n.session_count() == 0);
        CHECK(n.mapping_count() == 0);
        CHECK(n.host_count() == 0);
    }
    SECTION("a live session survives the sweep") {
        REQUIRE(out(n, udp_packet(lan_a, 1024, remote_x, 53), 200).outcome.ok());
        n.expire(at_s(400), 2 * n.session_slots());
        CHECK(n.session_count() == 1);
        CHECK(n.find_mapping(Protocol::udp, net::Ipv4Address{lan_a}, 1024, at_s(400))->live);
    }
}
