// What the data path counted. Plain integers bumped on the packet path (one thread), read by
// the control plane for status output through for_each(). The drop counters are generated from
// the reason list, so a new reason always comes with its counter.
//
// Bookkeeping that holds after every call (fuzz/dataplane_*_fuzz.cpp check it):
//   outbound_packets == outbound_encapsulated + outbound_hairpinned + outbound_held + outbound_dropped
//   inbound_packets  == inbound_delivered + inbound_held + inbound_dropped
//   icmpv6_packets   == icmpv6_relayed + icmpv6_dropped
//   outbound_held + inbound_held == fragments_reassembled + fragments_discarded + fragments pending
//   sum of the drop_* counters == outbound_dropped + inbound_dropped + icmpv6_dropped + fragments_discarded
// A packet answered with an ICMPv4 error (ReplyToLan, ReplyToTunnel) counts as dropped under its
// reason, and the answer under icmp_errors_sent.
#pragma once

#include <cstdint>
#include <string_view>

#include "core/dataplane/drop_reason.hpp"

namespace s46::dataplane {

#define S46_DP_TRAFFIC_COUNTERS(X)                                                                   \
    X(outbound_packets)      /* outbound() calls */                                                  \
    X(outbound_encapsulated) /* Encapsulated results */                                              \
    X(outbound_hairpinned)   /* Hairpin results (RFC 4787 REQ-9) */                                  \
    X(outbound_held)         /* fragments kept for reassembly (Held results) */                      \
    X(outbound_dropped)      /* Drop and ReplyToLan results */                                       \
    X(inbound_packets)       /* inbound() calls */                                                   \
    X(inbound_delivered)     /* ToLan results */                                                     \
    X(inbound_held)                                                                                  \
    X(inbound_dropped)       /* Drop and ReplyToTunnel results */                                    \
    X(icmpv6_packets)        /* icmpv6_error() calls */                                              \
    X(icmpv6_relayed)        /* ReplyToLan results of icmpv6_error() */                              \
    X(icmpv6_dropped)                                                                                \
    X(fragments_reassembled) /* held fragments that became part of a completed datagram */           \
    X(fragments_discarded)   /* held fragments dropped later (timeout, bad fragment, flush) */       \
    X(datagrams_reassembled)                                                                         \
    X(icmp_errors_sent)      /* ICMPv4 errors generated (to the LAN or toward the tunnel) */         \
    X(icmp_rate_limited)     /* ICMPv4 errors not sent because of the rate limit */                  \
    X(mss_clamped)           /* outbound TCP SYNs (and SYN-ACKs) whose MSS option was lowered */     \
    X(mss_clamped_inbound)   /* inbound TCP SYN-ACKs (and SYNs) whose MSS option was lowered */      \
    X(pmtu_updates)          /* Packet Too Big messages that lowered a remote's path MTU */          \
    X(no_binding_events)     /* ICMPv6 1/5 from the lwAFTR (RFC 7596 §5.1) */                        \
    X(remote_unreachable_events) /* ICMPv6 errors saying the AFTR/lwAFTR/BR cannot be reached */    \
    X(napt_flushes)          /* configure() calls that flushed the NAPT (RFC 7596 §5.1) */           \
    X(configures)            /* successful configure() calls */

struct Counters {
#define S46_DP_X(name, text) std::uint64_t drop_##name = 0;
    S46_DP_DROP_REASONS(S46_DP_X)
#undef S46_DP_X
#define S46_DP_T(name) std::uint64_t name = 0;
    S46_DP_TRAFFIC_COUNTERS(S46_DP_T)
#undef S46_DP_T

    std::uint64_t& drop(DropReason r) {
        switch (r) {
#define S46_DP_X(name, text) \
    case DropReason::name: return drop_##name;
            S46_DP_DROP_REASONS(S46_DP_X)
#undef S46_DP_X
        }
        return drop_not_configured;  // unreachable: the switch is exhaustive
    }
    std::uint64_t drop(DropReason r) const { return const_cast<Counters*>(this)->drop(r); }

    std::uint64_t total_drops() const { return sum_of_drops<DropReason>(*this); }

    // f(name, value) for every counter, drops first, in declaration order: status output.
    template <class F>
    void for_each(F&& f) const {
#define S46_DP_X(name, text) f(std::string_view("drop_" #name), drop_##name);
        S46_DP_DROP_REASONS(S46_DP_X)
#undef S46_DP_X
#define S46_DP_T(name) f(std::string_view(#name), name);
        S46_DP_TRAFFIC_COUNTERS(S46_DP_T)
#undef S46_DP_T
    }
};

}  // namespace s46::dataplane
