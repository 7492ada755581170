// DHCPv4 messages as the engine sees them, built and read with libdhcp++ (Pkt4). Kea types stay
// in message.cpp; the engine decides on these plain structs.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <variant>
#include <vector>

#include "core/net/ipv4.hpp"
#include "core/net/ipv6.hpp"
#include "core/provision/s46_options.hpp"
#include "dhcp/client4o6/reject.hpp"
#include "dhcp/client4o6/types.hpp"

namespace s46::dhcp::client4o6 {

// Option 55 in DISCOVER and REQUEST: subnet mask, router, DNS, lease time, server id, T1, T2
// (RFC 2132) and the port set (RFC 7618 §4: a client that wants 159 MUST ask for it).
inline constexpr std::array<std::uint8_t, 8> kParameterRequestList{
    kOpt4SubnetMask, kOpt4Router, kOpt4DnsServers, kOpt4LeaseTime,
    kOpt4ServerId, kOpt4RenewalTime, kOpt4RebindingTime, kOpt4PortParams};

// What one client message carries (RFC 2131 §4.4.1 Table 5). Unset optionals are left out.
struct ClientMessage {
    MessageType type = MessageType::discover;
    std::uint32_t xid = 0;
    std::uint16_t secs = 0;
    std::array<std::uint8_t, 6> hw_address{};  // chaddr (htype 1, hlen 6)
    std::vector<std::uint8_t> client_id;       // option 61; empty: not sent
    net::Ipv4Address ciaddr;                   // RENEWING / REBINDING / RELEASE: the leased address
    std::optional<net::Ipv4Address> requested_address;  // option 50
    std::optional<net::Ipv4Address> server_id;          // option 54
    bool parameter_request_list = false;                // option 55 = kParameterRequestList
    std::optional<net::Ipv6Address> softwire_source;    // option 109 (RFC 8539)
};

// The packed DHCPv4 message (op BOOTREQUEST, magic cookie, options, END).
std::vector<std::uint8_t> build_message(const ClientMessage& message);

// A server's DHCPv4 message, read but not yet judged against the engine's state.
struct ServerMessage {
    std::uint8_t op = 0;
    std::uint32_t xid = 0;
    std::optional<std::uint8_t> type;  // option 53, raw (not necessarily a MessageType)
    net::Ipv4Address yiaddr;
    std::optional<net::Ipv4Address> server_id;  // 54
    std::optional<std::uint32_t> lease_time;    // 51
    std::optional<std::uint32_t> t1;            // 58
    std::optional<std::uint32_t> t2;            // 59
    std::optional<std::vector<std::uint8_t>> port_params_raw;  // 159, raw value
    std::optional<provision::PortParams> port_params;          // 159, decoded (dhcp/port_params.hpp)
    std::string message;                        // 56, for NAK diagnostics
};

// Framing (fixed header, magic cookie, every option inside the options field), the fixed
// lengths of 51/54/58/59 and the port set of 159 are checked here; what the message means is the
// engine's business.
std::variant<ServerMessage, Rejection> parse_server_message(std::span<const std::uint8_t> dhcpv4);

}  // namespace s46::dhcp::client4o6
