#include <catch2/catch.hpp>

#include <utility>

#include "dhcp/s46_codec.hpp"
#include "core/provision/static_provisioning.hpp"
#include "platform/daemon/controller.hpp"
#include "platform/report/standard_status.hpp"
#include "platform/report/status_table.hpp"

using namespace s46;
using select::Mode;
using select::TransitionKind;

namespace {

net::Ipv6Address v6(const char* s) { return *net::Ipv6Address::parse(s); }

provision::MapEContainer mape_domain() {
    provision::MapEContainer c;
    provision::Rule r;
    r.forwarding = true;
    r.ea_len = 16;
    r.ipv4_prefix = *net::Ipv4Prefix::parse("192.0.2.0/24");
    r.ipv6_prefix = *net::Ipv6Prefix::parse("2001:db8::/40");
    c.rules.push_back(r);
    c.brs.push_back(v6("2001:db8:ffff::1"));
    return c;
}

provision::LwContainer lw_domain() {
    provision::LwContainer c;
    provision::V4v6Bind b;
    b.ipv4 = net::Ipv4Address(192, 0, 2, 18);
    b.bind_prefix = *net::Ipv6Prefix::parse("2001:db8:12:3400::/56");
    b.port_params = provision::PortParams{0, 8, 0x34};
    c.bind = b;
    c.brs.push_back(v6("2001:db8:ffff::2"));
    return c;
}

provision::Lease lease_with(const provision::S46OptionSet& set, std::int64_t now) {
    provision::Lease l;
    l.server_duid = {0, 1, 2, 3};
    l.prefixes.push_back({*net::Ipv6Prefix::parse("2001:db8:12:3400::/56"), 3000, 4000});
    l.t1 = 1000;
    l.t2 = 2000;
    l.obtained_at = now;
    l.options = dhcp::encode(set);
    return l;
}

// The controller on a fake boot clock: every event is handed `now`, every effect is collected.
struct Harness {
    daemon::Controller c;
    std::int64_t now = 1000;  // boot-clock seconds
    daemon::Effects all;

    explicit Harness(daemon::ControllerConfig cfg = {}) : c(std::move(cfg), [] { return 0.5; }) {}
    s46::Time at() const { return std::chrono::seconds(now); }
    daemon::Effects send(daemon::Event e) {
        auto fx = c.handle(e, at());
        all.insert(all.end(), fx.begin(), fx.end());
        return fx;
    }
    daemon::Effects provision(const provision::S46OptionSet& set, store::EventKind kind = store::EventKind::lease_obtained) {
        return send(daemon::event::Provisioned{lease_with(set, now), kind, daemon::Source::dhcp_client});
    }
    daemon::Effects tick(daemon::DataPlaneEvents dp = {}) { return send(daemon::event::Tick{dp}); }
    nlohmann::json status() const { return c.status_json(at()); }
};

template <class T>
std::vector<T> only(const daemon::Effects& fx) {
    std::vector<T> out;
    for (const auto& e : fx)
        if (const T* x = std::get_if<T>(&e)) out.push_back(*x);
    return out;
}

std::vector<TransitionKind> transitions(const daemon::Effects& fx) {
    std::vector<TransitionKind> out;
    for (const auto& a : only<daemon::effect::ApplyPlan>(fx)) out.push_back(a.transition.kind);
    return out;
}

}  // namespace

TEST_CASE("controller: MAP-E, unchanged renew, lw4o6 by 111, expiry on the boot clock", "[daemon][controller]") {
    Harness h;
    provision::S46OptionSet set;
    set.mape.push_back(mape_domain());
    set.lw.push_back(lw_domain());

    auto fx = h.provision(set);
    CHECK(transitions(fx) == std::vector{TransitionKind::activate});
    CHECK(h.c.active_mode() == Mode::mape);
    CHECK(h.status()["plan"]["ipv4"] == "192.0.2.18");
    // The store learns the lease, the journal the lease and the mode change, the binding log the binding.
    CHECK(only<daemon::effect::SaveLease>(fx).size() == 1);
    CHECK(only<daemon::effect::RecordBinding>(fx).size() == 1);
    auto journal = only<daemon::effect::Journal>(fx);
    REQUIRE(journal.size() == 2);
    CHECK(journal[0].kind == store::EventKind::lease_obtained);
    CHECK(journal[1].kind == store::EventKind::mode_changed);
    CHECK(journal[1].to == Mode::mape);

    h.now += 1000;
    fx = h.provision(set, store::EventKind::lease_renewed);
    CHECK(transitions(fx).empty());

    h.now += 1000;
    set.priority = std::vector<std::uint16_t>{96, 94};
    fx = h.provision(set, store::EventKind::lease_renewed);
    CHECK(transitions(fx) == std::vector{TransitionKind::replace});
    CHECK(h.c.active_mode() == Mode::lw4o6);
    auto status = h.status();
    CHECK(status["lease"]["age_seconds"] == 0);
    CHECK(status["lease"]["valid_for_seconds"] == 4000);
    CHECK(status["lease"]["t1_in_seconds"] == 1000);

    // Valid lifetime 4000 s from the last Reply: still up one second before, gone at the end.
    h.now += 3999;
    CHECK(transitions(h.tick()).empty());
    h.now += 1;
    fx = h.tick();
    CHECK(transitions(fx) == std::vector{TransitionKind::teardown});
    CHECK(only<daemon::effect::ClearLease>(fx).size() == 1);
    CHECK(h.c.active_mode() == Mode::none);
    CHECK(h.status()["lease"].is_null());
}

