// The compiled, immutable IPv4 longest-prefix-match table used on the data path.
//
// Structure (DXR, Zec/Rizzo/Mikuc 2012, with a fixed-step branchless search; docs/lpm.md has
// the why and the measurements): the top D bits of the address index a direct table; each
// entry names a slice ("chunk") of one sorted array of ranges, each range packing its start
// address with its next hop. A chunk with a single next hop is one element shared by every
// such chunk; otherwise the lookup binary-searches the chunk and reads the next hop from the
// element it lands on.
//
// Two range formats, fixed per table: "narrow" (4 bytes: low 16 bits of the start, 15-bit next
// hop) when D >= 16 and every next-hop id is below 0x8000, which is what real tables are; and
// "wide" (8 bytes: full start, 32-bit next hop) for small D or large ids.
//
// Lookups are noexcept, never allocate, and do not branch on the data for chunks of up to 16
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
    // Next-hop ids below this (and kNoRoute) fit the narrow format.
    static constexpr NextHopId kNarrowHopLimit = 0x8000;

    // The empty table: every lookup returns kNoRoute.
    LpmTable();

    // `ranges` as produced by expand_to_ranges(); `direct_bits` is clamped to [kMin, kMax].
    static LpmTable from_ranges(std::span<const Range> ranges, unsigned direct_bits);

    NextHopId lookup(std::uint32_t address) const noexcept;
    NextHopId lookup(net::Ipv4Address address) const noexcept { return lookup(address.value); }

    // out[i] = lookup(addresses[i]) for i < min(sizes), choosing the search variant once.
    void lookup_batch(std::span<const std::uint32_t> addresses, std::span<NextHopId> out) const noexcept;

    // Heap bytes of the lookup structure plus the object itself.
    std::size_t memory_bytes() const noexcept;
    unsigned direct_bits() const noexcept { return 32 - shift_; }
    bool narrow() const noexcept { return narrow_format_; }
    // Elements in the range array (the shared one-hop elements count once per next hop).
    std::size_t range_count() const noexcept { return narrow_format_ ? narrow_.size() : wide_.size(); }
    // Chunks of more than 16 ranges, searched by a slower loop first.
    std::size_t big_chunk_count() const noexcept { return big_.size(); }
    // Search steps per lookup: ceil(log2) of the largest chunk of at most 16 ranges.
    unsigned search_steps() const noexcept { return steps_; }

