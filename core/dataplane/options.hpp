// Operator knobs of the data path that the provisioning Plan does not carry. Defaults follow the
// RFCs; docs/dataplane.md says why for each.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>

#include "core/dataplane/reassembly.hpp"
#include "core/time.hpp"
#include "core/map/source_check.hpp"
#include "core/net/ipv4.hpp"

namespace s46::dataplane {

struct Options {
    // ---- tunnel (RFC 2473) ----
    std::uint8_t hop_limit = 64;                      // §6.3
    std::optional<std::uint8_t> encapsulation_limit;  // §4.1.1/§6.6: off unless configured (docs/dataplane.md, "Choices and deviations")

    // ---- traffic class ----
    // Outbound the traffic class is always the inner TOS (RFC 6333 §7.1, RFC 6040 §4.1).
    // Inbound: copy the outer DSCP into the inner header and combine ECN per RFC 6040 §4.2
    // (RFC 6333 §7.1 says both ways, a MUST that RFC 7596 §5.2 inherits). Off: the inner TOS
    // is left alone (RFC 2983 pipe model), for domains whose IPv6 DSCPs mean something else.
    bool copy_traffic_class_inbound = true;

    // ---- the CE as an IPv4 router ----
    // RFC 1812 §5.3.1. The platform turns this off when the kernel already forwarded the packet
    // into the TUN (and decremented it); the in-process path leaves it on.
    bool decrement_ttl = true;
    bool clamp_mss = true;                            // SYN and SYN-ACK MSS <= path MTU - 40, both ways (RFC 6908 §5)
    std::optional<net::Ipv4Address> icmp_source;      // source of the ICMPv4 errors sent to the LAN; default: the plan's IPv4 address
    std::uint32_t icmp_rate_per_second = 1000;        // RFC 1812 §4.3.2.8; 0 switches ICMPv4 errors off
    std::uint32_t icmp_burst = 50;
    bool answer_not_our_binding = false;              // RFC 7596 §5.2 MAY: ICMPv4 3/13 back toward the lwAFTR
    bool answer_napt_refusal = true;                  // RFC 5508 REQ-8 SHOULD: ICMPv4 3/13 when NAPT is out of room

    // ---- validation ----
    // RFC 7597 §8.1 for MAP-E peers: FullAddress also compares the whole outer source with the
    // address recomputed from inner source and port (the Linux FMR patch; catches forged IIDs).
    map::SourceCheckMode source_check = map::SourceCheckMode::full_address;
    bool verify_ipv4_checksum = true;  // the kernel checked LAN packets already; inner tunnel packets it did not

    // ---- memory, fixed at configure() ----
    ReassemblyLimits reassembly;                      // per direction
    std::size_t path_mtu_entries = 32;
    Time path_mtu_lifetime = std::chrono::minutes(10);  // RFC 8201 §4

    friend bool operator==(const Options&, const Options&) = default;
};

}  // namespace s46::dataplane
