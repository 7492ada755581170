// The retransmission schedule (RFC 8415 §15) with the §7.6 parameters, checked against the
// formula itself with a deterministic RNG at both extremes of RAND.
#include <catch2/catch.hpp>

#include <cmath>

#include "dhcp/client/retransmission.hpp"
#include "fake_server.hpp"

namespace s46::dhcp::client::test {

namespace {

using namespace std::chrono_literals;

// The §15 recursion, independently of Retransmission: the RT after each transmission.
struct Formula {
    double irt_ms, mrt_ms;
    double rand;        // RAND for every step
    double first_rand;  // RAND for the first RT (Solicit: strictly positive)
    std::vector<double> rts(std::size_t n) const {
        std::vector<double> out;
        double rt = irt_ms + first_rand * irt_ms;
        if (mrt_ms > 0 && rt > mrt_ms) rt = mrt_ms + first_rand * mrt_ms;
        out.push_back(rt);
        while (out.size() < n) {
            rt = 2 * rt + rand * rt;
            if (mrt_ms > 0 && rt > mrt_ms) rt = mrt_ms + rand * mrt_ms;
            out.push_back(rt);
        }
        return out;
    }
};

// The engine rounds each RT up to whole milliseconds (dhcp/client/retransmission.cpp).
Time ceil_ms(double ms) { return std::chrono::milliseconds(static_cast<std::int64_t>(std::ceil(ms))); }

// Transmission times of the engine's messages of `type`, from the current one until the
// exchange ends (or `max` of them).
std::vector<Time> send_times(Harness& h, MessageType type, std::size_t max) {
    std::vector<Time> times{h.now};
    while (times.size() < max) {
        const auto before = h.sent.size();
        h.advance();
        if (h.sent.size() == before || h.last_sent().type != type) break;  // gave up
        times.push_back(h.now);
    }
    return times;
}

}  // namespace

TEST_CASE("RAND mapping: the RNG's extremes are -0.1 and +0.1", "[dhcp_client][rfc8415][retransmission]") {
    CHECK(rand_factor(0) == Approx(-0.1));
    CHECK(rand_factor(0xffffffffu) == Approx(0.1));
    CHECK(rand_factor(0x80000000u) == Approx(0.0).margin(1e-9));
    CHECK(rand_factor_positive(0) > 0.0);
    CHECK(rand_factor_positive(0xffffffffu) == Approx(0.1));
    CHECK(random_delay(1s, 0) == 0ms);
    CHECK(random_delay(1s, 0xffffffffu) == 1s);
}

TEST_CASE("Solicit: RT doubles (+/-10%) up to SOL_MAX_RT and never gives up", "[dhcp_client][rfc8415][retransmission]") {
    for (std::uint32_t r : {0u, 0xffffffffu}) {
        INFO("RNG value " << r);
        Harness h(test_config(), r);
        h.start();
        const Formula f{1000, 3600000, rand_factor(r), rand_factor_positive(r)};
        const auto rts = f.rts(20);
        CHECK(rts[0] > 1000);  // §15: the first Solicit RT is strictly greater than IRT
        Time expected = h.now;
        for (std::size_t i = 0; i < rts.size(); ++i) {
            expected += ceil_ms(rts[i]);
            h.advance();
            REQUIRE(h.now == expected);
            REQUIRE(h.last_message().type == MessageType::solicit);
            // §21.9: elapsed time in hundredths of a second since the first Solicit, capped.
            const auto cs = std::min<std::int64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(h.now).count() / 10, 0xffff);
            REQUIRE(h.last_message().elapsed_cs == std::optional<std::uint16_t>(static_cast<std::uint16_t>(cs)));
        }
        // Late in the sequence RT is pinned at MRT + RAND*MRT.
        CHECK(rts.back() == Approx(3600000 * (1 + rand_factor(r))));
        CHECK(h.last_message().elapsed_cs == std::optional<std::uint16_t>(0xffff));
        CHECK(h.client.state() == State::soliciting);
    }
}

TEST_CASE("Request: REQ_TIMEOUT 1 s, REQ_MAX_RT 30 s, REQ_MAX_RC 10", "[dhcp_client][rfc8415][retransmission]") {
    for (std::uint32_t r : {0u, 0xffffffffu}) {
        INFO("RNG value " << r);
        Harness h(test_config(), r);
        FakeServer server;
        server.preference = 255;
        h.start();
        REQUIRE(h.deliver(server.advertise(h.last_sent().bytes)) == Disposition::accepted);
        REQUIRE(h.client.state() == State::requesting);
        const Time start = h.now;
        const auto times = send_times(h, MessageType::request, 20);
        REQUIRE(times.size() == 10);
        const auto rts = Formula{1000, 30000, rand_factor(r), rand_factor(r)}.rts(10);
        Time expected = start;
        for (std::size_t i = 1; i < times.size(); ++i) {
            expected += ceil_ms(rts[i - 1]);
            CHECK(times[i] == expected);
        }
        // The exchange fails when the 10th RT runs out: Solicit again (after the §14.1 back-off).
        CHECK(h.client.state() == State::soliciting);
        CHECK(h.now == expected + ceil_ms(rts[9]));
    }
}

