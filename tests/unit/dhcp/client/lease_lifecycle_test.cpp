// Keeping a lease: Renew at T1, Rebind at T2, expiry, NoBinding recovery, Release, restore()
// and link-up (RFC 8415 §18.2.4, §18.2.5, §18.2.7, §18.2.10.1, §18.2.12).
#include <catch2/catch.hpp>

#include "fake_server.hpp"

namespace s46::dhcp::client::test {

namespace {

using namespace std::chrono_literals;

Time seconds_at(s46::Seconds s) { return std::chrono::seconds(s); }

}  // namespace

TEST_CASE("Renew at T1; an unchanged Reply gives an equal option set", "[dhcp_client][rfc8415]") {
    Harness h(test_config());
    FakeServer server;
    h.bind(server);
    const auto first = h.events<LeaseObtained>().at(0);
    const Time t1 = seconds_at(first.lease.obtained_at + 1000);

    REQUIRE(h.client.next_deadline() == std::optional<Time>(t1));
    h.advance();
    CHECK(h.now == t1);
    CHECK(h.client.state() == State::renewing);
    const auto renew = h.last_message();
    CHECK(renew.type == MessageType::renew);
    CHECK(renew.server_id == server.duid);  // §18.2.4
    CHECK(renew.elapsed_cs == std::optional<std::uint16_t>(0));
    CHECK(renew.ia(3)->addresses == std::vector<net::Ipv6Address>{server.na_address});
    CHECK(renew.ia(25)->prefixes == std::vector<net::Ipv6Prefix>{server.pd_prefix});
    CHECK(renew.ia(3)->t1 == 0);
    CHECK(h.last_sent().to == v6("ff02::1:2"));  // RFC 8415: no unicast

    CHECK(h.deliver(server.reply(h.last_sent().bytes)) == Disposition::accepted);
    CHECK(h.client.state() == State::bound);
    const auto renewed = h.events<LeaseRenewed>();
    REQUIRE(renewed.size() == 1);
    CHECK(renewed[0].options == first.options);  // nothing changed: the caller can skip re-selection
    CHECK(renewed[0].lease.obtained_at == std::chrono::duration_cast<std::chrono::seconds>(h.now).count());
    CHECK(renewed[0].lease.prefixes == first.lease.prefixes);
    CHECK(h.client.next_deadline() == std::optional<Time>(seconds_at(renewed[0].lease.obtained_at + 1000)));
}

TEST_CASE("Renew with changed softwire options: the event's set differs", "[dhcp_client][rfc8415]") {
    Harness h(test_config());
    FakeServer server;
    h.bind(server);
    const auto first = h.events<LeaseObtained>().at(0);
    h.advance();
    REQUIRE(h.client.state() == State::renewing);
    FakeServer changed = server;
    changed.s46.mape.clear();
    changed.s46.priority.reset();
    provision::LwContainer lw;
    lw.brs.push_back(v6("2001:db8:ffff::2"));
    lw.bind = provision::V4v6Bind{net::Ipv4Address(198, 51, 100, 5), v6p("2001:db8:ff00::/56"), provision::PortParams{6, 6, 5}};
    changed.s46.lw.push_back(lw);
    CHECK(h.deliver(changed.reply(h.last_sent().bytes)) == Disposition::accepted);
    const auto renewed = h.events<LeaseRenewed>().at(0);
    CHECK_FALSE(renewed.options == first.options);
    CHECK(renewed.options == changed.s46);
    CHECK(renewed.lease.options != first.lease.options);
}

TEST_CASE("server silent: Renew until T2, Rebind until the valid lifetime ends, then expiry", "[dhcp_client][rfc8415]") {
    Harness h(test_config());
    FakeServer server;
    h.bind(server);
    const auto lease = h.events<LeaseObtained>().at(0).lease;
    const Time t1 = seconds_at(lease.obtained_at + 1000), t2 = seconds_at(lease.obtained_at + 2000),
               end = seconds_at(lease.obtained_at + 4000);

    h.advance();
    REQUIRE(h.client.state() == State::renewing);
    std::size_t renews = 1;
    while (h.client.state() == State::renewing) {
        h.advance();
        if (h.client.state() == State::renewing) ++renews;
    }
    CHECK(renews > 3);
    CHECK(h.now == t2);  // MRD: the remaining time until T2 (§18.2.4)
    CHECK(h.client.state() == State::rebinding);
    const auto rebind = h.last_message();
    CHECK(rebind.type == MessageType::rebind);
    CHECK_FALSE(rebind.server_id);  // §18.2.5
    CHECK(rebind.ia(25)->prefixes == std::vector<net::Ipv6Prefix>{server.pd_prefix});
    CHECK(h.client.lease());  // still usable while rebinding

    while (h.client.state() == State::rebinding) h.advance();
    CHECK(h.now == end);
    REQUIRE(h.events<LeaseExpired>().size() == 1);
    CHECK(h.events<LeaseExpired>()[0].lease == lease);
    CHECK_FALSE(h.client.lease());
    CHECK(h.client.state() == State::soliciting);
    CHECK(h.last_message().type == MessageType::solicit);
    CHECK(t1 < t2);
}

TEST_CASE("T1 and T2 of 0: the client renews at 0.5 and rebinds at 0.8 of the shortest preferred lifetime",
          "[dhcp_client][rfc8415]") {
    Harness h(test_config());
    FakeServer server;
    server.t1 = server.t2 = 0;
    server.preferred = 1000;
    server.valid = 2000;
    h.bind(server);
    const auto lease = h.events<LeaseObtained>().at(0).lease;
    CHECK(lease.t1 == 0);
    CHECK(h.client.next_deadline() == std::optional<Time>(seconds_at(lease.obtained_at + 500)));
    h.advance();
    CHECK(h.client.state() == State::renewing);
    while (h.client.state() == State::renewing) h.advance();
    CHECK(h.now == seconds_at(lease.obtained_at + 800));
    CHECK(h.client.state() == State::rebinding);
}

TEST_CASE("NoBinding in a Reply to Renew: Request to that server (§18.2.10.1)", "[dhcp_client][rfc8415]") {
    Harness h(test_config());
    FakeServer server;
    h.bind(server);
    h.advance();
    REQUIRE(h.client.state() == State::renewing);
    FakeServer forgetful = server;
    forgetful.na_status = forgetful.pd_status = 3;  // NoBinding
    CHECK(h.deliver(forgetful.reply(h.last_sent().bytes)) == Disposition::accepted);
    CHECK(h.client.state() == State::requesting);
    const auto request = h.last_message();
    CHECK(request.type == MessageType::request);
    CHECK(request.server_id == server.duid);
    CHECK(request.ia(25)->prefixes == std::vector<net::Ipv6Prefix>{server.pd_prefix});
    CHECK(h.client.lease());  // still in use meanwhile
    CHECK(h.deliver(server.reply(h.last_sent().bytes)) == Disposition::accepted);
    CHECK(h.client.state() == State::bound);
    CHECK(h.events<LeaseObtained>().size() == 2);
}

TEST_CASE("a Renew Reply refusing one IA keeps that IA's lease on its old lifetimes", "[dhcp_client][rfc8415]") {
    Harness h(test_config());
    FakeServer server;
    h.bind(server);
    const auto first = h.events<LeaseObtained>().at(0).lease;
    h.advance();
    FakeServer partial = server;
    partial.na_status = 2;  // NoAddrsAvail for IA_NA, IA_PD renewed
    CHECK(h.deliver(partial.reply(h.last_sent().bytes)) == Disposition::accepted);
    const auto lease = h.events<LeaseRenewed>().at(0).lease;
    REQUIRE(lease.addresses.size() == 1);
    const auto elapsed = static_cast<std::uint32_t>(lease.obtained_at - first.obtained_at);
    CHECK(lease.addresses[0].valid_lifetime == 4000 - elapsed);
    CHECK(lease.addresses[0].preferred_lifetime == 3000 - elapsed);
    CHECK(lease.prefixes.at(0).valid_lifetime == 4000);
}

TEST_CASE("a Renew Reply withdrawing every lease (lifetime 0) ends the lease", "[dhcp_client][rfc8415]") {
    Harness h(test_config());
    FakeServer server;
    h.bind(server);
    h.advance();
    FakeServer withdrawing = server;
    withdrawing.preferred = withdrawing.valid = 0;
    CHECK(h.deliver(withdrawing.reply(h.last_sent().bytes)) == Disposition::accepted);
    CHECK(h.events<LeaseExpired>().size() == 1);
    CHECK(h.client.state() == State::soliciting);
}

TEST_CASE("Release on orderly shutdown", "[dhcp_client][rfc8415]") {
    Harness h(test_config());
    FakeServer server;
    h.bind(server);
    h.client.stop(h.now);
    h.pump();
    CHECK(h.client.state() == State::releasing);
    CHECK_FALSE(h.client.lease());  // §18.2.7: stop using the leases first
    const auto release = h.last_message();
    CHECK(release.type == MessageType::release);
    CHECK(release.server_id == server.duid);
    CHECK(release.ia(3)->addresses == std::vector<net::Ipv6Address>{server.na_address});
    CHECK(release.ia(25)->prefixes == std::vector<net::Ipv6Prefix>{server.pd_prefix});
    CHECK(release.oro.empty());

    SECTION("the server replies") {
        CHECK(h.deliver(server.reply(h.last_sent().bytes)) == Disposition::accepted);
        CHECK(h.events<Released>().size() == 1);
        CHECK(h.client.state() == State::init);
        CHECK_FALSE(h.client.next_deadline());
    }
    SECTION("the server is silent: REL_MAX_RC transmissions, then done") {
        while (h.client.state() == State::releasing) h.advance();
        std::size_t releases = 0;
        for (const auto& s : h.sent) releases += s.type == MessageType::release;
        CHECK(releases == 4);
        CHECK(h.events<Released>().size() == 1);
        CHECK(h.client.state() == State::init);
    }
}

TEST_CASE("stop without a lease goes straight to Init", "[dhcp_client]") {
    Harness h(test_config());
    h.start();
    h.client.stop(h.now);
    CHECK(h.pump() == 0);
    CHECK(h.client.state() == State::init);
    CHECK_FALSE(h.client.next_deadline());
}

TEST_CASE("restore(): a still-valid lease is rebound at once and kept meanwhile", "[dhcp_client][rfc8415]") {
    Harness bound(test_config());
    FakeServer server;
    bound.bind(server);
    const auto stored = bound.events<LeaseObtained>().at(0).lease;

    Harness h(test_config());
    h.now = seconds_at(stored.obtained_at + 100);
    h.client.restore(stored, h.now);
    h.pump();
    CHECK(h.client.state() == State::rebinding);
    CHECK(h.client.lease() == stored);
    REQUIRE(h.sent.size() == 1);
    const auto rebind = h.last_message();
    CHECK(rebind.type == MessageType::rebind);
    CHECK_FALSE(rebind.server_id);
    CHECK(rebind.ia(3)->addresses == std::vector<net::Ipv6Address>{server.na_address});
    CHECK(rebind.ia(25)->prefixes == std::vector<net::Ipv6Prefix>{server.pd_prefix});
    // No event until the Reply.
    CHECK(h.actions.size() == 1);

    SECTION("the server answers") {
        CHECK(h.deliver(server.reply(h.last_sent().bytes)) == Disposition::accepted);
        CHECK(h.client.state() == State::bound);
        REQUIRE(h.events<LeaseRebound>().size() == 1);
        CHECK(h.events<LeaseRebound>()[0].options == server.s46);
    }
    SECTION("no answer within CNF_MAX_RD: the lease goes on with its own timers (§18.2.12)") {
        while (h.client.state() == State::rebinding) h.advance();
        CHECK(h.now == seconds_at(stored.obtained_at + 110));
        CHECK(h.client.state() == State::bound);
        CHECK(h.client.lease() == stored);
        CHECK(h.client.next_deadline() == std::optional<Time>(seconds_at(stored.obtained_at + 1000)));
        CHECK(h.events<LeaseExpired>().empty());
    }
}

TEST_CASE("restore(): an expired lease starts over with Solicit", "[dhcp_client][rfc8415]") {
    Harness bound(test_config());
    FakeServer server;
    bound.bind(server);
    auto stored = bound.events<LeaseObtained>().at(0).lease;

    Harness h(test_config());
    h.now = seconds_at(stored.obtained_at + 4000);
    h.client.restore(stored, h.now);
    h.pump();
    CHECK(h.client.state() == State::soliciting);
    CHECK_FALSE(h.client.lease());
    CHECK(h.events<LeaseExpired>().empty());

    SECTION("a lease made for another IAID is not rebound either") {
        Harness other(test_config());
        stored.iaid_pd = 99;
        other.now = seconds_at(stored.obtained_at + 10);
        other.client.restore(stored, other.now);
        other.pump();
        CHECK(other.client.state() == State::soliciting);
    }
}

TEST_CASE("link up with a lease: Rebind, lease kept until the Reply", "[dhcp_client][rfc8415]") {
    Harness h(test_config());
    FakeServer server;
    h.bind(server);
    const auto before = h.sent.size();
    h.now += 60s;
    h.client.link_up(h.now);
    h.pump();
    CHECK(h.client.state() == State::rebinding);
    REQUIRE(h.sent.size() == before + 1);
    CHECK(h.last_message().type == MessageType::rebind);
    CHECK(h.client.lease());
    CHECK(h.deliver(server.reply(h.last_sent().bytes)) == Disposition::accepted);
    CHECK(h.client.state() == State::bound);
    CHECK(h.events<LeaseRebound>().size() == 1);
}

TEST_CASE("link up without a lease restarts the Solicit", "[dhcp_client]") {
    Harness h(test_config());
    h.start();
    const auto first_xid = h.last_message().transaction_id;
    h.now += 5s;
    h.client.link_up(h.now);
    h.pump();
    CHECK(h.client.state() == State::soliciting);
    CHECK(h.sent.size() >= 2);
    CHECK(h.last_message().elapsed_cs == std::optional<std::uint16_t>(0));
    CHECK(h.client.transaction_id() != std::optional<std::uint32_t>(first_xid));  // a new exchange
}

}  // namespace s46::dhcp::client::test

namespace s46::dhcp::client::test {

TEST_CASE("renew_now: an operator Renew before T1, only when bound", "[dhcp_client][rfc8415]") {
    Harness h(test_config());
    FakeServer server;
    CHECK_FALSE(h.client.renew_now(h.now));  // Init: no lease
    h.bind(server);
    const auto first = h.events<LeaseObtained>().at(0);
    REQUIRE(h.client.renew_now(h.now));
    h.pump();
    CHECK(h.client.state() == State::renewing);
    CHECK(h.last_message().type == MessageType::renew);
    CHECK(h.last_message().server_id == server.duid);
    CHECK_FALSE(h.client.renew_now(h.now));  // already renewing
    CHECK(h.deliver(server.reply(h.last_sent().bytes)) == Disposition::accepted);
    CHECK(h.client.state() == State::bound);
    REQUIRE(h.events<LeaseRenewed>().size() == 1);
    CHECK(h.events<LeaseRenewed>()[0].options == first.options);
}

}  // namespace s46::dhcp::client::test
