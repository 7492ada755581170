// Stateless mode: Information-request / Reply and the information refresh time
// (RFC 8415 §18.2.6, §21.23).
#include <catch2/catch.hpp>

#include "fake_server.hpp"

namespace s46::dhcp::client::test {

namespace {

using namespace std::chrono_literals;

ClientConfig stateless_config() {
    auto c = test_config();
    c.stateless = true;
    return c;
}

}  // namespace

TEST_CASE("Information-request: options without leases, refreshed after option 32", "[dhcp_client][rfc8415]") {
    Harness h(stateless_config());
    FakeServer server;
    server.information_refresh_time = 7200;
    h.start();
    CHECK(h.client.state() == State::information_requesting);
    const auto request = h.last_message();
    CHECK(request.type == MessageType::information_request);
    CHECK(request.ias.empty());
    CHECK_FALSE(request.server_id);
    CHECK(request.oro == std::vector<std::uint16_t>{23, 24, 64, 94, 95, 96, 111, 32, 83});
    CHECK(request.elapsed_cs == std::optional<std::uint16_t>(0));

    const auto reply = server.reply(h.last_sent().bytes);
    CHECK(h.deliver(reply) == Disposition::accepted);
    CHECK(h.client.state() == State::informed);
    const auto info = h.events<InformationReceived>();
    REQUIRE(info.size() == 1);
    CHECK(info[0].options == server.s46);
    CHECK(info[0].refresh_seconds == 7200);
    CHECK(info[0].raw_options == std::vector<std::uint8_t>(reply.begin() + 4, reply.end()));
    CHECK_FALSE(h.client.lease());

    CHECK(h.client.next_deadline() == std::optional<Time>(h.now + 7200s));
    h.advance();
    CHECK(h.client.state() == State::information_requesting);
    CHECK(h.last_message().type == MessageType::information_request);
    CHECK(h.deliver(server.reply(h.last_sent().bytes)) == Disposition::accepted);
    CHECK(h.events<InformationReceived>().size() == 2);
}

TEST_CASE("information refresh time: default 86400, at least 600, infinity never", "[dhcp_client][rfc8415]") {
    struct Row {
        std::optional<std::uint32_t> option;
        std::uint32_t applied;
    };
    for (const Row row : {Row{std::nullopt, 86400}, Row{10, 600}, Row{600, 600}, Row{0xffffffffu, 0xffffffffu}}) {
        Harness h(stateless_config());
        FakeServer server;
        server.information_refresh_time = row.option;
        h.start();
        REQUIRE(h.deliver(server.reply(h.last_sent().bytes)) == Disposition::accepted);
        CHECK(h.events<InformationReceived>().at(0).refresh_seconds == row.applied);
        if (row.applied == 0xffffffffu)
            CHECK_FALSE(h.client.next_deadline());
        else
            CHECK(h.client.next_deadline() == std::optional<Time>(h.now + std::chrono::seconds(row.applied)));
    }
}

TEST_CASE("stateless mode: link-up asks again, stop goes to Init", "[dhcp_client]") {
    Harness h(stateless_config());
    FakeServer server;
    h.start();
    h.deliver(server.reply(h.last_sent().bytes));
    REQUIRE(h.client.state() == State::informed);
    h.now += 30s;
    h.client.link_up(h.now);
    h.pump();
    CHECK(h.client.state() == State::information_requesting);
    CHECK(h.last_message().type == MessageType::information_request);
    h.client.stop(h.now);
    h.pump();
    CHECK(h.client.state() == State::init);
    CHECK(h.events<Released>().empty());
}

TEST_CASE("stateless mode: UnspecFail is retransmitted over, not accepted", "[dhcp_client][rfc8415]") {
    Harness h(stateless_config());
    FakeServer server;
    server.top_status = 1;
    h.start();
    CHECK(h.deliver(server.reply(h.last_sent().bytes)) == Disposition::ignored);
    CHECK(h.client.counters().at(Reject::status_unspec_fail) == 1);
    CHECK(h.client.state() == State::information_requesting);
}

}  // namespace s46::dhcp::client::test
