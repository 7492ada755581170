// lw4o6 via DHCPv4-over-DHCPv6 (RFC 7596 §5.1, RFC 7341, RFC 8539): when a container without a
// V4V6BIND is a candidate, which softwire source the 4o6 exchange announces, when the plan is
// built from the exchange's binding, and how option 111's code 88 is read (RFC 8026 §4.1).
#include <catch2/catch.hpp>

#include "modes/evaluate.hpp"
#include "modes/lw4o6/plan.hpp"
#include "modes/tunnel_source.hpp"

using namespace s46;
using namespace s46::modes;

namespace {

net::Ipv6Address v6(const char* s) { return *net::Ipv6Address::parse(s); }
net::Ipv6Prefix p6(const char* s) { return *net::Ipv6Prefix::parse(s); }

const net::Ipv6Address kBr = v6("2001:db8:ffff::2");

PlanContext ctx56() {
    PlanContext c;
    c.delegated_prefixes = {p6("2001:db8:12:3400::/56")};
    return c;
}

// A lw4o6 container with a BR and no V4V6BIND, and option 88 listing one server.
provision::S46OptionSet via4o6(std::vector<net::Ipv6Address> servers = {v6("2001:db8::4")}) {
    provision::S46OptionSet o;
    provision::LwContainer c;
    c.brs.push_back(kBr);
    o.lw.push_back(c);
    o.dhcp4o6_servers = std::move(servers);
    return o;
}

provision::LwContainer with_bind() {
    provision::LwContainer c;
    provision::V4v6Bind b;
    b.ipv4 = net::Ipv4Address(192, 0, 2, 18);
    b.bind_prefix = p6("2001:db8:12:3400::/56");
    b.port_params = provision::PortParams{0, 8, 0x34};
    c.bind = b;
    c.brs.push_back(v6("2001:db8:ffff::9"));
    return c;
}

provision::Dhcp4o6Binding binding(const net::Ipv6Address& source, std::optional<provision::PortParams> pp = std::nullopt) {
    return {net::Ipv4Address(198, 51, 100, 7), pp, source};
}

select::Policy auto_policy() { return select::Policy{}; }

}  // namespace

// ------------------------------------------------------------------ rule 1: the candidate

TEST_CASE("a lw4o6 container without a BIND, with option 88, is a candidate pending the 4o6 exchange",
          "[modes][lw4o6][dhcp4o6]") {
    auto ev = evaluate(via4o6(), ctx56(), auto_policy());
    CHECK(ev.decision.mode == select::Mode::lw4o6);
    CHECK(ev.decision.reason == "lw4o6 via DHCP 4o6 is the only valid softwire configuration");
    REQUIRE(ev.dhcp4o6);
    CHECK(ev.dhcp4o6->servers == std::vector<net::Ipv6Address>{v6("2001:db8::4")});
    CHECK(ev.dhcp4o6->softwire_source == v6("2001:db8:12:3400::1"));
    CHECK_FALSE(ev.plan);  // no binding yet
    const auto& lw = ev.candidates[1];
    REQUIRE(lw.mode == select::Mode::lw4o6);
    CHECK(lw.valid);
    CHECK(lw.via_dhcp4o6);
    CHECK(ev.rejected.empty());

    // An empty 88: the client multicasts (RFC 7341 §5); still a candidate.
    auto multicast = evaluate(via4o6({}), ctx56(), auto_policy());
    REQUIRE(multicast.dhcp4o6);
    CHECK(multicast.dhcp4o6->servers.empty());
}

TEST_CASE("without option 88 a container without a BIND is not a candidate, and says why", "[modes][lw4o6][dhcp4o6]") {
    auto o = via4o6();
    o.dhcp4o6_servers.reset();
    auto ev = evaluate(o, ctx56(), auto_policy());
    CHECK(ev.decision.mode == select::Mode::none);
    CHECK_FALSE(ev.dhcp4o6);
    CHECK_FALSE(ev.candidates[1].valid);
    CHECK(ev.candidates[1].why_not == "no V4V6BIND and no DHCPv4-over-DHCPv6 server (option 88) for lw4o6 via DHCP 4o6");
    REQUIRE(ev.rejected.size() == 1);
    CHECK(ev.rejected[0].option == 96);
    CHECK(ev.decision.reason.find("option 88") != std::string::npos);
}

