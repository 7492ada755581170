// Every reason the engine ignores a datagram, each named and counted (reject.hpp), and the pure
// lease-time and port-set checks behind two of them.
#include <catch2/catch.hpp>

#include "dhcp/client4o6/lease.hpp"
#include "dhcp/client4o6/state.hpp"
#include "fake_server.hpp"

namespace net = s46::net;
namespace provision = s46::provision;
using namespace s46::dhcp::client4o6;
using namespace s46::dhcp::client4o6::test;
using std::chrono::seconds;

namespace {

// A client in Selecting (sel) or Requesting (req) and the query the server answers.
struct Selecting {
    Harness h;
    SentQuery discover;
    Selecting() {
        h.start();
        discover = read_query(h.drain_sends().at(0).bytes);
    }
};
struct Requesting {
    Harness h;
    SentQuery request;
    explicit Requesting(const FakeServer& server = FakeServer{}) {
        h.start();
        h.deliver(server.offer(read_query(h.drain_sends().at(0).bytes)));
        request = read_query(h.drain_sends().at(0).bytes);
    }
};

void require_ignored(Harness& h, const Bytes& datagram, Reject reason, const char* detail_part) {
    const State before = h.client.state();
    const auto total = h.client.ignored_total();
    CHECK(h.deliver(datagram) == Disposition::ignored);
    CHECK(h.client.ignored_total() == total + 1);
    REQUIRE(h.client.last_rejection());
    CHECK(h.client.last_rejection()->reason == reason);
    CHECK_THAT(h.client.last_rejection()->detail, Catch::Contains(detail_part));
    CHECK(h.client.counters().count(reason) == 1);
    CHECK(h.client.state() == before);
    CHECK(h.drain_sends().empty());
}

Bytes with_v4(Bytes v4, std::size_t at, std::uint8_t value) {
    v4.at(at) = value;
    return v4;
}

}  // namespace

TEST_CASE("4o6 lease times: §4.4.5 defaults and the T1 <= T2 <= lease rule", "[dhcp4o6]") {
    CHECK(std::get<LeaseTimes>(apply_lease_times(1000, std::nullopt, std::nullopt)) == LeaseTimes{1000, 500, 875});
    CHECK(std::get<LeaseTimes>(apply_lease_times(1000, 100, std::nullopt)) == LeaseTimes{1000, 100, 875});
    CHECK(std::get<LeaseTimes>(apply_lease_times(1000, 1000, 1000)) == LeaseTimes{1000, 1000, 1000});
    CHECK_THAT(std::get<std::string>(apply_lease_times(0, std::nullopt, std::nullopt)), Catch::Contains("lease time 0"));
    CHECK_THAT(std::get<std::string>(apply_lease_times(1000, 700, 600)), Catch::Contains("T1 700 > T2 600"));
    CHECK_THAT(std::get<std::string>(apply_lease_times(1000, 900, std::nullopt)),
               Catch::Contains("T1 900 > T2 875 (default)"));
    CHECK_THAT(std::get<std::string>(apply_lease_times(1000, 500, 1001)), Catch::Contains("T2 1001 > lease time 1000"));
    CHECK_THAT(std::get<std::string>(apply_lease_times(1000, std::nullopt, 400)),
               Catch::Contains("T1 500 (default) > T2 400"));
}

TEST_CASE("4o6 lease timers: times past what Time holds are never, not wrapped", "[dhcp4o6]") {
    Lease4 lease;
    lease.times = LeaseTimes{1000, 500, 875};
    lease.obtained_at = seconds(100);
    auto t = lease_timers(lease);
    CHECK(t.t1 == seconds(600));
    CHECK(t.t2 == seconds(975));
    CHECK(t.expiry == seconds(1100));
    lease.obtained_at = s46::Time::max() - seconds(700);  // a fuzzer's `now`: T1 fits, T2 and expiry do not
    t = lease_timers(lease);
    CHECK(t.t1 == lease.obtained_at + seconds(500));
    CHECK(t.t2 == kNever);
    CHECK(t.expiry == kNever);
}

TEST_CASE("4o6 state table: Bound never goes straight back to Selecting", "[dhcp4o6]") {
    CHECK_FALSE(transition_allowed(State::bound, State::selecting));
    CHECK_FALSE(transition_allowed(State::init, State::requesting));
    CHECK(transition_allowed(State::init, State::bound));  // restore() of a stored lease only
    CHECK(transition_allowed(State::requesting, State::bound));
    CHECK(transition_allowed(State::renewing, State::rebinding));
}

