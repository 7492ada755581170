// Which slots of one protocol's port space are taken: one bit per slot, so that the
// search for the next free slot after a random start reads 64 slots per word instead of
// one reverse-table entry per slot (2 KiB per 16 Ki slots; a full address is 8 KiB).
#pragma once

#include <algorithm>
#include <bit>
#include <cstdint>
#include <vector>

namespace s46::napt {

class SlotBitmap {
public:
    static constexpr std::uint32_t npos = 0xffffffffu;

    explicit SlotBitmap(std::uint32_t size) : size_(size), words_((size + 63) / 64, 0) {}

    std::uint32_t size() const { return size_; }
    bool test(std::uint32_t slot) const { return (words_[slot >> 6] >> (slot & 63)) & 1u; }
    void set(std::uint32_t slot) { words_[slot >> 6] |= std::uint64_t{1} << (slot & 63); }
    void reset(std::uint32_t slot) { words_[slot >> 6] &= ~(std::uint64_t{1} << (slot & 63)); }
    void clear() { std::fill(words_.begin(), words_.end(), 0); }

    // The first free slot at or after `start`, wrapping around once; npos if all are taken.
    // Precondition: start < size().
    std::uint32_t next_free(std::uint32_t start) const {
        const std::uint32_t r = scan(start, size_);
        return r != npos ? r : scan(0, start);
    }

    std::size_t memory_bytes() const { return words_.capacity() * sizeof(std::uint64_t); }

private:
    // First free slot in [from, to).
    std::uint32_t scan(std::uint32_t from, std::uint32_t to) const {
        if (from >= to) return npos;
        std::uint32_t w = from >> 6;
        std::uint64_t free_bits = ~words_[w] & (~std::uint64_t{0} << (from & 63));
        const std::uint32_t last_word = (to - 1) >> 6;
        while (true) {
            if (free_bits != 0) {
                const std::uint32_t slot = (w << 6) + static_cast<std::uint32_t>(std::countr_zero(free_bits));
                return slot < to ? slot : npos;
            }
            if (w == last_word) return npos;
            free_bits = ~words_[++w];
        }
    }

    std::uint32_t size_;
    std::vector<std::uint64_t> words_;
};

}  // namespace s46::napt
