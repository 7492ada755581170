#include <catch2/catch.hpp>

#include <filesystem>
#include <utility>

#include "dhcp/s46_codec.hpp"
#include "platform/daemon/controller.hpp"
#include "platform/store/sqlite_store.hpp"

using namespace s46;
using select::Mode;
using select::TransitionKind;

namespace {

struct RecordingDataPlane : daemon::DataPlane {
    std::vector<select::Transition> applied;
    std::vector<net::Ipv6Address> remotes;
    Result<bool> apply(const select::Transition& t, const modes::Plan*) override {
        applied.push_back(t);
        return true;
    }
    Result<bool> set_remote(const net::Ipv6Address& r) override {
        remotes.push_back(r);
        return true;
    }
    std::string name() const override { return "recording"; }
};

struct FakeResolver : dns::AftrResolver {
    std::vector<std::string> asked;
    Callback pending;
    void resolve(const std::string& name, const std::vector<net::Ipv6Address>&, Callback cb) override {
        asked.push_back(name);
        pending = std::move(cb);
    }
    void cancel() override { pending = nullptr; }
};

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

struct TempDir {
    std::filesystem::path path;
    TempDir() : path(std::filesystem::temp_directory_path() / ("s46-ctl-test-" + std::to_string(::getpid()) + "-" + std::to_string(rand()))) {
        std::filesystem::create_directories(path);
    }
    ~TempDir() { std::filesystem::remove_all(path); }
};

}  // namespace

TEST_CASE("controller: MAP-E, unchanged renew, lw4o6 by 111, expiry", "[daemon][controller]") {
    std::int64_t now = 1000;
    RecordingDataPlane dp;
    daemon::Controller c({}, nullptr, nullptr, &dp, [&] { return now; });
    provision::S46OptionSet set;
    set.mape.push_back(mape_domain());
    set.lw.push_back(lw_domain());

    auto t = c.on_provisioning(lease_with(set, now), store::EventKind::lease_obtained, daemon::Source::dhcp_client);
    CHECK(t.kind == TransitionKind::activate);
    CHECK(c.active_mode() == Mode::mape);
    CHECK(c.status_json()["plan"]["ipv4"] == "192.0.2.18");

    now += 1000;
    t = c.on_provisioning(lease_with(set, now), store::EventKind::lease_renewed, daemon::Source::dhcp_client);
    CHECK(t.kind == TransitionKind::none);

    now += 1000;
    set.priority = std::vector<std::uint16_t>{96, 94};
    t = c.on_provisioning(lease_with(set, now), store::EventKind::lease_renewed, daemon::Source::dhcp_client);
    CHECK(t.kind == TransitionKind::replace);
    CHECK(c.active_mode() == Mode::lw4o6);

    now += 4000;
    c.tick();
    CHECK(c.active_mode() == Mode::none);
    REQUIRE(dp.applied.size() == 3);
    CHECK(dp.applied[2].kind == TransitionKind::teardown);
    CHECK(c.status_json()["lease"].is_null());
}

TEST_CASE("controller: DS-Lite resolves the AFTR with the DHCPv6 DNS servers", "[daemon][controller]") {
    std::int64_t now = 1000;
    RecordingDataPlane dp;
    FakeResolver resolver;
    daemon::Controller c({}, nullptr, &resolver, &dp, [&] { return now; });
    provision::S46OptionSet set;
    set.aftr_name = "aftr.example.com";
    set.dns_servers.push_back(v6("2001:db8::53"));
    c.on_provisioning(lease_with(set, now), store::EventKind::lease_obtained, daemon::Source::dhcp_client);
    CHECK(c.active_mode() == Mode::dslite);
    REQUIRE(resolver.asked == std::vector<std::string>{"aftr.example.com"});
    REQUIRE(resolver.pending);
    resolver.pending(dns::AftrAnswer{{v6("2001:db8::a"), v6("2001:db8::b")}, std::chrono::seconds(300)});
    REQUIRE(dp.remotes.size() == 1);
    CHECK(dp.remotes[0] == v6("2001:db8::a"));
    auto status = c.status_json();
    CHECK(status["plan"]["aftr"] == "2001:db8::a");
    CHECK(status["plan"]["aftr_status"].get<std::string>().rfind("aftr resolved: aftr.example.com -> 2001:db8::a", 0) == 0);
}

TEST_CASE("controller: DS-Lite without DNS servers reports the AFTR unresolved", "[daemon][controller]") {
    std::int64_t now = 1000;
    RecordingDataPlane dp;
    FakeResolver resolver;
    daemon::Controller c({}, nullptr, &resolver, &dp, [&] { return now; });
    provision::S46OptionSet set;
    set.aftr_name = "aftr.example.com";
    c.on_provisioning(lease_with(set, now), store::EventKind::lease_obtained, daemon::Source::dhcp_client);
    CHECK(resolver.asked.empty());
    CHECK(c.status_json()["plan"]["aftr_status"].get<std::string>().find("aftr unresolved: aftr.example.com: no DNS server") == 0);
}