TEST_CASE("4o6 rejects: the DHCPv6 envelope", "[dhcp4o6]") {
    Selecting s;
    FakeServer server;
    const Bytes good = server.offer(s.discover);
    SECTION("truncated header") { require_ignored(s.h, Bytes{21, 0, 0}, Reject::truncated_envelope, "3 octet"); }
    SECTION("an option overruns the message") {
        Bytes cut(good.begin(), good.end() - 1);
        require_ignored(s.h, cut, Reject::truncated_envelope, "option 87 length");
    }
    SECTION("trailing octets") {
        Bytes extra = good;
        extra.push_back(0);
        require_ignored(s.h, extra, Reject::truncated_envelope, "1 octet(s) trail the last option");
    }
    SECTION("DHCPV4-QUERY instead of RESPONSE") {
        Bytes q = good;
        q[0] = 20;
        require_ignored(s.h, q, Reject::not_dhcpv4_response, "type 20");
    }
    SECTION("a DHCPv6 Reply") {
        Bytes q = good;
        q[0] = 7;
        require_ignored(s.h, q, Reject::not_dhcpv4_response, "type 7");
    }
    SECTION("no option 87") { require_ignored(s.h, Bytes{21, 0, 0, 0}, Reject::missing_dhcpv4_message, "no option 87"); }
    SECTION("two options 87") {
        Bytes two = good;
        two.insert(two.end(), good.begin() + 4, good.end());
        require_ignored(s.h, two, Reject::duplicate_dhcpv4_message, "2 options 87");
    }
    // The good one is still accepted afterwards.
    CHECK(s.h.deliver(good) == Disposition::accepted);
}

TEST_CASE("4o6: Pad is skipped and nothing after END is read (RFC 2132 §3.1, §3.2)", "[dhcp4o6]") {
    Selecting s;
    FakeServer server;
    const Bytes v4 = server.reply4(MessageType::offer, s.discover.xid);
    Bytes m(v4.begin(), v4.begin() + 240);
    m.insert(m.end(), {kOpt4Pad, kOpt4Pad});
    m.insert(m.end(), v4.begin() + 240, v4.end());
    REQUIRE(m.back() == kOpt4End);
    m.insert(m.end(), {kOpt4ServerId, 200});  // would overrun the field if it were walked
    CHECK(s.h.deliver(wrap_raw(m)) == Disposition::accepted);
}

TEST_CASE("4o6 rejects: the DHCPv4 message's framing", "[dhcp4o6]") {
    Selecting s;
    FakeServer server;
    const Bytes v4 = server.reply4(MessageType::offer, s.discover.xid);
    SECTION("shorter than 240 octets") {
        require_ignored(s.h, wrap_raw(Bytes(v4.begin(), v4.begin() + 239)), Reject::truncated_message, "239 octet");
    }
    SECTION("an option overruns the options field") {
        Bytes cut(v4.begin(), v4.begin() + 240);
        cut.insert(cut.end(), {kOpt4MessageType, 1, 2, kOpt4ServerId, 4, 192, 0});
        require_ignored(s.h, wrap_raw(cut), Reject::truncated_option, "option 54 length 4");
    }
    SECTION("an option without its length octet") {
        Bytes cut(v4.begin(), v4.begin() + 240);
        cut.insert(cut.end(), {kOpt4MessageType, 1, 2, kOpt4ServerId});
        require_ignored(s.h, wrap_raw(cut), Reject::truncated_option, "option 54 has no length");
    }
    SECTION("bad magic cookie") {
        require_ignored(s.h, wrap_raw(with_v4(v4, 236, 0)), Reject::malformed_message, "libdhcp++");
    }
    SECTION("option 53 of two octets") {
        Bytes m(v4.begin(), v4.begin() + 240);
        m.insert(m.end(), {kOpt4MessageType, 2, 2, 2, kOpt4End});
        require_ignored(s.h, wrap_raw(m), Reject::malformed_message, "option 53 length 2, expected 1");
    }
    SECTION("BOOTREQUEST") {
        FakeServer wrong = server;
        wrong.op = 1;
        require_ignored(s.h, wrong.offer(s.discover), Reject::wrong_op, "op 1");
    }
    SECTION("no option 53") {
        Bytes m(v4.begin(), v4.begin() + 240);
        m.push_back(kOpt4End);
        require_ignored(s.h, wrap_raw(m), Reject::missing_message_type, "no option 53");
    }
    CHECK(s.h.deliver(wrap_raw(v4)) == Disposition::accepted);
}

