// Static provisioning (draft-ietf-softwire-unified-cpe §3.2): configured values win, DHCPv6 fills
// the gaps for the configured mode only, and the result builds the same plans a Reply would.
#include <catch2/catch.hpp>

#include "core/provision/static_provisioning.hpp"
#include "modes/evaluate.hpp"

using namespace s46;
using provision::StaticProvisioning;
using select::Mode;

namespace {

net::Ipv6Address v6(const char* s) { return *net::Ipv6Address::parse(s); }
net::Ipv6Prefix p6(const char* s) { return *net::Ipv6Prefix::parse(s); }
net::Ipv4Prefix p4(const char* s) { return *net::Ipv4Prefix::parse(s); }

modes::PlanContext ctx56() {
    modes::PlanContext c;
    c.delegated_prefixes = {p6("2001:db8:12:3400::/56")};
    return c;
}

provision::Rule rfc7597_rule() {
    provision::Rule r;
    r.ea_len = 16;
    r.ipv4_prefix = p4("192.0.2.0/24");
    r.ipv6_prefix = p6("2001:db8::/40");
    return r;
}

// A Reply offering all three modes, a 111 and DNS servers.
provision::S46OptionSet full_reply() {
    provision::S46OptionSet o;
    o.aftr_name = "aftr.example.net";
    provision::MapEContainer m;
    m.rules = {rfc7597_rule()};
    m.brs = {v6("2001:db8:ffff::1")};
    m.port_params = provision::PortParams{4, 0, 0};
    o.mape.push_back(m);
    provision::LwContainer lw;
    lw.brs = {v6("2001:db8:ffff::2")};
    lw.bind = provision::V4v6Bind{net::Ipv4Address(198, 51, 100, 7), p6("2001:db8:12:3400::/56"), provision::PortParams{0, 6, 3}};
    o.lw.push_back(lw);
    o.priority = std::vector<std::uint16_t>{94, 96, 64};
    o.dhcp4o6_servers.emplace();
    o.dns_servers = {v6("2001:db8::53")};
    o.rejected = {{89, "some earlier rejection"}};
    return o;
}

StaticProvisioning dslite_name(const char* name) {
    StaticProvisioning s;
    s.mode = Mode::dslite;
    s.dslite.aftr_name = name;
    return s;
}

}  // namespace

TEST_CASE("static: no static section leaves the Reply alone", "[static]") {
    CHECK(provision::merge_static(full_reply(), StaticProvisioning{}) == full_reply());
}

TEST_CASE("static DS-Lite: the configured AFTR wins, other modes and 111 are ignored, DNS kept", "[static]") {
    auto m = provision::merge_static(full_reply(), dslite_name("aftr.local.example"));
    CHECK(m.aftr_name == "aftr.local.example");
    CHECK(m.mape.empty());
    CHECK(m.lw.empty());
    CHECK_FALSE(m.priority);
    CHECK_FALSE(m.dhcp4o6_servers);
    CHECK(m.dns_servers == full_reply().dns_servers);  // resolves the name
    CHECK(m.rejected == full_reply().rejected);

    StaticProvisioning a;
    a.mode = Mode::dslite;
    a.dslite.aftr_address = v6("2001:db8::a");
    auto set = provision::to_option_set(a);
    REQUIRE(set.aftr_name);
    CHECK(*set.aftr_name == "2001:db8::a");
    CHECK(provision::is_aftr_address_literal(*set.aftr_name));
    CHECK_FALSE(provision::is_aftr_address_literal("aftr.example.net"));

    // The same plan as a Reply carrying the name.
    select::Policy pinned;
    pinned.configured = Mode::dslite;
    auto e = modes::evaluate(provision::to_option_set(dslite_name("aftr.local.example")), ctx56(), pinned);
    CHECK(e.decision.mode == Mode::dslite);
    REQUIRE(e.plan);
    CHECK(e.plan->remote_name == "aftr.local.example");
}

TEST_CASE("static lw4o6: a fully configured binding needs nothing from DHCP", "[static]") {
    StaticProvisioning s;
    s.mode = Mode::lw4o6;
    s.lw4o6.ipv4 = net::Ipv4Address(192, 0, 2, 18);
    s.lw4o6.port_params = provision::PortParams{0, 8, 0x34};
    s.lw4o6.aftr = v6("2001:db8:ffff::9");
    REQUIRE(provision::validate(s).ok());

    auto set = provision::to_option_set(s);
    REQUIRE(set.lw.size() == 1);
    CHECK(set.lw[0].brs == std::vector{v6("2001:db8:ffff::9")});
    REQUIRE(set.lw[0].bind);
    CHECK(set.lw[0].bind->bind_prefix == net::Ipv6Prefix());  // ::/0: any active prefix
    auto plan = modes::build_plan(Mode::lw4o6, set, ctx56());
    REQUIRE(plan.ok());
    CHECK(plan->ipv4 == net::Ipv4Prefix(net::Ipv4Address(192, 0, 2, 18), 32));
    CHECK(plan->ports.psid == 0x34);
    CHECK(plan->tunnel_remote == v6("2001:db8:ffff::9"));

    // Merged with a Reply: the static binding wins whole (the Reply's PSID is not mixed in), the
    // Reply's bind prefix fills the gap, the MAP-E container is dropped.
    auto m = provision::merge_static(full_reply(), s);
    CHECK(m.mape.empty());
    CHECK_FALSE(m.aftr_name);
    REQUIRE(m.lw.size() == 1);
    CHECK(m.lw[0].bind->ipv4 == net::Ipv4Address(192, 0, 2, 18));
    CHECK(m.lw[0].bind->port_params == provision::PortParams{0, 8, 0x34});
    CHECK(m.lw[0].bind->bind_prefix == p6("2001:db8:12:3400::/56"));
    CHECK(m.lw[0].brs == std::vector{v6("2001:db8:ffff::9")});
}

