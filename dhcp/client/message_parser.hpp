// Tolerant parsing of a server's message (Advertise, Reply, Reconfigure) into ServerMessage.
//
// libdhcp++'s Pkt6::unpack() gives up on the first bad option and silently accepts truncated
// trailing options (docs/dhcpv6-client.md §5). So the top-level TLVs (RFC 8415 §21.1) are framed
// here, strictly, by the option framer (dhcp/option_framer.hpp), and each option the engine
// reads is unpacked on its own by LibDHCP::unpackOptions6 inside a try/catch, so one exception
// costs one message, never the process. Options the engine does not read (the softwire ones,
// DNS, ...) are only framed; the codec validates them from ServerMessage::options.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <variant>

#include "dhcp/client/reject.hpp"
#include "dhcp/client/server_message.hpp"

namespace s46::dhcp::client {

// msg-type and transaction-id; nullopt when the datagram is shorter than 4 octets.
std::optional<MessageHeader> parse_header(std::span<const std::uint8_t> datagram);

// The whole message. Never throws. A Rejection names the first problem that makes the message
// unusable (TruncatedOption, MalformedOption, DuplicateOption, TruncatedHeader). Problems that
// RFC 8415 says to drop only a part for (an IA with T1 > T2, §21.4; a lease with preferred >
// valid lifetime, §21.6/§21.22) drop that part and add a line to ServerMessage::notes.
std::variant<ServerMessage, Rejection> parse_server_message(std::span<const std::uint8_t> datagram);

}  // namespace s46::dhcp::client
