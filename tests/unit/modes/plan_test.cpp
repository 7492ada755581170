#include <catch2/catch.hpp>

#include "modes/dslite/plan.hpp"
#include "modes/evaluate.hpp"
#include "modes/lw4o6/plan.hpp"
#include "modes/mape/plan.hpp"

using namespace s46;
using namespace s46::modes;

namespace {

net::Ipv6Address v6(const char* s) { return *net::Ipv6Address::parse(s); }
net::Ipv6Prefix p6(const char* s) { return *net::Ipv6Prefix::parse(s); }
net::Ipv4Prefix p4(const char* s) { return *net::Ipv4Prefix::parse(s); }

PlanContext ctx56() {
    PlanContext c;
    c.delegated_prefixes = {p6("2001:db8:12:3400::/56")};
    return c;
}

provision::MapEContainer rfc7597_domain(bool fmr) {
    provision::MapEContainer c;
    provision::Rule r;
    r.forwarding = fmr;
    r.ea_len = 16;
    r.ipv4_prefix = p4("192.0.2.0/24");
    r.ipv6_prefix = p6("2001:db8::/40");
    c.rules.push_back(r);
    c.brs.push_back(v6("2001:db8:ffff::1"));
    return c;
}

provision::LwContainer lw_domain(std::uint8_t k = 8, std::uint16_t psid = 0x34) {
    provision::LwContainer c;
    provision::V4v6Bind b;
    b.ipv4 = net::Ipv4Address(192, 0, 2, 18);
    b.bind_prefix = p6("2001:db8:12:3400::/56");
    b.port_params = provision::PortParams{0, k, psid};
    c.bind = b;
    c.brs.push_back(v6("2001:db8:ffff::2"));
    return c;
}

}  // namespace

TEST_CASE("DS-Lite plan: B4 192.0.0.2, no NAT, everything to the AFTR", "[modes][dslite]") {
    provision::S46OptionSet o;
    o.aftr_name = "aftr.example.com";
    auto p = dslite::build_plan(o, ctx56());
    REQUIRE(p.ok());
    CHECK(p->ipv4 == net::Ipv4Prefix(net::Ipv4Address(192, 0, 0, 2), 32));
    CHECK_FALSE(p->napt);
    CHECK(p->remote_name == "aftr.example.com");
    CHECK_FALSE(p->tunnel_remote);  // resolved later
    CHECK(p->tunnel_local == v6("2001:db8:12:3400::1"));
    REQUIRE(p->forwarding.size() == 1);
    CHECK(p->forwarding[0].prefix.length == 0);
    CHECK(p->tunnel_mtu == 1460);
    // The IA_NA address is preferred as the softwire source.
    PlanContext c = ctx56();
    c.wan_address = v6("2001:db8:1::5");
    CHECK(dslite::build_plan(o, c)->tunnel_local == v6("2001:db8:1::5"));
    CHECK(dslite::build_plan(o, PlanContext{}).error() ==
          "no IPv6 address to source the tunnel from (no IA_NA address and no delegated prefix)");
    CHECK(dslite::build_plan(provision::S46OptionSet{}, ctx56()).error() == "no valid AFTR-Name (option 64)");
}

TEST_CASE("lw4o6 plan: RFC 7596 5.1 tunnel source, port set with a = 0, NAPT on", "[modes][lw4o6]") {
    provision::S46OptionSet o;
    o.lw.push_back(lw_domain());
    auto p = lw4o6::build_plan(o, ctx56());
    REQUIRE(p.ok());
    CHECK(p->tunnel_local == v6("2001:db8:12:3400:0:c000:212:34"));
    CHECK(p->tunnel_remote == v6("2001:db8:ffff::2"));
    CHECK(p->ipv4 == p4("192.0.2.18/32"));
    CHECK(p->ports == PortSetParams{0, 8, 0x34});
    CHECK(p->napt);
    CHECK_FALSE(p->lan_routed_prefix);
}

