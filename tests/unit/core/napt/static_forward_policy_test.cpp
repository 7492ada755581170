// The pure static-forward policy (core/napt/static_forward.hpp): what is refused and how the
// message reads, and which forwards a plan change enables or disables.
#include <catch2/catch.hpp>

#include "core/napt/static_forward.hpp"

using namespace s46;
using namespace s46::napt;
using Catch::Matchers::Contains;
using Catch::Matchers::Equals;
using Catch::Matchers::StartsWith;

namespace {

// A MAP-E CE with PSID 52 of 8 bits at offset 6 (RFC 7597 Appendix A's parameters): 63 ranges
// of 4 ports, 1232-1235 the first.
plan::Plan map_plan(std::uint16_t psid = 52) {
    plan::Plan p;
    p.mode = select::Mode::mape;
    p.ipv4 = net::Ipv4Prefix(net::Ipv4Address(192, 0, 2, 52), 32);
    p.ports = {6, 8, psid};
    p.napt = true;
    return p;
}

StaticForward fwd(Protocol p, std::uint16_t port, net::Ipv4Address a, std::uint16_t lan_port = 0) { return {p, port, a, lan_port}; }

const net::Ipv4Address host(192, 168, 1, 10);

}  // namespace

TEST_CASE("static forward policy: a port outside the set is refused naming the set", "[napt][static]") {
    const plan::Plan p = map_plan();
    auto r = validate_new_forward(&p, {}, fwd(Protocol::tcp, 80, host));
    REQUIRE_FALSE(r.ok());
    CHECK_THAT(r.error(), Equals("port 80 is not in this CPE's port set (192.0.2.52, PSID 52 of 8 bits, offset 6: "
                                 "1232-1235, 2256-2259, ... 63 ranges)"));
    CHECK_THAT(validate_new_forward(&p, {}, fwd(Protocol::udp, 1236, host)).error(), StartsWith("port 1236 is not in"));
}

TEST_CASE("static forward policy: a port inside the set is accepted; LAN port defaults to it", "[napt][static]") {
    const plan::Plan p = map_plan();
    auto r = validate_new_forward(&p, {}, fwd(Protocol::tcp, 1233, host));
    REQUIRE(r.ok());
    CHECK(r->lan_port == 1233);
    auto s = validate_new_forward(&p, {}, fwd(Protocol::udp, 2258, host, 53));
    REQUIRE(s.ok());
    CHECK(s->lan_port == 53);
}

TEST_CASE("static forward policy: duplicates are refused", "[napt][static]") {
    const plan::Plan p = map_plan();
    const std::vector<StaticForward> have{fwd(Protocol::tcp, 1233, host, 22)};
    CHECK_THAT(validate_new_forward(&p, have, fwd(Protocol::tcp, 1233, net::Ipv4Address(192, 168, 1, 11))).error(),
               Equals("tcp port 1233 is already forwarded (tcp 1233 -> 192.168.1.10:22); delete it first"));
    CHECK_THAT(validate_new_forward(&p, have, fwd(Protocol::tcp, 1234, host, 22)).error(),
               StartsWith("192.168.1.10:22 is already reached through tcp port 1233"));
    CHECK(validate_new_forward(&p, have, fwd(Protocol::udp, 1233, host, 22)).ok());  // UDP is another namespace
}

TEST_CASE("static forward policy: the LAN address must be one unicast host", "[napt][static]") {
    const plan::Plan p = map_plan();
    CHECK_THAT(validate_new_forward(&p, {}, fwd(Protocol::tcp, 1233, net::Ipv4Address(0, 0, 0, 0))).error(), Contains("0.0.0.0/8"));
    CHECK_THAT(validate_new_forward(&p, {}, fwd(Protocol::tcp, 1233, net::Ipv4Address(255, 255, 255, 255))).error(),
               Equals("255.255.255.255 is the broadcast address, not a LAN host"));
    CHECK_THAT(validate_new_forward(&p, {}, fwd(Protocol::tcp, 1233, net::Ipv4Address(224, 0, 0, 1))).error(), Contains("multicast"));
    CHECK_THAT(validate_new_forward(&p, {}, fwd(Protocol::tcp, 1233, net::Ipv4Address(127, 0, 0, 1))).error(), Contains("loopback"));
    CHECK_THAT(validate_new_forward(&p, {}, fwd(Protocol::tcp, 1233, net::Ipv4Address(240, 0, 0, 1))).error(), Contains("reserved"));
    CHECK_FALSE(lan_address_problem(host));
}

