// After the first ACK: renewal and rebinding ACKs, NAK (REQUESTING and RENEWING), DECLINE,
// RELEASE on stop, and the RFC 8539 source-address change.
#include <catch2/catch.hpp>

#include "fake_server.hpp"

namespace net = s46::net;
using namespace s46::dhcp::client4o6;
using namespace s46::dhcp::client4o6::test;
using s46::Time;
using std::chrono::seconds;

namespace {

// The lease is gone for `reason`, the engine waits in Init, and DISCOVERs at `restart_at`.
void check_lost_then_restart(Harness& h, LossReason reason, Time restart_at) {
    auto lost = h.events<LeaseLost>();
    REQUIRE(lost.size() == 1);
    CHECK(lost[0].reason == reason);
    CHECK(lost[0].lease.address == v4("192.0.2.100"));
    CHECK_FALSE(h.client.lease());
    CHECK(h.client.state() == State::init);
    CHECK(h.client.next_deadline() == restart_at);
    h.advance_to(restart_at - std::chrono::milliseconds(1));
    CHECK(h.drain_sends().empty());
    h.advance_to(restart_at);
    auto sends = h.drain_sends();
    REQUIRE(sends.size() == 1);
    CHECK(read_query(sends[0].bytes).type == MessageType::discover);
    CHECK(h.client.state() == State::selecting);
}

}  // namespace

TEST_CASE("4o6: an ACK in RENEWING renews the lease from the REQUEST's send time", "[dhcp4o6]") {
    Harness h;
    FakeServer server = short_lease_server();
    h.bind(server);
    h.advance_to(seconds(500));
    const SentQuery renew = read_query(h.drain_sends().at(0).bytes);
    h.now = seconds(502);
    server.lease_time = 2000;
    server.t1 = 1000;
    server.t2 = 1750;
    CHECK(h.deliver(server.ack(renew)) == Disposition::accepted);
    h.drain_sends();
    auto renewed = h.events<LeaseRenewed>();
    REQUIRE(renewed.size() == 1);
    CHECK(renewed[0].lease.obtained_at == seconds(500));
    CHECK(renewed[0].lease.times == LeaseTimes{2000, 1000, 1750});
    CHECK(h.client.state() == State::bound);
    CHECK(h.client.next_deadline() == seconds(1500));
    CHECK(h.events<LeaseObtained>().size() == 1);
}

TEST_CASE("4o6: an ACK in REBINDING is reported as LeaseRebound", "[dhcp4o6]") {
    Harness h;
    FakeServer server = short_lease_server();
    h.bind(server);
    h.advance_to(seconds(800));
    const SentQuery rebind = read_query(h.drain_sends().at(0).bytes);
    REQUIRE(h.client.state() == State::rebinding);
    CHECK(h.deliver(server.ack(rebind)) == Disposition::accepted);
    h.drain_sends();
    REQUIRE(h.events<LeaseRebound>().size() == 1);
    CHECK(h.events<LeaseRebound>()[0].lease.obtained_at == seconds(800));
    CHECK(h.client.state() == State::bound);
}

TEST_CASE("4o6: a NAK in REQUESTING goes back to INIT and DISCOVERs after the restart delay", "[dhcp4o6]") {
    Harness h;
    FakeServer server;
    h.start();
    const SentQuery discover = read_query(h.drain_sends().at(0).bytes);
    h.deliver(server.offer(discover));
    const SentQuery request = read_query(h.drain_sends().at(0).bytes);
    h.now = seconds(3);
    CHECK(h.deliver(server.nak(request)) == Disposition::accepted);
    CHECK(h.client.state() == State::init);
    CHECK(h.drain_sends().empty());
    CHECK(h.events<LeaseLost>().empty());  // there was no lease to lose
    CHECK(h.client.next_deadline() == seconds(13));
    h.advance_to(seconds(12));
    CHECK(h.drain_sends().empty());
    h.advance_to(seconds(13));
    auto sends = h.drain_sends();
    REQUIRE(sends.size() == 1);
    CHECK(read_query(sends[0].bytes).type == MessageType::discover);
    CHECK(h.client.state() == State::selecting);
}

TEST_CASE("4o6: a NAK in RENEWING drops the lease at once", "[dhcp4o6]") {
    Harness h;
    FakeServer server = short_lease_server();
    h.bind(server);
    h.advance_to(seconds(500));
    const SentQuery renew = read_query(h.drain_sends().at(0).bytes);
    h.now = seconds(501);
    CHECK(h.deliver(server.nak(renew)) == Disposition::accepted);
    check_lost_then_restart(h, LossReason::nak, seconds(511));
}