TEST_CASE("lw4o6 with a full address still runs NAPT44 over the whole port range", "[modes][lw4o6]") {
    provision::S46OptionSet o;
    o.lw.push_back(lw_domain(0, 0));
    auto p = lw4o6::build_plan(o, ctx56());
    REQUIRE(p.ok());
    CHECK(p->ports.psid_len == 0);
    CHECK(p->napt);
    CHECK(p->tunnel_local == v6("2001:db8:12:3400:0:c000:212:0"));
}

TEST_CASE("GI-4over6: NAPT off, the address or prefix routed to the LAN", "[modes][lw4o6][gi]") {
    provision::S46OptionSet o;
    o.lw.push_back(lw_domain(0, 0));
    PlanContext c = ctx56();
    c.gi4over6 = true;
    auto p = lw4o6::build_plan(o, c);
    REQUIRE(p.ok());
    CHECK_FALSE(p->napt);
    CHECK(p->lan_routed_prefix == p4("192.0.2.18/32"));
    c.gi4over6_prefix = p4("192.0.2.16/29");
    CHECK(lw4o6::build_plan(o, c)->lan_routed_prefix == p4("192.0.2.16/29"));
    c.gi4over6_prefix = p4("198.51.100.0/29");
    CHECK(lw4o6::build_plan(o, c).error() == "GI-4over6 prefix 198.51.100.0/29 does not cover the binding address 192.0.2.18");
    o.lw[0] = lw_domain();
    c.gi4over6_prefix.reset();
    CHECK(lw4o6::build_plan(o, c).error() == "GI-4over6 needs a full IPv4 address, but the binding has PSID length 8");
}

TEST_CASE("lw4o6 rejections name what is missing", "[modes][lw4o6]") {
    provision::S46OptionSet o;
    CHECK(lw4o6::build_plan(o, ctx56()).error() == "no valid lw4o6 container (option 96)");
    auto c = lw_domain();
    c.bind.reset();
    o.lw.push_back(c);
    CHECK(lw4o6::build_plan(o, ctx56()).error() == "no V4V6BIND and no DHCPv4-over-DHCPv6 server (option 88) for lw4o6 via DHCP 4o6");
    o.lw[0] = lw_domain();
    o.lw[0].bind->bind_prefix = p6("2001:db8:99::/48");
    auto r = lw4o6::build_plan(o, ctx56());
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().find("2001:db8:99::/48") != std::string::npos);
}

TEST_CASE("MAP-E plan: RFC 7597 Appendix A example 1", "[modes][mape]") {
    provision::S46OptionSet o;
    o.mape.push_back(rfc7597_domain(true));
    auto p = mape::build_plan(o, ctx56());
    REQUIRE(p.ok());
    CHECK(p->ipv4 == p4("192.0.2.18/32"));
    CHECK(p->ports == PortSetParams{6, 8, 52});
    CHECK(p->tunnel_local == v6("2001:db8:12:3400:0:c000:212:34"));
    CHECK(p->tunnel_remote == v6("2001:db8:ffff::1"));
    CHECK(p->napt);
    REQUIRE(p->fmrs.size() == 1);
    REQUIRE(p->forwarding.size() == 2);
    CHECK(p->forwarding[1].prefix == p4("192.0.2.0/24"));
    CHECK(p->forwarding[1].fmr == 0u);
}

TEST_CASE("MAP-E: F = 0 means hub-and-spoke, FMRs sorted longest IPv4 prefix first", "[modes][mape]") {
    provision::S46OptionSet o;
    o.mape.push_back(rfc7597_domain(false));
    auto p = mape::build_plan(o, ctx56());
    REQUIRE(p.ok());
    CHECK(p->fmrs.empty());
    CHECK(p->forwarding.size() == 1);

    provision::Rule wide;
    wide.forwarding = true;
    wide.ea_len = 24;
    wide.ipv4_prefix = p4("198.51.0.0/16");
    wide.ipv6_prefix = p6("2001:db8:4000::/34");
    provision::Rule narrow = wide;
    narrow.ipv4_prefix = p4("198.51.100.0/24");
    narrow.ea_len = 16;
    narrow.ipv6_prefix = p6("2001:db8:8000::/40");
    o.mape[0].rules.push_back(wide);
    o.mape[0].rules.push_back(narrow);
    p = mape::build_plan(o, ctx56());
    REQUIRE(p.ok());
    REQUIRE(p->fmrs.size() == 2);
    CHECK(p->fmrs[0].ipv4_prefix == p4("198.51.100.0/24"));
    CHECK(p->fmrs[1].ipv4_prefix == p4("198.51.0.0/16"));
}

