// Every received datagram is validated (RFC 8415 §16) and either acted on or ignored under a
// named reason; the engine keeps working and accepts a good message afterwards.
#include <catch2/catch.hpp>

#include <dhcp/dhcp6.h>

#include "fake_server.hpp"

namespace s46::dhcp::client::test {

namespace {

using Bytes = std::vector<std::uint8_t>;

Bytes tlv(std::uint16_t code, const Bytes& value, int claimed_length = -1) {
    const auto len = static_cast<std::uint16_t>(claimed_length >= 0 ? claimed_length : static_cast<int>(value.size()));
    Bytes b{static_cast<std::uint8_t>(code >> 8), static_cast<std::uint8_t>(code), static_cast<std::uint8_t>(len >> 8),
            static_cast<std::uint8_t>(len)};
    b.insert(b.end(), value.begin(), value.end());
    return b;
}

Bytes operator+(Bytes a, const Bytes& b) {
    a.insert(a.end(), b.begin(), b.end());
    return a;
}

// `message` with the value of its first option `code` passed through `edit`.
template <class Edit>
Bytes edit_option(Bytes message, std::uint16_t code, Edit edit) {
    std::size_t off = 4;
    while (off + 4 <= message.size()) {
        const std::uint16_t c = static_cast<std::uint16_t>(message[off] << 8 | message[off + 1]);
        const std::size_t len = static_cast<std::size_t>(message[off + 2] << 8 | message[off + 3]);
        if (c == code) {
            Bytes value(message.begin() + static_cast<std::ptrdiff_t>(off + 4),
                        message.begin() + static_cast<std::ptrdiff_t>(off + 4 + len));
            edit(value);
            Bytes out(message.begin(), message.begin() + static_cast<std::ptrdiff_t>(off));
            out = out + tlv(code, value) + Bytes(message.begin() + static_cast<std::ptrdiff_t>(off + 4 + len), message.end());
            return out;
        }
        off += 4 + len;
    }
    FAIL("option " << code << " not found");
    return message;
}

struct Case {
    const char* name;
    Bytes datagram;
    Reject reason;
};

}  // namespace

TEST_CASE("malformed and spoofed replies are counted, ignored, and a later good Reply is accepted",
          "[dhcp_client][validation][rfc8415]") {
    Harness h(test_config());
    FakeServer server;
    h.to_requesting(server);
    const Bytes request = h.last_sent().bytes;
    const Bytes good = server.reply(request);

    FakeServer no_client_id = server, no_server_id = server, unspec = server, multicast = server, no_pd = server;
    no_client_id.include_client_id = false;
    no_server_id.include_server_id = false;
    unspec.top_status = 1;
    multicast.top_status = 5;
    no_pd.include_pd = false;
    Bytes wrong_xid = good;
    wrong_xid[3] ^= 0x01;
    Bytes solicit_type = good;
    solicit_type[0] = 1;
    Bytes relay_type = good;
    relay_type[0] = 13;
    Bytes unknown_type = good;
    unknown_type[0] = 200;
    Bytes advertise_now = server.advertise(request);
    const Bytes long_duid(200, 0x42);

    const std::vector<Case> cases{
        {"empty datagram", {}, Reject::truncated_header},
        {"3 octets", {7, 0, 0}, Reject::truncated_header},
        {"wrong transaction id", wrong_xid, Reject::wrong_transaction_id},
        {"client message type", solicit_type, Reject::unexpected_message_type},
        {"relay message type", relay_type, Reject::unexpected_message_type},
        {"unknown message type", unknown_type, Reject::unknown_message_type},
        {"Advertise while requesting", advertise_now, Reject::unexpected_message_type},
        {"no client id", no_client_id.reply(request), Reject::missing_client_id},
        {"wrong client id", edit_option(good, D6O_CLIENTID, [](Bytes& v) { v.back() ^= 0xff; }), Reject::wrong_client_id},
        {"no server id", no_server_id.reply(request), Reject::missing_server_id},
        {"truncated option", good + tlv(23, {1, 2, 3}, 16), Reject::truncated_option},
        {"trailing octets", good + Bytes{0, 23}, Reject::truncated_option},
        {"two server ids", good + tlv(D6O_SERVERID, server.duid), Reject::duplicate_option},
        {"server id of 1 octet", edit_option(good, D6O_SERVERID, [](Bytes& v) { v.resize(1); }), Reject::malformed_option},
        {"server id of 200 octets", edit_option(good, D6O_SERVERID, [&](Bytes& v) { v = long_duid; }),
         Reject::malformed_option},
        {"IA_NA of 5 octets", edit_option(good, D6O_IA_NA, [](Bytes& v) { v.resize(5); }), Reject::malformed_option},
        {"IA_PD sub-option overruns", edit_option(good, D6O_IA_PD, [](Bytes& v) { v.push_back(0); }),
         Reject::malformed_option},
        {"IAPREFIX of 20 octets", edit_option(good, D6O_IA_PD, [](Bytes& v) { v[15] = 20; v.resize(12 + 4 + 20); }),
         Reject::malformed_option},
        {"preference of 2 octets", good + tlv(D6O_PREFERENCE, {1, 2}), Reject::malformed_option},
        {"rapid commit with a value", good + tlv(D6O_RAPID_COMMIT, {1}), Reject::malformed_option},
        {"status code of 1 octet", good + tlv(D6O_STATUS_CODE, {0}), Reject::malformed_option},
        {"top-level UnspecFail", unspec.reply(request), Reject::status_unspec_fail},
        {"top-level UseMulticast", multicast.reply(request), Reject::status_use_multicast},
        {"IA_PD missing", no_pd.reply(request), Reject::reply_missing_ia},
    };

    std::uint64_t total = 0;
    for (const auto& c : cases) {
        INFO(c.name);
        CHECK(h.deliver(c.datagram) == Disposition::ignored);
        ++total;
        CHECK(h.client.ignored_total() == total);
        REQUIRE(h.client.last_rejection());
        CHECK(h.client.last_rejection()->reason == c.reason);
        CHECK_FALSE(h.client.last_rejection()->detail.empty());
        CHECK(h.client.state() == State::requesting);
    }
    CHECK(h.client.counters().at(Reject::truncated_header) == 2);
    CHECK(h.client.counters().at(Reject::malformed_option) == 8);
    CHECK(h.events<LeaseObtained>().empty());

    CHECK(h.deliver(good) == Disposition::accepted);
    CHECK(h.client.state() == State::bound);
    CHECK(h.events<LeaseObtained>().size() == 1);
    CHECK(h.client.ignored_total() == total);
}

TEST_CASE("an IA with T1 > T2 is discarded (§21.4): the Reply then lacks it", "[dhcp_client][validation][rfc8415]") {
    Harness h(test_config());
    FakeServer server;
    h.to_requesting(server);
    FakeServer bad = server;
    bad.t1 = 3000;
    bad.t2 = 2000;
    CHECK(h.deliver(bad.reply(h.last_sent().bytes)) == Disposition::ignored);
    CHECK(h.client.last_rejection()->reason == Reject::reply_missing_ia);
    CHECK(h.client.last_rejection()->detail.find("T1 3000 > T2 2000") != std::string::npos);
}

TEST_CASE("a lease with preferred > valid lifetime is dropped (§21.6, §21.22)", "[dhcp_client][validation][rfc8415]") {
    Harness h(test_config());
    FakeServer server;
    h.to_requesting(server);
    FakeServer bad = server;
    bad.preferred = 5000;  // > valid 4000
    CHECK(h.deliver(bad.reply(h.last_sent().bytes)) == Disposition::ignored);
    CHECK(h.client.last_rejection()->reason == Reject::reply_no_bindings);
}

TEST_CASE("Reconfigure is always ignored: no reconfigure-key authentication (§16.11)", "[dhcp_client][validation][rfc8415]") {
    Harness h(test_config());
    FakeServer server;
    server.preference = 255;
    h.bind_at_once(server);
    const auto sent = h.sent.size();
    Bytes reconfigure = server.reply(h.last_sent().bytes) + tlv(19, {5});  // OPTION_RECONF_MSG: Renew
    reconfigure[0] = 10;
    CHECK(h.deliver(reconfigure) == Disposition::ignored);
    CHECK(h.client.counters().at(Reject::reconfigure_ignored) == 1);
    CHECK(h.client.state() == State::bound);
    CHECK(h.sent.size() == sent);  // no Renew triggered
}

TEST_CASE("a Reply with nothing outstanding is ignored", "[dhcp_client][validation]") {
    Harness h(test_config());
    FakeServer server;
    server.preference = 255;
    h.start();
    h.deliver(server.advertise(h.last_sent().bytes));
    const Bytes request = h.last_sent().bytes;
    h.deliver(server.reply(request));
    REQUIRE(h.client.state() == State::bound);
    CHECK(h.deliver(server.reply(request)) == Disposition::ignored);  // a duplicate
    CHECK(h.client.counters().at(Reject::no_exchange) == 1);
    CHECK(h.events<LeaseObtained>().size() == 1);
}

TEST_CASE("a Reply to Renew without a requested IA is treated as not received (§18.2.10.1)",
          "[dhcp_client][validation][rfc8415]") {
    Harness h(test_config());
    FakeServer server;
    server.preference = 255;
    h.bind_at_once(server);
    h.advance();
    REQUIRE(h.client.state() == State::renewing);
    FakeServer no_na = server;
    no_na.include_na = false;
    CHECK(h.deliver(no_na.reply(h.last_sent().bytes)) == Disposition::ignored);
    CHECK(h.client.counters().at(Reject::reply_missing_ia) == 1);
    CHECK(h.client.state() == State::renewing);
    CHECK(h.deliver(server.reply(h.last_sent().bytes)) == Disposition::accepted);
}

TEST_CASE("softwire options that fail validation do not cost the lease", "[dhcp_client][validation]") {
    Harness h(test_config());
    FakeServer server;
    h.to_requesting(server);
    // A MAP-E container holding a truncated S46_RULE: the codec rejects it, the Reply stands.
    const Bytes bad_mape = tlv(94, tlv(89, {1, 16, 24}));
    CHECK(h.deliver(server.reply(h.last_sent().bytes) + bad_mape) == Disposition::accepted);
    const auto ev = h.events<LeaseObtained>().at(0);
    CHECK_FALSE(ev.options.rejected.empty());
    CHECK(ev.options.mape.size() == server.s46.mape.size());
}

}  // namespace s46::dhcp::client::test
