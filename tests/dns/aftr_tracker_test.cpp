// AftrTracker, transition by transition: every event from every state it can arrive in.
#include <catch2/catch.hpp>

#include <vector>

#include "platform/dns/aftr_tracker.hpp"

using namespace std::chrono_literals;
using s46::dns::AftrAnswer;
using s46::dns::AftrTracker;
using s46::dns::AftrTrackerConfig;
using s46::net::Ipv6Address;

namespace {

const s46::Time kT0 = s46::Time{} + 1000h;

Ipv6Address ip(const char* text) { return *Ipv6Address::parse(text); }

AftrAnswer answer(std::vector<const char*> addrs, std::chrono::seconds ttl) {
    AftrAnswer a;
    for (auto* t : addrs) a.addresses.push_back(ip(t));
    a.ttl = ttl;
    return a;
}

// No jitter unless a test asks for it: delays are then exact powers of two.
AftrTracker tracker(double u = 0.0, AftrTrackerConfig cfg = {}) {
    return AftrTracker("aftr.example.com", [u] { return u; }, cfg);
}

}  // namespace

TEST_CASE("a new tracker has no address and wants a lookup now", "[dns][tracker]") {
    auto t = tracker();
    CHECK_FALSE(t.current());
    CHECK(t.addresses().empty());
    CHECK(t.resolve_due(kT0));
    CHECK(t.name() == "aftr.example.com");
    CHECK(t.status(kT0) == "aftr unresolved: aftr.example.com: not resolved yet");
}

TEST_CASE("unresolved -> resolved: first address, refresh at TTL expiry", "[dns][tracker]") {
    auto t = tracker();
    t.on_resolved(answer({"2001:db8::1"}, 300s), kT0);
    REQUIRE(t.current());
    CHECK(*t.current() == ip("2001:db8::1"));
    CHECK(t.next_resolve_at() == kT0 + 300s);
    CHECK_FALSE(t.resolve_due(kT0 + 299s));
    CHECK(t.resolve_due(kT0 + 300s));
    CHECK(t.status(kT0) == "aftr resolved: aftr.example.com -> 2001:db8::1 (ttl 300 s)");
}

TEST_CASE("several AAAA records: the status says which one is in use", "[dns][tracker]") {
    auto t = tracker();
    t.on_resolved(answer({"2001:db8::1", "2001:db8::2"}, 300s), kT0);
    CHECK(*t.current() == ip("2001:db8::1"));
    CHECK(t.addresses().size() == 2);
    CHECK(t.status(kT0) == "aftr resolved: aftr.example.com -> 2001:db8::1 (ttl 300 s, address 1 of 2)");
}

TEST_CASE("duplicate records collapse, keeping answer order", "[dns][tracker]") {
    auto t = tracker();
    t.on_resolved(answer({"2001:db8::2", "2001:db8::1", "2001:db8::2"}, 60s), kT0);
    REQUIRE(t.addresses().size() == 2);
    CHECK(t.addresses()[0] == ip("2001:db8::2"));
    CHECK(t.addresses()[1] == ip("2001:db8::1"));
}

