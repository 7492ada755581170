// Retransmission (RFC 2131 §4.1 for DISCOVER / REQUEST, §4.4.5 for RENEWING / REBINDING) and
// the pure backoff arithmetic, on the fake clock with the injected Random.
#include <catch2/catch.hpp>

#include "dhcp/client4o6/backoff.hpp"
#include "fake_server.hpp"

namespace net = s46::net;
using namespace s46::dhcp::client4o6;
using namespace s46::dhcp::client4o6::test;
using s46::Time;
using std::chrono::seconds;

TEST_CASE("4o6 backoff: 4, 8, 16, 32, 64, 64 s and a jitter of -1..+1 s", "[dhcp4o6]") {
    CHECK(backoff_base(1) == seconds(4));
    CHECK(backoff_base(2) == seconds(8));
    CHECK(backoff_base(3) == seconds(16));
    CHECK(backoff_base(4) == seconds(32));
    CHECK(backoff_base(5) == seconds(64));
    CHECK(backoff_base(9) == seconds(64));
    CHECK(backoff_jitter(0) == seconds(-1));
    CHECK(backoff_jitter(0xffffffffu) == seconds(1));
    CHECK(backoff_jitter(0x80000000u) == Time(0));
}

TEST_CASE("4o6 backoff: §4.4.5 waits half the time left, at least 60 s, never past the end", "[dhcp4o6]") {
    CHECK(renew_retransmit_at(seconds(0), seconds(1000)) == seconds(500));
    CHECK(renew_retransmit_at(seconds(900), seconds(1000)) == seconds(960));  // 50 s < 60 s minimum
    CHECK(renew_retransmit_at(seconds(990), seconds(1000)) == seconds(1000));  // capped at the end
    CHECK(renew_retransmit_at(seconds(1000), seconds(1000)) == seconds(1000));
}

namespace {

// Send times of the DISCOVER over the first `count` transmissions, with the given Random.
std::vector<Time> discover_times(std::uint32_t random_value, int count, std::uint32_t* xid_out = nullptr) {
    Harness h(Harness::default_config(), constant_random(random_value));
    h.start();
    std::vector<Time> times;
    std::uint32_t xid = 0;
    for (int i = 0; i < count; ++i) {
        auto sends = h.drain_sends();
        REQUIRE(sends.size() == 1);
        const SentQuery q = read_query(sends[0].bytes);
        CHECK(q.type == MessageType::discover);
        if (i == 0) xid = q.xid;
        CHECK(q.xid == xid);  // retransmissions keep the xid
        CHECK(q.secs == std::chrono::duration_cast<seconds>(h.now).count());  // secs since the first send
        times.push_back(h.now);
        REQUIRE(h.client.next_deadline());
        h.advance_to(*h.client.next_deadline());
    }
    if (xid_out) *xid_out = xid;
    return times;
}

}  // namespace

TEST_CASE("4o6: DISCOVER retransmits at the §4.1 schedule, within the jitter bounds", "[dhcp4o6]") {
    // Lowest jitter (-1 s): waits 3, 7, 15, 31, 63, 63.
    CHECK(discover_times(0, 7) ==
          std::vector<Time>{seconds(0), seconds(3), seconds(10), seconds(25), seconds(56), seconds(119), seconds(182)});
    // Highest jitter (+1 s): waits 5, 9, 17, 33, 65, 65.
    CHECK(discover_times(0xffffffffu, 7) ==
          std::vector<Time>{seconds(0), seconds(5), seconds(14), seconds(31), seconds(64), seconds(129), seconds(194)});
    // Middle (0 s): waits 4, 8, 16, 32, 64.
    CHECK(discover_times(0x80000000u, 6) ==
          std::vector<Time>{seconds(0), seconds(4), seconds(12), seconds(28), seconds(60), seconds(124)});
}