TEST_CASE("controller: DS-Lite resolves the AFTR with the DHCPv6 DNS servers", "[daemon][controller]") {
    Harness h;
    provision::S46OptionSet set;
    set.aftr_name = "aftr.example.com";
    set.dns_servers.push_back(v6("2001:db8::53"));
    auto fx = h.provision(set);
    CHECK(h.c.active_mode() == Mode::dslite);
    auto asked = only<daemon::effect::Resolve>(fx);
    REQUIRE(asked.size() == 1);
    CHECK(asked[0].name == "aftr.example.com");
    CHECK(asked[0].servers == std::vector<net::Ipv6Address>{v6("2001:db8::53")});

    // An answer to another query (superseded) changes nothing.
    fx = h.send(daemon::event::DnsAnswer{asked[0].query + 1, dns::AftrAnswer{{v6("2001:db8::c")}, std::chrono::seconds(300)}});
    CHECK(only<daemon::effect::SetRemote>(fx).empty());

    fx = h.send(daemon::event::DnsAnswer{asked[0].query, dns::AftrAnswer{{v6("2001:db8::a"), v6("2001:db8::b")}, std::chrono::seconds(300)}});
    auto remotes = only<daemon::effect::SetRemote>(fx);
    REQUIRE(remotes.size() == 1);
    CHECK(remotes[0].remote == v6("2001:db8::a"));
    auto status = h.status();
    CHECK(status["plan"]["aftr"] == "2001:db8::a");
    CHECK(status["plan"]["aftr_status"].get<std::string>().rfind("aftr resolved: aftr.example.com -> 2001:db8::a", 0) == 0);

    // The TTL runs on the boot clock: nothing is asked before it ends, one query after.
    h.now += 299;
    CHECK(only<daemon::effect::Resolve>(h.tick()).empty());
    h.now += 2;
    CHECK(only<daemon::effect::Resolve>(h.tick()).size() == 1);
}

TEST_CASE("controller: DS-Lite without DNS servers reports the AFTR unresolved", "[daemon][controller]") {
    Harness h;
    provision::S46OptionSet set;
    set.aftr_name = "aftr.example.com";
    auto fx = h.provision(set);
    CHECK(only<daemon::effect::Resolve>(fx).empty());
    CHECK(h.status()["plan"]["aftr_status"].get<std::string>().find("aftr unresolved: aftr.example.com: no DNS server") == 0);
}

TEST_CASE("controller: a restored lease brings the mode back before any server answers", "[daemon][controller]") {
    Harness h;
    provision::S46OptionSet set;
    set.lw.push_back(lw_domain());
    auto lease = lease_with(set, h.now - 100);  // obtained 100 s ago on the boot clock
    auto fx = h.send(daemon::event::Restored{lease});
    CHECK(transitions(fx) == std::vector{TransitionKind::activate});
    CHECK(h.c.active_mode() == Mode::lw4o6);
    auto bindings = only<daemon::effect::RecordBinding>(fx);
    REQUIRE(bindings.size() == 1);
    CHECK(bindings[0].binding.port_ranges == "13312-13567");
    CHECK(h.status()["lease"]["age_seconds"] == 100);
    CHECK(h.status()["lease"]["valid_for_seconds"] == 3900);
}

