// Vocabulary shared by the DHCPv4-over-DHCPv6 client engine's files: randomness and kNever (the
// DHCPv6 engine's, so the daemon drives both from one clock and one source; the time type is
// s46::Time, core/time.hpp, found from here by ordinary lookup), and the wire values of
// RFC 2131 / RFC 2132 / RFC 7341 the engine reasons about. No Kea types here.
#pragma once

#include <cstdint>
#include <string_view>

#include "dhcp/client/lease_update.hpp"  // kNever
#include "dhcp/client/types.hpp"         // Random

namespace s46::dhcp::client4o6 {

using client::kNever;
using client::Random;

// RFC 2132 §9.6 DHCP message types.
enum class MessageType : std::uint8_t {
    discover = 1,
    offer = 2,
    request = 3,
    decline = 4,
    ack = 5,
    nak = 6,
    release = 7,
    inform = 8,
};

constexpr std::string_view to_string(MessageType t) {
    switch (t) {
        case MessageType::discover: return "DHCPDISCOVER";
        case MessageType::offer: return "DHCPOFFER";
        case MessageType::request: return "DHCPREQUEST";
        case MessageType::decline: return "DHCPDECLINE";
        case MessageType::ack: return "DHCPACK";
        case MessageType::nak: return "DHCPNAK";
        case MessageType::release: return "DHCPRELEASE";
        case MessageType::inform: return "DHCPINFORM";
    }
    return "?";
}

// DHCPv4 option codes the engine writes or reads (RFC 2132, RFC 8539, RFC 7618).
enum Option4 : std::uint8_t {
    kOpt4Pad = 0,
    kOpt4SubnetMask = 1,
    kOpt4Router = 3,
    kOpt4DnsServers = 6,
    kOpt4RequestedAddress = 50,
    kOpt4LeaseTime = 51,
    kOpt4Overload = 52,
    kOpt4MessageType = 53,
    kOpt4ServerId = 54,
    kOpt4ParameterRequestList = 55,
    kOpt4RenewalTime = 58,    // T1
    kOpt4RebindingTime = 59,  // T2
    kOpt4ClientId = 61,
    kOpt4S46Saddr = 109,      // OPTION_DHCP4O6_S46_SADDR, RFC 8539
    kOpt4PortParams = 159,    // OPTION_V4_PORTPARAMS, RFC 7618 §4
    kOpt4End = 255,
};

// RFC 7341 §6: the DHCPv6 envelope.
inline constexpr std::uint8_t kDhcpv4Query = 20;
inline constexpr std::uint8_t kDhcpv4Response = 21;
inline constexpr std::uint16_t kOptDhcpv4Msg = 87;
// RFC 7341 §6.2: the U flag, the most significant of the 24 flag bits.
inline constexpr std::uint32_t kUnicastFlag = 0x800000u;

// RFC 2131 §3.3: 0xffffffff is an infinite lease.
inline constexpr std::uint32_t kInfiniteLease = 0xffffffffu;

}  // namespace s46::dhcp::client4o6