TEST_CASE("MAP-E without a BMR for any delegated prefix is unusable, and says why", "[modes][mape]") {
    provision::S46OptionSet o;
    o.mape.push_back(rfc7597_domain(true));
    PlanContext c;
    c.delegated_prefixes = {p6("2001:db9:1::/56")};
    auto r = mape::build_plan(o, c);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().rfind("no BMR for delegated prefix 2001:db9:1::/56: ", 0) == 0);
    CHECK(mape::build_plan(o, PlanContext{}).error() == "no delegated prefix to derive a MAP-E binding from");
}

TEST_CASE("MAP-E with two domains takes the first that has a BMR", "[modes][mape]") {
    provision::S46OptionSet o;
    auto other = rfc7597_domain(true);
    other.rules[0].ipv6_prefix = p6("2001:db9::/40");
    o.mape.push_back(other);
    o.mape.push_back(rfc7597_domain(true));
    auto p = mape::build_plan(o, ctx56());
    REQUIRE(p.ok());
    CHECK(p->ipv4 == p4("192.0.2.18/32"));
}

TEST_CASE("MAP-E legacy IID only on request", "[modes][mape]") {
    provision::S46OptionSet o;
    o.mape.push_back(rfc7597_domain(true));
    PlanContext c = ctx56();
    c.legacy_iid = true;
    auto p = mape::build_plan(o, c);
    REQUIRE(p.ok());
    CHECK(p->tunnel_local == v6("2001:db8:12:3400:c0:2:1200:3400"));
}

TEST_CASE("plans compare equal when nothing changed", "[modes]") {
    provision::S46OptionSet o;
    o.mape.push_back(rfc7597_domain(true));
    CHECK(*mape::build_plan(o, ctx56()) == *mape::build_plan(o, ctx56()));
    auto o2 = o;
    o2.mape[0].brs[0] = v6("2001:db8:ffff::9");
    CHECK_FALSE(*mape::build_plan(o, ctx56()) == *mape::build_plan(o2, ctx56()));
}

TEST_CASE("evaluate: candidates are the modes whose plan builds", "[modes][evaluate]") {
    provision::S46OptionSet o;
    o.aftr_name = "aftr.example.com";
    o.mape.push_back(rfc7597_domain(true));
    o.lw.push_back(lw_domain());
    select::Policy policy;
    auto ev = evaluate(o, ctx56(), policy);
    CHECK(ev.decision.mode == select::Mode::mape);
    REQUIRE(ev.plan);
    CHECK(ev.plan->mode == select::Mode::mape);
    o.priority = std::vector<std::uint16_t>{96};
    ev = evaluate(o, ctx56(), policy);
    CHECK(ev.decision.mode == select::Mode::lw4o6);
    CHECK(ev.plan->mode == select::Mode::lw4o6);
    // An offered container without a BMR is reported as ignored, with the plan builder's reason.
    PlanContext c;
    c.delegated_prefixes = {p6("2001:db9:1::/56")};
    o.priority.reset();
    o.lw.clear();
    ev = evaluate(o, c, policy);
    CHECK(ev.decision.mode == select::Mode::dslite);
    REQUIRE(ev.rejected.size() == 1);
    CHECK(ev.rejected[0].option == 94);
    CHECK(ev.rejected[0].why.rfind("no BMR for delegated prefix", 0) == 0);
}