TEST_CASE("controller: state survives a restart through the store", "[daemon][controller][store]") {
    TempDir dir;
    std::int64_t now = 1000;
    provision::S46OptionSet set;
    set.lw.push_back(lw_domain());
    {
        auto opened = store::SqliteStore::open(store::SqliteStoreOptions{(dir.path / "state.db").string(), 10000, 10000, ""});
        REQUIRE(opened.ok());
        RecordingDataPlane dp;
        daemon::Controller c({}, opened->store.get(), nullptr, &dp, [&] { return now; });
        c.on_provisioning(lease_with(set, now), store::EventKind::lease_obtained, daemon::Source::dhcp_client);
        CHECK(c.active_mode() == Mode::lw4o6);
    }
    now += 100;
    auto opened = store::SqliteStore::open(store::SqliteStoreOptions{(dir.path / "state.db").string(), 10000, 10000, ""});
    REQUIRE(opened.ok());
    RecordingDataPlane dp;
    daemon::Controller c({}, opened->store.get(), nullptr, &dp, [&] { return now; });
    CHECK(c.restore());
    CHECK(c.active_mode() == Mode::lw4o6);
    REQUIRE(dp.applied.size() == 1);
    CHECK(dp.applied[0].kind == TransitionKind::activate);
    auto journal = opened->store->journal(100);
    REQUIRE(journal.ok());
    bool saw_mode_change = false;
    for (const auto& e : *journal) saw_mode_change = saw_mode_change || (e.kind == store::EventKind::mode_changed && e.to == Mode::lw4o6);
    CHECK(saw_mode_change);
    auto bindings = opened->store->bindings(10);
    REQUIRE(bindings.ok());
    REQUIRE(bindings->size() == 1);  // the restart re-activated the same binding: no new row
    CHECK((*bindings)[0].port_ranges == "13312-13567");

    // An expired stored lease restores nothing.
    now += 10000;
    RecordingDataPlane dp2;
    daemon::Controller c2({}, opened->store.get(), nullptr, &dp2, [&] { return now; });
    CHECK_FALSE(c2.restore());
    CHECK(dp2.applied.empty());
}

TEST_CASE("controller: a stored lease the store cannot trust is cleared, and why is reported", "[daemon][controller][store]") {
    TempDir dir;
    std::int64_t now = 1000;
    provision::S46OptionSet set;
    set.lw.push_back(lw_domain());
    auto opened = store::SqliteStore::open(store::SqliteStoreOptions{(dir.path / "state.db").string(), 10000, 10000, ""});
    REQUIRE(opened.ok());
    // Saved in another boot before the wall clock was synchronised: after the reboot nothing
    // tells how much of it is left (platform/store/lease_time.hpp).
    REQUIRE(opened->store->save_lease(lease_with(set, now), {now * 1000, 5000, "another-boot", false}).ok());
    RecordingDataPlane dp;
    daemon::Controller c({}, opened->store.get(), nullptr, &dp, [&] { return now; });
    CHECK_FALSE(c.restore());
    CHECK(dp.applied.empty());
    CHECK_THAT(c.status_json().value("last_error", ""),
               Catch::Contains("stored lease: ") && Catch::Contains("cannot tell how much of the lease is left"));
    auto after = opened->store->load_lease({now * 1000, 5000, "another-boot", false});
    REQUIRE(after.ok());
    CHECK_FALSE(after->found);  // cleared: the client Solicits afresh
}

namespace {

// A data plane whose events the test sets before each tick.
struct EventDataPlane : RecordingDataPlane {
    daemon::DataPlaneEvents next;
    daemon::DataPlaneEvents take_events() override { return std::exchange(next, {}); }
};

}  // namespace

