// Fuzz target: the DHCPv4-over-DHCPv6 client engine (dhcp/client4o6) fed arbitrary datagrams as
// DHCPV4-RESPONSEs, and its response parser (envelope + DHCPv4 message) on its own.
//
// Each input is delivered to three fresh engines: one Selecting (DISCOVER out), one Requesting
// (a hand-built OFFER accepted) and one Renewing (bound by a hand-built ACK, run to T1). Before
// delivery the DHCPv4 xid, where a well-formed response with option 87 first keeps it (datagram
// octets 12..15), is overwritten with the outstanding one so the input gets past the xid check.
//
// Invariants, for every delivery:
//  * unwrap_response / parse_server_message / receive() return (never throw);
//  * Ignored <=> ignored_total() grew by exactly 1, the counter of last_rejection()'s reason grew
//    by 1, and the debug text is not empty; Accepted <=> no counter moved;
//  * an accepted datagram parses to a message with a server id (option 54); an accepted OFFER
//    or ACK has a nonzero yiaddr; the lease it leaves has T1 <= T2 <= lease (after the §4.4.5
//    defaults), matches the ACK's yiaddr and server id, and a decoded port set that fits
//    (offset <= 15, PSID-len <= 16, offset + PSID-len <= 16, PSID < 2^PSID-len);
//  * Accepted while Requesting means Bound with a LeaseObtained event carrying the same lease;
//  * something is always scheduled (next_deadline()) while started.
#include <cstdint>
#include <span>
#include <variant>
#include <vector>

#include "dhcp/client4o6/client.hpp"
#include "dhcp/client4o6/envelope.hpp"
#include "dhcp/client4o6/message.hpp"
#include "fuzz/fuzz_check.hpp"

namespace net = s46::net;
using namespace s46::dhcp::client4o6;
using s46::Time;

