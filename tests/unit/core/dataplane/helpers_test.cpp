// The small pieces of the data path: path MTU cache (RFC 2473 §6.7, RFC 8201 §4), ICMP rate
// limit (RFC 1812 §4.3.2.8), ECN on decapsulation (RFC 6040 §4.2), flow ports (RFC 7597 §8.2),
// ICMPv4 error construction (RFC 1812 §4.3.2.3, §4.3.2.7), martians, drop reason names.
#include <set>
#include <string>

#include "core/dataplane/counters.hpp"
#include "core/dataplane/ecn.hpp"
#include "core/dataplane/flow_ports.hpp"
#include "core/dataplane/icmp_error.hpp"
#include "core/dataplane/martians.hpp"
#include "core/dataplane/path_mtu.hpp"
#include "core/dataplane/rate_limiter.hpp"
#include "tests/unit/core/dataplane/dp_fixture.hpp"

using namespace s46;
using namespace s46::dataplane;
using namespace s46::dataplane::test;

TEST_CASE("path MTU: lowered by reports, aged out after the lifetime, bounded", "[dataplane][pmtu]") {
    PathMtuCache c(2, std::chrono::minutes(10));
    CHECK(c.lookup(aftr, 1460, at_s(0)) == 1460);
    CHECK(c.lower(aftr, 1400, at_s(0)));
    CHECK_FALSE(c.lower(aftr, 1420, at_s(1)));  // only lowers
    CHECK(c.lookup(aftr, 1460, at_s(1)) == 1400);
    CHECK(c.lookup(aftr, 1300, at_s(1)) == 1300);  // never above the tunnel MTU
    CHECK(c.lookup(br, 1460, at_s(1)) == 1460);
    CHECK(c.lookup(aftr, 1460, at_s(600)) == 1460);  // RFC 8201 §4: 10 minutes
    CHECK(c.lower(br, 1300, at_s(2)));
    CHECK(c.lower(peer_ce, 1280, at_s(3)));  // full: the oldest (aftr) goes
    CHECK(c.size() == 2);
    CHECK(c.lookup(aftr, 1460, at_s(3)) == 1460);
    CHECK(c.lookup(peer_ce, 1460, at_s(3)) == 1280);
    c.expire(at_s(602));
    CHECK(c.size() == 1);
}

TEST_CASE("rate limit: a burst, then the steady rate; rate 0 switches errors off", "[dataplane][icmp]") {
    TokenBucket b(10, 3);  // 10 per second, burst 3
    CHECK(b.take(at_s(0)));
    CHECK(b.take(at_s(0)));
    CHECK(b.take(at_s(0)));
    CHECK_FALSE(b.take(at_s(0)));
    CHECK(b.take(Time{std::chrono::milliseconds(100)}));
    CHECK_FALSE(b.take(Time{std::chrono::milliseconds(150)}));
    TokenBucket off(0, 5);
    CHECK_FALSE(off.take(at_s(0)));
}

TEST_CASE("ECN on decapsulation follows RFC 6040 §4.2", "[dataplane][rfc6040]") {
    constexpr std::uint8_t not_ect = 0, ect1 = 1, ect0 = 2, ce = 3;
    CHECK(decapsulated_ecn(not_ect, not_ect) == not_ect);
    CHECK(decapsulated_ecn(not_ect, ect0) == not_ect);
    CHECK(decapsulated_ecn(not_ect, ect1) == not_ect);
    CHECK_FALSE(decapsulated_ecn(not_ect, ce).has_value());
    CHECK(decapsulated_ecn(ect0, not_ect) == ect0);
    CHECK(decapsulated_ecn(ect0, ect0) == ect0);
    CHECK(decapsulated_ecn(ect0, ect1) == ect1);
    CHECK(decapsulated_ecn(ect0, ce) == ce);
    CHECK(decapsulated_ecn(ect1, ect0) == ect1);
    CHECK(decapsulated_ecn(ect1, ce) == ce);
    CHECK(decapsulated_ecn(ce, ect0) == ce);
    CHECK(decapsulated_ecn(ce, not_ect) == ce);
}

TEST_CASE("flow ports: transport ports, echo identifiers, quoted ports of errors swapped", "[dataplane][rfc7597]") {
    auto ports = [](const Bytes& p) { return flow_ports(*net::ConstIpv4View::parse(p)); };
    CHECK(ports(udp_packet(lan_host, 1234, server, 53)) == FlowPorts{1234, 53});
    CHECK(ports(tcp_packet(lan_host, 1234, server, 80, 0x02)) == FlowPorts{1234, 80});
    CHECK(ports(echo_packet(lan_host, server, 8, 0x4242)) == FlowPorts{0x4242, 0x4242});
    // A port unreachable from the server about our packet to it: the sender's port is the quoted destination.
    const Bytes err = icmp_error(server, ce_address, 3, 3, udp_packet(ce_address, 13400, server, 53));
    CHECK(ports(err) == FlowPorts{53, 13400});
    // No errors about errors, no other protocols, no non-first fragments.
    CHECK_FALSE(ports(icmp_error(server, ce_address, 3, 1, err)).has_value());
    Bytes gre = udp_packet(lan_host, 1, server, 2);
    gre[9] = 47;
    fix_ipv4_checksum(gre);
    CHECK_FALSE(ports(gre).has_value());
    auto frags = fragments(udp_packet(lan_host, 1, server, 2, 600), 256);
    CHECK(ports(frags[0]) == FlowPorts{1, 2});
    CHECK_FALSE(ports(frags[1]).has_value());
}

