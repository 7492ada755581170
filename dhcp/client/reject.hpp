// Why a received datagram was ignored. Every path in Client::receive() that does not act on a
// message names one of these; Client::counters() counts them (Jool's drop(state, JSTAT_x)).
// The set and the RFC rule behind each one: docs/dhcpv6-client.md.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace s46::dhcp::client {

enum class Reject : std::uint8_t {
    truncated_header,          // shorter than msg-type + transaction-id (§8)
    unknown_message_type,       // not a message type RFC 8415 defines (§7.3)
    unexpected_message_type,    // a client or relay message, or Advertise where only Reply fits
    reconfigure_ignored,       // §16.11: needs reconfigure-key authentication, which is not implemented
    no_exchange,               // nothing outstanding (Init, Bound, Informed)
    wrong_transaction_id,       // §16.3/§16.10: not the current exchange's transaction-id
    truncated_option,          // a top-level option overruns the message, or bytes trail the last one
    malformed_option,          // an option the engine reads was refused by libdhcp++ or by our checks
    duplicate_option,          // a single-instance option (or one IA) appears twice
    missing_client_id,          // §16.3/§16.10
    wrong_client_id,            // §16.3/§16.10: not our DUID
    missing_server_id,          // §16.3/§16.10
    reply_without_rapid_commit,  // a Reply to a Solicit must carry Rapid Commit (§18.2.1)
    advertise_no_bindings,      // §18.2.9: no address and no prefix offered
    reply_missing_ia,           // §18.2.10.1: a requested IA is not in the Reply (or was invalid, §21.4)
    reply_no_bindings,          // §18.2.10.1: every requested IA failed (NoAddrsAvail/NoPrefixAvail...)
    status_unspec_fail,         // §18.2.10: top-level UnspecFail, retransmit as if no Reply came
    status_use_multicast,       // §18.2.10: top-level UseMulticast; we only ever multicast, so the same
    options_decode_failed,      // the option codec threw (it must not; counted rather than crashing)
};

inline constexpr std::size_t kRejectCount = 19;

constexpr std::string_view to_string(Reject r) {
    switch (r) {
        case Reject::truncated_header: return "truncated_header";
        case Reject::unknown_message_type: return "unknown_message_type";
        case Reject::unexpected_message_type: return "unexpected_message_type";
        case Reject::reconfigure_ignored: return "reconfigure_ignored";
        case Reject::no_exchange: return "no_exchange";
        case Reject::wrong_transaction_id: return "wrong_transaction_id";
        case Reject::truncated_option: return "truncated_option";
        case Reject::malformed_option: return "malformed_option";
        case Reject::duplicate_option: return "duplicate_option";
        case Reject::missing_client_id: return "missing_client_id";
        case Reject::wrong_client_id: return "wrong_client_id";
        case Reject::missing_server_id: return "missing_server_id";
        case Reject::reply_without_rapid_commit: return "reply_without_rapid_commit";
        case Reject::advertise_no_bindings: return "advertise_no_bindings";
        case Reject::reply_missing_ia: return "reply_missing_ia";
        case Reject::reply_no_bindings: return "reply_no_bindings";
        case Reject::status_unspec_fail: return "status_unspec_fail";
        case Reject::status_use_multicast: return "status_use_multicast";
        case Reject::options_decode_failed: return "options_decode_failed";
    }
    return "?";
}

// One ignored datagram: the reason and a debug text with the specifics.
struct Rejection {
    Reject reason = Reject::truncated_header;
    std::string detail;
};

}  // namespace s46::dhcp::client
