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
    TruncatedEnvelope,       // shorter than msg-type + flags, or a DHCPv6 option overruns it
    NotDhcpv4Response,       // DHCPv6 message type other than DHCPV4-RESPONSE (21)
    MissingDhcpv4Message,    // no OPTION_DHCPV4_MSG (87)
    DuplicateDhcpv4Message,  // more than one 87 (RFC 7341 §6: exactly one)
    MalformedEnvelope,       // libdhcp++ refused the DHCPv6 message
    // The DHCPv4 message (RFC 2131 §2, §4.3).
    TruncatedMessage,        // shorter than the fixed header and magic cookie (240 octets)
    TruncatedOption,         // a DHCPv4 option overruns the options field
    MalformedMessage,        // libdhcp++ refused it, or bad magic cookie
    WrongOp,                 // op is not BOOTREPLY (2)
    NoExchange,              // nothing outstanding (Init, Bound)
    WrongTransactionId,      // xid is not the outstanding exchange's
    MissingMessageType,      // no option 53
    UnexpectedMessageType,   // a type this state does not wait for (OFFER while Requesting, ...)
    MissingServerId,         // RFC 2131 §4.3.1 Table 3: OFFER, ACK and NAK carry option 54
    ZeroYiaddr,              // OFFER or ACK without an address
    MissingLeaseTime,        // RFC 2131 Table 3: OFFER and ACK carry option 51
    BadLeaseTimes,           // lease 0, T1 > T2 or T2 > lease (after the §4.4.5 defaults), or a bad length
    BadPortParams,           // option 159 malformed (RFC 7618 §4, RFC 7597 §5.1)
    WrongAddress,            // ACK in RENEWING/REBINDING for another address than the lease's
};

inline constexpr std::size_t kRejectCount = 19;

constexpr std::string_view to_string(Reject r) {
    switch (r) {
        case Reject::TruncatedEnvelope: return "truncated_envelope";
        case Reject::NotDhcpv4Response: return "not_dhcpv4_response";
        case Reject::MissingDhcpv4Message: return "missing_dhcpv4_message";
        case Reject::DuplicateDhcpv4Message: return "duplicate_dhcpv4_message";
        case Reject::MalformedEnvelope: return "malformed_envelope";
        case Reject::TruncatedMessage: return "truncated_message";
        case Reject::TruncatedOption: return "truncated_option";
        case Reject::MalformedMessage: return "malformed_message";
        case Reject::WrongOp: return "wrong_op";
        case Reject::NoExchange: return "no_exchange";
        case Reject::WrongTransactionId: return "wrong_transaction_id";
        case Reject::MissingMessageType: return "missing_message_type";
        case Reject::UnexpectedMessageType: return "unexpected_message_type";
        case Reject::MissingServerId: return "missing_server_id";
        case Reject::ZeroYiaddr: return "zero_yiaddr";
        case Reject::MissingLeaseTime: return "missing_lease_time";
        case Reject::BadLeaseTimes: return "bad_lease_times";
        case Reject::BadPortParams: return "bad_port_params";
        case Reject::WrongAddress: return "wrong_address";
    }
    return "?";
}

// One ignored datagram: the reason and a debug text with the specifics.
struct Rejection {
    Reject reason = Reject::TruncatedEnvelope;
    std::string detail;
};

}  // namespace s46::dhcp::client4o6