TEST_CASE("4o6 rejects: xid and message type against the state", "[dhcp4o6]") {
    FakeServer server;
    SECTION("wrong xid") {
        Selecting s;
        require_ignored(s.h, server.reply(MessageType::offer, s.discover.xid ^ 1), Reject::wrong_transaction_id, "xid");
    }
    SECTION("ACK while selecting") {
        Selecting s;
        require_ignored(s.h, server.ack(s.discover), Reject::unexpected_message_type, "DHCPACK in Selecting");
    }
    SECTION("NAK while selecting") {
        Selecting s;
        require_ignored(s.h, server.nak(s.discover), Reject::unexpected_message_type, "DHCPNAK in Selecting");
    }
    SECTION("OFFER while requesting") {
        Requesting r;
        require_ignored(r.h, server.offer(r.request), Reject::unexpected_message_type, "DHCPOFFER in Requesting");
    }
    SECTION("an unknown message type") {
        Selecting s;
        const Bytes v4 = server.reply4(MessageType::offer, s.discover.xid);
        REQUIRE(v4.at(240) == kOpt4MessageType);  // libdhcp++ packs 53 first
        require_ignored(s.h, wrap_raw(with_v4(v4, 242, 42)), Reject::unexpected_message_type, "message type 42");
    }
    SECTION("anything in Bound") {
        Harness h;
        const SentQuery request = h.bind(server);
        require_ignored(h, server.ack(request), Reject::no_exchange, "Bound");
    }
    SECTION("anything before the delayed first DISCOVER went out") {
        ClientConfig cfg = Harness::default_config();
        cfg.max_initial_delay = seconds(5);
        Harness h(cfg, constant_random(0xffffffffu));
        h.start();
        require_ignored(h, server.reply(MessageType::offer, 0xffffffffu), Reject::no_exchange, "Selecting");
    }
}

namespace {

// One FakeServer field broken per row; the client is Selecting (OFFER rows) or Requesting.
struct BrokenReply {
    const char* name;
    MessageType type;
    void (*breaks)(FakeServer&);
    Reject reason;
    const char* detail;
};

const BrokenReply kBrokenReplies[] = {
    {"OFFER without server id", MessageType::offer, [](FakeServer& s) { s.send_server_id = false; },
     Reject::missing_server_id, "DHCPOFFER without option 54"},
    {"ACK without server id", MessageType::ack, [](FakeServer& s) { s.send_server_id = false; },
     Reject::missing_server_id, "DHCPACK without option 54"},
    {"NAK without server id", MessageType::nak, [](FakeServer& s) { s.send_server_id = false; },
     Reject::missing_server_id, "DHCPNAK without option 54"},
    {"OFFER with yiaddr 0", MessageType::offer, [](FakeServer& s) { s.address = net::Ipv4Address(); },
     Reject::zero_yiaddr, "DHCPOFFER with yiaddr 0.0.0.0"},
    {"ACK with yiaddr 0", MessageType::ack, [](FakeServer& s) { s.address = net::Ipv4Address(); },
     Reject::zero_yiaddr, "DHCPACK with yiaddr 0.0.0.0"},
    {"ACK without lease time", MessageType::ack, [](FakeServer& s) { s.send_lease_time = false; },
     Reject::missing_lease_time, "option 51"},
    {"ACK with T1 > T2", MessageType::ack, [](FakeServer& s) { s.t1 = 3000, s.t2 = 2000; },
     Reject::bad_lease_times, "T1 3000 > T2 2000"},
    {"ACK with T2 > lease", MessageType::ack, [](FakeServer& s) { s.t2 = 4000; },
     Reject::bad_lease_times, "T2 4000 > lease time 3600"},
    {"ACK with lease time 0", MessageType::ack, [](FakeServer& s) { s.lease_time = 0, s.t1.reset(), s.t2.reset(); },
     Reject::bad_lease_times, "lease time 0"},
    {"OFFER with T1 > T2", MessageType::offer, [](FakeServer& s) { s.t1 = 3200; },
     Reject::bad_lease_times, "T1 3200 > T2 3150"},
    {"ACK with PSID-len 17", MessageType::ack, [](FakeServer& s) { s.port_params = Bytes{0, 17, 0, 0}; },
     Reject::bad_port_params, "option 159 psid-len 17 > 16"},
    {"ACK with offset 16", MessageType::ack, [](FakeServer& s) { s.port_params = Bytes{16, 0, 0, 0}; },
     Reject::bad_port_params, "option 159 offset 16 > 15"},
    {"ACK with a PSID wider than PSID-len", MessageType::ack, [](FakeServer& s) { s.port_params = Bytes{0, 4, 0x12, 0x34}; },
     Reject::bad_port_params, "option 159 PSID 0x1234 has bits set past psid-len 4"},
};

}  // namespace