TEST_CASE("static forward policy: no active mode, DS-Lite and GI-4over6 are refused saying why", "[napt][static]") {
    CHECK_THAT(validate_new_forward(nullptr, {}, fwd(Protocol::tcp, 1233, host)).error(), Contains("no active mode"));
    plan::Plan ds;
    ds.mode = select::Mode::dslite;
    ds.ipv4 = net::Ipv4Prefix(net::Ipv4Address(192, 0, 0, 2), 32);
    CHECK_THAT(validate_new_forward(&ds, {}, fwd(Protocol::tcp, 1233, host)).error(), Contains("the AFTR translates"));
    plan::Plan gi = map_plan();
    gi.mode = select::Mode::lw4o6;
    gi.ports = {};
    gi.napt = false;
    gi.ipv4 = net::Ipv4Prefix(net::Ipv4Address(198, 51, 100, 0), 29);
    CHECK_THAT(validate_new_forward(&gi, {}, fwd(Protocol::tcp, 1233, host)).error(),
               Contains("routes 198.51.100.0/29 to the LAN without NAPT44"));
}

TEST_CASE("static forward policy: full address ports below 1024 are out of NAPT use, named as such", "[napt][static]") {
    plan::Plan p = map_plan();
    p.mode = select::Mode::lw4o6;
    p.ports = {};
    CHECK_THAT(validate_new_forward(&p, {}, fwd(Protocol::tcp, 80, host)).error(), Contains("below 1024"));
    CHECK_THAT(validate_new_forward(&p, {}, fwd(Protocol::tcp, 0, host, 1)).error(), Contains("port 0"));
    CHECK(validate_new_forward(&p, {}, fwd(Protocol::tcp, 8080, host)).ok());
    CHECK(describe_port_set(p) == "192.0.2.52, every port");
}

TEST_CASE("static forward policy: a PSID change disables a forward and a later one enables it again", "[napt][static]") {
    const std::vector<StaticForward> list{fwd(Protocol::tcp, 1233, host, 22), fwd(Protocol::udp, 2256, host, 53)};
    const plan::Plan p52 = map_plan(52), p53 = map_plan(53);
    const auto a = evaluate_forwards(&p52, list);
    REQUIRE(a.size() == 2);
    CHECK(a[0].enabled);
    CHECK(a[1].enabled);
    CHECK(enabled_forwards(a) == list);

    // PSID 53 owns 1236-1239, 2260-2263, ...: neither port.
    const auto b = evaluate_forwards(&p53, list);
    CHECK_FALSE(b[0].enabled);
    CHECK_THAT(b[0].why_disabled, StartsWith("port 1233 is not in this CPE's port set (192.0.2.52, PSID 53 of 8 bits"));
    CHECK(enabled_forwards(b).empty());
    const auto down = forward_changes(a, b);
    REQUIRE(down.size() == 2);
    CHECK_THAT(down[0], StartsWith("static forward tcp 1233 -> 192.168.1.10:22 disabled: port 1233 is not in"));

    const auto c = evaluate_forwards(&p52, list);
    const auto up = forward_changes(b, c);
    REQUIRE(up.size() == 2);
    CHECK(up[0] == "static forward tcp 1233 -> 192.168.1.10:22 enabled again");
    CHECK(forward_changes(c, c).empty());

    // No active mode: configured, disabled, saying why.
    const auto none = evaluate_forwards(nullptr, list);
    CHECK_FALSE(none[0].enabled);
    CHECK_THAT(none[0].why_disabled, Contains("no active mode"));
}

TEST_CASE("static forward policy: protocol names", "[napt][static]") {
    CHECK(forward_protocol_named("tcp") == Protocol::tcp);
    CHECK(forward_protocol_named("udp") == Protocol::udp);
    CHECK_FALSE(forward_protocol_named("icmp"));
    CHECK_FALSE(forward_protocol_named("TCP"));
    CHECK(describe(fwd(Protocol::udp, 2258, host, 53)) == "udp 2258 -> 192.168.1.10:53");
}
