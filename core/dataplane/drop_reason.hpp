// Why the data path did not forward a packet. Every refusal names exactly one of these and bumps
// its counter (counters.hpp); nothing is logged per packet (docs/dataplane.md lists them all).
//
// An X-macro list (core/reason_table.hpp) so the enum, the counter fields and the exported names
// ("drop_<reason>") cannot drift apart. X(name, description). "(answered)" marks reasons whose packet is answered with an
// ICMPv4 error when the RFC 1812 §4.3.2.7 rules and the rate limit allow it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/reason_table.hpp"

// clang-format off
#define S46_DP_DROP_REASONS(X)                                                                                        \
    /* ---- any direction ---- */                                                                                      \
    X(not_configured,          "no softwire is configured (mode none) or the remote endpoint is unresolved")         \
    X(bad_ipv4,                "not a well-formed IPv4 datagram: version, IHL or Total Length (RFC 791 §3.1)")       \
    X(bad_ipv4_checksum,       "IPv4 header checksum fails (RFC 791 §3.1)")                                          \
    X(martian_source,          "source 0/8, 127/8, multicast or 255.255.255.255 (RFC 1812 §5.3.7)")                  \
    X(martian_destination,     "destination 0/8, 127/8, multicast or 255.255.255.255: never tunnelled (RFC 1812 §5.3.7)") \
    /* ---- outbound (LAN -> tunnel) ---- */                                                                           \
    X(source_not_ours,         "GI-4over6: source outside the LAN's routed prefix (the lwAFTR would drop it)")       \
    X(ttl_exceeded,            "TTL <= 1 on a routed packet; answered with ICMPv4 11/0 (RFC 1812 §5.3.1)")          \
    X(df_too_big,              "DF set and larger than the tunnel path MTU; answered with ICMPv4 3/4 (RFC 2473 §7.2)") \
    X(no_route,                "no next hop: no LPM route, or an FMR that cannot address the destination")          \
    X(napt_outbound,           "refused by NAPT44 (the detail is the NAPT's own counter); resource refusals answered with ICMPv4 3/13 (RFC 5508 REQ-8)") \
    X(encap_too_big,           "inner datagram plus tunnel headers exceeds the 65535-byte IPv6 payload (RFC 8200 §3)") \
    X(output_buffer_too_small, "the caller's IPv6 output buffer cannot hold the encapsulated packet")              \
    /* ---- IPv4 reassembly (RFC 7597 §8.3.2: only the first fragment carries the ports) ---- */                   \
    X(reassembly_timeout,      "fragments not completed within the reassembly time (RFC 791 §3.2)")                  \
    X(reassembly_overflow,     "every reassembly slot is busy (bounded memory)")                                    \
    X(reassembly_bad_fragment, "overlapping, misaligned, inconsistent or oversized fragments (RFC 791, RFC 1858)")   \
    X(reassembly_flushed,      "pending fragments discarded because configure() changed the reassembly limits")     \
    /* ---- inbound (tunnel -> LAN) ---- */                                                                           \
    X(bad_outer,               "outer IPv6 not IPv4-in-IPv6 to our tunnel address (RFC 2473 §3, §4)")              \
    X(spoofed_source,          "outer source is not the AFTR/lwAFTR/BR nor, under an FMR, the CE the inner source maps to (RFC 7596 §5.2, RFC 7597 §8.1)") \
    X(not_our_binding,         "inner destination address or port outside this CE's binding (RFC 7596 §5.2, RFC 7597 §8.1)") \
    X(ecn_ce_not_ect,          "outer header CE-marked but inner Not-ECT (RFC 6040 §4.2)")                            \
    X(napt_inbound,            "refused by reverse NAPT44 (the detail is the NAPT's own counter)")                   \
    /* ---- ICMPv6 errors about tunnel packets (RFC 2473 §8) ---- */                                                 \
    X(icmpv6_malformed,        "ICMPv6 message too short, bad checksum, or no parsable invoking packet (RFC 4443 §2)") \
    X(icmpv6_not_ours,         "the invoking packet was not IPv4-in-IPv6 sent from our tunnel address")             \
    X(icmpv6_from_unknown,     "ICMPv6 1/5 not from the configured lwAFTR (RFC 7596 §5.1 MUST discard)")           \
    X(icmpv6_unhandled,        "ICMPv6 type or code with no RFC 2473 §8 relay")                                      \
    X(icmpv6_ptb_no_df,        "Packet Too Big about an inner packet without DF: path MTU lowered, nothing relayed (RFC 2473 §8.3)") \
    X(icmpv6_not_relayable,    "the inner packet must not be answered (ICMP error, fragment, RFC 1812 §4.3.2.7) or NAPT has no mapping for it") \
    X(icmpv6_rate_limited,     "relay suppressed by the ICMPv4 rate limit (RFC 1812 §4.3.2.8)")
// clang-format on

namespace s46::dataplane {

enum class DropReason : std::uint8_t { S46_DP_DROP_REASONS(S46_REASON_ENUMERATOR) };

}  // namespace s46::dataplane

template <>
struct s46::ReasonTable<s46::dataplane::DropReason> {
#define S46_DP_NAME(name, text) std::string_view("drop_" #name),
    static constexpr std::string_view names[] = {S46_DP_DROP_REASONS(S46_DP_NAME)};
#undef S46_DP_NAME
    static constexpr std::string_view texts[] = {S46_DP_DROP_REASONS(S46_REASON_TEXT)};
    static constexpr std::string_view unknown = "drop_unknown";
};

namespace s46::dataplane {

inline constexpr std::size_t kDropReasonCount = kReasonCount<DropReason>;

// The exported counter name, e.g. "drop_ttl_exceeded".
constexpr std::string_view to_string(DropReason r) { return reason_name(r); }
// One line saying what the reason means, citing the rule where there is one.
constexpr std::string_view describe(DropReason r) { return reason_text(r); }

}  // namespace s46::dataplane
