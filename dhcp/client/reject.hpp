// Why a received datagram was ignored. Every path in Client::receive() that does not act on a
// message names one of these; Client::counters() counts them (Jool's drop(state, JSTAT_x)).
// The set and the RFC rule behind each one: docs/dhcpv6-client.md.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace s46::dhcp::client {

enum class Reject : std::uint8_t {
    TruncatedHeader,          // shorter than msg-type + transaction-id (§8)
    UnknownMessageType,       // not a message type RFC 8415 defines (§7.3)
    UnexpectedMessageType,    // a client or relay message, or Advertise where only Reply fits
    ReconfigureIgnored,       // §16.11: needs reconfigure-key authentication, which is not implemented
    NoExchange,               // nothing outstanding (Init, Bound, Informed)
    WrongTransactionId,       // §16.3/§16.10: not the current exchange's transaction-id
    TruncatedOption,          // a top-level option overruns the message, or bytes trail the last one
    MalformedOption,          // an option the engine reads was refused by libdhcp++ or by our checks
    DuplicateOption,          // a single-instance option (or one IA) appears twice
    MissingClientId,          // §16.3/§16.10
    WrongClientId,            // §16.3/§16.10: not our DUID
    MissingServerId,          // §16.3/§16.10
    ReplyWithoutRapidCommit,  // a Reply to a Solicit must carry Rapid Commit (§18.2.1)
    AdvertiseNoBindings,      // §18.2.9: no address and no prefix offered
    ReplyMissingIa,           // §18.2.10.1: a requested IA is not in the Reply (or was invalid, §21.4)
    ReplyNoBindings,          // §18.2.10.1: every requested IA failed (NoAddrsAvail/NoPrefixAvail...)
    StatusUnspecFail,         // §18.2.10: top-level UnspecFail, retransmit as if no Reply came
    StatusUseMulticast,       // §18.2.10: top-level UseMulticast; we only ever multicast, so the same
    OptionsDecodeFailed,      // the option codec threw (it must not; counted rather than crashing)
};

inline constexpr std::size_t kRejectCount = 19;

constexpr std::string_view to_string(Reject r) {
    switch (r) {
        case Reject::TruncatedHeader: return "truncated_header";
        case Reject::UnknownMessageType: return "unknown_message_type";
        case Reject::UnexpectedMessageType: return "unexpected_message_type";
        case Reject::ReconfigureIgnored: return "reconfigure_ignored";
        case Reject::NoExchange: return "no_exchange";
        case Reject::WrongTransactionId: return "wrong_transaction_id";
        case Reject::TruncatedOption: return "truncated_option";
        case Reject::MalformedOption: return "malformed_option";
        case Reject::DuplicateOption: return "duplicate_option";
        case Reject::MissingClientId: return "missing_client_id";
        case Reject::WrongClientId: return "wrong_client_id";
        case Reject::MissingServerId: return "missing_server_id";
        case Reject::ReplyWithoutRapidCommit: return "reply_without_rapid_commit";
        case Reject::AdvertiseNoBindings: return "advertise_no_bindings";
        case Reject::ReplyMissingIa: return "reply_missing_ia";
        case Reject::ReplyNoBindings: return "reply_no_bindings";
        case Reject::StatusUnspecFail: return "status_unspec_fail";
        case Reject::StatusUseMulticast: return "status_use_multicast";
        case Reject::OptionsDecodeFailed: return "options_decode_failed";
    }
    return "?";
}

// One ignored datagram: the reason and a debug text with the specifics.
struct Rejection {
    Reject reason = Reject::TruncatedHeader;
    std::string detail;
};

}  // namespace s46::dhcp::client
