// core/napt/port_slots: the ranges and numgen slots of the kernel NAPT44 (docs/dataplane.md,
// "Kernel NAPT44 in nftables"). The port arithmetic is checked against RFC 7597 §5.1 written
// out independently (division, not the PortSet shifts); the slot list by simulating what
// nf_nat does with it: numgen inc picks slot (c + f) mod N for the f-th new flow, and the flow
// gets a port only if the range of that slot still has one.
#include <catch2/catch.hpp>

#include <map>
#include <random>
#include <set>
#include <vector>

#include "core/map/port_set.hpp"
#include "core/napt/port_slots.hpp"

using namespace s46;
using namespace s46::napt;
using map::PortRange;
using map::PortSet;

namespace {

PortSet set_of(unsigned a, unsigned k, unsigned psid) {
    auto s = PortSet::make(a, k, psid);
    REQUIRE(s);
    return *s;
}

// RFC 7597 §5.1 by division: port = A * 2^(16-a) + PSID * 2^m + j, A = 1 .. 2^a - 1.
std::vector<PortRange> reference_blocks(unsigned a, unsigned k, unsigned psid) {
    const unsigned m_size = 65536u >> (a + k);
    std::vector<PortRange> out;
    for (unsigned A = 1; A < (1u << a); ++A) {
        const unsigned first = A * (65536u >> a) + psid * m_size;
        out.push_back({static_cast<std::uint16_t>(first), static_cast<std::uint16_t>(first + m_size - 1)});
    }
    return out;
}

// Every cyclic window of `len` consecutive slots holds range i at most weight[i] times.
void require_windows_bounded(const SlotPlan& p, std::size_t len) {
    const std::size_t n = p.slots.size();
    std::vector<std::uint32_t> seen(p.ranges.size(), 0);
    for (std::size_t s = 0; s < len; ++s) ++seen[p.slots[s % n]];
    for (std::size_t start = 0; start < n; ++start) {
        for (std::size_t i = 0; i < seen.size(); ++i) REQUIRE(seen[i] <= p.weight[i]);
        --seen[p.slots[start]];
        ++seen[p.slots[(start + len) % n]];
    }
}

// Simulates a burst of `flows` new flows to ONE destination (each needs its own source port),
// numgen starting at `counter`: returns how many found a free port in the range of their slot.
std::uint32_t burst(const SlotPlan& p, const std::vector<std::uint32_t>& used, std::uint32_t flows, std::uint64_t counter) {
    std::vector<std::uint32_t> taken = used;
    if (taken.empty()) taken.assign(p.ranges.size(), 0);
    std::uint32_t ok = 0;
    for (std::uint32_t f = 0; f < flows; ++f) {
        const std::uint32_t r = p.slots[(counter + f) % p.slots.size()];
        if (taken[r] < range_size(p.ranges[r])) {
            ++taken[r];
            ++ok;
        }
    }
    return ok;
}

}  // namespace

TEST_CASE("MAP set offset 6, PSID length 8: 63 blocks of 4, each in 4 slots, round robin", "[napt][slots][rfc7597]") {
    const PortSet set = set_of(6, 8, 52);
    const auto ranges = dynamic_ranges(set, {});
    REQUIRE(ranges == reference_blocks(6, 8, 52));
    REQUIRE(ranges.size() == 63);
    CHECK(ranges.front() == PortRange{1232, 1235});
    CHECK(ranges.back() == PortRange{64720, 64723});

    auto plan = plan_slots(ranges, {});
    REQUIRE(plan);
    REQUIRE(plan->slots.size() == 252);
    for (std::uint32_t w : plan->weight) CHECK(w == 4);
    // Plain round robin: slot n -> block n mod 63, so consecutive slots never share a block
    // and every 63 consecutive slots visit all 63 blocks.
    for (std::size_t n = 0; n < plan->slots.size(); ++n) REQUIRE(plan->slots[n] == n % 63);
    require_windows_bounded(*plan, 252);
    // 239 flows (95 %) to one destination, wherever numgen stands: all get a port.
    for (std::uint64_t c : {0ull, 1ull, 62ull, 100ull, 251ull}) CHECK(burst(*plan, {}, 239, c) == 239);
    CHECK(burst(*plan, {}, 252, 17) == 252);
}