TEST_CASE("Renew: REN_TIMEOUT 10 s, REN_MAX_RT 600 s, MRD until T2", "[dhcp_client][rfc8415][retransmission]") {
    for (std::uint32_t r : {0u, 0xffffffffu}) {
        INFO("RNG value " << r);
        Harness h(test_config(), r);
        FakeServer server;
        server.preference = 255;
        h.bind_at_once(server);
        const auto lease = *h.client.lease();
        const Time t1 = std::chrono::seconds(lease.obtained_at + 1000), t2 = std::chrono::seconds(lease.obtained_at + 2000);
        h.advance();
        REQUIRE(h.now == t1);
        const auto times = send_times(h, MessageType::renew, 100);
        const auto rts = Formula{10000, 600000, rand_factor(r), rand_factor(r)}.rts(times.size());
        Time expected = t1;
        for (std::size_t i = 1; i < times.size(); ++i) {
            expected += ceil_ms(rts[i - 1]);
            CHECK(times[i] == expected);
        }
        CHECK(h.now == t2);  // the last RT is cut at T2: Rebind goes out then
        CHECK(h.last_message().type == MessageType::rebind);
    }
}

TEST_CASE("Rebind: REB_TIMEOUT 10 s, REB_MAX_RT 600 s, MRD until the valid lifetimes end",
          "[dhcp_client][rfc8415][retransmission]") {
    Harness h(test_config(), 0xffffffffu);
    FakeServer server;
    server.preference = 255;
    server.t1 = 100;
    server.t2 = 200;
    server.preferred = 1500;
    server.valid = 2000;
    h.bind_at_once(server);
    const auto lease = *h.client.lease();
    while (h.client.state() != State::rebinding) h.advance();
    const Time t2 = std::chrono::seconds(lease.obtained_at + 200);
    REQUIRE(h.now == t2);
    const auto times = send_times(h, MessageType::rebind, 100);
    const auto rts = Formula{10000, 600000, 0.1, 0.1}.rts(times.size());
    Time expected = t2;
    for (std::size_t i = 1; i < times.size(); ++i) {
        expected += ceil_ms(rts[i - 1]);
        CHECK(times[i] == expected);
    }
    CHECK(h.now == std::chrono::seconds(lease.obtained_at + 2000));
    CHECK(h.events<LeaseExpired>().size() == 1);
}

TEST_CASE("Release: REL_TIMEOUT 1 s, REL_MAX_RC 4", "[dhcp_client][rfc8415][retransmission]") {
    Harness h(test_config(), 0);
    FakeServer server;
    server.preference = 255;
    h.bind_at_once(server);
    h.client.stop(h.now);
    h.pump();
    const Time start = h.now;
    const auto times = send_times(h, MessageType::release, 10);
    REQUIRE(times.size() == 4);
    const auto rts = Formula{1000, 0, -0.1, -0.1}.rts(4);
    CHECK(times[1] == start + ceil_ms(rts[0]));
    CHECK(times[3] == times[2] + ceil_ms(rts[2]));
    CHECK(h.client.state() == State::init);
    CHECK(h.now == times[3] + ceil_ms(rts[3]));
}

TEST_CASE("Information-request: INF_TIMEOUT 1 s, INF_MAX_RT 3600 s", "[dhcp_client][rfc8415][retransmission]") {
    auto config = test_config();
    config.stateless = true;
    Harness h(config, 0);
    h.start();
    const auto times = send_times(h, MessageType::information_request, 25);
    REQUIRE(times.size() == 25);  // never gives up
    const auto rts = Formula{1000, 3600000, -0.1, -0.1}.rts(25);
    Time expected{0};
    for (std::size_t i = 1; i < times.size(); ++i) {
        expected += ceil_ms(rts[i - 1]);
        CHECK(times[i] == expected);
    }
}

