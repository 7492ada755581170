// What the NAPT counted. Plain integers, bumped on the packet path, read by the
// control plane. The drop counters are generated from the reason list, so a new
// reason always comes with its counter.
//
// Bookkeeping that holds after every call (the fuzz target checks it):
//   outbound_packets == outbound_translated + outbound_dropped
//   inbound_packets  == inbound_translated  + inbound_dropped
//   sum of the per-reason counters == outbound_dropped + inbound_dropped
#pragma once

#include <cstdint>

#include "core/napt/drop_reason.hpp"

namespace s46::napt {

struct Counters {
    // ---- one per DropReason, named like the reason ----
#define S46_NAPT_X(name, text) std::uint64_t name = 0;
    S46_NAPT_DROP_REASONS(S46_NAPT_X)
#undef S46_NAPT_X

    // ---- traffic ----
    std::uint64_t outbound_packets = 0;
    std::uint64_t outbound_translated = 0;  // includes hairpinned
    std::uint64_t outbound_hairpinned = 0;  // verdict hairpin (RFC 4787 REQ-9)
    std::uint64_t outbound_dropped = 0;
    std::uint64_t inbound_packets = 0;
    std::uint64_t inbound_translated = 0;
    std::uint64_t inbound_dropped = 0;
    std::uint64_t icmp_errors_translated = 0;  // either direction (RFC 5508 REQ-4/5)

    // ---- state ----
    std::uint64_t mappings_created = 0;
    std::uint64_t mappings_removed = 0;  // by expiry; flushes counted separately
    std::uint64_t sessions_created = 0;
    std::uint64_t sessions_expired = 0;  // removed by the sweep
    std::uint64_t sessions_flushed = 0;
    std::uint64_t sessions_displaced = 0;      // on a port a new static forward reserved
    std::uint64_t static_sessions_opened = 0;  // by an inbound packet to a static forward
    std::uint64_t flushes = 0;

    std::uint64_t& drop(DropReason r) {
        switch (r) {
#define S46_NAPT_X(name, text) \
    case DropReason::name: return name;
            S46_NAPT_DROP_REASONS(S46_NAPT_X)
#undef S46_NAPT_X
        }
        return malformed;  // unreachable: the switch is exhaustive
    }
    std::uint64_t drop(DropReason r) const { return const_cast<Counters*>(this)->drop(r); }

    std::uint64_t total_drops() const { return sum_of_drops<DropReason>(*this); }
};

}  // namespace s46::napt
