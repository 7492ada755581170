// The software pipeline behind every batch call (Napt::translate_*_batch,
// dataplane::Pipeline::outbound_batch): two prefetch stages run ahead of the real work by one
// and two groups, so a line requested in stage 1 has a group's worth of work to arrive before
// stage 2 reads it, and the line stage 2 requests has another before the packet is handled.
#pragma once

#include <algorithm>
#include <cstddef>

namespace s46::napt {

// Packets per group. A group's hints must be in flight together but not evict each other:
// 8 packets x 2 lines each, two groups ahead, stays far below the L1's lines and the
// core's outstanding misses, and keeps a short batch (the TUN hands over 8 to 64) useful.
inline constexpr std::size_t batch_group = 8;

// For groups g = 0, 1, ...: stage1(group g + 2), stage2(group g + 1), then work(i) for each
// packet i of group g, in order. stage1/stage2 take (first index, count).
template <class Stage1, class Stage2, class Work>
void run_prefetched(std::size_t count, std::size_t group, Stage1&& stage1, Stage2&& stage2, Work&& work) {
    auto span_of = [&](std::size_t g, auto&& f) {
        const std::size_t at = g * group;
        if (at < count) f(at, std::min(group, count - at));
    };
    span_of(0, stage1);
    span_of(1, stage1);
    span_of(0, stage2);
    for (std::size_t g = 0, at = 0; at < count; ++g, at += group) {
        span_of(g + 2, stage1);
        span_of(g + 1, stage2);
        const std::size_t end = std::min(at + group, count);
        for (std::size_t i = at; i < end; ++i) work(i);
    }
}

}  // namespace s46::napt
