// Open addressing with Robin Hood placement and backward-shift deletion: the store
// behind every NAPT table (mappings, sessions, hosts).
//
// Why this shape (docs/napt.md "Memory"): entries are 16 bytes and live inline, so a
// lookup touches one or two cache lines; Robin Hood keeps probe lengths short and even at
// the 80 % load the memory budget needs; backward-shift deletion leaves no tombstones, so
// steady churn never degrades lookups. The slot count is arbitrary (multiply-shift maps
// the hash to a slot), so a table is sized to its capacity, not to a power of two.
//
// Entry needs a `std::uint8_t dist` member: 0 for an empty slot, else the distance from
// the entry's home slot plus one. The table never holds more than slots() - 1 entries,
// so every probe meets an empty slot. The caller hashes and compares keys; the table
// only moves entries, and reports each move so the NAPT can keep its reverse index.
#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

#include "core/napt/port_random.hpp"

namespace s46::napt {

// A prefetch the optimiser cannot drop. __builtin_prefetch has no side effect, so GCC's
// pure-function analysis deleted every call to a function that only prefetches (found
// when the batch path in napt_batch.cpp measured no faster); the empty asm is one.
inline void prefetch_line(const void* p) {
    __builtin_prefetch(p);
    asm volatile("" : : "r"(p));
}

template <class Entry>
class RobinHoodTable {
public:
    static constexpr std::uint32_t npos = 0xffffffffu;
    static constexpr std::uint8_t max_dist = 255;

    // `slots` must exceed the number of entries the caller will ever insert.
    explicit RobinHoodTable(std::uint32_t slots) : slots_(std::max<std::uint32_t>(slots, 2)), entries_(slots_) {}

    std::uint32_t slots() const { return slots_; }
    std::uint32_t size() const { return size_; }
    Entry& at(std::uint32_t pos) { return entries_[pos]; }
    const Entry& at(std::uint32_t pos) const { return entries_[pos]; }
    std::uint32_t next(std::uint32_t pos) const { return pos + 1 == slots_ ? 0 : pos + 1; }
    std::uint32_t home(std::uint64_t hash) const { return scale_to(static_cast<std::uint32_t>(hash >> 32), slots_); }

    // A hint that the entry for `hash`, or its probe run, is about to be read.
    void prefetch(std::uint64_t hash) const { prefetch_line(&entries_[home(hash)]); }
    void prefetch_at(std::uint32_t pos) const { prefetch_line(&entries_[pos]); }

    // Position of the entry for which `eq(entry)` holds, or npos.
    template <class Eq>
    std::uint32_t find(std::uint64_t hash, Eq&& eq) const {
        std::uint32_t pos = home(hash);
        for (unsigned d = 1; d <= max_dist; ++d, pos = next(pos)) {
            const Entry& e = entries_[pos];
            if (e.dist < d) return npos;  // empty, or a richer entry: ours would have been here
            if (e.dist == d && eq(e)) return pos;
        }
        return npos;
    }

    // Inserts `e` (its key must be absent). Entries it displaces move one slot on, and
    // on_move(entry, new_pos) is called for each. Returns the new entry's position, or
    // npos -- with the table untouched -- if some distance would pass max_dist.
    template <class OnMove>
    std::uint32_t insert(Entry e, std::uint64_t hash, OnMove&& on_move) {
        // Robin Hood: the new entry takes the first slot whose occupant is closer to its
        // home than the new entry would be; the run from there to the next empty slot
        // shifts one slot on. Same table as the classic swap loop, but checkable first.
        std::uint32_t pos = home(hash);
        unsigned d = 1;
        while (entries_[pos].dist >= d) {
            if (++d > max_dist) return npos;
            pos = next(pos);
        }
        std::uint32_t empty = pos;
        while (entries_[empty].dist != 0) {
            if (entries_[empty].dist == max_dist) return npos;
            empty = next(empty);
        }
        for (std::uint32_t to = empty; to != pos;) {
            const std::uint32_t from = to == 0 ? slots_ - 1 : to - 1;
            entries_[to] = entries_[from];
            ++entries_[to].dist;
            on_move(entries_[to], to);
            to = from;
        }
        e.dist = static_cast<std::uint8_t>(d);
        entries_[pos] = e;
        ++size_;
        return pos;
    }

    // Removes the entry at `pos`; the entries after it that are not at home shift back
    // one slot (on_move for each), so no tombstone is left.
    template <class OnMove>
    void erase(std::uint32_t pos, OnMove&& on_move) {
        for (std::uint32_t n = next(pos); entries_[n].dist > 1; pos = n, n = next(n)) {
            entries_[pos] = entries_[n];
            --entries_[pos].dist;
            on_move(entries_[pos], pos);
        }
        entries_[pos] = Entry{};
        --size_;
    }

    void clear() {
        std::fill(entries_.begin(), entries_.end(), Entry{});
        size_ = 0;
    }

    std::size_t memory_bytes() const { return entries_.capacity() * sizeof(Entry); }

private:
    std::uint32_t slots_;
    std::uint32_t size_ = 0;
    std::vector<Entry> entries_;
};

// A 64-bit mixer (MurmurHash3's fmix64) over a key already packed into 64 bits and
// xored with a per-instance seed, so that LAN hosts cannot aim keys at one slot.
constexpr std::uint64_t mix64(std::uint64_t k) {
    k ^= k >> 33;
    k *= 0xff51afd7ed558ccdull;
    k ^= k >> 33;
    k *= 0xc4ceb9fe1a85ec53ull;
    k ^= k >> 33;
    return k;
}

}  // namespace s46::napt
