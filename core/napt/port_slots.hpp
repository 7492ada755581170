// The port ranges and the round-robin slot list of the kernel NAPT44 (platform/nft): how the
// dynamic ports of a port set are handed to nf_nat one contiguous range at a time.
//
// Why slots. A MAP-E / lw4o6 port set is 2^a - 1 separate ranges of 2^m ports (RFC 7597 §5.1).
// An nftables `snat` statement gives nf_nat exactly one range; nf_nat searches for a free tuple
// only inside that range and, when the range has none, drops the flow -- it never tries another
// range. So the rule picks a range per new flow with
// `numgen inc mod N map @slots`: slot n (0 <= n < N) names one range, and each range appears in
// as many slots as it has free ports. Over any N consecutive new flows a range is picked at most
// as often as it has free ports, so a burst of F <= (free ports) flows to one destination (where
// every flow needs its own source port) never sends more flows to a range than it can hold, and
// every range is used (OpenWrt fw4 installs only the first range). The slots are interleaved so
// that consecutive flows go to different ranges.
//
// Feedback. `occupancy[i]` is the number of ports of range i in use towards the busiest
// (protocol, remote address, remote port) -- the tuple that fills first, as nf_nat may reuse a
// port towards other destinations. Ranges with no free port get no slot; when every range is
// full all of them are kept (the set is full; nf_nat drops new flows to that destination
// whatever we do, and flows to other destinations still fit).
//
// Pure: no syscalls, no platform headers.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "core/map/port_set.hpp"
#include "core/result.hpp"

namespace s46::napt {

// Slots beyond this are not worth a map element: ranges are then weighted proportionally
// (each still gets at least one slot, so a set with more ranges gets one slot per range).
inline constexpr std::uint32_t kDefaultMaxSlots = 4096;

// The dynamic ports of `set` as ascending, maximal contiguous ranges: the set's ranges
// (RFC 7597 §5.1), minus the ports PortIndex leaves out (below 1024 when the set has ports at
// or above 1024, never port 0; docs/napt.md), minus every `reserved` port (static forwards:
// their external port must never be handed to a dynamic mapping), with adjacent ranges merged
// (offset > 0 with PSID length 0 is one range). Reserved ports outside the set are ignored.
std::vector<map::PortRange> dynamic_ranges(const map::PortSet& set, std::span<const std::uint16_t> reserved);

struct SlotPlan {
    std::vector<map::PortRange> ranges;  // as given
    std::vector<std::uint32_t> weight;   // slots per range (0: range full, left out)
    std::vector<std::uint32_t> slots;    // slot n -> index into ranges; the numgen modulus is slots.size()
};

// Weights each range by its free ports (size - occupancy; occupancy may be empty = all free)
// and interleaves the slots (stride scheduling: the j-th slot of a range with weight w sits at
// virtual time (j + 1/2) / w; ties broken by range index). When the free ports sum to more
// than max(max_slots, ranges), the weights are scaled to that budget by largest remainder,
// every non-full range keeping at least one slot (so the burst bound above
// becomes approximate: the unit test measures at most 2 % of a 90 % burst lost). Fails on no ranges, an occupancy list of
// the wrong length or max_slots 0.
Result<SlotPlan> plan_slots(std::span<const map::PortRange> ranges, std::span<const std::uint32_t> occupancy,
                            std::uint32_t max_slots = kDefaultMaxSlots);

inline std::uint32_t range_size(map::PortRange r) { return std::uint32_t{r.last} - r.first + 1u; }

}  // namespace s46::napt