TEST_CASE("4o6: DISCOVER waits stay within ±1 s of the base for any random value", "[dhcp4o6]") {
    std::uint32_t seed = 12345;
    Random lcg = [&seed] { return seed = seed * 1664525u + 1013904223u; };
    Harness h(Harness::default_config(), lcg);
    h.start();
    h.drain_sends();
    Time last = h.now;
    for (unsigned n = 1; n <= 8; ++n) {
        REQUIRE(h.client.next_deadline());
        const Time wait = *h.client.next_deadline() - last;
        CHECK(wait >= backoff_base(n) - seconds(1));
        CHECK(wait <= backoff_base(n) + seconds(1));
        h.advance_to(*h.client.next_deadline());
        REQUIRE(h.drain_sends().size() == 1);
        last = h.now;
    }
}

TEST_CASE("4o6: REQUEST gives up after the §4.1 schedule and DISCOVERs again (§3.1 step 5)", "[dhcp4o6]") {
    std::uint32_t next = 100;
    Random counting = [&next] { return next += 0x01000000u; };  // distinct xids, varying jitter
    Harness h(Harness::default_config(), counting);
    FakeServer server;
    h.start();
    const SentQuery discover = read_query(h.drain_sends().at(0).bytes);
    h.deliver(server.offer(discover));
    std::vector<Time> sent;
    for (auto s = h.drain_sends(); !s.empty() && h.client.state() == State::requesting; s = h.drain_sends()) {
        const SentQuery q = read_query(s.at(0).bytes);
        CHECK(q.type == MessageType::request);
        CHECK(q.xid == discover.xid);
        sent.push_back(h.now);
        h.advance_to(*h.client.next_deadline());
    }
    CHECK(sent.size() == kRequestTransmissions);
    for (std::size_t i = 1; i < sent.size(); ++i) {
        CHECK(sent[i] - sent[i - 1] >= backoff_base(static_cast<unsigned>(i)) - seconds(1));
        CHECK(sent[i] - sent[i - 1] <= backoff_base(static_cast<unsigned>(i)) + seconds(1));
    }
    CHECK(h.client.state() == State::selecting);
    const auto& last = h.actions.back();
    REQUIRE(std::holds_alternative<Send>(last));
    const SentQuery rediscover = read_query(std::get<Send>(last).bytes);
    CHECK(rediscover.type == MessageType::discover);
    CHECK(rediscover.xid != discover.xid);
    CHECK(h.events<LeaseObtained>().empty());
}

TEST_CASE("4o6: RENEWING at T1 (unicast flag), REBINDING at T2, expiry, each retransmitted per §4.4.5", "[dhcp4o6]") {
    Harness h;
    FakeServer server = short_lease_server();
    h.bind(server);
    REQUIRE(h.client.state() == State::bound);
    CHECK(h.client.next_deadline() == seconds(500));

    h.advance_to(seconds(499));
    CHECK(h.drain_sends().empty());
    h.advance_to(seconds(500));
    auto renew = h.drain_sends();
    REQUIRE(renew.size() == 1);
    CHECK(h.client.state() == State::renewing);
    CHECK(renew[0].unicast_flag);
    const SentQuery r1 = read_query(renew[0].bytes);
    CHECK(r1.unicast());  // RFC 7341 §6.2: the DHCPv4 REQUEST would be unicast in RENEWING
    CHECK(r1.type == MessageType::request);
    CHECK(r1.ciaddr == v4("192.0.2.100"));
    CHECK_FALSE(r1.requested_address);
    CHECK_FALSE(r1.server_id);
    CHECK(r1.softwire_source == v6("2001:db8:0:1::100"));
    CHECK(renew[0].to == v6("2001:db8:0:1::1"));

    // Half of the 300 s to T2 = 150 s; then half of 150 = 75; then 60 s minimum; then T2 caps it.
    CHECK(h.client.next_deadline() == seconds(650));
    h.advance_to(seconds(650));
    auto r2 = h.drain_sends();
    REQUIRE(r2.size() == 1);
    CHECK(read_query(r2[0].bytes).xid == r1.xid);
    CHECK(read_query(r2[0].bytes).secs == 150);
    CHECK(h.client.next_deadline() == seconds(725));
    h.advance_to(seconds(725));
    REQUIRE(h.drain_sends().size() == 1);
    CHECK(h.client.next_deadline() == seconds(785));
    h.advance_to(seconds(785));
    REQUIRE(h.drain_sends().size() == 1);
    CHECK(h.client.next_deadline() == seconds(800));

    h.advance_to(seconds(800));
    auto rebind = h.drain_sends();
    REQUIRE(rebind.size() == 1);
    CHECK(h.client.state() == State::rebinding);
    CHECK_FALSE(rebind[0].unicast_flag);
    const SentQuery b1 = read_query(rebind[0].bytes);
    CHECK_FALSE(b1.unicast());
    CHECK(b1.ciaddr == v4("192.0.2.100"));
    CHECK(b1.xid != r1.xid);
    CHECK(h.client.next_deadline() == seconds(900));  // half of the 200 s left
    h.advance_to(seconds(900));
    REQUIRE(h.drain_sends().size() == 1);
    CHECK(h.client.next_deadline() == seconds(960));  // 60 s minimum
    h.advance_to(seconds(960));
    REQUIRE(h.drain_sends().size() == 1);
    CHECK(h.client.next_deadline() == seconds(1000));  // expiry
    CHECK(h.events<LeaseLost>().empty());

    h.advance_to(seconds(1000));
    auto after = h.drain_sends();
    auto lost = h.events<LeaseLost>();
    REQUIRE(lost.size() == 1);
    CHECK(lost[0].reason == LossReason::expired);
    CHECK(lost[0].lease.address == v4("192.0.2.100"));
    CHECK_FALSE(h.client.lease());
    // §4.4.5: INIT, and a new DISCOVER at once.
    CHECK(h.client.state() == State::selecting);
    REQUIRE(after.size() == 1);
    CHECK(read_query(after[0].bytes).type == MessageType::discover);
}

