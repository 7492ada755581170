// Outbound next hop (draft-ietf-softwire-unified-cpe §3.4; RFC 7597 §5.3/§5.4): core/lpm for the
// prefix match, core/map for the CE address; checked against core/map's reference next_hop().
#include <random>

#include "core/dataplane/forwarder.hpp"
#include "core/map/forwarding.hpp"
#include "tests/unit/core/dataplane/dp_fixture.hpp"

using namespace s46;
using namespace s46::dataplane;
using namespace s46::dataplane::test;

namespace {

PlanForwarder build(const modes::Plan& plan) {
    std::vector<std::string> notes;
    auto f = PlanForwarder::build(plan, notes);
    REQUIRE(f.ok());
    return *f;
}

}  // namespace

TEST_CASE("forwarder: DS-Lite and lw4o6 send everything to the remote endpoint", "[dataplane][forwarder]") {
    auto ds = build(dslite_plan());
    CHECK(ds.next_hop(net::Ipv4Address(server), 80) == NextHop{NextHop::Via::remote, aftr});
    CHECK(ds.next_hop(net::Ipv4Address(ce_address), 80) == NextHop{NextHop::Via::remote, aftr});
    CHECK_FALSE(ds.uses_ports());
    auto lw = build(lw4o6_plan());
    CHECK(lw.next_hop(net::Ipv4Address(peer_ipv4), peer_port) == NextHop{NextHop::Via::remote, br});
}

TEST_CASE("forwarder: unresolved AFTR or no default route gives no next hop", "[dataplane][forwarder]") {
    auto plan = dslite_plan();
    plan.tunnel_remote.reset();
    CHECK(build(plan).next_hop(net::Ipv4Address(server), 0).via == NextHop::Via::none);
    plan = dslite_plan();
    plan.forwarding.clear();
    CHECK(build(plan).next_hop(net::Ipv4Address(server), 0).via == NextHop::Via::none);
}

TEST_CASE("forwarder: MAP-E mesh goes to the peer's MAP address, the rest to the BR (RFC 7597 §5.3, §5.4)",
          "[dataplane][forwarder][rfc7597]") {
    auto f = build(mape_plan(true));
    CHECK(f.uses_ports());
    CHECK(f.next_hop(net::Ipv4Address(peer_ipv4), peer_port) == NextHop{NextHop::Via::fmr, peer_ce});
    CHECK(f.next_hop(net::Ipv4Address(server), 80) == NextHop{NextHop::Via::remote, br});
    // Hub-and-spoke: no FMR, so even the peer goes through the BR.
    auto hub = build(mape_plan(false));
    CHECK(hub.next_hop(net::Ipv4Address(peer_ipv4), peer_port) == NextHop{NextHop::Via::remote, br});
}

TEST_CASE("forwarder: longest FMR wins when prefixes nest (vector lpm-two-fmrs)", "[dataplane][forwarder][rfc7597]") {
    auto plan = mape_plan(true);
    map::Rule wide;
    wide.ipv6_prefix = p6("2001:db8:2::/48");
    wide.ipv4_prefix = p4("192.0.0.0/16");
    wide.ea_len = 24;
    wide.forwarding = true;
    // plan.fmrs is longest-first (modes/mape/plan.cpp); the /16 goes after the /24.
    plan.fmrs.push_back(wide);
    plan.forwarding.push_back({wide.ipv4_prefix, 1});
    auto f = build(plan);
    CHECK(f.next_hop(net::Ipv4Address(peer_ipv4), peer_port) == NextHop{NextHop::Via::fmr, peer_ce});
    auto other = map::ce_address(wide, net::Ipv4Address(192, 0, 3, 4), 5000, map::kMapEDefaultPsidOffset);
    REQUIRE(other.ok());
    CHECK(f.next_hop(net::Ipv4Address(192, 0, 3, 4), 5000) == NextHop{NextHop::Via::fmr, *other});
}