private:
    // Direct entry: (base << kCountBits) | count with count in 1..kFastRanges, or count 0 and
    // base indexing big_ for larger chunks.
    static constexpr unsigned kCountBits = 5;
    static constexpr std::uint32_t kCountMask = (1u << kCountBits) - 1;
    static constexpr unsigned kMaxSteps = 4;
    static constexpr std::uint32_t kFastRanges = 1u << kMaxSteps;

    struct BigChunk {
        std::uint32_t base;
        std::uint32_t count;
    };

    // A range packs (start << kStartShift) | hop, so comparing it with (address << kStartShift)
    // | all-ones tests start <= address, and the element found also holds the answer.
    struct Narrow {
        using Element = std::uint32_t;
        static constexpr unsigned kStartShift = 16;
        static Element key(std::uint32_t address) noexcept { return (address << 16) | 0xffffu; }
        // 0xffff is kNoRoute; ids are below 0x8000, so sign extension maps exactly that one.
        static NextHopId hop(Element e) noexcept {
            return static_cast<NextHopId>(static_cast<std::int32_t>(static_cast<std::int16_t>(e & 0xffffu)));
        }
    };
    struct Wide {
        using Element = std::uint64_t;
        static Element key(std::uint32_t address) noexcept { return (std::uint64_t{address} << 32) | 0xffffffffu; }
        static NextHopId hop(Element e) noexcept { return static_cast<NextHopId>(e); }
    };

    // Steps is a template argument so the search unrolls; a runtime count measured about half
    // as fast. lookup() picks the instantiation with a switch on a per-table constant.
    // What a search reads besides the ranges, copied out of the object so that the batch
    // loop's stores to `out` cannot force it to be reloaded for every lookup.
    struct View {
        const std::uint32_t* direct;
        const BigChunk* big;
        unsigned shift;
    };
    View view() const noexcept { return {direct_.data(), big_.data(), shift_}; }

    template <class Format, unsigned Steps>
    static NextHopId search(View v, const typename Format::Element* ranges, std::uint32_t address) noexcept;
    template <class Format, unsigned Steps>
    void search_batch(const typename Format::Element* ranges, const std::uint32_t* addresses, NextHopId* out,
                      std::size_t n) const noexcept;

    // One halving step: keep the upper half if its first start is <= key. It must compile to a
    // conditional move: as a branch it mispredicts on half of all lookups. GCC 12 turns the
    // last select of the unrolled search into a branch, and an empty asm barrier on `pos` did
    // not stop it in every caller, so on x86-64 the compare and move are written out.
    // Clang already emits csel / movn for the portable form on AArch64 and MIPS.
    template <class Element>
    static void step(const Element* ranges, std::uint32_t& pos, std::uint32_t& len, Element key) noexcept {
        const std::uint32_t half = len >> 1;
        std::uint32_t upper = pos + half;
#if defined(__x86_64__)
        // upper = probe > key ? pos : upper (unsigned compare of probe - key)
        asm("cmp %[key], %[probe]\n\tcmova %[pos], %[upper]"
            : [upper] "+r"(upper)
            : [probe] "m"(ranges[upper]), [key] "r"(key), [pos] "r"(pos)
            : "cc");
        pos = upper;
#else
        pos = ranges[upper] <= key ? upper : pos;
        asm("" : "+r"(pos));
#endif
        len -= half;
    }

    unsigned shift_ = 31;  // 32 - D
    unsigned steps_ = 0;
    unsigned variant_ = 0;  // the search to run: (narrow ? kMaxSteps + 1 : 0) + steps_
    bool narrow_format_ = false;
    std::vector<std::uint32_t> direct_;
    std::vector<Narrow::Element> narrow_;
    std::vector<Wide::Element> wide_;
    std::vector<BigChunk> big_;
};

template <class Format, unsigned Steps>
inline NextHopId LpmTable::search(View v, const typename Format::Element* ranges, std::uint32_t address) noexcept {
    const typename Format::Element key = Format::key(address);
    const std::uint32_t entry = v.direct[address >> v.shift];
    std::uint32_t pos = entry >> kCountBits;
    std::uint32_t len = entry & kCountMask;
    if (len == 0) [[unlikely]] {
        const BigChunk big = v.big[pos];
        pos = big.base;
        len = big.count;
        while (len > (1u << Steps)) step(ranges, pos, len, key);
    }
    // Each step rounds the remaining length up (16 -> 8 -> 4 -> 2 -> 1), so Steps steps reach
    // one element from any length up to 2^Steps, and a length of 1 stays put. A chunk's first
    // start is always <= key.
    for (unsigned s = 0; s < Steps; ++s) step(ranges, pos, len, key);
    return Format::hop(ranges[pos]);
}

inline NextHopId LpmTable::lookup(std::uint32_t address) const noexcept {
    const View v = view();
    const std::uint64_t* w = wide_.data();
    const std::uint32_t* n = narrow_.data();
    switch (variant_) {
    case 0: return search<Wide, 0>(v, w, address);
    case 1: return search<Wide, 1>(v, w, address);
    case 2: return search<Wide, 2>(v, w, address);
    case 3: return search<Wide, 3>(v, w, address);
    case 4: return search<Wide, 4>(v, w, address);
    case 5: return search<Narrow, 0>(v, n, address);
    case 6: return search<Narrow, 1>(v, n, address);
    case 7: return search<Narrow, 2>(v, n, address);
    case 8: return search<Narrow, 3>(v, n, address);
    default: return search<Narrow, 4>(v, n, address);
    }
}

}  // namespace s46::lpm
