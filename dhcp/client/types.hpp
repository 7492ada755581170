// Vocabulary shared by the DHCPv6 client engine's files: time, randomness and the wire values
// of RFC 8415 that the engine reasons about (message types §7.3, status codes §21.13).
// No Kea types here: the engine's decisions are made on these, Kea stays in the codec files.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string_view>

namespace s46::dhcp::client {

// A point in time: milliseconds since the caller's epoch. The engine never reads a clock; every
// entry point takes `now`. provision::Lease keeps whole seconds on the same clock.
using Time = std::chrono::milliseconds;

// The injected randomness: every call returns 32 uniformly distributed bits. Used for
// transaction ids (§16.1), the retransmission RAND (§15) and the initial delay (§18.2.1).
using Random = std::function<std::uint32_t()>;

// RFC 8415 §7.3 message types (the ones this client sends or expects).
enum class MessageType : std::uint8_t {
    Solicit = 1,
    Advertise = 2,
    Request = 3,
    Confirm = 4,
    Renew = 5,
    Rebind = 6,
    Reply = 7,
    Release = 8,
    Decline = 9,
    Reconfigure = 10,
    InformationRequest = 11,
    RelayForw = 12,
    RelayRepl = 13,
};

constexpr std::string_view to_string(MessageType t) {
    switch (t) {
        case MessageType::Solicit: return "Solicit";
        case MessageType::Advertise: return "Advertise";
        case MessageType::Request: return "Request";
        case MessageType::Confirm: return "Confirm";
        case MessageType::Renew: return "Renew";
        case MessageType::Rebind: return "Rebind";
        case MessageType::Reply: return "Reply";
        case MessageType::Release: return "Release";
        case MessageType::Decline: return "Decline";
        case MessageType::Reconfigure: return "Reconfigure";
        case MessageType::InformationRequest: return "Information-request";
        case MessageType::RelayForw: return "Relay-forward";
        case MessageType::RelayRepl: return "Relay-reply";
    }
    return "?";
}

// RFC 8415 §21.13 status codes.
enum class Status : std::uint16_t {
    Success = 0,
    UnspecFail = 1,
    NoAddrsAvail = 2,
    NoBinding = 3,
    NotOnLink = 4,
    UseMulticast = 5,
    NoPrefixAvail = 6,
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