TEST_CASE("controller: lw4o6 'no binding' renews only when configured, once per hold-down (RFC 7596 §5.1)",
          "[daemon][controller][rfc7596]") {
    std::int64_t now = 1000;
    EventDataPlane dp;
    provision::S46OptionSet set;
    set.lw.push_back(lw_domain());

    SECTION("off by default: reported, nothing renewed") {
        daemon::Controller c({}, nullptr, nullptr, &dp, [&] { return now; });
        int renews = 0;
        c.set_reprovision([&](const std::string&) { return ++renews, true; });
        c.on_provisioning(lease_with(set, now), store::EventKind::lease_obtained, daemon::Source::dhcp_client);
        REQUIRE(c.active_mode() == Mode::lw4o6);
        dp.next.no_binding = true;
        c.tick();
        CHECK(renews == 0);
        CHECK(c.status_json()["events"]["no_binding_reports"] == 1);
        CHECK(c.status_json()["events"]["reprovisions"] == 0);
    }
    SECTION("on: one Renew per hold-down") {
        daemon::ControllerConfig cfg;
        cfg.reprovision_on_no_binding = true;
        cfg.no_binding_holddown = std::chrono::seconds(30);
        daemon::Controller c(cfg, nullptr, nullptr, &dp, [&] { return now; });
        std::vector<std::string> why;
        c.set_reprovision([&](const std::string& w) { return why.push_back(w), true; });
        c.on_provisioning(lease_with(set, now), store::EventKind::lease_obtained, daemon::Source::dhcp_client);
        for (int i = 0; i < 40; ++i) {  // a 1/5 every second for 40 s
            dp.next.no_binding = true;
            c.tick();
            ++now;
        }
        REQUIRE(why.size() == 2);  // at 1000 and 1030
        CHECK(why[0].find("ICMPv6 1/5") != std::string::npos);
        CHECK(c.status_json()["events"]["no_binding_reports"] == 40);
        CHECK(c.status_json()["events"]["reprovisions"] == 2);
    }
    SECTION("on, but not in another mode") {
        daemon::ControllerConfig cfg;
        cfg.reprovision_on_no_binding = true;
        daemon::Controller c(cfg, nullptr, nullptr, &dp, [&] { return now; });
        int renews = 0;
        c.set_reprovision([&](const std::string&) { return ++renews, true; });
        provision::S46OptionSet mape;
        mape.mape.push_back(mape_domain());
        c.on_provisioning(lease_with(mape, now), store::EventKind::lease_obtained, daemon::Source::dhcp_client);
        REQUIRE(c.active_mode() == Mode::mape);
        dp.next.no_binding = true;
        c.tick();
        CHECK(renews == 0);
        CHECK(c.status_json()["events"]["no_binding_reports"] == 0);
    }
}

TEST_CASE("controller: DS-Lite moves to the next AFTR address when the AFTR is unreachable", "[daemon][controller]") {
    std::int64_t now = 1000;
    EventDataPlane dp;
    FakeResolver resolver;
    daemon::ControllerConfig cfg;
    cfg.aftr_failover_holddown = std::chrono::seconds(10);
    daemon::Controller c(cfg, nullptr, &resolver, &dp, [&] { return now; });
    provision::S46OptionSet set;
    set.aftr_name = "aftr.example.com";
    set.dns_servers.push_back(v6("2001:db8::53"));
    c.on_provisioning(lease_with(set, now), store::EventKind::lease_obtained, daemon::Source::dhcp_client);
    REQUIRE(resolver.pending);
    resolver.pending(dns::AftrAnswer{{v6("2001:db8::a"), v6("2001:db8::b")}, std::chrono::seconds(300)});
    REQUIRE(dp.remotes == std::vector<net::Ipv6Address>{v6("2001:db8::a")});

    // Errors while replies still come back: not a dead AFTR.
    dp.next = {false, true, true};
    c.tick();
    CHECK(dp.remotes.size() == 1);

    // Errors and silence: move to the next record.
    dp.next = {false, true, false};
    c.tick();
    REQUIRE(dp.remotes.size() == 2);
    CHECK(dp.remotes[1] == v6("2001:db8::b"));
    CHECK(c.status_json()["plan"]["aftr"] == "2001:db8::b");
    CHECK(c.status_json()["events"]["aftr_failovers"] == 1);

    // Within the hold-down the new AFTR gets its chance.
    now += 5;
    dp.next = {false, true, false};
    c.tick();
    CHECK(dp.remotes.size() == 2);

    // After it, back to the first.
    now += 6;
    dp.next = {false, true, false};
    c.tick();
    REQUIRE(dp.remotes.size() == 3);
    CHECK(dp.remotes[2] == v6("2001:db8::a"));
}

TEST_CASE("controller: --no-aftr-failover keeps the AFTR address", "[daemon][controller]") {
    std::int64_t now = 1000;
    EventDataPlane dp;
    FakeResolver resolver;
    daemon::ControllerConfig cfg;
    cfg.aftr_failover = false;
    daemon::Controller c(cfg, nullptr, &resolver, &dp, [&] { return now; });
    provision::S46OptionSet set;
    set.aftr_name = "aftr.example.com";
    set.dns_servers.push_back(v6("2001:db8::53"));
    c.on_provisioning(lease_with(set, now), store::EventKind::lease_obtained, daemon::Source::dhcp_client);
    resolver.pending(dns::AftrAnswer{{v6("2001:db8::a"), v6("2001:db8::b")}, std::chrono::seconds(300)});
    dp.next = {false, true, false};
    c.tick();
    CHECK(dp.remotes.size() == 1);
}
