// Getting a lease: the four-message exchange, Rapid Commit, choosing among Advertises
// (RFC 8415 §18.2.1, §18.2.9) and what a Reply to Request may say (§18.2.10.1).
#include <catch2/catch.hpp>

#include "dhcp/client/duid.hpp"
#include "fake_server.hpp"

namespace s46::dhcp::client::test {

namespace {

using namespace std::chrono_literals;

}  // namespace

TEST_CASE("four-message exchange: Solicit, Advertise, Request, Reply", "[dhcp_client][rfc8415]") {
    Harness h(test_config());
    FakeServer server;

    h.start();
    REQUIRE(h.sent.size() == 1);
    CHECK(h.client.state() == State::soliciting);
    CHECK(h.last_sent().to == v6("ff02::1:2"));
    CHECK(h.last_sent().port == 547);
    const SentMessage solicit = h.last_message();
    CHECK(solicit.type == MessageType::solicit);
    CHECK(solicit.client_id == duid_ll({0x02, 0, 0, 0, 0, 0x01}));
    CHECK_FALSE(solicit.server_id);
    CHECK(solicit.elapsed_cs == std::optional<std::uint16_t>(0));
    CHECK(solicit.oro == std::vector<std::uint16_t>{23, 24, 64, 94, 95, 96, 111, 82});
    CHECK_FALSE(solicit.rapid_commit);
    REQUIRE(solicit.ia(3));
    CHECK(solicit.ia(3)->iaid == 1);
    CHECK(solicit.ia(3)->addresses.empty());
    REQUIRE(solicit.ia(25));
    CHECK(solicit.ia(25)->iaid == 2);
    CHECK(solicit.ia(25)->prefixes == std::vector<net::Ipv6Prefix>{v6p("::/56")});  // the length hint

    // §18.2.1: an Advertise during the first RT is collected, not acted on yet.
    CHECK(h.deliver(server.advertise(h.last_sent().bytes)) == Disposition::accepted);
    CHECK(h.client.state() == State::soliciting);
    CHECK(h.sent.size() == 1);

    h.advance();  // the first RT ends
    REQUIRE(h.client.state() == State::requesting);
    REQUIRE(h.sent.size() == 2);
    const SentMessage request = h.last_message();
    CHECK(request.type == MessageType::request);
    CHECK(request.server_id == server.duid);
    CHECK(request.transaction_id != solicit.transaction_id);
    CHECK(request.elapsed_cs == std::optional<std::uint16_t>(0));
    CHECK(request.ia(3)->addresses == std::vector<net::Ipv6Address>{server.na_address});
    CHECK(request.ia(25)->prefixes == std::vector<net::Ipv6Prefix>{server.pd_prefix});
    CHECK(request.oro == solicit.oro);

    const auto reply = server.reply(h.last_sent().bytes);
    CHECK(h.deliver(reply) == Disposition::accepted);
    CHECK(h.client.state() == State::bound);
    const auto obtained = h.events<LeaseObtained>();
    REQUIRE(obtained.size() == 1);
    const provision::Lease& lease = obtained[0].lease;
    CHECK(lease.addresses == std::vector<provision::LeasedAddress>{{server.na_address, 3000, 4000}});
    CHECK(lease.prefixes == std::vector<provision::LeasedPrefix>{{server.pd_prefix, 3000, 4000}});
    CHECK(lease.t1 == 1000);
    CHECK(lease.t2 == 2000);
    CHECK(lease.iaid_na == 1);
    CHECK(lease.iaid_pd == 2);
    CHECK(lease.server_duid == server.duid);
    CHECK(lease.server_address == server.address);
    CHECK(lease.obtained_at == std::chrono::duration_cast<std::chrono::seconds>(h.now).count());
    CHECK(lease.options == std::vector<std::uint8_t>(reply.begin() + 4, reply.end()));
    CHECK(h.client.lease() == lease);
    // The codec's reading of the Reply, equal to what the server encoded.
    CHECK(obtained[0].options == server.s46);
    // T1 is the next thing to happen.
    CHECK(h.client.next_deadline() == std::optional<Time>(std::chrono::seconds(lease.obtained_at + 1000)));
    CHECK(h.client.ignored_total() == 0);
}

TEST_CASE("Rapid Commit: a Reply to the Solicit binds at once", "[dhcp_client][rfc8415]") {
    auto config = test_config();
    config.rapid_commit = true;
    Harness h(config);
    FakeServer server;
    h.start();
    CHECK(h.last_message().rapid_commit);

    SECTION("Reply with Rapid Commit") {
        CHECK(h.deliver(server.reply(h.last_sent().bytes, /*rapid_commit=*/true)) == Disposition::accepted);
        CHECK(h.client.state() == State::bound);
        REQUIRE(h.events<LeaseObtained>().size() == 1);
        CHECK(h.events<LeaseObtained>()[0].options == server.s46);
        CHECK(h.sent.size() == 1);  // no Request
    }
    SECTION("a Reply without Rapid Commit does not answer a Solicit") {
        CHECK(h.deliver(server.reply(h.last_sent().bytes, false)) == Disposition::ignored);
        CHECK(h.client.counters().at(Reject::reply_without_rapid_commit) == 1);
        CHECK(h.client.state() == State::soliciting);
    }
    SECTION("an Advertise still works when the server does not do Rapid Commit") {
        CHECK(h.deliver(server.advertise(h.last_sent().bytes)) == Disposition::accepted);
        h.advance();
        CHECK(h.client.state() == State::requesting);
        CHECK_FALSE(h.last_message().rapid_commit);  // §18.2.2: only in Solicit
    }
}

TEST_CASE("Rapid Commit not configured: a Rapid Commit Reply is ignored", "[dhcp_client][rfc8415]") {
    Harness h(test_config());
    FakeServer server;
    h.start();
    CHECK(h.deliver(server.reply(h.last_sent().bytes, true)) == Disposition::ignored);
    CHECK(h.client.counters().at(Reject::reply_without_rapid_commit) == 1);
}

TEST_CASE("Advertise selection: highest preference after the first RT, first of equals", "[dhcp_client][rfc8415]") {
    Harness h(test_config());
    h.start();
    const auto solicit = h.last_sent().bytes;

    FakeServer low, high_first, high_second;
    low.duid = {0, 3, 0, 1, 2, 0, 0, 0, 0, 0x10};
    low.preference = 10;
    high_first.duid = {0, 3, 0, 1, 2, 0, 0, 0, 0, 0x20};
    high_first.preference = 200;
    high_first.na_address = v6("2001:db8:0:1::200");
    high_second.duid = {0, 3, 0, 1, 2, 0, 0, 0, 0, 0x30};
    high_second.preference = 200;
    FakeServer none;  // no Preference option: 0 (§21.8)
    none.duid = {0, 3, 0, 1, 2, 0, 0, 0, 0, 0x40};

    CHECK(h.deliver(none.advertise(solicit)) == Disposition::accepted);
    CHECK(h.deliver(low.advertise(solicit)) == Disposition::accepted);
    CHECK(h.deliver(high_first.advertise(solicit)) == Disposition::accepted);
    CHECK(h.deliver(high_second.advertise(solicit)) == Disposition::accepted);
    CHECK(h.client.state() == State::soliciting);
    h.advance();
    REQUIRE(h.client.state() == State::requesting);
    const auto request = h.last_message();
    CHECK(request.server_id == high_first.duid);
    CHECK(request.ia(3)->addresses == std::vector<net::Ipv6Address>{high_first.na_address});
}

TEST_CASE("Advertise with preference 255 is taken at once", "[dhcp_client][rfc8415]") {
    Harness h(test_config());
    h.start();
    FakeServer other, best;
    other.duid = {0, 3, 0, 1, 2, 0, 0, 0, 0, 0x10};
    other.preference = 254;
    best.preference = 255;
    CHECK(h.deliver(other.advertise(h.last_sent().bytes)) == Disposition::accepted);
    CHECK(h.client.state() == State::soliciting);
    CHECK(h.deliver(best.advertise(h.last_sent().bytes)) == Disposition::accepted);
    CHECK(h.client.state() == State::requesting);  // without waiting for the first RT
    CHECK(h.now == Time(0));
    CHECK(h.last_message().server_id == best.duid);
}

TEST_CASE("an Advertise after the first RT is acted on immediately", "[dhcp_client][rfc8415]") {
    Harness h(test_config());
    FakeServer server;
    h.start();
    h.advance();  // first RT over, no Advertise: Solicit retransmitted
    REQUIRE(h.sent.size() == 2);
    CHECK(h.last_message().type == MessageType::solicit);
    CHECK(h.deliver(server.advertise(h.last_sent().bytes)) == Disposition::accepted);
    CHECK(h.client.state() == State::requesting);
}

TEST_CASE("an Advertise without addresses or prefixes is ignored (§18.2.9)", "[dhcp_client][rfc8415]") {
    Harness h(test_config());
    FakeServer empty;
    empty.offer_na = empty.offer_pd = false;  // IAs with NoAddrsAvail / NoPrefixAvail
    empty.sol_max_rt = 120;
    h.start();
    CHECK(h.deliver(empty.advertise(h.last_sent().bytes)) == Disposition::ignored);
    CHECK(h.client.counters().at(Reject::advertise_no_bindings) == 1);
    // ... but its SOL_MAX_RT is still applied (§18.2.9).
    CHECK(h.client.sol_max_rt() == std::chrono::seconds(120));
    h.advance();
    CHECK(h.client.state() == State::soliciting);
}

TEST_CASE("Reply to Request granting nothing: back to Solicit, rate-limited", "[dhcp_client][rfc8415]") {
    Harness h(test_config());
    FakeServer server;
    h.to_requesting(server);
    FakeServer refusing = server;
    refusing.na_status = 2;  // NoAddrsAvail
    refusing.pd_status = 6;  // NoPrefixAvail
    const Time at = h.now;
    CHECK(h.deliver(refusing.reply(h.last_sent().bytes)) == Disposition::ignored);
    CHECK(h.client.counters().at(Reject::reply_no_bindings) == 1);
    CHECK(h.client.state() == State::soliciting);
    CHECK(h.events<LeaseObtained>().empty());
    // §14.1: the next Solicit waits (1 s after the first failure).
    CHECK(h.client.next_deadline() == std::optional<Time>(at + 1s));
    const auto before = h.sent.size();
    h.advance();
    CHECK(h.sent.size() == before + 1);
    CHECK(h.last_message().type == MessageType::solicit);
}

TEST_CASE("Reply to Request with one IA refused keeps the other (§18.2.10.1)", "[dhcp_client][rfc8415]") {
    Harness h(test_config());
    FakeServer server;
    h.to_requesting(server);
    FakeServer pd_only = server;
    pd_only.na_status = 2;  // NoAddrsAvail
    CHECK(h.deliver(pd_only.reply(h.last_sent().bytes)) == Disposition::accepted);
    CHECK(h.client.state() == State::bound);
    const auto lease = h.events<LeaseObtained>().at(0).lease;
    CHECK(lease.addresses.empty());
    CHECK(lease.prefixes.size() == 1);
}

TEST_CASE("Request: REQ_MAX_RC transmissions without a Reply, then Solicit again", "[dhcp_client][rfc8415]") {
    Harness h(test_config());
    FakeServer server;
    h.to_requesting(server);
    std::size_t requests = 1;
    while (h.client.state() == State::requesting) {
        h.advance();
        if (h.client.state() == State::requesting) {
            ++requests;
            CHECK(h.last_message().type == MessageType::request);
        }
    }
    CHECK(requests == 10);  // REQ_MAX_RC
    CHECK(h.client.state() == State::soliciting);
}

TEST_CASE("IA_PD only and IA_NA only configurations", "[dhcp_client]") {
    auto config = test_config();
    FakeServer server;
    SECTION("IA_PD only") {
        config.request_na = false;
        Harness h(config);
        h.to_requesting(server);
        CHECK_FALSE(h.last_message().ia(3));
        CHECK(h.deliver(server.reply(h.last_sent().bytes)) == Disposition::accepted);
        CHECK(h.client.lease()->addresses.empty());
        CHECK(h.client.lease()->prefixes.size() == 1);
    }
    SECTION("IA_NA only, no prefix hint") {
        config.request_pd = false;
        Harness h(config);
        h.to_requesting(server);
        CHECK_FALSE(h.last_message().ia(25));
        CHECK(h.deliver(server.reply(h.last_sent().bytes)) == Disposition::accepted);
        CHECK(h.client.lease()->addresses.size() == 1);
    }
    SECTION("no prefix-length hint") {
        config.pd_hint_length = 0;
        Harness h(config);
        h.start();
        CHECK(h.last_message().ia(25)->prefixes.empty());
    }
}

TEST_CASE("extra ORO codes and the initial delay", "[dhcp_client][rfc8415]") {
    auto config = test_config();
    config.extra_oro = {88, 23};
    config.max_initial_delay = std::chrono::seconds(1);
    // RNG value 0xffffffff: the delay is the maximum, SOL_MAX_DELAY.
    Harness h(config, 0xffffffffu);
    h.start();
    CHECK(h.pump() == 0);
    CHECK(h.client.next_deadline() == std::optional<Time>(1s));
    h.advance();
    REQUIRE(h.sent.size() == 1);
    CHECK(h.last_message().oro == std::vector<std::uint16_t>{23, 24, 64, 94, 95, 96, 111, 82, 88});
    CHECK(h.last_message().elapsed_cs == std::optional<std::uint16_t>(0));  // from the first transmission
}

}  // namespace s46::dhcp::client::test
