#include "core/lpm/lpm_table.hpp"

#include <algorithm>
#include <unordered_map>

namespace s46::lpm {

LpmTable::LpmTable() : direct_(2, 1u), starts_{0}, hops_{kNoRoute} {
    // Both halves of the D = 1 table point at the single shared "no route" element (base 0, count 1).
}

LpmTable LpmTable::from_ranges(std::span<const Range> ranges, unsigned direct_bits) {
    LpmTable t;
    if (ranges.empty()) return t;
    const unsigned d = std::clamp(direct_bits, kMinDirectBits, kMaxDirectBits);
    t.shift_ = 32 - d;
    const std::size_t chunks = std::size_t{1} << d;
    t.direct_.assign(chunks, 0);
    t.starts_.clear();
    t.hops_.clear();

    // Chunks lying wholly inside one range are the common case; they share one element per
    // next hop (start 0 is <= every address, and a one-element search never compares it).
    std::unordered_map<NextHopId, std::uint32_t> shared;
    auto append = [&](std::uint32_t start, NextHopId hop) {
        t.starts_.push_back(start);
        t.hops_.push_back(hop);
    };

    std::size_t r = 0;  // index of the range holding the current chunk's first address
    for (std::size_t c = 0; c < chunks; ++c) {
        const std::uint32_t first = static_cast<std::uint32_t>(c << t.shift_);
        const std::uint32_t last = first | ((std::uint32_t{1} << t.shift_) - 1);
        while (r + 1 < ranges.size() && ranges[r + 1].start <= first) ++r;
        std::size_t end = r + 1;  // one past the last range starting inside the chunk
        while (end < ranges.size() && ranges[end].start <= last) ++end;
        const std::size_t count = end - r;

        std::uint32_t base;
        if (count == 1) {
            auto [it, fresh] = shared.try_emplace(ranges[r].next_hop, static_cast<std::uint32_t>(t.starts_.size()));
            if (fresh) append(0, ranges[r].next_hop);
            base = it->second;
        } else {
            base = static_cast<std::uint32_t>(t.starts_.size());
            append(first, ranges[r].next_hop);
            for (std::size_t i = r + 1; i < end; ++i) append(ranges[i].start, ranges[i].next_hop);
        }
        if (count <= kFastRanges) {
            t.direct_[c] = (base << kCountBits) | static_cast<std::uint32_t>(count);
        } else {
            t.direct_[c] = static_cast<std::uint32_t>(t.big_.size()) << kCountBits;
            t.big_.push_back({base, static_cast<std::uint32_t>(count)});
        }
        r = end - 1;
    }
    // Indices must fit in the 27 bits above the count; 2^27 ranges would need ~67 M prefixes.
    t.starts_.shrink_to_fit();
    t.hops_.shrink_to_fit();
    t.big_.shrink_to_fit();
    return t;
}

void LpmTable::lookup_batch(std::span<const std::uint32_t> addresses, std::span<NextHopId> out) const noexcept {
    const std::size_t n = std::min(addresses.size(), out.size());
    for (std::size_t i = 0; i < n; ++i) out[i] = lookup(addresses[i]);
}

std::size_t LpmTable::memory_bytes() const noexcept {
    return sizeof(*this) + direct_.capacity() * sizeof(std::uint32_t) + starts_.capacity() * sizeof(std::uint32_t) +
           hops_.capacity() * sizeof(NextHopId) + big_.capacity() * sizeof(BigChunk);
}

}  // namespace s46::lpm