TEST_CASE("4o6: decline() sends DHCPDECLINE and restarts after 10 s", "[dhcp4o6]") {
    Harness h;
    FakeServer server;
    CHECK_FALSE(h.client.decline(h.now));  // no lease yet
    h.bind(server);
    h.now = seconds(20);
    REQUIRE(h.client.decline(h.now));
    auto sends = h.drain_sends();
    REQUIRE(sends.size() == 1);
    CHECK_FALSE(sends[0].unicast_flag);
    const SentQuery d = read_query(sends[0].bytes);
    CHECK(d.type == MessageType::decline);
    CHECK(d.requested_address == v4("192.0.2.100"));
    CHECK(d.server_id == v4("192.0.2.1"));
    CHECK(d.ciaddr == net::Ipv4Address());
    check_lost_then_restart(h, LossReason::declined, seconds(30));
}

TEST_CASE("4o6: stop() with a lease sends DHCPRELEASE (U flag) and returns to Init", "[dhcp4o6]") {
    Harness h;
    FakeServer server;
    h.bind(server);
    h.now = seconds(50);
    h.client.stop(h.now);
    auto sends = h.drain_sends();
    REQUIRE(sends.size() == 1);
    CHECK(sends[0].unicast_flag);
    const SentQuery r = read_query(sends[0].bytes);
    CHECK(r.type == MessageType::release);
    CHECK(r.unicast());
    CHECK(r.ciaddr == v4("192.0.2.100"));
    CHECK(r.server_id == v4("192.0.2.1"));
    REQUIRE(h.events<Released>().size() == 1);
    CHECK(h.events<Released>()[0].lease.address == v4("192.0.2.100"));
    CHECK(h.client.state() == State::init);
    CHECK_FALSE(h.client.lease());
    CHECK_FALSE(h.client.started());
    CHECK_FALSE(h.client.next_deadline());
    h.advance_to(seconds(100000));
    CHECK(h.drain_sends().empty());
    // A new start() works after stop().
    h.start();
    CHECK(h.drain_sends().size() == 1);
}

TEST_CASE("4o6: stop() without a lease sends nothing", "[dhcp4o6]") {
    Harness h;
    h.start();
    h.drain_sends();
    h.client.stop(h.now);
    CHECK(h.drain_sends().empty());
    CHECK(h.events<Released>().empty());
    CHECK(h.client.state() == State::init);
    CHECK_FALSE(h.client.next_deadline());
}

TEST_CASE("4o6: a new softwire source address starts a new exchange carrying it (RFC 8539)", "[dhcp4o6]") {
    const auto fresh = v6("2001:db8:0:2::100");
    SECTION("Bound: REQUEST in RENEWING, then the ACK records the new source") {
        Harness h;
        FakeServer server = short_lease_server();
        h.bind(server);
        h.now = seconds(100);
        h.client.source_address_changed(fresh, h.now);
        auto sends = h.drain_sends();
        REQUIRE(sends.size() == 1);
        CHECK(h.client.state() == State::renewing);
        const SentQuery q = read_query(sends[0].bytes);
        CHECK(q.type == MessageType::request);
        CHECK(q.unicast());
        CHECK(q.ciaddr == v4("192.0.2.100"));
        CHECK(q.softwire_source == fresh);
        h.deliver(server.ack(q));
        h.drain_sends();
        REQUIRE(h.events<LeaseRenewed>().size() == 1);
        CHECK(h.events<LeaseRenewed>()[0].lease.softwire_source == fresh);
        CHECK(h.events<LeaseRenewed>()[0].lease.obtained_at == seconds(100));
    }
    SECTION("Rebinding: the REBINDING REQUEST starts over with the new source") {
        Harness h;
        FakeServer server = short_lease_server();
        h.bind(server);
        h.advance_to(seconds(800));
        const SentQuery old = read_query(h.drain_sends().at(0).bytes);
        h.now = seconds(810);
        h.client.source_address_changed(fresh, h.now);
        auto sends = h.drain_sends();
        REQUIRE(sends.size() == 1);
        const SentQuery q = read_query(sends[0].bytes);
        CHECK(h.client.state() == State::rebinding);
        CHECK_FALSE(q.unicast());
        CHECK(q.xid != old.xid);
        CHECK(q.softwire_source == fresh);
    }
    SECTION("Selecting: a new DISCOVER with a new xid") {
        Harness h(Harness::default_config(), counting_random());
        h.start();
        const SentQuery old = read_query(h.drain_sends().at(0).bytes);
        h.client.source_address_changed(fresh, h.now);
        auto sends = h.drain_sends();
        REQUIRE(sends.size() == 1);
        const SentQuery q = read_query(sends[0].bytes);
        CHECK(q.type == MessageType::discover);
        CHECK(q.softwire_source == fresh);
        CHECK(q.xid != old.xid);
        CHECK(h.client.transaction_id() == q.xid);
    }
    SECTION("Requesting: back to DISCOVER") {
        Harness h;
        FakeServer server;
        h.start();
        h.deliver(server.offer(read_query(h.drain_sends().at(0).bytes)));
        h.drain_sends();
        REQUIRE(h.client.state() == State::requesting);
        h.client.source_address_changed(fresh, h.now);
        auto sends = h.drain_sends();
        REQUIRE(sends.size() == 1);
        CHECK(read_query(sends[0].bytes).type == MessageType::discover);
        CHECK(h.client.state() == State::selecting);
    }
    SECTION("unchanged address or not started: nothing") {
        Harness h;
        h.client.source_address_changed(fresh, h.now);
        CHECK(h.drain_sends().empty());
        FakeServer server;
        h.bind(server);
        h.client.source_address_changed(h.source, h.now);
        CHECK(h.drain_sends().empty());
        CHECK(h.client.state() == State::bound);
    }
}