TEST_CASE("static lw4o6: only the lwAFTR configured, the binding comes from DHCP", "[static]") {
    StaticProvisioning s;
    s.mode = Mode::lw4o6;
    s.lw4o6.aftr = v6("2001:db8:ffff::9");
    auto m = provision::merge_static(full_reply(), s);
    REQUIRE(m.lw.size() == 1);
    CHECK(m.lw[0].brs == std::vector{v6("2001:db8:ffff::9")});
    CHECK(m.lw[0].bind == full_reply().lw[0].bind);

    // Nothing to fill the gap with: a named rejection instead of a container.
    auto alone = provision::to_option_set(s);
    CHECK(alone.lw.empty());
    REQUIRE(alone.rejected.size() == 1);
    CHECK(alone.rejected[0].option == 96);
    CHECK(alone.rejected[0].why == "static lw4o6: no IPv4 address configured and no V4V6BIND in the Reply");
}

TEST_CASE("static MAP-E: configured rules and BR, the delegated prefix from DHCP", "[static]") {
    StaticProvisioning s;
    s.mode = Mode::mape;
    auto r = rfc7597_rule();
    r.forwarding = true;
    r.port_params = provision::PortParams{6, 0, 0};
    s.mape.rules = {r};
    s.mape.br = v6("2001:db8:ffff::7");
    REQUIRE(provision::validate(s).ok());

    auto m = provision::merge_static(full_reply(), s);
    CHECK_FALSE(m.aftr_name);
    CHECK(m.lw.empty());
    REQUIRE(m.mape.size() == 1);
    CHECK(m.mape[0].rules == std::vector{r});
    CHECK(m.mape[0].brs == std::vector{v6("2001:db8:ffff::7")});
    CHECK_FALSE(m.mape[0].port_params);  // the Reply's 93 belonged to the Reply's rules

    select::Policy pinned;
    pinned.configured = Mode::mape;
    auto e = modes::evaluate(m, ctx56(), pinned);
    CHECK(e.decision.mode == Mode::mape);
    REQUIRE(e.plan);
    CHECK(e.plan->tunnel_remote == v6("2001:db8:ffff::7"));

    // Only the BR configured: the Reply's rules (and their 93) are used.
    StaticProvisioning br_only;
    br_only.mode = Mode::mape;
    br_only.mape.br = v6("2001:db8:ffff::7");
    auto b = provision::merge_static(full_reply(), br_only);
    REQUIRE(b.mape.size() == 1);
    CHECK(b.mape[0].rules == full_reply().mape[0].rules);
    CHECK(b.mape[0].port_params == full_reply().mape[0].port_params);
    auto none = provision::to_option_set(br_only);
    CHECK(none.mape.empty());
    REQUIRE(none.rejected.size() == 1);
    CHECK(none.rejected[0].why == "static mape: no rules configured and none in the Reply");
}

TEST_CASE("static: validation names the field", "[static]") {
    auto err = [](const StaticProvisioning& s) {
        auto r = provision::validate(s);
        REQUIRE_FALSE(r.ok());
        return r.error();
    };
    StaticProvisioning d;
    d.mode = Mode::dslite;
    CHECK(err(d) == "dslite: needs aftr_name or aftr_address");
    d.dslite.aftr_name = "2001:db8::1";
    CHECK(err(d) == "dslite.aftr_name: '2001:db8::1' is an address; use aftr_address");
    d.dslite.aftr_address = v6("2001:db8::1");
    CHECK(err(d) == "dslite: aftr_name and aftr_address are alternatives; configure one");

    StaticProvisioning l;
    l.mode = Mode::lw4o6;
    CHECK(err(l) == "lw4o6: configures nothing (ipv4_address, psid_*, bind_prefix, aftr)");
    l.lw4o6.port_params = provision::PortParams{0, 8, 300};
    CHECK(err(l) == "lw4o6: psid_offset/psid_length/psid need ipv4_address (a port set belongs to its address)");
    l.lw4o6.ipv4 = net::Ipv4Address(192, 0, 2, 1);
    CHECK(err(l) == "lw4o6.psid: 300 does not fit psid_length 8");
    l.lw4o6.port_params = provision::PortParams{10, 8, 1};
    CHECK(err(l) == "lw4o6.psid_length: psid_offset 10 + psid_length 8 exceeds the 16 port bits (RFC 7597 §5.1)");
    l.lw4o6.port_params = provision::PortParams{16, 0, 0};
    CHECK(err(l) == "lw4o6.psid_offset: 16 is outside 0..15 (RFC 7598 §4.5)");

    StaticProvisioning m;
    m.mode = Mode::mape;
    CHECK(err(m) == "mape: configures nothing (rules, br)");
    auto r = rfc7597_rule();
    r.ea_len = 49;
    m.mape.rules = {rfc7597_rule(), r};
    CHECK(err(m) == "mape.rules[1]: ea-len 49 exceeds 48 (RFC 7597 §5.2)");
}
