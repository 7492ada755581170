// Why the NAPT refused a packet. Every refusal names one of these and bumps its
// counter (Counters, counters.hpp); nothing is logged on the packet path.
//
// The list is an X-macro (core/reason_table.hpp) so that the enum, the counter fields and the
// exported names ("napt_<reason>") can never drift apart. X(name, description).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/reason_table.hpp"

// clang-format off
#define S46_NAPT_DROP_REASONS(X)                                                                                   \
    /* ---- packet shape ---- */                                                                                    \
    X(truncated,              "shorter than its IPv4, transport or quoted headers need")                          \
    X(malformed,              "IPv4 or transport length fields inconsistent (RFC 791 §3.1, RFC 768, RFC 9293)")   \
    X(unsupported_protocol,   "neither UDP, TCP nor ICMP: no port or identifier to translate")                    \
    X(fragment_without_ports, "non-first fragment or fragmented ICMP error: needs the caller's reassembly")      \
    X(unsupported_icmp,       "ICMP type that is neither an echo query nor an error, or an error about an error") \
    X(icmp_query_unsolicited, "inbound echo request or outbound echo reply: no query session can match it")       \
    X(icmp_bad_checksum,      "ICMP error whose checksum or quoted IPv4 header checksum fails (RFC 5508 REQ-3)")  \
    X(icmp_error_no_mapping,  "ICMP error quoting a packet with no live mapping or session (RFC 5508 REQ-4/5)")   \
    /* ---- inbound lookup and filtering ---- */                                                                   \
    X(not_our_address,        "inbound destination is not the external IPv4 address")                             \
    X(port_outside_set,       "inbound destination port or identifier outside our port set (another CE's PSID)") \
    X(no_mapping_inbound,     "inbound to a port of ours with no live mapping")                                   \
    X(filtered,               "inbound from a remote this mapping has not sent to (RFC 4787 §5, REQ-8)")          \
    /* ---- resources (RFC 5508 REQ-8: the caller may answer with ICMP 3/13) ---- */                                 \
    X(port_exhausted,         "no free port left in the port set for a new mapping")                             \
    X(host_share_exhausted,   "this internal host already holds its share of ports or sessions")                 \
    X(session_table_full,     "the session table holds max_sessions sessions")                                    \
    X(host_table_full,        "the host table holds max_hosts internal hosts")                                    \
    X(mapping_session_limit,  "one mapping already carries 65535 sessions")
// clang-format on

namespace s46::napt {

enum class DropReason : std::uint8_t { S46_NAPT_DROP_REASONS(S46_REASON_ENUMERATOR) };

}  // namespace s46::napt

template <>
struct s46::ReasonTable<s46::napt::DropReason> {
#define S46_NAPT_NAME(name, text) std::string_view("napt_" #name),
    static constexpr std::string_view names[] = {S46_NAPT_DROP_REASONS(S46_NAPT_NAME)};
#undef S46_NAPT_NAME
    static constexpr std::string_view texts[] = {S46_NAPT_DROP_REASONS(S46_REASON_TEXT)};
    static constexpr std::string_view unknown = "napt_unknown";
};

namespace s46::napt {

inline constexpr std::size_t kDropReasonCount = kReasonCount<DropReason>;

// The exported counter name, e.g. "napt_port_exhausted".
constexpr std::string_view to_string(DropReason r) { return reason_name(r); }
// One line saying what the reason means, citing the rule where there is one.
constexpr std::string_view describe(DropReason r) { return reason_text(r); }

// True for the refusals that RFC 5508 REQ-8 covers ("unable to establish a NAT Session
// ... due to resource constraints or administrative restrictions"): the caller SHOULD
// send ICMP Destination Unreachable, code 13, to the sender (rate-limited).
constexpr bool is_resource_refusal(DropReason r) {
    return r == DropReason::port_exhausted || r == DropReason::host_share_exhausted ||
           r == DropReason::session_table_full || r == DropReason::host_table_full ||
           r == DropReason::mapping_session_limit;
}

}  // namespace s46::napt
