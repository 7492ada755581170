#include "core/lpm/lpm_table.hpp"

#include <algorithm>
#include <bit>
#include <unordered_map>

namespace s46::lpm {

LpmTable::LpmTable() : direct_(2, 1u), wide_{Wide::Element{kNoRoute}} {
    // Both halves of the D = 1 table point at one shared "no route" element (base 0, count 1).
}

LpmTable LpmTable::from_ranges(std::span<const Range> ranges, unsigned direct_bits) {
    LpmTable t;
    if (ranges.empty()) return t;
    const unsigned d = std::clamp(direct_bits, kMinDirectBits, kMaxDirectBits);
    t.shift_ = 32 - d;
    t.narrow_format_ = d >= 16 && std::all_of(ranges.begin(), ranges.end(), [](const Range& r) {
        return r.next_hop < kNarrowHopLimit || r.next_hop == kNoRoute;
    });
    const std::size_t chunks = std::size_t{1} << d;
    t.direct_.assign(chunks, 0);
    t.wide_.clear();

    auto append = [&](std::uint32_t start, NextHopId hop) {
        if (t.narrow_format_)
            t.narrow_.push_back(((start & 0xffffu) << 16) | (hop & 0xffffu));
        else
            t.wide_.push_back((std::uint64_t{start} << 32) | hop);
    };
    // Chunks lying wholly inside one range are the common case; they share one element per
    // next hop (start 0 is <= every address, and a one-element search compares nothing).
    std::unordered_map<NextHopId, std::uint32_t> shared;
    NextHopId last_shared_hop = kNoRoute;
    std::uint32_t last_shared_base = 0;
    bool have_shared = false;
    std::uint32_t size = 0;  // elements appended so far
    std::uint32_t largest_fast = 1;

    std::size_t r = 0;  // index of the range holding the current chunk's first address
    for (std::size_t c = 0; c < chunks; ++c) {
        const std::uint32_t first = static_cast<std::uint32_t>(c << t.shift_);
        const std::uint32_t last = first | ((std::uint32_t{1} << t.shift_) - 1);
        while (r + 1 < ranges.size() && ranges[r + 1].start <= first) ++r;
        std::size_t end = r + 1;  // one past the last range starting inside the chunk
        while (end < ranges.size() && ranges[end].start <= last) ++end;
        const auto count = static_cast<std::uint32_t>(end - r);

        std::uint32_t base;
        if (count == 1 && have_shared && ranges[r].next_hop == last_shared_hop) {
            base = last_shared_base;  // runs of one-hop chunks skip the hash lookup
        } else if (count == 1) {
            auto [it, fresh] = shared.try_emplace(ranges[r].next_hop, size);
            if (fresh) {
                append(0, ranges[r].next_hop);
                ++size;
            }
            base = last_shared_base = it->second;
            last_shared_hop = ranges[r].next_hop;
            have_shared = true;
        } else {
            base = size;
            append(first, ranges[r].next_hop);
            for (std::size_t i = r + 1; i < end; ++i) append(ranges[i].start, ranges[i].next_hop);
            size += count;
        }
        if (count <= kFastRanges) {
            t.direct_[c] = (base << kCountBits) | count;
            largest_fast = std::max(largest_fast, count);
        } else {
            t.direct_[c] = static_cast<std::uint32_t>(t.big_.size()) << kCountBits;
            t.big_.push_back({base, count});
        }
        r = end - 1;
    }
    // Indices must fit in the 27 bits above the count: 2^27 ranges would take ~67 M prefixes.
    t.steps_ = static_cast<unsigned>(std::bit_width(largest_fast - 1));
    t.variant_ = (t.narrow_format_ ? kMaxSteps + 1 : 0) + t.steps_;
    t.narrow_.shrink_to_fit();
    t.wide_.shrink_to_fit();
    t.big_.shrink_to_fit();
    return t;
}

template <class Format, unsigned Steps>
void LpmTable::search_batch(const typename Format::Element* ranges, const std::uint32_t* addresses, NextHopId* out,
                            std::size_t n) const noexcept {
    // A plain loop: the out-of-order core already overlaps independent lookups. Interleaving
    // groups of 2-16 lookups stage by stage measured no faster here (docs/lpm.md).
    const View v = view();
    for (std::size_t i = 0; i < n; ++i) out[i] = search<Format, Steps>(v, ranges, addresses[i]);
}

void LpmTable::lookup_batch(std::span<const std::uint32_t> addresses, std::span<NextHopId> out) const noexcept {
    const std::size_t n = std::min(addresses.size(), out.size());
    const std::uint32_t* in = addresses.data();
    NextHopId* o = out.data();
    const std::uint64_t* w = wide_.data();
    const std::uint32_t* nw = narrow_.data();
    switch (variant_) {
    case 0: return search_batch<Wide, 0>(w, in, o, n);
    case 1: return search_batch<Wide, 1>(w, in, o, n);
    case 2: return search_batch<Wide, 2>(w, in, o, n);
    case 3: return search_batch<Wide, 3>(w, in, o, n);
    case 4: return search_batch<Wide, 4>(w, in, o, n);
    case 5: return search_batch<Narrow, 0>(nw, in, o, n);
    case 6: return search_batch<Narrow, 1>(nw, in, o, n);
    case 7: return search_batch<Narrow, 2>(nw, in, o, n);
    case 8: return search_batch<Narrow, 3>(nw, in, o, n);
    default: return search_batch<Narrow, 4>(nw, in, o, n);
    }
}

std::size_t LpmTable::memory_bytes() const noexcept {
    return sizeof(*this) + direct_.capacity() * sizeof(std::uint32_t) + narrow_.capacity() * sizeof(Narrow::Element) +
           wide_.capacity() * sizeof(Wide::Element) + big_.capacity() * sizeof(BigChunk);
}

}  // namespace s46::lpm
