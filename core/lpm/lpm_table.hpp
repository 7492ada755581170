// The compiled, immutable IPv4 longest-prefix-match table used on the data path.
//
// Structure (DXR, Zec/Rizzo/Mikuc 2012, with a fixed-step search; docs/lpm.md has the why and
// the measurements): the top D bits of the address index a direct table; each entry names a
// slice of one sorted array of range starts (the "chunk" of address space under that entry).
// A chunk with one next hop is a single shared element; otherwise the lookup binary-searches
// the chunk's starts and reads the next hop at the same index.
//
// Lookups are noexcept, never allocate and never branch on the data for chunks of up to 16
// ranges, so independent lookups overlap in the CPU instead of flushing on mispredictions.
// Build one with LpmBuilder (lpm_builder.hpp); rebuild it when the routes change.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "core/lpm/ranges.hpp"
#include "core/lpm/route.hpp"

namespace s46::lpm {

class LpmTable {
public:
    // D: the direct table has 2^D entries of 4 bytes.
    static constexpr unsigned kMinDirectBits = 1;
    static constexpr unsigned kMaxDirectBits = 20;

    // The empty table: every lookup returns kNoRoute.
    LpmTable();

    // `ranges` as produced by expand_to_ranges(); `direct_bits` is clamped to [kMin, kMax].
    static LpmTable from_ranges(std::span<const Range> ranges, unsigned direct_bits);

    NextHopId lookup(std::uint32_t address) const noexcept;
    NextHopId lookup(net::Ipv4Address address) const noexcept { return lookup(address.value); }

    // out[i] = lookup(addresses[i]) for i < addresses.size(); `out` must be at least as long.
    void lookup_batch(std::span<const std::uint32_t> addresses, std::span<NextHopId> out) const noexcept;

    // Heap bytes of the lookup structure plus the object itself.
    std::size_t memory_bytes() const noexcept;
    unsigned direct_bits() const noexcept { return 32 - shift_; }
    // Elements in the range arrays (shared one-hop chunks count once per next hop).
    std::size_t range_count() const noexcept { return starts_.size(); }
    // Chunks searched by the slower unbounded loop (more than kFastRanges ranges).
    std::size_t big_chunk_count() const noexcept { return big_.size(); }

private:
    // Direct entry: (base << kCountBits) | count with count in 1..kFastRanges, or count 0 and
    // base indexing big_ for larger chunks.
    static constexpr unsigned kCountBits = 5;
    static constexpr std::uint32_t kCountMask = (1u << kCountBits) - 1;
    static constexpr unsigned kFastSteps = 4;
    static constexpr std::uint32_t kFastRanges = 1u << kFastSteps;

    struct BigChunk {
        std::uint32_t base;
        std::uint32_t count;
    };

    unsigned shift_ = 31;  // 32 - D
    std::vector<std::uint32_t> direct_;
    std::vector<std::uint32_t> starts_;  // full addresses, so any D works with one format
    std::vector<NextHopId> hops_;        // hops_[i] owns [starts_[i], starts_[i + 1])
    std::vector<BigChunk> big_;
};

inline NextHopId LpmTable::lookup(std::uint32_t address) const noexcept {
    const std::uint32_t entry = direct_[address >> shift_];
    const std::uint32_t* s = starts_.data();
    std::uint32_t base = entry >> kCountBits;
    std::uint32_t len = entry & kCountMask;
    if (len == 0) [[unlikely]] {
        const BigChunk big = big_[base];
        base = big.base;
        len = big.count;
        s += base;
        while (len > kFastRanges) {
            const std::uint32_t half = len >> 1;
            s = (s[half] <= address) ? s + half : s;
            len -= half;
        }
    } else {
        s += base;
    }
    // Each step keeps the half whose first start is <= address (the chunk's first start always
    // is), rounding the remaining length up: 16 -> 8 -> 4 -> 2 -> 1 in exactly kFastSteps steps,
    // and a length of 1 stays put. A fixed count keeps the loop free of data-dependent branches.
    for (unsigned step = 0; step < kFastSteps; ++step) {
        const std::uint32_t half = len >> 1;
        s = (s[half] <= address) ? s + half : s;
        len -= half;
    }
    return hops_[static_cast<std::size_t>(s - starts_.data())];
}

}  // namespace s46::lpm
