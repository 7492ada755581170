#include "core/napt/port_slots.hpp"

#include <algorithm>
#include <queue>
#include <string>

#include "core/napt/port_index.hpp"

namespace s46::napt {

std::vector<map::PortRange> dynamic_ranges(const map::PortSet& set, std::span<const std::uint16_t> reserved) {
    // The first dynamic port follows PortIndex (the userspace NAPT's policy), so both data
    // planes hand out the same ports.
    const PortIndex index(set);
    std::vector<map::PortRange> out;
    if (index.size() == 0) return out;
    const std::uint32_t first_dynamic = index.port(0);

    std::vector<std::uint16_t> holes(reserved.begin(), reserved.end());
    std::sort(holes.begin(), holes.end());
    holes.erase(std::unique(holes.begin(), holes.end()), holes.end());

    auto emit = [&](std::uint32_t first, std::uint32_t last) {
        if (first > last) return;
        if (!out.empty() && std::uint32_t{out.back().last} + 1u == first)
            out.back().last = static_cast<std::uint16_t>(last);  // adjacent: one range
        else
            out.push_back({static_cast<std::uint16_t>(first), static_cast<std::uint16_t>(last)});
    };
    auto hole = holes.begin();
    set.for_each_range([&](map::PortRange r) {
        std::uint32_t first = std::max<std::uint32_t>(r.first, first_dynamic);
        const std::uint32_t last = r.last;
        if (first > last) return;
        while (hole != holes.end() && *hole < first) ++hole;
        for (; hole != holes.end() && *hole <= last; ++hole) {
            if (*hole > first) emit(first, *hole - 1u);
            first = std::uint32_t{*hole} + 1u;
        }
        emit(first, last);
    });
    return out;
}

namespace {

// Largest-remainder scaling of `want` (summing to more than `budget`) to `budget` slots, at least one
// for every non-zero weight. budget >= the number of non-zero weights.
std::vector<std::uint32_t> scale(const std::vector<std::uint32_t>& want, std::uint32_t budget) {
    std::vector<std::uint32_t> out(want.size(), 0);
    std::uint32_t nonzero = 0;
    std::uint64_t rest_total = 0;
    for (std::uint32_t w : want) {
        if (w == 0) continue;
        ++nonzero;
        rest_total += w - 1u;
    }
    const std::uint64_t spare = budget - nonzero;  // distributed by (w - 1)
    std::vector<std::pair<std::uint64_t, std::size_t>> remainders;
    std::uint64_t given = 0;
    for (std::size_t i = 0; i < want.size(); ++i) {
        if (want[i] == 0) continue;
        const std::uint64_t num = std::uint64_t{want[i] - 1u} * spare;
        const std::uint64_t q = rest_total == 0 ? 0 : num / rest_total;
        out[i] = static_cast<std::uint32_t>(1u + q);
        given += q;
        remainders.emplace_back(rest_total == 0 ? 0 : num % rest_total, i);
    }
    // The biggest remainders get the slots that rounding down left over (ties: lower index).
    std::stable_sort(remainders.begin(), remainders.end(), [](const auto& x, const auto& y) { return x.first > y.first; });
    for (std::size_t r = 0; given < spare && r < remainders.size(); ++r, ++given) ++out[remainders[r].second];
    return out;
}

}  // namespace

Result<SlotPlan> plan_slots(std::span<const map::PortRange> ranges, std::span<const std::uint32_t> occupancy,
                            std::uint32_t max_slots) {
    if (ranges.empty()) return fail("port slots: no port range (every port of the set is reserved or excluded)");
    if (!occupancy.empty() && occupancy.size() != ranges.size())
        return fail("port slots: occupancy has " + std::to_string(occupancy.size()) + " entries for " +
                    std::to_string(ranges.size()) + " ranges");
    if (max_slots == 0) return fail("port slots: a budget of 0 slots");

    SlotPlan plan;
    plan.ranges.assign(ranges.begin(), ranges.end());
    std::vector<std::uint32_t> want(ranges.size());
    std::uint64_t total = 0;
    for (std::size_t i = 0; i < ranges.size(); ++i) {
        if (ranges[i].first > ranges[i].last)
            return fail("port slots: range " + std::to_string(ranges[i].first) + "-" + std::to_string(ranges[i].last) +
                        " is empty");
        const std::uint32_t size = range_size(ranges[i]);
        const std::uint32_t used = occupancy.empty() ? 0u : std::min(occupancy[i], size);
        want[i] = size - used;
        total += want[i];
    }
    if (total == 0) {
        // Every range is full towards the busiest destination: the set is full. Keep all of
        // them, weighted by size, so flows to other destinations keep spreading.
        for (std::size_t i = 0; i < ranges.size(); ++i) want[i] = range_size(ranges[i]);
        total = 0;
        for (std::uint32_t w : want) total += w;
    }
    const auto nonzero = static_cast<std::uint32_t>(std::count_if(want.begin(), want.end(), [](std::uint32_t w) { return w > 0; }));
    const std::uint32_t budget = std::max(max_slots, nonzero);
    plan.weight = total <= budget ? want : scale(want, budget);

    // One range needs one slot (the builder then writes a plain `snat to A:lo-hi`).
    if (nonzero == 1)
        for (std::uint32_t& w : plan.weight) w = w > 0 ? 1u : 0u;

    // Stride scheduling: the j-th slot (j = 0 .. w-1) of range i is due at virtual time
    // (2j + 1) / (2 w_i); slots are emitted in order of due time (ties: lower range index),
    // which interleaves the ranges evenly -- equal weights give plain round robin 0, 1, .., n-1,
    // 0, 1, ... When the earliest due slot belongs to the range just emitted, the next one is
    // taken instead, so consecutive slots differ wherever that is possible.
    struct Due {
        std::uint32_t j;
        std::uint32_t w;
        std::uint32_t range;
    };
    auto later = [](const Due& x, const Due& y) {  // priority_queue keeps the "largest" on top
        const std::uint64_t lx = (2ull * x.j + 1u) * y.w, ly = (2ull * y.j + 1u) * x.w;
        return lx != ly ? lx > ly : x.range > y.range;
    };
    std::priority_queue<Due, std::vector<Due>, decltype(later)> queue(later);
    std::uint64_t count = 0;
    for (std::size_t i = 0; i < plan.weight.size(); ++i) {
        count += plan.weight[i];
        if (plan.weight[i] > 0) queue.push({0, plan.weight[i], static_cast<std::uint32_t>(i)});
    }
    plan.slots.reserve(count);
    auto take = [&](Due d) {
        plan.slots.push_back(d.range);
        if (++d.j < d.w) queue.push(d);
    };
    while (!queue.empty()) {
        Due first = queue.top();
        queue.pop();
        if (!plan.slots.empty() && first.range == plan.slots.back() && !queue.empty()) {
            Due second = queue.top();
            queue.pop();
            take(second);
            queue.push(first);
        } else {
            take(first);
        }
    }
    return plan;
}

}  // namespace s46::napt
