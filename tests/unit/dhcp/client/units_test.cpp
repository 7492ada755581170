// The engine's pure parts on their own: the transition table, DUIDs, configuration checks,
// lease timers and merging, and the message parser's per-part rules.
#include <catch2/catch.hpp>

#include "dhcp/client/config.hpp"
#include "dhcp/client/duid.hpp"
#include "dhcp/client/lease_update.hpp"
#include "dhcp/client/message_parser.hpp"
#include "dhcp/client/state.hpp"
#include "fake_server.hpp"

namespace s46::dhcp::client::test {

using namespace std::chrono_literals;

TEST_CASE("transition table: the edges the engine uses, and some it must not", "[dhcp_client][state]") {
    using S = State;
    CHECK(transition_allowed(S::init, S::soliciting));
    CHECK(transition_allowed(S::init, S::rebinding));  // restore()
    CHECK(transition_allowed(S::soliciting, S::bound));  // Rapid Commit
    CHECK(transition_allowed(S::bound, S::renewing));
    CHECK(transition_allowed(S::renewing, S::rebinding));
    CHECK(transition_allowed(S::renewing, S::requesting));  // NoBinding
    CHECK(transition_allowed(S::rebinding, S::rebinding));  // link-up again
    CHECK(transition_allowed(S::releasing, S::init));
    CHECK_FALSE(transition_allowed(S::init, S::bound));
    CHECK_FALSE(transition_allowed(S::init, S::requesting));
    CHECK_FALSE(transition_allowed(S::bound, S::init));  // a lease is always released
    CHECK_FALSE(transition_allowed(S::bound, S::bound));
    CHECK_FALSE(transition_allowed(S::releasing, S::soliciting));
    CHECK_FALSE(transition_allowed(S::informed, S::soliciting));
    CHECK_FALSE(transition_allowed(S::soliciting, S::renewing));
    for (std::size_t i = 0; i < kStateCount; ++i) CHECK(to_string(static_cast<S>(i)) != "?");
}

TEST_CASE("DUIDs (RFC 8415 §11, RFC 6355)", "[dhcp_client][duid]") {
    CHECK(duid_ll({0x02, 0, 0, 0, 0, 0x01}) == std::vector<std::uint8_t>{0, 3, 0, 1, 2, 0, 0, 0, 0, 1});
    const std::vector<std::uint8_t> id{0xaa, 0xbb};
    CHECK(duid_en(32473, id) == std::vector<std::uint8_t>{0, 2, 0, 0, 0x7e, 0xd9, 0xaa, 0xbb});
    std::array<std::uint8_t, 16> uuid{};
    uuid[0] = 0x12;
    const auto d = duid_uuid(uuid);
    CHECK(d.size() == 18);
    CHECK(d[1] == 4);
    CHECK(d[2] == 0x12);
}

TEST_CASE("configuration checks", "[dhcp_client][config]") {
    auto c = test_config();
    CHECK_FALSE(validate(c));
    c.duid = {0, 3};
    CHECK(validate(c));
    CHECK_THROWS_AS(Client(c, constant_random(0)), std::invalid_argument);
    c = test_config();
    c.request_na = c.request_pd = false;
    CHECK(validate(c));
    c.stateless = true;
    CHECK_FALSE(validate(c));
    c = test_config();
    c.pd_hint_length = 129;
    CHECK(validate(c));
}

TEST_CASE("to_seconds: whole seconds, rounded down also before the epoch", "[dhcp_client][timers]") {
    CHECK(to_seconds(0ms) == 0);
    CHECK(to_seconds(999ms) == 0);
    CHECK(to_seconds(1s) == 1);
    CHECK(to_seconds(1'999'999'999ns) == 1);
    CHECK(to_seconds(-1ms) == -1);  // a restored lease obtained before this boot
    CHECK(to_seconds(-1s) == -1);
}

TEST_CASE("lease timers: a lifetime beyond what Time holds is never, not a wrapped instant", "[dhcp_client][timers]") {
    provision::Lease l;
    l.prefixes.push_back({v6p("2001:db8::/56"), 0xfffffffeu, 0xfffffffeu});  // 2^32 - 2 s: finite (§7.7)
    SECTION("obtained early on the clock: every timer fits") {
        l.obtained_at = 100;
        const auto t = lease_timers(l);
        CHECK(t.t1 == 100s + std::chrono::milliseconds(std::int64_t{0xfffffffe} * 500));  // 0.5 x preferred
        CHECK(t.t2 == 100s + std::chrono::milliseconds(std::int64_t{0xfffffffe} * 800));  // 0.8 x preferred
        CHECK(t.expiry == 100s + std::chrono::seconds(0xfffffffeu));
    }
    SECTION("obtained late (8e9 s, itself representable): the sums pass 2^63 ns and saturate") {
        l.obtained_at = 8'000'000'000;
        const auto t = lease_timers(l);
        CHECK(t.t1 == kNever);
        CHECK(t.t2 == kNever);
        CHECK(t.expiry == kNever);
    }
}

TEST_CASE("lease timers: given T1/T2, chosen ones, infinity", "[dhcp_client][timers]") {
    provision::Lease l;
    l.obtained_at = 100;
    l.prefixes.push_back({v6p("2001:db8::/56"), 3000, 4000});
    l.addresses.push_back({v6("2001:db8::1"), 2000, 5000});
    SECTION("given") {
        l.t1 = 1000;
        l.t2 = 1600;
        const auto t = lease_timers(l);
        CHECK(t.t1 == 1100s);
        CHECK(t.t2 == 1700s);
        CHECK(t.expiry == 5100s);  // the latest valid lifetime
    }
    SECTION("0: 0.5 and 0.8 of the shortest preferred lifetime") {
        const auto t = lease_timers(l);
        CHECK(t.t1 == 1100s);
        CHECK(t.t2 == 1700s);
    }
    SECTION("T2 never before T1") {
        l.t1 = 1800;
        const auto t = lease_timers(l);
        CHECK(t.t2 == t.t1);
    }
    SECTION("infinite") {
        l.t1 = l.t2 = kInfinity;
        l.prefixes[0].valid_lifetime = kInfinity;
        const auto t = lease_timers(l);
        CHECK(t.t1 == kNever);
        CHECK(t.t2 == kNever);
        CHECK(t.expiry == kNever);
    }
}

TEST_CASE("parser: a lease with preferred > valid and an IA with T1 > T2 are dropped with a note",
          "[dhcp_client][parser]") {
    FakeServer server;
    server.preferred = 5000;
    const auto request = [] {
        Harness h(test_config());
        h.start();
        return h.last_sent().bytes;
    }();
    auto parsed = parse_server_message(server.reply(request));
    REQUIRE(std::holds_alternative<ServerMessage>(parsed));
    const auto& m = std::get<ServerMessage>(parsed);
    REQUIRE(m.ias.size() == 2);
    CHECK_FALSE(m.ias[0].has_leases());
    CHECK(m.notes.size() == 2);

    FakeServer t1_gt_t2;
    t1_gt_t2.t1 = 10;
    t1_gt_t2.t2 = 5;
    auto p2 = parse_server_message(t1_gt_t2.reply(request));
    REQUIRE(std::holds_alternative<ServerMessage>(p2));
    CHECK(std::get<ServerMessage>(p2).ias.empty());
}

TEST_CASE("lease_from_reply: valid lifetime 0 withdraws a lease; unmentioned ones carry over", "[dhcp_client][timers]") {
    provision::Lease previous;
    previous.obtained_at = 0;
    previous.addresses = {{v6("2001:db8::1"), 300, 400}, {v6("2001:db8::2"), 300, 400}};
    ServerMessage reply;
    reply.server_id = {0, 3, 0, 1, 1, 2, 3, 4, 5, 6};
    IaReply ia;
    ia.code = kOptIaNa;
    ia.iaid = 1;
    ia.addresses = {{v6("2001:db8::1"), 0, 0}, {v6("2001:db8::3"), 300, 400}};
    reply.ias.push_back(ia);
    const auto lease = lease_from_reply(reply, {{kOptIaNa, 1}}, &previous, v6("fe80::1"), 100);
    REQUIRE(lease.addresses.size() == 2);
    CHECK(lease.addresses[0] == provision::LeasedAddress{v6("2001:db8::2"), 200, 300});  // carried, aged
    CHECK(lease.addresses[1] == provision::LeasedAddress{v6("2001:db8::3"), 300, 400});
    CHECK(lease.server_address == v6("fe80::1"));
    CHECK(lease.obtained_at == 100);
}

}  // namespace s46::dhcp::client::test