TEST_CASE("controller: operator mode pin and SIGHUP reconfiguration re-plan in one step", "[daemon][controller]") {
    Harness h;
    provision::S46OptionSet set;
    set.mape.push_back(mape_domain());
    set.lw.push_back(lw_domain());
    h.provision(set);
    REQUIRE(h.c.active_mode() == Mode::mape);

    auto fx = h.send(daemon::event::SetMode{Mode::lw4o6});
    CHECK(transitions(fx) == std::vector{TransitionKind::replace});
    CHECK(h.c.active_mode() == Mode::lw4o6);
    CHECK(h.status()["configured_mode"] == "lw4o6");
    CHECK(transitions(h.send(daemon::event::SetMode{Mode::lw4o6})).empty());  // already pinned

    fx = h.send(daemon::event::SetMode{Mode::none});
    CHECK(transitions(fx) == std::vector{TransitionKind::replace});
    CHECK(h.c.active_mode() == Mode::mape);

    // The same configuration again: nothing happens.
    CHECK(h.c.reconfigure(h.c.config(), h.at()).empty());
    // MAP-E disabled by the new file: lw4o6 replaces it at once.
    daemon::ControllerConfig cfg = h.c.config();
    cfg.policy.enabled = {Mode::lw4o6, Mode::dslite};
    fx = h.c.reconfigure(cfg, h.at());
    CHECK(transitions(fx) == std::vector{TransitionKind::replace});
    CHECK(h.c.active_mode() == Mode::lw4o6);
    auto journal = only<daemon::effect::Journal>(fx);
    REQUIRE(journal.size() == 1);
    CHECK(journal[0].detail.find("configuration reloaded") != std::string::npos);
}

TEST_CASE("controller: release and link changes", "[daemon][controller]") {
    Harness h;
    provision::S46OptionSet set;
    set.mape.push_back(mape_domain());
    h.provision(set);
    CHECK(transitions(h.send(daemon::event::Link{false})) == std::vector{TransitionKind::teardown});
    CHECK(transitions(h.send(daemon::event::Link{true})) == std::vector{TransitionKind::activate});
    auto fx = h.send(daemon::event::Released{});
    CHECK(transitions(fx) == std::vector{TransitionKind::teardown});
    CHECK(only<daemon::effect::ClearLease>(fx).size() == 1);
    CHECK(h.c.lease() == nullptr);
}

TEST_CASE("controller: lw4o6 'no binding' renews only when configured, once per hold-down (RFC 7596 §5.1)",
          "[daemon][controller][rfc7596]") {
    provision::S46OptionSet set;
    set.lw.push_back(lw_domain());
    daemon::DataPlaneEvents no_binding;
    no_binding.no_binding = true;

    SECTION("off by default: reported, nothing renewed") {
        Harness h;
        h.provision(set);
        REQUIRE(h.c.active_mode() == Mode::lw4o6);
        auto fx = h.tick(no_binding);
        CHECK(only<daemon::effect::Renew>(fx).empty());
        CHECK(h.status()["events"]["no_binding_reports"] == 1);
        CHECK(h.status()["events"]["reprovisions"] == 0);
    }
    SECTION("on: one Renew per hold-down") {
        daemon::ControllerConfig cfg;
        cfg.reprovision_on_no_binding = true;
        cfg.no_binding_holddown = std::chrono::seconds(30);
        Harness h(cfg);
        h.provision(set);
        std::vector<std::string> why;
        for (int i = 0; i < 40; ++i) {  // a 1/5 every second for 40 s
            for (const auto& r : only<daemon::effect::Renew>(h.tick(no_binding))) why.push_back(r.why);
            ++h.now;
        }
        REQUIRE(why.size() == 2);  // at 1000 and 1030
        CHECK(why[0].find("ICMPv6 1/5") != std::string::npos);
        CHECK(h.status()["events"]["no_binding_reports"] == 40);
        CHECK(h.status()["events"]["reprovisions"] == 2);
    }
    SECTION("on, but not in another mode") {
        daemon::ControllerConfig cfg;
        cfg.reprovision_on_no_binding = true;
        Harness h(cfg);
        provision::S46OptionSet mape;
        mape.mape.push_back(mape_domain());
        h.provision(mape);
        REQUIRE(h.c.active_mode() == Mode::mape);
        CHECK(only<daemon::effect::Renew>(h.tick(no_binding)).empty());
        CHECK(h.status()["events"]["no_binding_reports"] == 0);
    }
}

