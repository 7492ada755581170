// Vocabulary shared by the DHCPv6 client engine's files: randomness and the wire values of
// RFC 8415 that the engine reasons about (message types §7.3, status codes §21.13).
// No Kea types here: the engine's decisions are made on these, Kea stays in the codec files.
#pragma once

#include <cstdint>
#include <functional>
#include <string_view>

#include "core/time.hpp"

namespace s46::dhcp::client {

// Time is s46::Time (core/time.hpp), found from here by ordinary lookup: the daemon hands the
// engine the boot clock it hands everything else. The engine never reads a clock; every entry
// point takes `now`. provision::Lease keeps whole seconds on the same clock.

// The injected randomness: every call returns 32 uniformly distributed bits. Used for
// transaction ids (§16.1), the retransmission RAND (§15) and the initial delay (§18.2.1).
using Random = std::function<std::uint32_t()>;

// RFC 8415 §7.3 message types (the ones this client sends or expects).
enum class MessageType : std::uint8_t {
    solicit = 1,
    advertise = 2,
    request = 3,
    confirm = 4,
    renew = 5,
    rebind = 6,
    reply = 7,
    release = 8,
    decline = 9,
    reconfigure = 10,
    information_request = 11,
    relay_forw = 12,
    relay_repl = 13,
};

constexpr std::string_view to_string(MessageType t) {
    switch (t) {
        case MessageType::solicit: return "Solicit";
        case MessageType::advertise: return "Advertise";
        case MessageType::request: return "Request";
        case MessageType::confirm: return "Confirm";
        case MessageType::renew: return "Renew";
        case MessageType::rebind: return "Rebind";
        case MessageType::reply: return "Reply";
        case MessageType::release: return "Release";
        case MessageType::decline: return "Decline";
        case MessageType::reconfigure: return "Reconfigure";
        case MessageType::information_request: return "Information-request";
        case MessageType::relay_forw: return "Relay-forward";
        case MessageType::relay_repl: return "Relay-reply";
    }
    return "?";
}

// RFC 8415 §21.13 status codes.
enum class Status : std::uint16_t {
    success = 0,
    unspec_fail = 1,
    no_addrs_avail = 2,
    no_binding = 3,
    not_on_link = 4,
    use_multicast = 5,
    no_prefix_avail = 6,
};

// RFC 8415 §21 option codes the engine itself reads or writes (the softwire ones are in
// core/provision/s46_options.hpp).
enum ClientOption : std::uint16_t {
    kOptClientId = 1,
    kOptServerId = 2,
    kOptIaNa = 3,
    kOptIaAddr = 5,
    kOptOro = 6,
    kOptPreference = 7,
    kOptElapsedTime = 8,
    kOptAuth = 11,
    kOptUnicast = 12,
    kOptStatusCode = 13,
    kOptRapidCommit = 14,
    kOptIaPd = 25,
    kOptIaPrefix = 26,
    kOptInformationRefreshTime = 32,
    kOptSolMaxRt = 82,
    kOptInfMaxRt = 83,
};

}  // namespace s46::dhcp::client
