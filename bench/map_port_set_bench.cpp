// MAP port-set arithmetic rates (core/map/port_set.hpp), with a same-run baseline.
//
// Every benchmark walks the same 64 Ki pseudo-random ports (128 KiB, in L2) and folds one value
// per port into an accumulator, so the only difference between them is the per-port work:
//   Baseline_Xor     acc += port ^ salt: the cost of the pass itself
//   PsidOf           acc += set.psid_of(port): port -> PSID, one shift and one mask
//   Contains         acc += set.contains(port): membership, one mask-compare and one compare
//   ContainsByRanges acc += port in any of set.ranges(): a linear scan over the 2^a - 1 ranges,
//                    what a table of ranges would cost instead of the GMA arithmetic
// Arguments: a (offset), k (PSID length), mode; the PSID is the middle value. items_per_second
// counts ports. mode 0 (batch): the compiler may vectorise the loop, the rate a batch of packets
// gets. mode 1 (one at a time): the accumulator goes through memory after every port, which
// stops vectorisation, as when each packet is checked on its own; the baseline pays the same.
// Results and the command line are in docs/performance.md, "MAP port sets".
#include <benchmark/benchmark.h>

#include <cstdint>
#include <random>
#include <vector>

#include "core/map/port_set.hpp"

using s46::map::PortRange;
using s46::map::PortSet;

namespace {

const std::vector<std::uint16_t>& ports() {
    static const std::vector<std::uint16_t> p = [] {
        std::mt19937 rng(7597);
        std::vector<std::uint16_t> v(std::size_t{1} << 16);
        for (auto& x : v) x = static_cast<std::uint16_t>(rng());
        return v;
    }();
    return p;
}

PortSet set_for(const benchmark::State& state) {
    const auto a = static_cast<unsigned>(state.range(0)), k = static_cast<unsigned>(state.range(1));
    return *PortSet::make(a, k, (1u << k) / 2);
}

template <class F>
void run(benchmark::State& state, F per_port) {
    const auto& p = ports();
    const bool one_at_a_time = state.range(2) != 0;
    for (auto _ : state) {
        std::uint32_t acc = 0;
        if (one_at_a_time) {
            for (std::uint16_t port : p) {
                acc += per_port(port);
                benchmark::DoNotOptimize(acc);
            }
        } else {
            for (std::uint16_t port : p) acc += per_port(port);
        }
        benchmark::DoNotOptimize(acc);
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) * static_cast<std::int64_t>(p.size()));
}

void Baseline_Xor(benchmark::State& state) {
    std::uint32_t salt = static_cast<std::uint32_t>(state.range(0) * 31 + state.range(1));
    benchmark::DoNotOptimize(salt);
    run(state, [salt](std::uint16_t port) { return std::uint32_t{port} ^ salt; });
}

void PsidOf(benchmark::State& state) {
    PortSet set = set_for(state);
    benchmark::DoNotOptimize(set);  // keep a and k run-time values
    run(state, [&set](std::uint16_t port) { return std::uint32_t{set.psid_of(port)}; });
}

void Contains(benchmark::State& state) {
    PortSet set = set_for(state);
    benchmark::DoNotOptimize(set);
    run(state, [&set](std::uint16_t port) { return std::uint32_t{set.contains(port)}; });
}

void ContainsByRanges(benchmark::State& state) {
    const std::vector<PortRange> ranges = set_for(state).ranges();
    run(state, [&ranges](std::uint16_t port) {
        for (const auto& r : ranges)
            if (port >= r.first && port <= r.last) return 1u;
        return 0u;
    });
}

// (a, k): the MAP-E default (App. A Ex. 1), lw4o6's contiguous range, and a = 4 from RFC 7597 §5.1.
void Args(benchmark::internal::Benchmark* b) {
    b->ArgNames({"a", "k", "mode"});
    for (int mode : {0, 1}) b->Args({6, 8, mode})->Args({0, 8, mode})->Args({4, 4, mode});
}

}  // namespace

BENCHMARK(Baseline_Xor)->Apply(Args);
BENCHMARK(PsidOf)->Apply(Args);
BENCHMARK(Contains)->Apply(Args);
BENCHMARK(ContainsByRanges)->Apply(Args);

BENCHMARK_MAIN();