TEST_CASE("ICMPv4 errors: quote cut at 576 bytes, checksums right (RFC 1812 §4.3.2.3)", "[dataplane][icmp]") {
    std::array<std::uint8_t, kIcmpErrorMaxSize> buf{};
    const Bytes offending = udp_packet(lan_host, 1000, server, 53, 1400);
    auto e = build_icmp_error(buf, net::Ipv4Address(ce_address), net::Ipv4Address(lan_host), 3, 4, 1400, offending, 7);
    CHECK(e.size() == 576);
    const Bytes b = bytes(e);
    CHECK(b[1] == 0xc0);  // RFC 1812 §4.3.2.5
    CHECK(b[9] == 1);
    CHECK(get16(b, 26) == 1400);  // next-hop MTU (RFC 1191 §4)
    CHECK(checksums_ok(b));
    CHECK(Bytes(b.begin() + 28, b.begin() + 48) == Bytes(offending.begin(), offending.begin() + 20));
    auto small = build_icmp_error(buf, net::Ipv4Address(ce_address), net::Ipv4Address(lan_host), 11, 0, 0,
                                  udp_packet(lan_host, 1, server, 2), 8);
    CHECK(small.size() == 28 + 20 + 16);
    CHECK(checksums_ok(bytes(small)));
}

TEST_CASE("ICMPv4 errors: never about errors, fragments, multicast or odd sources (RFC 1812 §4.3.2.7)", "[dataplane][icmp]") {
    auto may = [](const Bytes& p) { return may_send_icmp_error(*net::ConstIpv4View::parse_embedded(p)); };
    CHECK(may(udp_packet(lan_host, 1, server, 2)));
    CHECK(may(echo_packet(lan_host, server, 8, 1)));
    CHECK_FALSE(may(icmp_error(server, lan_host, 3, 1, udp_packet(lan_host, 1, server, 2))));
    CHECK_FALSE(may(fragments(udp_packet(lan_host, 1, server, 2, 600), 256)[1]));
    CHECK_FALSE(may(udp_packet(lan_host, 1, v4(224, 0, 0, 251), 5353)));
    CHECK_FALSE(may(udp_packet(lan_host, 1, 0xffffffffu, 67)));
    CHECK_FALSE(may(udp_packet(0, 68, server, 67)));
    CHECK_FALSE(may(udp_packet(v4(127, 0, 0, 1), 1, server, 2)));
}

TEST_CASE("martians (RFC 1812 §5.3.7)", "[dataplane]") {
    CHECK(martian_source(net::Ipv4Address(0, 1, 2, 3)));
    CHECK(martian_source(net::Ipv4Address(127, 0, 0, 1)));
    CHECK(martian_source(net::Ipv4Address(224, 0, 0, 1)));
    CHECK(martian_source(net::Ipv4Address(255, 255, 255, 255)));
    CHECK_FALSE(martian_source(net::Ipv4Address(lan_host)));
    CHECK(martian_destination(net::Ipv4Address(239, 1, 1, 1)));
    CHECK(martian_destination(net::Ipv4Address(255, 255, 255, 255)));
    CHECK_FALSE(martian_destination(net::Ipv4Address(240, 0, 0, 1)));
    CHECK_FALSE(martian_destination(net::Ipv4Address(server)));
}

TEST_CASE("drop reasons: unique exported names, every one described and counted", "[dataplane]") {
    std::set<std::string> names;
    Counters c;
    for (std::size_t i = 0; i < kDropReasonCount; ++i) {
        const auto r = static_cast<DropReason>(i);
        CHECK(names.insert(std::string(to_string(r))).second);
        CHECK(to_string(r).substr(0, 5) == "drop_");
        CHECK_FALSE(describe(r).empty());
        ++c.drop(r);
    }
    CHECK(c.total_drops() == kDropReasonCount);
    std::size_t seen = 0;
    c.for_each([&](std::string_view name, std::uint64_t v) {
        if (name.substr(0, 5) == "drop_") {
            CHECK(v == 1);
            CHECK(names.count(std::string(name)) == 1);
            ++seen;
        }
    });
    CHECK(seen == kDropReasonCount);
}