TEST_CASE("TTL is clamped to the floor and the cap", "[dns][tracker]") {
    SECTION("TTL 0 waits the 30 s floor") {
        auto t = tracker();
        t.on_resolved(answer({"2001:db8::1"}, 0s), kT0);
        CHECK(t.next_resolve_at() == kT0 + 30s);
        CHECK(t.status(kT0) == "aftr resolved: aftr.example.com -> 2001:db8::1 (ttl 0 s, refresh every 30 s)");
    }
    SECTION("TTL of two days waits at most one") {
        auto t = tracker();
        t.on_resolved(answer({"2001:db8::1"}, 172800s), kT0);
        CHECK(t.next_resolve_at() == kT0 + 86400s);
        CHECK(t.status(kT0) ==
              "aftr resolved: aftr.example.com -> 2001:db8::1 (ttl 172800 s, refresh every 86400 s)");
    }
    SECTION("exactly the floor and the cap are not reported as clamped") {
        auto t = tracker();
        t.on_resolved(answer({"2001:db8::1"}, 30s), kT0);
        CHECK(t.next_resolve_at() == kT0 + 30s);
        CHECK(t.status(kT0) == "aftr resolved: aftr.example.com -> 2001:db8::1 (ttl 30 s)");
        t.on_resolved(answer({"2001:db8::1"}, 86400s), kT0);
        CHECK(t.next_resolve_at() == kT0 + 86400s);
    }
    SECTION("a negative TTL (bad input) counts as 0") {
        auto t = tracker();
        t.on_resolved(answer({"2001:db8::1"}, -5s), kT0);
        CHECK(t.next_resolve_at() == kT0 + 30s);
    }
    SECTION("configurable bounds") {
        AftrTrackerConfig cfg;
        cfg.ttl_floor = 10s;
        cfg.ttl_cap = 100s;
        auto t = tracker(0.0, cfg);
        t.on_resolved(answer({"2001:db8::1"}, 1s), kT0);
        CHECK(t.next_resolve_at() == kT0 + 10s);
        t.on_resolved(answer({"2001:db8::1"}, 1000s), kT0);
        CHECK(t.next_resolve_at() == kT0 + 100s);
    }
}

TEST_CASE("unresolved -> failed: retry after 1 s with the reason in the status", "[dns][tracker]") {
    auto t = tracker();
    t.on_resolve_failed("name does not exist (NXDOMAIN) from [::1]:53", kT0);
    CHECK_FALSE(t.current());
    CHECK(t.consecutive_failures() == 1);
    CHECK(t.next_resolve_at() == kT0 + 1s);
    CHECK(t.status(kT0) ==
          "aftr unresolved: aftr.example.com: name does not exist (NXDOMAIN) from [::1]:53; retry in 1 s");
    CHECK(t.status(kT0 + 1s) ==
          "aftr unresolved: aftr.example.com: name does not exist (NXDOMAIN) from [::1]:53; retry in 0 s");
}

TEST_CASE("failed -> failed: backoff doubles from 1 s to the 300 s cap", "[dns][tracker]") {
    auto t = tracker();
    const std::vector<std::chrono::milliseconds> expected = {1s, 2s, 4s, 8s, 16s, 32s, 64s, 128s, 256s, 300s, 300s};
    auto now = kT0;
    for (auto want : expected) {
        t.on_resolve_failed("timeout", now);
        CHECK(t.next_resolve_at() - now == want);
        now = t.next_resolve_at();
    }
    // Far past the cap the doubling must not overflow.
    for (int i = 0; i < 100; ++i) t.on_resolve_failed("timeout", now);
    CHECK(t.next_resolve_at() - now == 300s);
    CHECK(t.consecutive_failures() == 111);
}

TEST_CASE("jitter shortens each delay by up to 20 %, never past the cap", "[dns][tracker]") {
    SECTION("u = 0.5 takes off 10 %") {
        auto t = tracker(0.5);
        t.on_resolve_failed("timeout", kT0);
        CHECK(t.next_resolve_at() - kT0 == 900ms);
        t.on_resolve_failed("timeout", kT0);
        CHECK(t.next_resolve_at() - kT0 == 1800ms);
    }
    SECTION("u just below 1 stays at or above 80 %") {
        auto t = tracker(0.999999);
        for (int i = 0; i < 20; ++i) t.on_resolve_failed("timeout", kT0);
        auto d = t.next_resolve_at() - kT0;
        CHECK(d >= 240s);
        CHECK(d <= 300s);
    }
    SECTION("an RNG out of range is clamped") {
        auto hi = tracker(7.0);
        hi.on_resolve_failed("timeout", kT0);
        CHECK(hi.next_resolve_at() - kT0 == 800ms);
        auto lo = tracker(-3.0);
        lo.on_resolve_failed("timeout", kT0);
        CHECK(lo.next_resolve_at() - kT0 == 1s);
    }
    SECTION("the status rounds the wait up to whole seconds") {
        auto t = tracker(0.5);
        t.on_resolve_failed("timeout", kT0);
        CHECK(t.status(kT0) == "aftr unresolved: aftr.example.com: timeout; retry in 1 s");
        t.on_resolve_failed("timeout", kT0);  // 1.8 s
        CHECK(t.status(kT0) == "aftr unresolved: aftr.example.com: timeout; retry in 2 s");
        CHECK(t.status(kT0 + 1s) == "aftr unresolved: aftr.example.com: timeout; retry in 1 s");
    }
}