TEST_CASE("4o6: T1 = T2 goes straight to REBINDING", "[dhcp4o6]") {
    Harness h;
    FakeServer server;
    server.lease_time = 1000;
    server.t1 = 600;
    server.t2 = 600;
    h.bind(server);
    h.advance_to(seconds(600));
    auto sends = h.drain_sends();
    REQUIRE(sends.size() == 1);
    CHECK(h.client.state() == State::rebinding);
    CHECK_FALSE(sends[0].unicast_flag);
}

TEST_CASE("4o6: a late timer call runs T1, T2 and expiry in order", "[dhcp4o6]") {
    Harness h;
    FakeServer server;
    server.lease_time = 1000;
    server.t1.reset();
    server.t2.reset();
    h.bind(server);
    h.advance_to(seconds(5000));
    auto lost = h.events<LeaseLost>();
    REQUIRE(lost.size() == 1);
    CHECK(lost[0].reason == LossReason::expired);
    CHECK(h.client.state() == State::selecting);
}

TEST_CASE("4o6: secs is whole seconds since the first send, truncated (RFC 2131 §2)", "[dhcp4o6]") {
    // 0xc0000000 gives a jitter of +0.5 s: DISCOVERs at 0, 4.5 and 13 s.
    Harness h(Harness::default_config(), constant_random(0xc0000000u));
    h.start();
    std::vector<std::uint16_t> secs;
    std::vector<Time> at;
    for (int i = 0; i < 3; ++i) {
        auto sends = h.drain_sends();
        REQUIRE(sends.size() == 1);
        secs.push_back(read_query(sends[0].bytes).secs);
        at.push_back(h.now);
        h.advance_to(*h.client.next_deadline());
    }
    CHECK(at == std::vector<Time>{Time(0), std::chrono::milliseconds(4500), seconds(13)});
    CHECK(secs == std::vector<std::uint16_t>{0, 4, 13});
}

TEST_CASE("4o6: an infinite lease is never renewed", "[dhcp4o6]") {
    Harness h;
    FakeServer server;
    server.lease_time = kInfiniteLease;
    server.t1.reset();
    server.t2.reset();
    h.bind(server);
    REQUIRE(h.client.lease());
    CHECK(h.client.lease()->times == LeaseTimes{kInfiniteLease, kInfiniteLease, kInfiniteLease});
    CHECK_FALSE(h.client.next_deadline());
    h.advance_to(seconds(100000000));
    CHECK(h.client.state() == State::bound);
}