TEST_CASE("a container with a V4V6BIND wins over DHCP 4o6 even when 88 is present", "[modes][lw4o6][dhcp4o6]") {
    auto o = via4o6();
    o.lw.push_back(with_bind());  // second in message order, still preferred: no exchange needed
    auto ev = evaluate(o, ctx56(), auto_policy());
    CHECK(ev.decision.mode == select::Mode::lw4o6);
    CHECK_FALSE(ev.dhcp4o6);
    CHECK_FALSE(ev.candidates[1].via_dhcp4o6);
    REQUIRE(ev.plan);
    CHECK(ev.plan->ipv4.address == net::Ipv4Address(192, 0, 2, 18));
    CHECK(ev.plan->tunnel_remote == v6("2001:db8:ffff::9"));
    CHECK(ev.decision.reason == "lw4o6 is the only valid softwire configuration");

    // A BIND container that is unusable (its prefix matches nothing) falls back to 4o6.
    o.lw[1].bind->bind_prefix = p6("2001:db8:99::/48");
    auto fallback = evaluate(o, ctx56(), auto_policy());
    CHECK(fallback.decision.mode == select::Mode::lw4o6);
    CHECK(fallback.dhcp4o6);
}

TEST_CASE("no address to source the softwire from: not a candidate", "[modes][lw4o6][dhcp4o6]") {
    auto r = lw4o6::provision(via4o6(), PlanContext{});
    REQUIRE_FALSE(r.ok());
    CHECK(r.error() ==
          "lw4o6 via DHCP 4o6: no IPv6 address to source the tunnel from (no IA_NA address and no delegated prefix)");
}

// ------------------------------------------------------------------ rule 2: the softwire source

TEST_CASE("softwire source without option 137: the IA_NA address, else <first delegated prefix>::1",
          "[modes][dhcp4o6][source]") {
    auto c = ctx56();
    CHECK(*dhcp4o6_softwire_source(std::nullopt, c) == v6("2001:db8:12:3400::1"));
    c.wan_address = v6("2001:db8:0:1::55");
    CHECK(*dhcp4o6_softwire_source(std::nullopt, c) == v6("2001:db8:0:1::55"));
}

TEST_CASE("softwire source with option 137: the first candidate that overlaps the bind prefix", "[modes][dhcp4o6][source]") {
    PlanContext c;
    c.wan_address = v6("2001:db8:0:1::55");
    c.delegated_prefixes = {p6("2001:db8:12:3400::/56"), p6("2001:db8:77::/48")};

    // The IA_NA address inside B: the address itself.
    CHECK(*dhcp4o6_softwire_source(p6("2001:db8:0:1::/64"), c) == v6("2001:db8:0:1::55"));
    // A delegated prefix inside B: P::1 (the IA_NA address does not overlap).
    CHECK(*dhcp4o6_softwire_source(p6("2001:db8:12::/48"), c) == v6("2001:db8:12:3400::1"));
    // The second delegated prefix, when only it overlaps.
    CHECK(*dhcp4o6_softwire_source(p6("2001:db8:76::/47"), c) == v6("2001:db8:77::1"));
    // B inside a delegated prefix (more specific): B::1.
    CHECK(*dhcp4o6_softwire_source(p6("2001:db8:12:3480::/64"), c) == v6("2001:db8:12:3480::1"));
    // B a /128 inside a delegated prefix: B's address.
    CHECK(*dhcp4o6_softwire_source(p6("2001:db8:12:34ff::abcd/128"), c) == v6("2001:db8:12:34ff::abcd"));
    // B equal to the delegated prefix: P::1.
    CHECK(*dhcp4o6_softwire_source(p6("2001:db8:12:3400::/56"), c) == v6("2001:db8:12:3400::1"));
    // B covering everything: the IA_NA address comes first.
    CHECK(*dhcp4o6_softwire_source(p6("::/0"), c) == v6("2001:db8:0:1::55"));

    auto none = dhcp4o6_softwire_source(p6("2001:db8:99::/48"), c);
    REQUIRE_FALSE(none.ok());
    CHECK(none.error() == "the DHCP 4o6 bind prefix 2001:db8:99::/48 (option 137) overlaps none of the IA_NA address and "
                          "delegated prefixes (2001:db8:0:1::55/128, 2001:db8:12:3400::/56, 2001:db8:77::/48)");
    auto nothing = dhcp4o6_softwire_source(p6("2001:db8:99::/48"), PlanContext{});
    REQUIRE_FALSE(nothing.ok());
    CHECK(nothing.error().find("(none)") != std::string::npos);
}

