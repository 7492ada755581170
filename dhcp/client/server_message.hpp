// What a server's Advertise or Reply said, in our own types: the options the engine decides on.
// Produced by parse_server_message() (message_parser.hpp); the softwire options are not here,
// they stay as the raw `options` bytes for the codec (dhcp/s46_codec.hpp).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/provision/lease.hpp"

namespace s46::dhcp::client {

// The fixed header (§8): enough to classify a datagram and match it to an exchange.
struct MessageHeader {
    std::uint8_t type = 0;
    std::uint32_t transaction_id = 0;  // 24 bits
};

// An IA the client asked for.
struct IaKey {
    std::uint16_t code = 0;  // kOptIaNa or kOptIaPd
    std::uint32_t iaid = 0;
    friend bool operator==(const IaKey&, const IaKey&) = default;
};

// One IA_NA (§21.4) or IA_PD (§21.21) with its leases and status.
struct IaReply {
    std::uint16_t code = 0;  // kOptIaNa or kOptIaPd
    std::uint32_t iaid = 0;
    std::uint32_t t1 = 0, t2 = 0;
    std::vector<provision::LeasedAddress> addresses;  // IA_NA: IAADDRs (§21.6)
    std::vector<provision::LeasedPrefix> prefixes;    // IA_PD: IAPREFIXes (§21.22)
    std::optional<std::uint16_t> status;              // the IA's Status Code (§21.13), if any
    std::string status_message;
    bool has_leases() const { return !addresses.empty() || !prefixes.empty(); }
    // A Status Code other than Success (absent means Success, §21.13).
    bool failed() const { return status && *status != 0; }
};

struct ServerMessage {
    MessageHeader header;
    std::vector<std::uint8_t> client_id;  // empty when absent
    std::vector<std::uint8_t> server_id;  // empty when absent
    bool has_client_id = false;
    bool has_server_id = false;
    std::uint8_t preference = 0;  // §21.8: absent means 0
    bool rapid_commit = false;    // §21.14
    std::optional<std::uint16_t> status;  // top-level Status Code
    std::string status_message;
    std::vector<IaReply> ias;  // valid IAs, in message order
    std::optional<std::uint32_t> information_refresh_time;  // §21.23
    std::optional<std::uint32_t> sol_max_rt;                // §21.24
    std::optional<std::uint32_t> inf_max_rt;                // §21.25
    std::vector<std::string> notes;  // leases or IAs dropped by §21.4/§21.6/§21.22 rules, for debugging
    std::vector<std::uint8_t> options;  // every top-level option, raw (what the codec and Lease get)

    // The IA of that type and IAID, or nullptr.
    const IaReply* find(const IaKey& key) const {
        for (const auto& ia : ias)
            if (ia.code == key.code && ia.iaid == key.iaid) return &ia;
        return nullptr;
    }
};

}  // namespace s46::dhcp::client