TEST_CASE("failed -> resolved resets the backoff", "[dns][tracker]") {
    auto t = tracker();
    for (int i = 0; i < 5; ++i) t.on_resolve_failed("timeout", kT0);
    t.on_resolved(answer({"2001:db8::1"}, 300s), kT0);
    CHECK(t.consecutive_failures() == 0);
    CHECK(t.status(kT0) == "aftr resolved: aftr.example.com -> 2001:db8::1 (ttl 300 s)");
    t.on_resolve_failed("timeout", kT0 + 300s);
    CHECK(t.next_resolve_at() == kT0 + 301s);
}

TEST_CASE("resolved -> refresh failed: the old address stays in use, marked stale", "[dns][tracker]") {
    auto t = tracker();
    t.on_resolved(answer({"2001:db8::1", "2001:db8::2"}, 300s), kT0);
    t.on_resolve_failed("no answer from [2001:db8::53]:53 within 5000 ms", kT0 + 300s);
    REQUIRE(t.current());
    CHECK(*t.current() == ip("2001:db8::1"));
    CHECK(t.next_resolve_at() == kT0 + 301s);
    CHECK(t.status(kT0 + 300s) ==
          "aftr resolved: aftr.example.com -> 2001:db8::1 (ttl 300 s, address 1 of 2; stale: refresh failed: "
          "no answer from [2001:db8::53]:53 within 5000 ms; retry in 1 s)");
    // and the stale mark goes away with the next answer
    t.on_resolved(answer({"2001:db8::1"}, 300s), kT0 + 301s);
    CHECK(t.status(kT0 + 301s) == "aftr resolved: aftr.example.com -> 2001:db8::1 (ttl 300 s)");
}

TEST_CASE("an empty answer counts as a failure", "[dns][tracker]") {
    auto t = tracker();
    t.on_resolved(answer({}, 300s), kT0);
    CHECK_FALSE(t.current());
    CHECK(t.status(kT0) == "aftr unresolved: aftr.example.com: no AAAA records; retry in 1 s");
}

TEST_CASE("an empty reason is still a readable status", "[dns][tracker]") {
    auto t = tracker();
    t.on_resolve_failed("", kT0);
    CHECK(t.status(kT0) == "aftr unresolved: aftr.example.com: unknown error; retry in 1 s");
}

TEST_CASE("tunnel failures rotate through every AAAA record", "[dns][tracker]") {
    auto t = tracker();
    t.on_resolved(answer({"2001:db8::1", "2001:db8::2", "2001:db8::3"}, 3600s), kT0);

    t.on_tunnel_failed(kT0 + 60s);
    CHECK(*t.current() == ip("2001:db8::2"));
    CHECK(t.status(kT0 + 60s) == "aftr resolved: aftr.example.com -> 2001:db8::2 (ttl 3600 s, address 2 of 3)");
    CHECK(t.next_resolve_at() == kT0 + 3600s);  // not yet: two addresses left untried

    t.on_tunnel_failed(kT0 + 120s);
    CHECK(*t.current() == ip("2001:db8::3"));
    CHECK(t.next_resolve_at() == kT0 + 3600s);

    SECTION("after the last one fails, back to the first and ask DNS again now") {
        t.on_tunnel_failed(kT0 + 180s);
        CHECK(*t.current() == ip("2001:db8::1"));
        CHECK(t.next_resolve_at() == kT0 + 180s);
        CHECK(t.resolve_due(kT0 + 180s));
    }
    SECTION("a working tunnel restarts the count") {
        t.on_tunnel_up();
        t.on_tunnel_failed(kT0 + 180s);
        CHECK(*t.current() == ip("2001:db8::1"));
        CHECK(t.next_resolve_at() == kT0 + 3600s);
    }
}