TEST_CASE("option 137 outside every prefix makes the 4o6 candidate invalid, naming 137", "[modes][lw4o6][dhcp4o6]") {
    auto o = via4o6();
    o.bind_ipv6_prefix = p6("2001:db8:99::/48");
    o.aftr_name = "aftr.example.com";
    auto ev = evaluate(o, ctx56(), auto_policy());
    CHECK(ev.decision.mode == select::Mode::dslite);
    CHECK_FALSE(ev.dhcp4o6);
    CHECK(ev.candidates[1].why_not ==
          "lw4o6 via DHCP 4o6: the DHCP 4o6 bind prefix 2001:db8:99::/48 (option 137) overlaps none of the IA_NA address "
          "and delegated prefixes (2001:db8:12:3400::/56)");
    // Inside the delegated prefix: the 4o6 candidate, sourced from the bind prefix.
    o.bind_ipv6_prefix = p6("2001:db8:12:3480::/64");
    auto inside = evaluate(o, ctx56(), auto_policy());
    CHECK(inside.decision.mode == select::Mode::lw4o6);  // default order: lw4o6 before dslite
    REQUIRE(inside.dhcp4o6);
    CHECK(inside.dhcp4o6->softwire_source == v6("2001:db8:12:3480::1"));
}

// ------------------------------------------------------------------ rule 3: the plan from the binding

TEST_CASE("with the binding the plan is the ordinary lw4o6 plan", "[modes][lw4o6][dhcp4o6]") {
    auto c = ctx56();
    c.dhcp4o6_binding = binding(v6("2001:db8:12:3400::1"), provision::PortParams{0, 6, 5});
    auto ev = evaluate(via4o6(), c, auto_policy());
    CHECK(ev.decision.mode == select::Mode::lw4o6);
    REQUIRE(ev.dhcp4o6);
    REQUIRE(ev.plan);
    const Plan& p = *ev.plan;
    CHECK(p.mode == select::Mode::lw4o6);
    CHECK(p.ipv4 == net::Ipv4Prefix(net::Ipv4Address(198, 51, 100, 7), 32));
    CHECK(p.tunnel_local == v6("2001:db8:12:3400::1"));
    CHECK(p.tunnel_remote == kBr);
    CHECK(p.ports.offset == 0);
    CHECK(p.ports.psid_len == 6);
    CHECK(p.ports.psid == 5);
    CHECK(p.napt);
    REQUIRE(p.forwarding.size() == 1);
    CHECK(p.forwarding[0].prefix.length == 0);
    CHECK(p.tunnel_mtu == 1460);
    // build_plan (pinned modes, s46ctl) gives the same plan.
    auto built = build_plan(select::Mode::lw4o6, via4o6(), c);
    REQUIRE(built.ok());
    CHECK(*built == p);
}

TEST_CASE("a binding without port parameters is a full address (PSID length 0, default offset)", "[modes][lw4o6][dhcp4o6]") {
    auto c = ctx56();
    c.dhcp4o6_binding = binding(v6("2001:db8:12:3400::1"));
    auto p = lw4o6::build_plan(via4o6(), c);
    REQUIRE(p.ok());
    CHECK(p->ports.psid_len == 0);
    CHECK(p->ports.psid == 0);
    CHECK(p->ports.offset == 0);
    CHECK(p->napt);
}

TEST_CASE("a binding with a bad port set is rejected, naming option 159", "[modes][lw4o6][dhcp4o6]") {
    auto c = ctx56();
    c.dhcp4o6_binding = binding(v6("2001:db8:12:3400::1"), provision::PortParams{12, 8, 1});
    auto p = lw4o6::provision(via4o6(), c);
    REQUIRE_FALSE(p.ok());
    CHECK(p.error().rfind("lw4o6 via DHCP 4o6: OPTION_V4_PORTPARAMS: ", 0) == 0);
}