TEST_CASE("forwarder: a rule pinning one CE's PSID is port-aware; other ports fall through (RFC 7597 App. A Ex. 5)",
          "[dataplane][forwarder][rfc7597]") {
    auto plan = mape_plan(true);
    map::Rule one;  // 192.0.2.100 shared by PSID 5/4 at offset 6: r = 32, o = 0
    one.ipv6_prefix = p6("2001:db8:77::/48");
    one.ipv4_prefix = p4("192.0.2.100/32");
    one.ea_len = 0;
    one.explicit_psid = map::ExplicitPsid{4, 5};
    one.forwarding = true;
    plan.fmrs.insert(plan.fmrs.begin(), one);
    plan.forwarding = {{net::Ipv4Prefix{}, std::nullopt}, {one.ipv4_prefix, 0}, {example1_rule().ipv4_prefix, 1}};
    auto f = build(plan);
    auto ports = map::PortSet::make(6, 4, 5);
    REQUIRE(ports.ok());
    const std::uint16_t in_set = ports->ranges().front().first, outside = static_cast<std::uint16_t>(in_set + 64);  // next PSID
    REQUIRE(!ports->contains(outside));
    auto pinned = map::next_hop(plan.fmrs, br, net::Ipv4Address(192, 0, 2, 100), in_set, map::kMapEDefaultPsidOffset);
    REQUIRE(pinned.ok());
    CHECK(f.next_hop(net::Ipv4Address(192, 0, 2, 100), in_set) == NextHop{NextHop::Via::fmr, pinned->address});
    // Another port of that address: the /24 Ex. 1 rule decides instead.
    auto fallback = map::next_hop(plan.fmrs, br, net::Ipv4Address(192, 0, 2, 100), outside, map::kMapEDefaultPsidOffset);
    REQUIRE(fallback.ok());
    CHECK(map::select_fmr(plan.fmrs, net::Ipv4Address(192, 0, 2, 100), outside, map::kMapEDefaultPsidOffset) ==
          std::optional<std::size_t>(1));
    CHECK(f.next_hop(net::Ipv4Address(192, 0, 2, 100), outside) == NextHop{NextHop::Via::fmr, fallback->address});
}

TEST_CASE("forwarder: agrees with map::next_hop on random destinations", "[dataplane][forwarder][rfc7597]") {
    auto plan = mape_plan(true);
    map::Rule wide = example1_rule();
    wide.ipv6_prefix = p6("2001:db8:8000::/33");
    wide.ipv4_prefix = p4("198.51.0.0/16");
    wide.ea_len = 20;  // q = 4
    wide.psid_offset = 4;
    plan.fmrs.push_back(wide);
    plan.forwarding.push_back({wide.ipv4_prefix, 1});
    auto f = build(plan);
    std::mt19937 rng(7);
    for (int i = 0; i < 2000; ++i) {
        std::uint32_t a = rng();
        if (i % 3 == 0) a = 0xc0000200u | (a & 0xff);    // 192.0.2.x
        if (i % 3 == 1) a = 0xc6330000u | (a & 0xffff);  // 198.51.x.x
        const auto port = static_cast<std::uint16_t>(rng());
        auto ref = map::next_hop(plan.fmrs, br, net::Ipv4Address(a), port, map::kMapEDefaultPsidOffset);
        REQUIRE(ref.ok());
        const NextHop got = f.next_hop(net::Ipv4Address(a), port);
        INFO(net::Ipv4Address(a).to_string() << ":" << port);
        CHECK(got.address == ref->address);
        CHECK((got.via == NextHop::Via::fmr) == (ref->via == map::NextHop::Via::fmr));
    }
}

TEST_CASE("forwarder: an FMR no packet can use is left out with a note", "[dataplane][forwarder]") {
    auto plan = mape_plan(true);
    map::Rule bad = example1_rule();
    bad.ipv4_prefix = p4("10.0.0.0/8");
    bad.ea_len = 40;  // q = 16: with the default offset 6 the PSID does not fit (a + q > 16)
    plan.fmrs.push_back(bad);
    plan.forwarding.push_back({bad.ipv4_prefix, 1});
    std::vector<std::string> notes;
    auto f = PlanForwarder::build(plan, notes);
    REQUIRE(f.ok());
    REQUIRE(notes.size() == 1);
    CHECK(notes[0].find("10.0.0.0/8") != std::string::npos);
    CHECK(f->next_hop(net::Ipv4Address(10, 1, 2, 3), 4000) == NextHop{NextHop::Via::remote, br});
}

TEST_CASE("forwarder: a forwarding entry naming a missing FMR is refused", "[dataplane][forwarder]") {
    auto plan = mape_plan(true);
    plan.forwarding.push_back({p4("10.0.0.0/8"), 9});
    std::vector<std::string> notes;
    CHECK_FALSE(PlanForwarder::build(plan, notes).ok());
}

TEST_CASE("forwarder: draft-03 domains address peers with the legacy interface identifier", "[dataplane][forwarder]") {
    auto plan = mape_plan(true);
    plan.legacy_iid = true;
    auto f = build(plan);
    // draft-03: 8 zero bits | IPv4 | PSID | 8 zero bits.
    CHECK(f.next_hop(net::Ipv4Address(peer_ipv4), peer_port) == NextHop{NextHop::Via::fmr, v6("2001:db8:13:5600:c0:2:1300:5600")});
}