TEST_CASE("an early re-resolution waits for the TTL floor after the last answer", "[dns][tracker]") {
    auto t = tracker();
    t.on_resolved(answer({"2001:db8::1"}, 3600s), kT0);
    t.on_tunnel_failed(kT0 + 5s);  // the only address failed: every address has now failed once
    CHECK(*t.current() == ip("2001:db8::1"));
    CHECK(t.next_resolve_at() == kT0 + 30s);
}

TEST_CASE("an early re-resolution never postpones a sooner one", "[dns][tracker]") {
    auto t = tracker();
    t.on_resolved(answer({"2001:db8::1"}, 3600s), kT0);
    t.on_resolve_failed("timeout", kT0 + 3600s);  // retry due at +3601 s
    t.on_tunnel_failed(kT0 + 3600s);
    CHECK(t.next_resolve_at() == kT0 + 3600s);  // max(now, kT0 + floor) is sooner: it wins
    auto t2 = tracker();
    t2.on_resolved(answer({"2001:db8::1"}, 10s), kT0);  // refresh at +30 s (floor)
    t2.on_tunnel_failed(kT0 + 1s);
    CHECK(t2.next_resolve_at() == kT0 + 30s);
}

TEST_CASE("a tunnel failure with no address is ignored", "[dns][tracker]") {
    auto t = tracker();
    t.on_tunnel_failed(kT0);
    CHECK_FALSE(t.current());
    CHECK(t.resolve_due(kT0));
    t.on_resolve_failed("timeout", kT0);
    t.on_tunnel_failed(kT0);
    CHECK(t.next_resolve_at() == kT0 + 1s);
}

TEST_CASE("a refresh keeps the address in use if the new set still has it", "[dns][tracker]") {
    auto t = tracker();
    t.on_resolved(answer({"2001:db8::1", "2001:db8::2"}, 300s), kT0);
    t.on_tunnel_failed(kT0 + 10s);
    REQUIRE(*t.current() == ip("2001:db8::2"));

    SECTION("reordered set: stay on ::2") {
        t.on_resolved(answer({"2001:db8::2", "2001:db8::1"}, 300s), kT0 + 300s);
        CHECK(*t.current() == ip("2001:db8::2"));
        CHECK(t.status(kT0 + 300s) ==
              "aftr resolved: aftr.example.com -> 2001:db8::2 (ttl 300 s, address 1 of 2)");
    }
    SECTION("same order: stay on ::2") {
        t.on_resolved(answer({"2001:db8::1", "2001:db8::2"}, 300s), kT0 + 300s);
        CHECK(*t.current() == ip("2001:db8::2"));
    }
    SECTION("::2 gone: first of the new set") {
        t.on_resolved(answer({"2001:db8::3", "2001:db8::1"}, 300s), kT0 + 300s);
        CHECK(*t.current() == ip("2001:db8::3"));
    }
    SECTION("the refresh resets the rotation count") {
        t.on_resolved(answer({"2001:db8::1", "2001:db8::2"}, 300s), kT0 + 300s);
        t.on_tunnel_failed(kT0 + 310s);  // ::2 -> ::1, one of two failed
        CHECK(*t.current() == ip("2001:db8::1"));
        CHECK(t.next_resolve_at() == kT0 + 600s);
    }
}
