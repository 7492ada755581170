// DISCOVER -> OFFER -> REQUEST -> ACK over DHCPV4-QUERY / DHCPV4-RESPONSE (RFC 2131 §3.1,
// RFC 7341 §5-§6), and what each message carries.
#include <catch2/catch.hpp>

#include <algorithm>

#include "fake_server.hpp"

namespace net = s46::net;
using namespace s46::dhcp::client4o6;
using namespace s46::dhcp::client4o6::test;
using std::chrono::seconds;

TEST_CASE("4o6: nothing is sent or scheduled before start()", "[dhcp4o6]") {
    Harness h;
    CHECK_FALSE(h.client.next_deadline());
    h.advance_to(seconds(100));
    CHECK(h.drain_sends().empty());
    FakeServer server;
    CHECK(h.deliver(server.reply(MessageType::offer, 1)) == Disposition::ignored);
    CHECK(h.client.counters().at(Reject::no_exchange) == 1);
    CHECK(h.client.state() == State::init);
}

TEST_CASE("4o6: the full exchange yields the lease with address, server, times and port set", "[dhcp4o6]") {
    Harness h;
    h.now = seconds(1000);
    FakeServer server;
    h.start();
    auto discover_sends = h.drain_sends();
    REQUIRE(discover_sends.size() == 1);
    CHECK(discover_sends[0].to == v6("2001:db8:0:1::1"));
    CHECK(discover_sends[0].port == 547);
    CHECK(discover_sends[0].type == MessageType::discover);
    CHECK(h.client.state() == State::selecting);

    const SentQuery discover = read_query(discover_sends[0].bytes);
    CHECK(discover.v6_type == kDhcpv4Query);
    CHECK_FALSE(discover.unicast());  // DISCOVER is broadcast in DHCPv4 (RFC 7341 §6.2)
    CHECK_FALSE(discover_sends[0].unicast_flag);
    CHECK(discover.type == MessageType::discover);
    CHECK(discover.op == 1);
    CHECK(discover.ciaddr == net::Ipv4Address());
    CHECK(discover.chaddr == Bytes{0x02, 0, 0, 0, 0, 1});
    CHECK(discover.client_id == Bytes{0x01, 0x02, 0, 0, 0, 0, 0x01});
    CHECK(discover.parameter_request_list == Bytes{1, 3, 6, 51, 54, 58, 59, 159});
    REQUIRE(discover.softwire_source);
    CHECK(*discover.softwire_source == v6("2001:db8:0:1::100"));
    CHECK_FALSE(discover.requested_address);
    CHECK_FALSE(discover.server_id);
    CHECK(h.client.transaction_id() == discover.xid);

    h.now += seconds(1);
    CHECK(h.deliver(server.offer(discover)) == Disposition::accepted);
    auto request_sends = h.drain_sends();
    REQUIRE(request_sends.size() == 1);
    CHECK(h.client.state() == State::requesting);
    const SentQuery request = read_query(request_sends[0].bytes);
    CHECK(request.type == MessageType::request);
    CHECK(request.xid == discover.xid);  // §4.4.1: the OFFER's xid
    CHECK_FALSE(request.unicast());
    CHECK(request.ciaddr == net::Ipv4Address());
    CHECK(request.requested_address == v4("192.0.2.100"));
    CHECK(request.server_id == v4("192.0.2.1"));
    CHECK(request.parameter_request_list == Bytes{1, 3, 6, 51, 54, 58, 59, 159});
    CHECK(request.softwire_source == v6("2001:db8:0:1::100"));

    h.now += seconds(1);
    CHECK(h.deliver(server.ack(request)) == Disposition::accepted);
    h.drain_sends();
    CHECK(h.client.state() == State::bound);
    auto obtained = h.events<LeaseObtained>();
    REQUIRE(obtained.size() == 1);
    const Lease4& lease = obtained[0].lease;
    CHECK(lease.address == v4("192.0.2.100"));
    CHECK(lease.server_id == v4("192.0.2.1"));
    CHECK(lease.times == LeaseTimes{3600, 1800, 3150});
    CHECK(lease.obtained_at == seconds(1001));  // when the REQUEST was first sent (§4.4.1)
    CHECK(lease.softwire_source == v6("2001:db8:0:1::100"));
    REQUIRE(lease.port_params_raw);
    CHECK(*lease.port_params_raw == Bytes{0, 6, 0x14, 0x00});
    REQUIRE(lease.port_params);
    CHECK(lease.port_params->offset == 0);
    CHECK(lease.port_params->psid_len == 6);
    CHECK(lease.port_params->psid == 5);
    REQUIRE(h.client.lease());
    CHECK(*h.client.lease() == lease);
    CHECK(h.client.next_deadline() == seconds(1001 + 1800));  // T1
    CHECK(h.client.ignored_total() == 0);
}