TEST_CASE("Elapsed Time is hundredths of a second, truncated and capped (§21.9)", "[dhcp_client][rfc8415][retransmission]") {
    CHECK(elapsed_time_cs(0ms) == 0);
    CHECK(elapsed_time_cs(9ms) == 0);
    CHECK(elapsed_time_cs(10ms) == 1);
    CHECK(elapsed_time_cs(1234ms) == 123);
    CHECK(elapsed_time_cs(1'239'999'999ns) == 123);  // truncated, not rounded
    CHECK(elapsed_time_cs(655350ms) == 65535);
    CHECK(elapsed_time_cs(655360ms) == 0xffff);
    CHECK(elapsed_time_cs(1h) == 0xffff);
    CHECK(elapsed_time_cs(Time::max()) == 0xffff);
    CHECK(elapsed_time_cs(-1s) == 0);
}

TEST_CASE("Retransmission: an RT that doubles without bound saturates at Time::max()", "[dhcp_client][retransmission]") {
    // No MRT, MRC or MRD: nothing in §15 stops the doubling, and after ~34 steps the RT no longer
    // fits in int64 nanoseconds. The deadline must stay ahead of the last send, not wrap.
    const Random rng = constant_random(0xffffffffu);  // RAND = +0.1: RT x 2.1 per step
    Retransmission r;
    r.begin(RetransmissionParams{1000ms, 0ms, 0, 0ms}, 0ms, rng, false);
    Time previous = r.deadline();
    for (int i = 0; i < 80; ++i) {
        const Time now = r.deadline();
        REQUIRE(r.retransmit(now, rng));
        REQUIRE(r.deadline() >= now);
        REQUIRE(r.deadline() >= previous);
        previous = r.deadline();
    }
    CHECK(r.deadline() == Time::max());
}

TEST_CASE("Retransmission: MRC and MRD end the exchange", "[dhcp_client][rfc8415][retransmission]") {
    const Random rng = constant_random(0);  // RAND = -0.1
    const Time first = ceil_ms(1000 + rand_factor(0) * 1000);  // 900 ms
    SECTION("MRC") {
        Retransmission r;
        r.begin(RetransmissionParams{1000ms, 0ms, 3, 0ms}, 0ms, rng, false);
        CHECK(r.retransmit(r.deadline(), rng));
        CHECK(r.retransmit(r.deadline(), rng));
        CHECK_FALSE(r.retransmit(r.deadline(), rng));
        CHECK(r.transmissions() == 3);
    }
    SECTION("MRD cuts the last RT short") {
        Retransmission r;
        r.begin(RetransmissionParams{1000ms, 0ms, 0, 2500ms}, 0ms, rng, false);
        CHECK(r.deadline() == first);
        CHECK(r.retransmit(first, rng));
        CHECK(r.deadline() == 2500ms);  // 900 + 1710 would be 2610
        CHECK_FALSE(r.retransmit(2500ms, rng));
    }
    SECTION("an explicit end (Renew's T2) works like MRD") {
        Retransmission r;
        r.begin(params::kRenew, 0ms, rng, false, 15000ms);
        CHECK(r.deadline() == 10 * first);
        CHECK(r.retransmit(10 * first, rng));
        CHECK(r.deadline() == 15000ms);  // 9000 + 17100 would be 26100
        CHECK_FALSE(r.retransmit(15000ms, rng));
    }
}

TEST_CASE("the §7.6 parameter table", "[dhcp_client][rfc8415][retransmission]") {
    CHECK(params::kSolicit == RetransmissionParams{1s, 3600s, 0, 0s});
    CHECK(params::kRequest == RetransmissionParams{1s, 30s, 10, 0s});
    CHECK(params::kConfirm == RetransmissionParams{1s, 4s, 0, 10s});
    CHECK(params::kRenew == RetransmissionParams{10s, 600s, 0, 0s});
    CHECK(params::kRebind == RetransmissionParams{10s, 600s, 0, 0s});
    CHECK(params::kInformationRequest == RetransmissionParams{1s, 3600s, 0, 0s});
    CHECK(params::kRelease == RetransmissionParams{1s, 0s, 4, 0s});
}

TEST_CASE("SOL_MAX_RT from a server replaces the Solicit MRT (§21.24)", "[dhcp_client][rfc8415][retransmission]") {
    Harness h(test_config(), 0xffffffffu);
    FakeServer empty;
    empty.offer_na = empty.offer_pd = false;
    h.start();
    SECTION("in range") {
        empty.sol_max_rt = 60;
        h.deliver(empty.advertise(h.last_sent().bytes));
        CHECK(h.client.sol_max_rt() == 60s);
        Time last = h.now;
        for (int i = 0; i < 12; ++i) {
            last = h.now;
            h.advance();
        }
        CHECK(h.now - last == 66s);  // MRT + 0.1*MRT
    }
    SECTION("out of range values are ignored") {
        empty.sol_max_rt = 59;
        h.deliver(empty.advertise(h.last_sent().bytes));
        CHECK(h.client.sol_max_rt() == 3600s);
    }
}

}  // namespace s46::dhcp::client::test