namespace {

// DS-Lite with the AFTR name resolved to two addresses; returns the harness.
void dslite_with_two_aftrs(Harness& h) {
    provision::S46OptionSet set;
    set.aftr_name = "aftr.example.com";
    set.dns_servers.push_back(v6("2001:db8::53"));
    auto asked = only<daemon::effect::Resolve>(h.provision(set));
    REQUIRE(asked.size() == 1);
    auto fx = h.send(daemon::event::DnsAnswer{asked[0].query, dns::AftrAnswer{{v6("2001:db8::a"), v6("2001:db8::b")}, std::chrono::seconds(300)}});
    REQUIRE(only<daemon::effect::SetRemote>(fx).size() == 1);
}

}  // namespace

TEST_CASE("controller: DS-Lite moves to the next AFTR address when the AFTR is unreachable", "[daemon][controller]") {
    daemon::ControllerConfig cfg;
    cfg.aftr_failover_holddown = std::chrono::seconds(10);
    Harness h(cfg);
    dslite_with_two_aftrs(h);

    // Errors while replies still come back: not a dead AFTR.
    CHECK(only<daemon::effect::SetRemote>(h.tick({false, true, true})).empty());

    // Errors and silence: move to the next record.
    auto moved = only<daemon::effect::SetRemote>(h.tick({false, true, false}));
    REQUIRE(moved.size() == 1);
    CHECK(moved[0].remote == v6("2001:db8::b"));
    CHECK(h.status()["plan"]["aftr"] == "2001:db8::b");
    CHECK(h.status()["events"]["aftr_failovers"] == 1);

    // Within the hold-down the new AFTR gets its chance.
    h.now += 5;
    CHECK(only<daemon::effect::SetRemote>(h.tick({false, true, false})).empty());

    // After it, back to the first.
    h.now += 6;
    moved = only<daemon::effect::SetRemote>(h.tick({false, true, false}));
    REQUIRE(moved.size() == 1);
    CHECK(moved[0].remote == v6("2001:db8::a"));
}

TEST_CASE("controller: --no-aftr-failover keeps the AFTR address", "[daemon][controller]") {
    daemon::ControllerConfig cfg;
    cfg.aftr_failover = false;
    Harness h(cfg);
    dslite_with_two_aftrs(h);
    CHECK(only<daemon::effect::SetRemote>(h.tick({false, true, false})).empty());
}

