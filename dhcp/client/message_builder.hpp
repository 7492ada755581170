// Serialising the client's messages with libdhcp++ (Pkt6::pack(); message format RFC 8415 §8).
// The engine decides the content (ClientMessage); this file only turns it into octets.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "core/provision/lease.hpp"
#include "dhcp/client/types.hpp"

namespace s46::dhcp::client {

// One IA_NA or IA_PD to send. T1/T2 and lifetimes are always sent as 0: the client has no
// preference (§18.2: "the client SHOULD set T1 and T2 to 0"; lifetimes in IAADDR/IAPREFIX are
// hints the server may ignore).
struct IaRequest {
    std::uint16_t code = 0;  // kOptIaNa or kOptIaPd
    std::uint32_t iaid = 0;
    std::vector<net::Ipv6Address> addresses;  // IA_NA: the leases to request, renew, rebind or release
    std::vector<net::Ipv6Prefix> prefixes;    // IA_PD: same
    std::uint8_t prefix_hint = 0;  // IA_PD without prefixes: send IAPREFIX ::/hint (§18.2.1); 0: none
};

struct ClientMessage {
    MessageType type = MessageType::solicit;
    std::uint32_t transaction_id = 0;      // 24 bits
    std::vector<std::uint8_t> client_id;   // our DUID
    std::vector<std::uint8_t> server_id;   // empty: no Server Identifier option
    std::uint16_t elapsed_cs = 0;          // §21.9, hundredths of a second
    std::vector<IaRequest> ias;
    std::vector<std::uint16_t> oro;        // empty: no ORO
    bool rapid_commit = false;             // §21.14
};

// The UDP payload. Options come out in ascending code order (Pkt6 keeps them in a multimap).
std::vector<std::uint8_t> build_message(const ClientMessage& message);

}  // namespace s46::dhcp::client