TEST_CASE("4o6: an ACK without option 159 is a full-address lease", "[dhcp4o6]") {
    Harness h;
    FakeServer server;
    server.port_params.reset();
    h.bind(server);
    REQUIRE(h.client.lease());
    CHECK_FALSE(h.client.lease()->port_params);
    CHECK_FALSE(h.client.lease()->port_params_raw);
    CHECK(h.client.state() == State::bound);
}

TEST_CASE("4o6: a PSID-len 0 port set keeps only the offset", "[dhcp4o6]") {
    Harness h;
    FakeServer server;
    server.port_params = Bytes{4, 0, 0, 0};
    h.bind(server);
    REQUIRE(h.client.lease());
    REQUIRE(h.client.lease()->port_params);
    CHECK(h.client.lease()->port_params->offset == 4);
    CHECK(h.client.lease()->port_params->psid_len == 0);
}

TEST_CASE("4o6: one Send per option-88 address, ff02::1:2 when 88 is empty (RFC 7341 §5)", "[dhcp4o6]") {
    SECTION("two servers") {
        Harness h;
        h.servers = {v6("2001:db8::a"), v6("2001:db8::b")};
        h.start();
        auto sends = h.drain_sends();
        REQUIRE(sends.size() == 2);
        CHECK(sends[0].to == v6("2001:db8::a"));
        CHECK(sends[1].to == v6("2001:db8::b"));
        CHECK(sends[0].bytes == sends[1].bytes);
    }
    SECTION("empty option 88") {
        Harness h;
        h.servers.clear();
        h.start();
        auto sends = h.drain_sends();
        REQUIRE(sends.size() == 1);
        CHECK(sends[0].to == v6("ff02::1:2"));
    }
}

TEST_CASE("4o6: the first DISCOVER waits the §4.4.1 random delay", "[dhcp4o6]") {
    ClientConfig cfg = Harness::default_config();
    cfg.max_initial_delay = seconds(10);
    Harness h(cfg, constant_random(0xffffffffu));
    h.start();
    CHECK(h.drain_sends().empty());
    CHECK(h.client.state() == State::selecting);
    CHECK(h.client.next_deadline() == seconds(10));
    h.advance_to(seconds(10) - std::chrono::milliseconds(1));
    CHECK(h.drain_sends().empty());
    h.advance_to(seconds(10));
    auto sends = h.drain_sends();
    REQUIRE(sends.size() == 1);
    CHECK(read_query(sends[0].bytes).secs == 0);
}

TEST_CASE("4o6: start() twice does not restart the exchange", "[dhcp4o6]") {
    Harness h;
    h.start();
    REQUIRE(h.drain_sends().size() == 1);
    h.start();
    CHECK(h.drain_sends().empty());
}

TEST_CASE("4o6: a configuration error is refused with its reason", "[dhcp4o6]") {
    ClientConfig cfg = Harness::default_config();
    cfg.client_id = {0x01};
    CHECK_THROWS_WITH(Client(cfg, constant_random(0)), Catch::Contains("client_id of 1 octet"));
    CHECK_THROWS_WITH(Client(Harness::default_config(), Random{}), Catch::Contains("no random source"));
}