TEST_CASE("4o6 rejects: OFFER, ACK and NAK with one field broken", "[dhcp4o6]") {
    for (const auto& row : kBrokenReplies) {
        DYNAMIC_SECTION(row.name) {
            FakeServer bad;
            row.breaks(bad);
            if (row.type == MessageType::offer) {
                Selecting s;
                require_ignored(s.h, bad.offer(s.discover), row.reason, row.detail);
            } else {
                Requesting r;
                require_ignored(r.h, bad.reply(row.type, r.request.xid), row.reason, row.detail);
            }
        }
    }
}

TEST_CASE("4o6 rejects: OFFER, ACK and NAK contents", "[dhcp4o6]") {
    FakeServer server;
    SECTION("server id of 3 octets") {
        Selecting s;
        const Bytes v4 = server.reply4(MessageType::offer, s.discover.xid);
        Bytes m(v4.begin(), v4.begin() + 240);
        m.insert(m.end(), {kOpt4MessageType, 1, 2, kOpt4ServerId, 3, 192, 0, 2, kOpt4End});
        require_ignored(s.h, wrap_raw(m), Reject::malformed_message, "option 54 length 3, expected 4");
    }
    SECTION("ACK with a 2-octet T1") {
        Requesting r;
        Bytes m = server.reply4(MessageType::ack, r.request.xid);
        m.pop_back();
        m.insert(m.end(), {kOpt4RenewalTime, 2, 0, 1, kOpt4End});
        require_ignored(r.h, wrap_raw(m), Reject::bad_lease_times, "option 58 length 2, expected 4");
    }
    SECTION("ACK with a 3-octet option 159") {
        Requesting r;
        FakeServer bad = server;
        bad.port_params = Bytes{0, 4, 0x10};
        require_ignored(r.h, wrap_raw(bad.reply4(MessageType::ack, r.request.xid)), Reject::bad_port_params,
                        "option 159 option-len 3 != 4");
    }
    SECTION("ACK with option 159 twice") {
        Requesting r;
        const Bytes v4 = server.reply4(MessageType::ack, r.request.xid);
        Bytes m = v4;
        m.pop_back();  // END
        m.insert(m.end(), {kOpt4PortParams, 4, 0, 6, 0x14, 0, kOpt4End});
        require_ignored(r.h, wrap_raw(m), Reject::bad_port_params, "twice");
    }
    SECTION("renewing ACK for another address") {
        Harness h;
        FakeServer s = short_lease_server();
        h.bind(s);
        h.advance_to(seconds(500));
        const SentQuery renew = read_query(h.drain_sends().at(0).bytes);
        s.address = v4("192.0.2.101");
        require_ignored(h, s.ack(renew), Reject::wrong_address, "DHCPACK for 192.0.2.101 while renewing 192.0.2.100");
        REQUIRE(h.client.lease());
        CHECK(h.client.lease()->address == v4("192.0.2.100"));
    }
}

TEST_CASE("4o6 rejects: a refused ACK leaves the REQUEST running and a good one still binds", "[dhcp4o6]") {
    Requesting r;
    FakeServer bad;
    bad.t1 = 3000;
    bad.t2 = 2000;
    CHECK(r.h.deliver(bad.ack(r.request)) == Disposition::ignored);
    CHECK(r.h.client.state() == State::requesting);
    CHECK(r.h.client.next_deadline());
    FakeServer good;
    CHECK(r.h.deliver(good.ack(r.request)) == Disposition::accepted);
    CHECK(r.h.client.state() == State::bound);
    CHECK(r.h.client.counters().at(Reject::bad_lease_times) == 1);
    CHECK(r.h.client.ignored_total() == 1);
}