namespace {


using Bytes = std::vector<std::uint8_t>;

constexpr std::uint32_t kRandom = 0x01020304;  // every xid is 0x01020304, jitter ~ -1 s

void put32(Bytes& b, std::uint32_t v) {
    for (int s = 24; s >= 0; s -= 8) b.push_back(static_cast<std::uint8_t>(v >> s));
}

// A DHCPV4-RESPONSE carrying a DHCPv4 reply of `type` for 192.0.2.100 from 192.0.2.1, lease
// 1000 s, T1 500, T2 800, port set offset 0 / PSID-len 6 / PSID 5.
Bytes response(std::uint8_t type, std::uint32_t xid) {
    Bytes v4(236, 0);
    v4[0] = 2;  // BOOTREPLY
    v4[1] = 1;
    v4[2] = 6;
    for (int i = 0; i < 4; ++i) v4[4 + i] = static_cast<std::uint8_t>(xid >> (24 - 8 * i));
    const std::uint8_t yiaddr[4] = {192, 0, 2, 100};
    for (int i = 0; i < 4; ++i) v4[16 + i] = yiaddr[i];
    v4.insert(v4.end(), {99, 130, 83, 99});  // magic cookie
    v4.insert(v4.end(), {53, 1, type, 54, 4, 192, 0, 2, 1, 51, 4});
    put32(v4, 1000);
    v4.insert(v4.end(), {58, 4});
    put32(v4, 500);
    v4.insert(v4.end(), {59, 4});
    put32(v4, 800);
    v4.insert(v4.end(), {159, 4, 0, 6, 0x14, 0x00, 255});
    // Envelope in front of the message (built in place: GCC 12 -Warray-bounds misreads an
    // insert into a short braced-initialized vector).
    const Bytes envelope{kDhcpv4Response, 0, 0, 0, 0, kOptDhcpv4Msg, static_cast<std::uint8_t>(v4.size() >> 8),
                         static_cast<std::uint8_t>(v4.size())};
    v4.insert(v4.begin(), envelope.begin(), envelope.end());
    return v4;
}

ClientConfig config() {
    ClientConfig c;
    c.hw_address = {2, 0, 0, 0, 0, 1};
    c.max_initial_delay = Time(0);
    return c;
}

net::Ipv6Address address(std::uint8_t last) {
    net::Ipv6Address a;
    a.bytes[0] = 0x20;
    a.bytes[1] = 0x01;
    a.bytes[2] = 0x0d;
    a.bytes[3] = 0xb8;
    a.bytes[15] = last;
    return a;
}

// The parser alone: never throws, and what it accepts is framed as claimed.
void check_parser(std::span<const std::uint8_t> data) {
    auto unwrapped = unwrap_response(data);
    if (auto* r = std::get_if<Rejection>(&unwrapped)) {
        S46_FUZZ_CHECK(!r->detail.empty());
        return;
    }
    const auto& v4 = std::get<Bytes>(unwrapped);
    auto parsed = parse_server_message(v4);
    if (auto* r = std::get_if<Rejection>(&parsed)) {
        S46_FUZZ_CHECK(!r->detail.empty());
        return;
    }
    S46_FUZZ_CHECK(v4.size() >= 240);
}

void check_lease(const Lease4& lease, const ServerMessage& ack) {
    S46_FUZZ_CHECK(lease.address.value != 0);
    S46_FUZZ_CHECK(lease.address == ack.yiaddr);
    S46_FUZZ_CHECK(ack.server_id && lease.server_id == *ack.server_id);
    S46_FUZZ_CHECK(lease.times.lease != 0);
    S46_FUZZ_CHECK(lease.times.t1 <= lease.times.t2);
    S46_FUZZ_CHECK(lease.times.t2 <= lease.times.lease);
    S46_FUZZ_CHECK(lease.port_params.has_value() == lease.port_params_raw.has_value());
    if (lease.port_params) {
        const auto& p = *lease.port_params;
        S46_FUZZ_CHECK(p.offset <= 15);
        S46_FUZZ_CHECK(p.psid_len <= 16);
        S46_FUZZ_CHECK(p.offset + p.psid_len <= 16);
        S46_FUZZ_CHECK(p.psid_len == 16 || p.psid < (1u << p.psid_len));
    }
}

void deliver(Client& client, std::span<const std::uint8_t> data, Time now) {
    Bytes in(data.begin(), data.end());
    if (in.size() >= 16 && client.transaction_id()) {
        const std::uint32_t xid = *client.transaction_id();
        for (int i = 0; i < 4; ++i) in[12 + i] = static_cast<std::uint8_t>(xid >> (24 - 8 * i));
    }
    const State before = client.state();
    const auto total = client.ignored_total();
    const auto counters = client.counters();
    client.take_actions();

    const Disposition d = client.receive(in, now);

    if (d == Disposition::ignored) {
        S46_FUZZ_CHECK(client.ignored_total() == total + 1);
        S46_FUZZ_CHECK(client.last_rejection().has_value());
        S46_FUZZ_CHECK(!client.last_rejection()->detail.empty());
        const Reject reason = client.last_rejection()->reason;
        const auto was = counters.count(reason) ? counters.at(reason) : 0;
        S46_FUZZ_CHECK(client.counters().at(reason) == was + 1);
        S46_FUZZ_CHECK(client.state() == before);
    } else {
        S46_FUZZ_CHECK(client.ignored_total() == total);
        S46_FUZZ_CHECK(client.counters() == counters);
        // Whatever was accepted parses, with a server id.
        auto unwrapped = unwrap_response(in);
        S46_FUZZ_CHECK(std::holds_alternative<Bytes>(unwrapped));
        auto parsed = parse_server_message(std::get<Bytes>(unwrapped));
        S46_FUZZ_CHECK(std::holds_alternative<ServerMessage>(parsed));
        const auto& m = std::get<ServerMessage>(parsed);
        S46_FUZZ_CHECK(m.server_id.has_value());
        S46_FUZZ_CHECK(m.type.has_value());
        if (*m.type == static_cast<std::uint8_t>(MessageType::offer) ||
            *m.type == static_cast<std::uint8_t>(MessageType::ack))
            S46_FUZZ_CHECK(m.yiaddr.value != 0);
        if (*m.type == static_cast<std::uint8_t>(MessageType::ack)) {
            S46_FUZZ_CHECK(client.state() == State::bound);
            S46_FUZZ_CHECK(client.lease().has_value());
            check_lease(*client.lease(), m);
            bool event = false;
            for (const auto& a : client.take_actions()) {
                if (const auto* o = std::get_if<LeaseObtained>(&a)) event = event || o->lease == *client.lease();
                if (const auto* o = std::get_if<LeaseRenewed>(&a)) event = event || o->lease == *client.lease();
            }
            S46_FUZZ_CHECK(event);
            if (before == State::requesting) S46_FUZZ_CHECK(client.lease()->obtained_at == Time(0));
        }
        if (*m.type == static_cast<std::uint8_t>(MessageType::offer)) S46_FUZZ_CHECK(client.state() == State::requesting);
        if (*m.type == static_cast<std::uint8_t>(MessageType::nak)) {
            S46_FUZZ_CHECK(client.state() == State::init);
            S46_FUZZ_CHECK(!client.lease().has_value());
        }
    }
    // Only a lease that is never renewed (infinite T1 and lease) leaves nothing to schedule.
    const bool forever = client.state() == State::bound && client.lease() &&
                         client.lease()->times.t1 == kInfiniteLease && client.lease()->times.lease == kInfiniteLease;
    S46_FUZZ_CHECK(client.next_deadline().has_value() || forever);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::span<const std::uint8_t> input(data, size);
    check_parser(input);

    const auto random = [] { return kRandom; };
    const std::vector<net::Ipv6Address> servers{address(1)};

    Client selecting(config(), random);
    selecting.start(Time(0), address(100), servers);
    deliver(selecting, input, Time(0));

    Client requesting(config(), random);
    requesting.start(Time(0), address(100), servers);
    S46_FUZZ_CHECK(requesting.receive(response(2, kRandom), Time(0)) == Disposition::accepted);
    S46_FUZZ_CHECK(requesting.state() == State::requesting);
    deliver(requesting, input, Time(0));

    Client renewing(config(), random);
    renewing.start(Time(0), address(100), servers);
    S46_FUZZ_CHECK(renewing.receive(response(2, kRandom), Time(0)) == Disposition::accepted);
    S46_FUZZ_CHECK(renewing.receive(response(5, kRandom), Time(0)) == Disposition::accepted);
    renewing.on_timer(std::chrono::seconds(500));
    S46_FUZZ_CHECK(renewing.state() == State::renewing);
    deliver(renewing, input, std::chrono::seconds(500));
    return 0;
}
