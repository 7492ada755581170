// A scripted DHCPv4-over-DHCPv6 server for the engine's tests: it reads the client's
// DHCPV4-QUERY with libdhcp++ (Pkt6 + Pkt4o6) and answers with DHCPv4 replies built by libdhcp++
// (Pkt4) and wrapped by Pkt4o6 into a DHCPV4-RESPONSE. Every field a test may want to break is a
// public member; raw helpers let a test send bytes libdhcp++ would never produce.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "core/net/ipv4.hpp"
#include "core/net/ipv6.hpp"
#include "dhcp/client4o6/client.hpp"

namespace s46::dhcp::client4o6::test {

using Bytes = std::vector<std::uint8_t>;

net::Ipv6Address v6(const char* text);
net::Ipv4Address v4(const char* text);

// Randomness for the engine: always `value` (0 -> jitter -1 s, 0xffffffff -> +1 s).
Random constant_random(std::uint32_t value);
// Distinct values (distinct xids) with a jitter close to 0.
Random counting_random();

// What the client sent, read back with libdhcp++.
struct SentQuery {
    std::uint8_t v6_type = 0;
    std::uint32_t flags = 0;  // the 24-bit field where DHCPv6 has its transaction id
    MessageType type{};
    std::uint8_t op = 0;
    std::uint32_t xid = 0;
    std::uint16_t secs = 0;
    net::Ipv4Address ciaddr;
    Bytes chaddr;
    Bytes client_id;
    std::optional<net::Ipv4Address> requested_address;  // 50
    std::optional<net::Ipv4Address> server_id;          // 54
    Bytes parameter_request_list;                       // 55
    std::optional<net::Ipv6Address> softwire_source;    // 109
    bool unicast() const { return (flags & kUnicastFlag) != 0; }
};
SentQuery read_query(std::span<const std::uint8_t> datagram);

// Wraps packed DHCPv4 bytes as option 87 of a DHCPV4-RESPONSE (or another DHCPv6 type).
Bytes wrap_raw(const Bytes& dhcpv4, std::uint8_t v6_type = kDhcpv4Response);

struct FakeServer {
    net::Ipv4Address server_id = v4("192.0.2.1");
    net::Ipv4Address address = v4("192.0.2.100");
    bool send_server_id = true;
    bool send_lease_time = true;
    std::uint32_t lease_time = 3600;
    std::optional<std::uint32_t> t1 = 1800;
    std::optional<std::uint32_t> t2 = 3150;
    std::optional<Bytes> port_params = Bytes{0, 6, 0x14, 0x00};  // offset 0, PSID-len 6, PSID 5 (left-aligned)
    std::uint8_t op = 2;

    // The packed DHCPv4 reply of `type` for xid `xid` (yiaddr 0 for NAK).
    Bytes reply4(MessageType type, std::uint32_t xid) const;
    // reply4 wrapped by Pkt4o6 into a DHCPV4-RESPONSE.
    Bytes reply(MessageType type, std::uint32_t xid) const;
    Bytes offer(const SentQuery& q) const { return reply(MessageType::offer, q.xid); }
    Bytes ack(const SentQuery& q) const { return reply(MessageType::ack, q.xid); }
    Bytes nak(const SentQuery& q) const { return reply(MessageType::nak, q.xid); }
};

// Lease 1000 s, T1 500, T2 800: short enough to walk through RENEWING and REBINDING.
FakeServer short_lease_server();

// The engine with a fake clock, and its actions collected.
struct Harness {
    explicit Harness(ClientConfig config = default_config(), Random random = counting_random());
    static ClientConfig default_config();

    Client client;
    Time now{0};
    net::Ipv6Address source = v6("2001:db8:0:1::100");
    std::vector<net::Ipv6Address> servers{v6("2001:db8:0:1::1")};
    std::vector<Action> actions;  // everything drained so far, in order

    void start();
    // Moves the clock to `t` and runs the timer there.
    void advance_to(Time t);
    Disposition deliver(const Bytes& datagram);
    // Drains the engine; returns only the Sends of this drain.
    std::vector<Send> drain_sends();
    // Runs DISCOVER -> OFFER -> REQUEST -> ACK against `server`; returns the ACKed REQUEST.
    SentQuery bind(const FakeServer& server);
    // Drains the engine (Sends included) and returns every event of type T so far.
    template <class T>
    std::vector<T> events() {
        for (auto& a : client.take_actions()) actions.push_back(std::move(a));
        std::vector<T> out;
        for (const auto& a : actions)
            if (auto* e = std::get_if<T>(&a)) out.push_back(*e);
        return out;
    }
};

}  // namespace s46::dhcp::client4o6::test
