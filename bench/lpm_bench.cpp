// LPM lookup rate and memory (core/lpm), with a same-run baseline.
//
// Each lookup benchmark walks 1 M precomputed independent keys ("hit": a random address inside
// a random route of the table; "uniform": any address). Counters:
//   Mlps        lookups per second / 1e6 (also items_per_second)
//   table_KiB   LpmTable::memory_bytes(), B_per_prefix that over the distinct prefixes
//   base_Mlps   the baseline timed on the same keys just before: one load from a 2^16-entry
//               array indexed by the top 16 bits (scalar), the floor of any table lookup
//   x_base      Mlps / base_Mlps
// Results and the command line are in docs/performance.md.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <ctime>
#include <cstdint>
#include <map>
#include <memory>
#include <random>
#include <vector>

#include "core/lpm/lpm_builder.hpp"
#include "tests/support/lpm/random_routes.hpp"
#include "tests/support/lpm/reference_lpm.hpp"

using namespace s46::lpm;
using namespace s46::lpm::testing;

namespace {

constexpr std::size_t kKeys = std::size_t{1} << 20;
constexpr NextHopId kHops = 1024;
enum KeyKind { kHit = 0, kUniform = 1 };

struct Fixture {
    std::vector<Route> routes;  // as generated, duplicates included
    LpmBuilder builder;
    std::vector<std::uint32_t> keys[2];
};

const Fixture& fixture(std::size_t size) {
    static std::map<std::size_t, std::unique_ptr<Fixture>> cache;
    auto& slot = cache[size];
    if (!slot) {
        slot = std::make_unique<Fixture>();
        std::mt19937_64 rng(0x5346'4c50'4d00 + size);
        slot->routes = random_routes(size, rng, kHops);
        for (const Route& r : slot->routes) slot->builder.insert(r.prefix, r.next_hop);
        for (std::size_t i = 0; i < kKeys; ++i) {
            slot->keys[kHit].push_back(random_hit_key(slot->routes, rng));
            slot->keys[kUniform].push_back(static_cast<std::uint32_t>(rng()));
        }
    }
    return *slot;
}

// Thread CPU time, the same clock Google Benchmark's rates use by default.
double cpu_seconds() {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

// Best of a few passes of the baseline over `keys`, in lookups per CPU second.
double baseline_rate(const std::vector<std::uint32_t>& keys) {
    static const std::vector<std::uint32_t> array = [] {
        std::vector<std::uint32_t> a(1u << 16);
        for (std::size_t i = 0; i < a.size(); ++i) a[i] = static_cast<std::uint32_t>(i * 2654435761u) % kHops;
        return a;
    }();
    double best = 0;
    for (int pass = 0; pass < 5; ++pass) {
        const double t0 = cpu_seconds();
        std::uint32_t acc = 0;
        for (std::uint32_t k : keys) {
            acc += array[k >> 16];
            benchmark::DoNotOptimize(acc);  // keeps the loop scalar, like the lookups it is compared with
        }
        best = std::max(best, static_cast<double>(keys.size()) / (cpu_seconds() - t0));
    }
    return best;
}

void set_counters(benchmark::State& state, const Fixture& f, const LpmTable& t, const std::vector<std::uint32_t>& keys,
                  double base) {
    const double rate = static_cast<double>(state.iterations()) * static_cast<double>(keys.size());
    state.SetItemsProcessed(static_cast<std::int64_t>(rate));
    state.counters["Mlps"] = benchmark::Counter(rate / 1e6, benchmark::Counter::kIsRate);
    state.counters["base_Mlps"] = base / 1e6;
    state.counters["prefixes"] = static_cast<double>(f.builder.size());
    state.counters["D"] = t.direct_bits();
    state.counters["ranges"] = static_cast<double>(t.range_count());
    state.counters["table_KiB"] = static_cast<double>(t.memory_bytes()) / 1024.0;
    state.counters["B_per_prefix"] = static_cast<double>(t.memory_bytes()) / static_cast<double>(f.builder.size());
    // kIsRate divides by the elapsed time, so x_base is computed from the same rate.
    state.counters["x_base"] = benchmark::Counter(rate / base, benchmark::Counter::kIsRate);
}

// Args: prefixes, key kind, D (0 = automatic).
void BM_Lookup(benchmark::State& state) {
    const Fixture& f = fixture(static_cast<std::size_t>(state.range(0)));
    const auto& keys = f.keys[state.range(1)];
    const LpmTable t = f.builder.build(static_cast<unsigned>(state.range(2)));
    const double base = baseline_rate(keys);
    for (auto _ : state) {
        std::uint32_t acc = 0;
        for (std::uint32_t k : keys) {
            acc += t.lookup(k);
            benchmark::DoNotOptimize(acc);
        }
    }
    set_counters(state, f, t, keys, base);
}

void BM_LookupBatch(benchmark::State& state) {
    const Fixture& f = fixture(static_cast<std::size_t>(state.range(0)));
    const auto& keys = f.keys[state.range(1)];
    const LpmTable t = f.builder.build();
    const double base = baseline_rate(keys);
    std::vector<NextHopId> out(256);
    for (auto _ : state) {
        for (std::size_t i = 0; i < keys.size(); i += out.size()) {
            t.lookup_batch(std::span(keys).subspan(i, out.size()), out);
            benchmark::DoNotOptimize(out.data());
            benchmark::ClobberMemory();
        }
    }
    set_counters(state, f, t, keys, base);
}

// The other baseline: a linear scan, only sensible for tiny tables.
void BM_LinearScan(benchmark::State& state) {
    const Fixture& f = fixture(static_cast<std::size_t>(state.range(0)));
    const auto& keys = f.keys[state.range(1)];
    const LinearLpm linear(f.builder.routes());
    for (auto _ : state) {
        std::uint32_t acc = 0;
        for (std::uint32_t k : keys) acc += linear.lookup(k);
        benchmark::DoNotOptimize(acc);
    }
    const double rate = static_cast<double>(state.iterations()) * static_cast<double>(keys.size());
    state.SetItemsProcessed(static_cast<std::int64_t>(rate));
    state.counters["Mlps"] = benchmark::Counter(rate / 1e6, benchmark::Counter::kIsRate);
}

// Control-plane cost: compile the builder's routes into a table (the rebuild after a change),
// and filling the builder from scratch.
void BM_Build(benchmark::State& state) {
    const Fixture& f = fixture(static_cast<std::size_t>(state.range(0)));
    for (auto _ : state) benchmark::DoNotOptimize(f.builder.build());
    state.counters["prefixes"] = static_cast<double>(f.builder.size());
}

void BM_BuilderInsert(benchmark::State& state) {
    const Fixture& f = fixture(static_cast<std::size_t>(state.range(0)));
    for (auto _ : state) {
        LpmBuilder b;
        for (const Route& r : f.routes) b.insert(r.prefix, r.next_hop);
        benchmark::DoNotOptimize(b.size());
    }
}

void lookup_args(benchmark::internal::Benchmark* b) {
    for (std::int64_t size : {16, 1000, 10000, 100000})
        for (std::int64_t kind : {kHit, kUniform}) b->Args({size, kind, 0});
    // The direct-table size trade-off at 10 k prefixes (docs/lpm.md).
    for (std::int64_t d : {12, 14, 16, 18}) b->Args({10000, kHit, d});
}

}  // namespace

BENCHMARK(BM_Lookup)->Apply(lookup_args)->ArgNames({"prefixes", "uniform", "D"})->Unit(benchmark::kMillisecond);
BENCHMARK(BM_LookupBatch)
    ->ArgsProduct({{16, 1000, 10000, 100000}, {kHit, kUniform}})
    ->ArgNames({"prefixes", "uniform"})
    ->Unit(benchmark::kMillisecond);
BENCHMARK(BM_LinearScan)->Args({16, kHit})->Args({16, kUniform})->ArgNames({"prefixes", "uniform"})->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Build)->Arg(16)->Arg(1000)->Arg(10000)->Arg(100000)->ArgNames({"prefixes"})->Unit(benchmark::kMillisecond);
BENCHMARK(BM_BuilderInsert)->Arg(100000)->ArgNames({"prefixes"})->Unit(benchmark::kMillisecond);

BENCHMARK_MAIN();
