// Why a received datagram was ignored. Every path in Client::receive() that does not act on a
// message names one of these; Client::counters() counts them. The rule behind each one:
// docs/dhcp4o6-client.md §4.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace s46::dhcp::client4o6 {

enum class Reject : std::uint8_t {
    // The DHCPv6 envelope (RFC 7341 §6).
    truncated_envelope,        // shorter than msg-type + flags, or a DHCPv6 option overruns it
    not_dhcpv4_response,       // DHCPv6 message type other than DHCPV4-RESPONSE (21)
    missing_dhcpv4_message,    // no OPTION_DHCPV4_MSG (87)
    duplicate_dhcpv4_message,  // more than one 87 (RFC 7341 §6: exactly one)
    malformed_envelope,        // libdhcp++ refused the DHCPv6 message
    // The DHCPv4 message (RFC 2131 §2, §4.3).
    truncated_message,         // shorter than the fixed header and magic cookie (240 octets)
    truncated_option,          // a DHCPv4 option overruns the options field
    malformed_message,         // libdhcp++ refused it, or bad magic cookie
    wrong_op,                  // op is not BOOTREPLY (2)
    no_exchange,               // nothing outstanding (Init, Bound)
    wrong_transaction_id,      // xid is not the outstanding exchange's
    missing_message_type,      // no option 53
    unexpected_message_type,   // a type this state does not wait for (OFFER while Requesting, ...)
    missing_server_id,         // RFC 2131 §4.3.1 Table 3: OFFER, ACK and NAK carry option 54
    zero_yiaddr,               // OFFER or ACK without an address
    missing_lease_time,        // RFC 2131 Table 3: OFFER and ACK carry option 51
    bad_lease_times,           // lease 0, T1 > T2 or T2 > lease (after the §4.4.5 defaults), or a bad length
    bad_port_params,           // option 159 malformed (RFC 7618 §4, RFC 7597 §5.1)
    wrong_address,             // ACK in RENEWING/REBINDING for another address than the lease's
};

inline constexpr std::size_t kRejectCount = 19;

constexpr std::string_view to_string(Reject r) {
    switch (r) {
        case Reject::truncated_envelope: return "truncated_envelope";
        case Reject::not_dhcpv4_response: return "not_dhcpv4_response";
        case Reject::missing_dhcpv4_message: return "missing_dhcpv4_message";
        case Reject::duplicate_dhcpv4_message: return "duplicate_dhcpv4_message";
        case Reject::malformed_envelope: return "malformed_envelope";
        case Reject::truncated_message: return "truncated_message";
        case Reject::truncated_option: return "truncated_option";
        case Reject::malformed_message: return "malformed_message";
        case Reject::wrong_op: return "wrong_op";
        case Reject::no_exchange: return "no_exchange";
        case Reject::wrong_transaction_id: return "wrong_transaction_id";
        case Reject::missing_message_type: return "missing_message_type";
        case Reject::unexpected_message_type: return "unexpected_message_type";
        case Reject::missing_server_id: return "missing_server_id";
        case Reject::zero_yiaddr: return "zero_yiaddr";
        case Reject::missing_lease_time: return "missing_lease_time";
        case Reject::bad_lease_times: return "bad_lease_times";
        case Reject::bad_port_params: return "bad_port_params";
        case Reject::wrong_address: return "wrong_address";
    }
    return "?";
}

// One ignored datagram: the reason and a debug text with the specifics.
struct Rejection {
    Reject reason = Reject::truncated_envelope;
    std::string detail;
};

}  // namespace s46::dhcp::client4o6