TEST_CASE("controller: status carries lease times relative to its clock, and s46ctl's views read them", "[daemon][controller][status]") {
    Harness h;
    provision::S46OptionSet set;
    set.mape.push_back(mape_domain());
    h.provision(set);
    h.now += 123;
    const auto s = h.status();
    CHECK(s["lease"]["age_seconds"] == 123);
    CHECK(s["lease"]["t1_in_seconds"] == 1000 - 123);
    CHECK(s["lease"]["t2_in_seconds"] == 2000 - 123);
    CHECK(s["lease"]["valid_for_seconds"] == 4000 - 123);

    // The table takes the relative fields, whatever clock the caller passes (here a wall clock
    // unrelated to the controller's: a boot-clock daemon would look like this).
    const std::string table = report::status_table(s, 1'700'000'000);
    CHECK(table.find("lease       obtained 2m 3s ago, T1 in 14m 37s, T2 in 31m 17s, valid for 1h 4m\n") != std::string::npos);
    CHECK(table.find("tunnel      2001:db8:12:3400:0:c000:212:34 -> 2001:db8:ffff::1 (BR)\n") != std::string::npos);
    CHECK(table.find("PSID        52 (offset 6, length 8)\n") != std::string::npos);

    // The real plan of RFC 7597 App. A Ex. 1 under TR-181 names.
    const auto std_json = report::standard_status_json(s);
    const auto& d = std_json["Device.MAP.Domain.1."];
    CHECK(d["BRIPv6Prefix"] == "2001:db8:ffff::1/128");
    CHECK(d["IPv6Prefix"] == "2001:db8:12:3400::/56");
    CHECK(d["PSID"] == 0x3400);
    CHECK(std_json["Device.MAP.Domain.1.Rule.1."]["IPv6Prefix"] == "2001:db8::/40");
    CHECK(std_json["s46d"]["lease"]["valid_for_seconds"] == 4000 - 123);

    // An infinite valid lifetime (RFC 8415 §7.7) has no end; T1 0 is the client's choice.
    auto forever = lease_with(set, h.now);
    forever.prefixes[0].valid_lifetime = 0xffffffffu;
    forever.t1 = 0;
    h.send(daemon::event::Provisioned{forever, store::EventKind::lease_renewed, daemon::Source::dhcp_client});
    CHECK(h.status()["lease"]["valid_for_seconds"].is_null());
    CHECK(h.status()["lease"]["t1_in_seconds"].is_null());
}

TEST_CASE("controller: 1000 copies of a bad option make one journal row and one rate-limit key", "[daemon][controller]") {
    Harness h;
    provision::S46OptionSet set;
    set.mape.push_back(mape_domain());
    auto lease = lease_with(set, h.now);
    // OPTION_S46_CONT_MAPE without its mandatory rule, 1000 times (RFC 7598 §5.1 rejects each).
    for (int i = 0; i < 1000; ++i) lease.options.insert(lease.options.end(), {0x00, 0x5e, 0x00, 0x00});
    auto fx = h.send(daemon::event::Provisioned{lease, store::EventKind::lease_obtained, daemon::Source::dhcp_client});
    CHECK(h.c.active_mode() == Mode::mape);  // the valid container still wins
    std::vector<daemon::effect::Journal> errors;
    for (const auto& j : only<daemon::effect::Journal>(fx))
        if (j.kind == store::EventKind::provisioning_error) errors.push_back(j);
    REQUIRE(errors.size() == 1);
    CHECK(errors[0].detail == "option 94: OPTION_S46_CONT_MAPE: mandatory OPTION_S46_RULE missing (1000 times in this Reply)");
    std::vector<daemon::effect::Log> warnings;
    for (const auto& l : only<daemon::effect::Log>(fx))
        if (l.level == daemon::effect::Level::warning) warnings.push_back(l);
    REQUIRE(warnings.size() == 1);
    // The key leaves out the count, so the logger aggregates the same rejection across Replies.
    CHECK(warnings[0].key == "rejected option 94: OPTION_S46_CONT_MAPE: mandatory OPTION_S46_RULE missing");
}

TEST_CASE("controller: static provisioning (draft-ietf-softwire-unified-cpe §3.2)", "[daemon][controller][static]") {
    SECTION("DS-Lite with a configured AFTR address: DHCPv6 gives only the B4 address, no DNS is asked") {
        daemon::ControllerConfig cfg;
        provision::StaticProvisioning st;
        st.mode = Mode::dslite;
        st.dslite.aftr_address = v6("2001:db8::a");
        cfg.static_provisioning = st;
        cfg.policy.configured = Mode::dslite;
        Harness h(cfg);
        // No IPv6 address to source the softwire from yet (RFC 6333 §5.5): wait for DHCPv6.
        CHECK(transitions(h.send(daemon::event::Started{})).empty());
        // A Reply offering MAP-E and nothing for DS-Lite: the configured mode ignores what it
        // does not need and takes only the delegated prefix.
        provision::S46OptionSet set;
        set.mape.push_back(mape_domain());
        auto fx = h.provision(set);
        CHECK(transitions(fx) == std::vector{TransitionKind::activate});
        CHECK(h.c.active_mode() == Mode::dslite);
        CHECK(only<daemon::effect::Resolve>(fx).empty());
        auto remotes = only<daemon::effect::SetRemote>(fx);
        REQUIRE(remotes.size() == 1);
        CHECK(remotes[0].remote == v6("2001:db8::a"));
        CHECK(h.status()["plan"]["aftr"] == "2001:db8::a");
    }
    SECTION("a whole lw4o6 binding from the configuration still needs the delegated prefix (RFC 7596 §5.1)") {
        daemon::ControllerConfig cfg;
        provision::StaticProvisioning st;
        st.mode = Mode::lw4o6;
        st.lw4o6.ipv4 = net::Ipv4Address(192, 0, 2, 18);
        st.lw4o6.port_params = provision::PortParams{0, 8, 0x34};
        st.lw4o6.bind_prefix = *net::Ipv6Prefix::parse("2001:db8:12:3400::/56");
        st.lw4o6.aftr = v6("2001:db8:ffff::2");
        cfg.static_provisioning = st;
        cfg.policy.configured = Mode::lw4o6;
        Harness h(cfg);
        auto fx = h.send(daemon::event::Started{});
        CHECK(transitions(fx).empty());
        auto logs = only<daemon::effect::Log>(fx);
        REQUIRE(logs.size() == 1);
        CHECK(logs[0].text.rfind("static provisioning waits for DHCPv6: ", 0) == 0);
        // A Reply with only the prefix: the configured binding runs on it.
        provision::S46OptionSet nothing;
        CHECK(transitions(h.provision(nothing)) == std::vector{TransitionKind::activate});
        CHECK(h.status()["plan"]["port_ranges"] == nlohmann::json::array({"13312-13567"}));
        CHECK(h.status()["plan"]["br"] == "2001:db8:ffff::2");
        // The prefix goes with the lease: so does the mode.
        h.now += 4000;
        CHECK(transitions(h.tick()) == std::vector{TransitionKind::teardown});
    }
    SECTION("MAP-E rules from the configuration wait for the delegated prefix from DHCPv6") {
        daemon::ControllerConfig cfg;
        provision::StaticProvisioning st;
        st.mode = Mode::mape;
        st.mape.rules = mape_domain().rules;
        st.mape.br = v6("2001:db8:ffff::9");
        cfg.static_provisioning = st;
        cfg.policy.configured = Mode::mape;
        Harness h(cfg);
        CHECK(transitions(h.send(daemon::event::Started{})).empty());
        CHECK(h.c.active_mode() == Mode::none);
        // The Reply carries no S46 option at all, only the prefix: enough with the static rules.
        provision::S46OptionSet nothing;
        auto fx = h.provision(nothing);
        CHECK(transitions(fx) == std::vector{TransitionKind::activate});
        CHECK(h.status()["plan"]["ipv4"] == "192.0.2.18");
        CHECK(h.status()["plan"]["br"] == "2001:db8:ffff::9");
    }
}

// --- DHCP 4o6 (RFC 7596 §5.1, RFC 7341, RFC 8539) --------------------------------------------

namespace {

// A lw4o6 container without a V4V6BIND plus option 88: lw4o6 "via DHCP 4o6".
provision::S46OptionSet lw_via_4o6(std::vector<net::Ipv6Address> servers = {v6("2001:db8::547")}) {
    provision::S46OptionSet set;
    provision::LwContainer c;
    c.brs.push_back(v6("2001:db8:ffff::2"));
    set.lw.push_back(c);
    set.dhcp4o6_servers = std::move(servers);
    return set;
}

// The lease's softwire source without option 137 and without IA_NA: <first delegated prefix>::1.
const char* const kSource = "2001:db8:12:3400::1";

store::Dhcp4o6Lease lease4o6(std::int64_t now, const char* source = kSource) {
    store::Dhcp4o6Lease l;
    l.binding.ipv4 = net::Ipv4Address(192, 0, 2, 100);
    l.binding.port_params = provision::PortParams{0, 6, 5};
    l.binding.softwire_source = v6(source);
    l.server_id = net::Ipv4Address(192, 0, 2, 1);
    l.lease_time = 3600;
    l.t1 = 1800;
    l.t2 = 3150;
    l.obtained_at = now;
    return l;
}

bool journal_has(const daemon::Effects& fx, store::EventKind kind, const std::string& text) {
    for (const auto& j : only<daemon::effect::Journal>(fx))
        if (j.kind == kind && j.detail.find(text) != std::string::npos) return true;
    return false;
}

}  // namespace

TEST_CASE("controller 4o6: the decision starts the client, its lease brings the lw4o6 plan up", "[daemon][controller][dhcp4o6]") {
    Harness h;
    auto fx = h.provision(lw_via_4o6());
    // No binding yet: no plan, and the reason says what lw4o6 waits for.
    CHECK(transitions(fx).empty());
    CHECK(h.c.active_mode() == Mode::none);
    CHECK_THAT(h.c.reason(), Catch::Contains("waiting for a DHCP 4o6 lease"));
    auto starts = only<daemon::effect::StartDhcp4o6>(fx);
    REQUIRE(starts.size() == 1);
    CHECK(starts[0].servers == std::vector{v6("2001:db8::547")});
    CHECK(starts[0].softwire_source == v6(kSource));
    CHECK(journal_has(fx, store::EventKind::dhcp4o6_client, "DHCP 4o6 client started"));
    CHECK_FALSE(journal_has(fx, store::EventKind::mode_changed, "DHCP 4o6"));  // no mode changed
    CHECK(h.status()["dhcp4o6"]["lease"].is_null());
    CHECK(h.status()["dhcp4o6"]["softwire_source"] == kSource);

    // A Renew of the same DHCPv6 lease starts nothing again.
    h.now += 10;
    fx = h.provision(lw_via_4o6(), store::EventKind::lease_renewed);
    CHECK(only<daemon::effect::StartDhcp4o6>(fx).empty());

    h.now += 2;
    fx = h.send(daemon::event::Dhcp4o6Bound{lease4o6(h.now - 1), store::EventKind::lease_obtained});
    CHECK(transitions(fx) == std::vector{TransitionKind::activate});
    CHECK(h.c.active_mode() == Mode::lw4o6);
    REQUIRE(h.c.active_plan());
    CHECK(h.c.active_plan()->ipv4.address == net::Ipv4Address(192, 0, 2, 100));
    CHECK(h.c.active_plan()->tunnel_local == v6(kSource));
    CHECK(h.c.active_plan()->tunnel_remote == v6("2001:db8:ffff::2"));
    CHECK(only<daemon::effect::SaveDhcp4o6Lease>(fx).size() == 1);
    CHECK(journal_has(fx, store::EventKind::lease_obtained, "DHCP 4o6: 192.0.2.100 with PSID 5/6"));
    auto status = h.status();
    CHECK(status["binding_origin"] == "DHCP 4o6");
    CHECK(status["dhcp4o6"]["lease"]["address"] == "192.0.2.100");
    CHECK(status["dhcp4o6"]["lease"]["server_id"] == "192.0.2.1");
    CHECK(status["dhcp4o6"]["lease"]["port_params"]["psid"] == 5);
    CHECK(status["dhcp4o6"]["lease"]["t1_in_seconds"] == 1799);

    // A renewal with the same binding changes nothing on the data plane.
    h.now += 1800;
    fx = h.send(daemon::event::Dhcp4o6Bound{lease4o6(h.now), store::EventKind::lease_renewed});
    CHECK(transitions(fx).empty());
    CHECK(journal_has(fx, store::EventKind::lease_renewed, "DHCP 4o6"));
}

TEST_CASE("controller 4o6: a lost lease tears the plan down and lw4o6 waits for the next", "[daemon][controller][dhcp4o6]") {
    Harness h;
    h.provision(lw_via_4o6());
    h.send(daemon::event::Dhcp4o6Bound{lease4o6(h.now), store::EventKind::lease_obtained});
    REQUIRE(h.c.active_mode() == Mode::lw4o6);
    h.now += 3600;
    auto fx = h.send(daemon::event::Dhcp4o6Lost{"lease expired"});
    CHECK(transitions(fx) == std::vector{TransitionKind::teardown});
    CHECK(h.c.active_mode() == Mode::none);
    CHECK(only<daemon::effect::ClearDhcp4o6Lease>(fx).size() == 1);
    CHECK(only<daemon::effect::StopDhcp4o6>(fx).empty());  // the client keeps looking
    CHECK(journal_has(fx, store::EventKind::lease_expired, "DHCP 4o6 lease lost: lease expired"));
    CHECK_THAT(h.c.reason(), Catch::Contains("waiting for a DHCP 4o6 lease"));
    // A second loss report without a lease is no news.
    CHECK(h.send(daemon::event::Dhcp4o6Lost{"NAK"}).empty());
    // The next lease brings it back.
    fx = h.send(daemon::event::Dhcp4o6Bound{lease4o6(h.now), store::EventKind::lease_obtained});
    CHECK(transitions(fx) == std::vector{TransitionKind::activate});
}

TEST_CASE("controller 4o6: a new softwire source is told to the running client, the plan waits for it", "[daemon][controller][dhcp4o6]") {
    Harness h;
    h.provision(lw_via_4o6());
    h.send(daemon::event::Dhcp4o6Bound{lease4o6(h.now), store::EventKind::lease_obtained});
    REQUIRE(h.c.active_mode() == Mode::lw4o6);
    // A new delegated prefix moves the softwire source.
    provision::Lease moved = lease_with(lw_via_4o6(), h.now);
    moved.prefixes[0].prefix = *net::Ipv6Prefix::parse("2001:db8:99::/56");
    auto fx = h.send(daemon::event::Provisioned{moved, store::EventKind::lease_renewed, daemon::Source::dhcp_client});
    CHECK(only<daemon::effect::StartDhcp4o6>(fx).empty());
    auto changed = only<daemon::effect::Dhcp4o6SourceChanged>(fx);
    REQUIRE(changed.size() == 1);
    CHECK(changed[0].softwire_source == v6("2001:db8:99::1"));
    CHECK(journal_has(fx, store::EventKind::dhcp4o6_client, "softwire source"));
    // The old binding names the old source: no plan until the server confirms the new one.
    CHECK(transitions(fx) == std::vector{TransitionKind::teardown});
    CHECK_THAT(h.c.reason(), Catch::Contains("another softwire source"));
    fx = h.send(daemon::event::Dhcp4o6Bound{lease4o6(h.now, "2001:db8:99::1"), store::EventKind::lease_renewed});
    CHECK(transitions(fx) == std::vector{TransitionKind::activate});
    CHECK(h.c.active_plan()->tunnel_local == v6("2001:db8:99::1"));
}

TEST_CASE("controller 4o6: the client stops when the v6 lease goes, the mode changes or s46d shuts down", "[daemon][controller][dhcp4o6]") {
    SECTION("DHCPv6 lease expired") {
        Harness h;
        h.provision(lw_via_4o6());
        h.send(daemon::event::Dhcp4o6Bound{lease4o6(h.now), store::EventKind::lease_obtained});
        h.now += 4000;
        auto fx = h.tick();
        CHECK(transitions(fx) == std::vector{TransitionKind::teardown});
        auto stops = only<daemon::effect::StopDhcp4o6>(fx);
        REQUIRE(stops.size() == 1);
        CHECK(stops[0].why == "no DHCPv6 lease");
        CHECK(only<daemon::effect::ClearDhcp4o6Lease>(fx).size() == 1);
        CHECK(h.status()["dhcp4o6"].is_null());
    }
    SECTION("a V4V6BIND arrives: it wins over 4o6") {
        Harness h;
        h.provision(lw_via_4o6());
        auto set = lw_via_4o6();
        set.lw[0] = lw_domain();
        auto fx = h.provision(set, store::EventKind::lease_renewed);
        auto stops = only<daemon::effect::StopDhcp4o6>(fx);
        REQUIRE(stops.size() == 1);
        CHECK_THAT(stops[0].why, Catch::Contains("no longer lw4o6 via DHCP 4o6"));
        CHECK(h.c.active_mode() == Mode::lw4o6);
        CHECK(h.status()["binding_origin"] == "DHCPv6 V4V6BIND");
    }
    SECTION("orderly shutdown") {
        Harness h;
        h.provision(lw_via_4o6());
        h.send(daemon::event::Dhcp4o6Bound{lease4o6(h.now), store::EventKind::lease_obtained});
        auto fx = h.send(daemon::event::Released{});
        auto stops = only<daemon::effect::StopDhcp4o6>(fx);
        REQUIRE(stops.size() == 1);
        CHECK(stops[0].why == "orderly shutdown");
        CHECK(journal_has(fx, store::EventKind::dhcp4o6_client, "DHCP 4o6 client stopped: orderly shutdown"));
    }
    SECTION("option 88 lists other servers: release and start over") {
        Harness h;
        h.provision(lw_via_4o6());
        h.send(daemon::event::Dhcp4o6Bound{lease4o6(h.now), store::EventKind::lease_obtained});
        auto fx = h.provision(lw_via_4o6({}), store::EventKind::lease_renewed);
        REQUIRE(only<daemon::effect::StopDhcp4o6>(fx).size() == 1);
        auto starts = only<daemon::effect::StartDhcp4o6>(fx);
        REQUIRE(starts.size() == 1);
        CHECK(starts[0].servers.empty());
        CHECK(h.c.active_mode() == Mode::none);
    }
}

TEST_CASE("controller 4o6: a lease report while no client runs is ignored", "[daemon][controller][dhcp4o6]") {
    Harness h;
    auto fx = h.send(daemon::event::Dhcp4o6Bound{lease4o6(h.now), store::EventKind::lease_obtained});
    CHECK(transitions(fx).empty());
    CHECK(only<daemon::effect::SaveDhcp4o6Lease>(fx).empty());
    CHECK(h.status()["dhcp4o6"].is_null());
    // A V4V6BIND's binding origin, for contrast.
    provision::S46OptionSet set;
    set.lw.push_back(lw_domain());
    h.provision(set);
    CHECK(h.status()["binding_origin"] == "DHCPv6 V4V6BIND");
}

TEST_CASE("controller 4o6: the DHCPv6 client asks for 88 and 137 exactly when lw4o6 is enabled", "[daemon][controller][dhcp4o6]") {
    select::Policy policy;
    CHECK(daemon::extra_option_request(policy) == std::vector<std::uint16_t>{88, 137});
    policy.enabled = {Mode::mape, Mode::dslite};
    CHECK(daemon::extra_option_request(policy).empty());
}
