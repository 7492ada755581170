// TCP connection tracking for idle timeouts (RFC 5382 §5, REQ-5; RFC 7857 §2).
//
// The NAPT does not validate sequence numbers or enforce TCP's state machine: it only
// decides which idle timeout applies. One byte of flags per session records what has been
// seen in each direction; the timeout class is a function of those flags:
//
//   RST seen                              -> transitory (RFC 7857 §2.2: keep the state
//                                            4 minutes, a RST may be forged or lost)
//   FIN seen in both directions           -> transitory (closing; covers TIME-WAIT)
//   SYN seen in both directions           -> established (three-way or simultaneous open,
//                                            RFC 5382 REQ-2: every valid sequence works)
//   no SYN, but packets both ways         -> established (picked up mid-stream, e.g. after
//                                            a restart of the daemon)
//   anything else                         -> transitory (opening)
//
// A SYN+ACK proves the other side's SYN got through, so it sets both SYN bits: a
// connection opened from outside (endpoint-independent filtering lets the SYN in without
// creating state) becomes established when the inside host's SYN+ACK goes out.
// A bare SYN on a session that saw a FIN or RST starts a new connection on the same
// 5-tuple (RFC 1122 §4.2.2.13: a SYN may reopen a connection in TIME-WAIT) and resets
// the flags.
#pragma once

#include <cstdint>

#include "core/net/tcp_packet.hpp"

namespace s46::napt::tcp_track {

// The state's flag bits.
inline constexpr std::uint8_t kSynOut = 0x01;
inline constexpr std::uint8_t kSynIn = 0x02;
inline constexpr std::uint8_t kFinOut = 0x04;
inline constexpr std::uint8_t kFinIn = 0x08;
inline constexpr std::uint8_t kRstSeen = 0x10;
inline constexpr std::uint8_t kSeenOut = 0x20;
inline constexpr std::uint8_t kSeenIn = 0x40;

// Flags after a segment with TCP `flags` (net::tcp_flag bits) went `outbound` or in.
constexpr std::uint8_t update(std::uint8_t state, std::uint8_t flags, bool outbound) {
    namespace f = net::tcp_flag;
    const bool syn = flags & f::syn, ack = flags & f::ack;
    if (syn && !ack && (state & (kFinOut | kFinIn | kRstSeen))) state = 0;  // a new connection
    state |= outbound ? kSeenOut : kSeenIn;
    if (syn) state |= outbound ? kSynOut : kSynIn;
    if (syn && ack) state |= outbound ? kSynIn : kSynOut;
    if (flags & f::fin) state |= outbound ? kFinOut : kFinIn;
    if (flags & f::rst) state |= kRstSeen;
    return static_cast<std::uint8_t>(state);
}

constexpr bool established(std::uint8_t state) {
    if (state & kRstSeen) return false;
    if ((state & (kFinOut | kFinIn)) == (kFinOut | kFinIn)) return false;
    if ((state & (kSynOut | kSynIn)) == (kSynOut | kSynIn)) return true;
    return (state & (kSynOut | kSynIn)) == 0 && (state & (kSeenOut | kSeenIn)) == (kSeenOut | kSeenIn);
}

}  // namespace s46::napt::tcp_track