TEST_CASE("a binding for another softwire source builds no plan: a new exchange is due", "[modes][lw4o6][dhcp4o6]") {
    auto c = ctx56();
    c.dhcp4o6_binding = binding(v6("2001:db8:55:5500::1"));  // the old prefix's source
    auto ev = evaluate(via4o6(), c, auto_policy());
    CHECK(ev.decision.mode == select::Mode::lw4o6);
    CHECK(ev.candidates[1].valid);
    REQUIRE(ev.dhcp4o6);
    CHECK(ev.dhcp4o6->softwire_source == v6("2001:db8:12:3400::1"));
    CHECK_FALSE(ev.plan);
    auto built = build_plan(select::Mode::lw4o6, via4o6(), c);
    REQUIRE_FALSE(built.ok());
    CHECK(built.error() == "lw4o6 via DHCP 4o6: the binding is for softwire source 2001:db8:55:5500::1, now "
                           "2001:db8:12:3400::1; binding pending a new DHCP 4o6 exchange");
    auto pending = build_plan(select::Mode::lw4o6, via4o6(), ctx56());
    REQUIRE_FALSE(pending.ok());
    CHECK(pending.error() == "lw4o6 via DHCP 4o6: binding pending the DHCP 4o6 exchange (softwire source 2001:db8:12:3400::1)");
}

TEST_CASE("GI-4over6 works with a DHCP 4o6 binding as with a V4V6BIND", "[modes][lw4o6][dhcp4o6][gi]") {
    auto c = ctx56();
    c.gi4over6 = true;
    c.dhcp4o6_binding = binding(v6("2001:db8:12:3400::1"));
    auto p = lw4o6::build_plan(via4o6(), c);
    REQUIRE(p.ok());
    CHECK_FALSE(p->napt);
    CHECK(p->lan_routed_prefix == net::Ipv4Prefix(net::Ipv4Address(198, 51, 100, 7), 32));
    c.dhcp4o6_binding->port_params = provision::PortParams{0, 4, 3};
    auto shared = lw4o6::build_plan(via4o6(), c);
    REQUIRE_FALSE(shared.ok());
    CHECK(shared.error() == "lw4o6 via DHCP 4o6: GI-4over6 needs a full IPv4 address, but the binding has PSID length 4");
}

// ------------------------------------------------------------------ selection: 111 and pinned mode

TEST_CASE("option 111: code 88 names lw4o6 only when it is provisioned over DHCP 4o6 (RFC 8026 §4.1)",
          "[modes][select][dhcp4o6]") {
    auto o = via4o6();
    o.aftr_name = "aftr.example.com";
    o.priority = std::vector<std::uint16_t>{88, 64};
    auto ev = evaluate(o, ctx56(), auto_policy());
    CHECK(ev.decision.mode == select::Mode::lw4o6);
    CHECK(ev.decision.reason ==
          "option 111 prefers lw4o6 via DHCP 4o6 (code 88) and it is the first listed mechanism with a valid configuration");
    CHECK(ev.dhcp4o6);

    // 96 names it too: the container is option 96 either way.
    o.priority = std::vector<std::uint16_t>{96, 64};
    CHECK(evaluate(o, ctx56(), auto_policy()).decision.mode == select::Mode::lw4o6);

    // A lw4o6 from a V4V6BIND does not use DHCPv4-over-DHCPv6: 88 does not name it.
    o.lw = {with_bind()};
    o.priority = std::vector<std::uint16_t>{88, 64};
    auto bound = evaluate(o, ctx56(), auto_policy());
    CHECK(bound.decision.mode == select::Mode::dslite);
    CHECK(bound.decision.reason.find("(code 64)") != std::string::npos);
}

TEST_CASE("a CPE pinned to lw4o6 accepts lw4o6 via DHCP 4o6", "[modes][select][dhcp4o6]") {
    select::Policy pinned;
    pinned.configured = select::Mode::lw4o6;
    auto ev = evaluate(via4o6(), ctx56(), pinned);
    CHECK(ev.decision.mode == select::Mode::lw4o6);
    CHECK(ev.decision.reason == "configured for lw4o6 and the Reply provisions it (lw4o6 via DHCP 4o6)");
    CHECK(ev.dhcp4o6);
    CHECK_FALSE(ev.plan);
}

TEST_CASE("dhcp4o6 is set only when the decision is lw4o6", "[modes][select][dhcp4o6]") {
    auto o = via4o6();
    o.aftr_name = "aftr.example.com";
    o.priority = std::vector<std::uint16_t>{64, 88};
    auto ev = evaluate(o, ctx56(), auto_policy());
    CHECK(ev.decision.mode == select::Mode::dslite);
    CHECK(ev.candidates[1].valid);
    CHECK_FALSE(ev.dhcp4o6);
    REQUIRE(ev.plan);
    CHECK(ev.plan->mode == select::Mode::dslite);
}