namespace {

// The lease a first run obtained (lease 1000 s, T1 500, T2 800 from obtained_at 0), taken from
// that run's LeaseObtained, so restore() is fed exactly what the daemon stores.
Lease4 stored_lease() {
    Harness first;
    FakeServer server = short_lease_server();
    first.bind(server);
    auto obtained = first.events<LeaseObtained>();
    REQUIRE(obtained.size() == 1);
    return obtained[0].lease;
}

}  // namespace

TEST_CASE("4o6 restore: before T1 the stored lease is Bound and nothing is sent", "[dhcp4o6]") {
    const Lease4 lease = stored_lease();
    Harness h;
    h.now = seconds(100);
    REQUIRE(h.client.restore(h.now, h.source, h.servers, lease));
    CHECK(h.client.state() == State::bound);
    CHECK(h.client.started());
    CHECK(h.client.lease() == lease);
    CHECK(h.drain_sends().empty());
    CHECK(h.client.next_deadline() == seconds(500));
    h.advance_to(seconds(500));  // T1 as counted from the stored obtained_at
    auto sends = h.drain_sends();
    REQUIRE(sends.size() == 1);
    const SentQuery renew = read_query(sends[0].bytes);
    CHECK(renew.type == MessageType::request);
    CHECK(renew.ciaddr == lease.address);
    CHECK(renew.unicast());
    CHECK(h.client.state() == State::renewing);
}

TEST_CASE("4o6 restore: past T1 it renews at once, past T2 it rebinds at once", "[dhcp4o6]") {
    const Lease4 lease = stored_lease();
    Harness h;
    SECTION("between T1 and T2") {
        REQUIRE(h.client.restore(seconds(600), h.source, h.servers, lease));
        CHECK(h.client.state() == State::renewing);
        auto sends = h.drain_sends();
        REQUIRE(sends.size() == 1);
        CHECK(read_query(sends[0].bytes).unicast());
    }
    SECTION("between T2 and expiry") {
        REQUIRE(h.client.restore(seconds(900), h.source, h.servers, lease));
        CHECK(h.client.state() == State::rebinding);
        auto sends = h.drain_sends();
        REQUIRE(sends.size() == 1);
        CHECK_FALSE(read_query(sends[0].bytes).unicast());
    }
    CHECK(h.events<LeaseLost>().empty());
}

TEST_CASE("4o6 restore: with silent servers the restored lease still expires on time", "[dhcp4o6]") {
    const Lease4 lease = stored_lease();
    Harness h;
    h.now = seconds(900);
    REQUIRE(h.client.restore(h.now, h.source, h.servers, lease));
    h.advance_to(seconds(999));
    CHECK(h.events<LeaseLost>().empty());
    h.advance_to(seconds(1000));
    auto lost = h.events<LeaseLost>();
    REQUIRE(lost.size() == 1);
    CHECK(lost[0].reason == LossReason::expired);
    CHECK(h.client.state() == State::selecting);  // §4.4.5: start over at once
}

TEST_CASE("4o6 restore: an expired lease or a started engine is not restored", "[dhcp4o6]") {
    const Lease4 lease = stored_lease();
    Harness h;
    SECTION("expired") {
        CHECK_FALSE(h.client.restore(seconds(1000), h.source, h.servers, lease));
        CHECK(h.client.state() == State::init);
        CHECK_FALSE(h.client.started());
        CHECK_FALSE(h.client.lease());
    }
    SECTION("already started") {
        h.start();
        CHECK_FALSE(h.client.restore(seconds(1), h.source, h.servers, lease));
        CHECK(h.client.state() == State::selecting);
        CHECK_FALSE(h.client.lease());
    }
}

TEST_CASE("4o6 restore: a new softwire source is told to the server in a RENEWING REQUEST", "[dhcp4o6]") {
    const Lease4 lease = stored_lease();
    Harness h;
    const auto moved = v6("2001:db8:0:2::100");
    REQUIRE(lease.softwire_source != moved);
    REQUIRE(h.client.restore(seconds(100), moved, h.servers, lease));
    CHECK(h.client.state() == State::renewing);
    auto sends = h.drain_sends();
    REQUIRE(sends.size() == 1);
    const SentQuery q = read_query(sends[0].bytes);
    CHECK(q.type == MessageType::request);
    CHECK(q.softwire_source == moved);
}