TEST_CASE("contiguous lw4o6 sets are one range and one slot", "[napt][slots][rfc7596]") {
    // offset 0, PSID length 6: PSID 5 owns 5120-6143 (RFC 7597 §5.1 with a = 0).
    auto r = dynamic_ranges(set_of(0, 6, 5), {});
    REQUIRE(r == std::vector<PortRange>{{5120, 6143}});
    auto plan = plan_slots(r, {});
    REQUIRE(plan);
    CHECK(plan->slots == std::vector<std::uint32_t>{0});
    // PSID 0 lies wholly below 1024: it keeps its ports, all but port 0 (PortIndex's rule).
    CHECK(dynamic_ranges(set_of(0, 6, 0), {}) == std::vector<PortRange>{{1, 1023}});
    // A full address: the dynamic ports 1024-65535.
    CHECK(dynamic_ranges(PortSet::all(), {}) == std::vector<PortRange>{{1024, 65535}});
    // offset 6 with no PSID bits: 63 adjacent blocks merge into one range.
    CHECK(dynamic_ranges(set_of(6, 0, 0), {}) == std::vector<PortRange>{{1024, 65535}});
}

TEST_CASE("reserved ports (static forwards) split their block and leave the dynamic ranges", "[napt][slots]") {
    const PortSet set = set_of(6, 8, 52);
    const std::vector<std::uint16_t> reserved{2259, 1233, 5000 /* not in the set */, 1233 /* twice */, 64720};
    const auto ranges = dynamic_ranges(set, reserved);
    std::uint32_t ports = 0;
    for (auto r : ranges) ports += range_size(r);
    CHECK(ports == 252 - 3);
    CHECK(ranges.size() == 63 + 1);  // 1233 splits its block in two; 2259 and 64720 only shorten theirs
    CHECK(ranges[0] == PortRange{1232, 1232});
    CHECK(ranges[1] == PortRange{1234, 1235});
    CHECK(ranges[2] == PortRange{2256, 2258});
    CHECK(ranges.back() == PortRange{64721, 64723});
    for (auto r : ranges)
        for (std::uint32_t p = r.first; p <= r.last; ++p) {
            REQUIRE(set.contains(static_cast<std::uint16_t>(p)));
            REQUIRE(p != 1233);
            REQUIRE(p != 2259);
            REQUIRE(p != 64720);
        }
    auto plan = plan_slots(ranges, {});
    REQUIRE(plan);
    CHECK(plan->slots.size() == 249);
    CHECK(plan->weight[0] == 1);
    CHECK(plan->weight[1] == 2);
    CHECK(burst(*plan, {}, 249, 5) == 249);
    // Reserving every port of a contiguous set leaves nothing to plan.
    std::vector<std::uint16_t> all;
    set_of(0, 6, 5).for_each_port([&](std::uint16_t p) { all.push_back(p); });
    CHECK(dynamic_ranges(set_of(0, 6, 5), all).empty());
    CHECK_FALSE(plan_slots(std::vector<PortRange>{}, {}));
}

TEST_CASE("every block weighted: random sets and occupancies, bursts up to the free ports all succeed", "[napt][slots][property]") {
    std::mt19937 rng(20261207);
    for (int round = 0; round < 300; ++round) {
        const unsigned a = std::uniform_int_distribution<unsigned>(1, 9)(rng);
        const unsigned k = std::uniform_int_distribution<unsigned>(0, 16 - a - 1)(rng);
        const unsigned psid = std::uniform_int_distribution<unsigned>(0, (1u << k) - 1)(rng);
        const auto ranges = dynamic_ranges(set_of(a, k, psid), {});
        if (ranges.empty()) continue;
        std::vector<std::uint32_t> used(ranges.size());
        std::uint64_t free = 0;
        const bool with_occupancy = round % 2 == 1;
        for (std::size_t i = 0; i < ranges.size(); ++i) {
            used[i] = with_occupancy ? std::uniform_int_distribution<std::uint32_t>(0, range_size(ranges[i]))(rng) : 0;
            free += range_size(ranges[i]) - used[i];
        }
        INFO("a=" << a << " k=" << k << " psid=" << psid << " ranges=" << ranges.size() << " free=" << free);
        auto plan = plan_slots(ranges, with_occupancy ? used : std::vector<std::uint32_t>{});
        REQUIRE(plan);
        if (free == 0) continue;  // covered below
        // Every range with a free port has a slot; a full one has none.
        for (std::size_t i = 0; i < ranges.size(); ++i) REQUIRE((plan->weight[i] > 0) == (used[i] < range_size(ranges[i])));
        // Consecutive slots differ whenever no range holds more than half the slots.
        std::uint32_t max_w = 0;
        for (std::uint32_t w : plan->weight) max_w = std::max(max_w, w);
        if (2 * max_w <= plan->slots.size())
            for (std::size_t n = 0; n + 1 < plan->slots.size(); ++n) REQUIRE(plan->slots[n] != plan->slots[n + 1]);
        if (free <= kDefaultMaxSlots) {
            // Exact weights: weight = free ports (one slot when only one range is left), and
            // any burst up to the free ports succeeds.
            const bool single = std::count(plan->weight.begin(), plan->weight.end(), 0u) + 1 == std::ptrdiff_t(ranges.size());
            for (std::size_t i = 0; i < ranges.size(); ++i)
                REQUIRE(plan->weight[i] == (used[i] == range_size(ranges[i]) ? 0u : single ? 1u : range_size(ranges[i]) - used[i]));
            require_windows_bounded(*plan, plan->slots.size());
            const auto start = std::uniform_int_distribution<std::uint64_t>(0, 1u << 30)(rng);
            REQUIRE(burst(*plan, used, static_cast<std::uint32_t>(free), start) == free);
        } else {
            // Scaled: the budget, each range in proportion to its free ports (within one slot);
            // a single range needs one slot.
            const auto left = std::count_if(plan->weight.begin(), plan->weight.end(), [](auto w) { return w > 0; });
            if (left == 1) REQUIRE(plan->slots.size() == 1);
            else REQUIRE(plan->slots.size() == std::max<std::size_t>(kDefaultMaxSlots, left));
            // Rounding (and the one slot every non-full range keeps) makes the bound approximate:
            // equal free counts still take a 90 % burst whole; uneven ones lose at most 2 %.
            const auto flows = static_cast<std::uint32_t>(free * 9 / 10);
            const std::uint32_t ok = burst(*plan, used, flows, 12345);
            if (with_occupancy) REQUIRE(ok * 100ull >= flows * 98ull);
            else REQUIRE(ok == flows);
        }
    }
}

TEST_CASE("occupancy feedback: full ranges lose their slots; a full set keeps them all", "[napt][slots]") {
    const auto ranges = dynamic_ranges(set_of(6, 8, 52), {});
    std::vector<std::uint32_t> used(63, 0);
    used[0] = 4;   // full
    used[1] = 3;   // one left
    used[62] = 9;  // more than the range has (another protocol's count): full
    auto plan = plan_slots(ranges, used);
    REQUIRE(plan);
    CHECK(plan->weight[0] == 0);
    CHECK(plan->weight[1] == 1);
    CHECK(plan->weight[62] == 0);
    CHECK(plan->slots.size() == 252 - 4 - 3 - 4);
    for (std::uint32_t r : plan->slots) {
        CHECK(r != 0);
        CHECK(r != 62);
    }
    std::vector<std::uint32_t> full(63, 4);
    plan = plan_slots(ranges, full);
    REQUIRE(plan);
    CHECK(plan->slots.size() == 252);
    CHECK(std::set<std::uint32_t>(plan->slots.begin(), plan->slots.end()).size() == 63);
    CHECK_FALSE(plan_slots(ranges, std::vector<std::uint32_t>(62, 0)));
    CHECK_FALSE(plan_slots(ranges, {}, 0));
}

TEST_CASE("large sets are scaled to the slot budget; a set with more ranges than the budget gets one slot each", "[napt][slots]") {
    // offset 6, PSID length 2: 63 blocks of 256 = 16128 ports -> 4096 slots, 65 or 66 per block.
    auto ranges = dynamic_ranges(set_of(6, 2, 1), {});
    REQUIRE(ranges.size() == 63);
    auto plan = plan_slots(ranges, {});
    REQUIRE(plan);
    CHECK(plan->slots.size() == 4096);
    for (std::uint32_t w : plan->weight) CHECK((w == 65 || w == 66));
    // offset 14, PSID length 1, PSID 1: 16383 blocks of 2 ports, 16128 of them at or above 1024.
    ranges = dynamic_ranges(set_of(14, 1, 1), {});
    CHECK(ranges.size() == 16128);
    plan = plan_slots(ranges, {});
    REQUIRE(plan);
    CHECK(plan->slots.size() == 16128);
    std::vector<std::uint32_t> sorted = plan->slots;
    std::sort(sorted.begin(), sorted.end());
    for (std::size_t i = 0; i < sorted.size(); ++i) REQUIRE(sorted[i] == i);
}
