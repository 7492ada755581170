// Options decoded and a mode selected per second, for typical Replies (issue 3): the whole
// path s46d and `s46ctl select` run — decode (dhcp/), build every candidate plan and choose
// (modes::evaluate). Baseline in the same run: copying the same option bytes.
#include <benchmark/benchmark.h>

#include <cstring>
#include <vector>

#include "core/util/hex.hpp"
#include "dhcp/s46_codec.hpp"
#include "modes/evaluate.hpp"

namespace {

// From conformance/matrix.json: M06 (one MAP-E container), M14 (94 + 96 + 111), M40 (94+95+96+64+111).
const char* const kMapE = "005e00250059000d011018c00002002820010db800005a001020010db8ffff00000000000000000001";
const char* const kMapELw111 =
    "005e00250059000d011018c00002002820010db800005a001020010db8ffff000000000000000000010060002c005c0014c00002123820010db80012340"
    "05d000400083400005a001020010db8ffff00000000000000000002006f0004005e0060";
const char* const kAllFour =
    "005e00250059000d011018c00002002820010db800005a001020010db8ffff00000000000000000001005f001e0059000d011018c00002002820010db800"
    "005b00094020010db8ffff00000060002c005c0014c00002123820010db8001234005d000400083400005a001020010db8ffff00000000000000000002004"
    "000120461667472076578616d706c6503636f6d00006f00020040";

std::vector<std::uint8_t> bytes(const char* hex) { return *s46::util::parse_hex(hex); }

s46::modes::PlanContext context() {
    s46::modes::PlanContext c;
    c.delegated_prefixes = {*s46::net::Ipv6Prefix::parse("2001:db8:12:3400::/56")};
    return c;
}

void BM_CopyOptions(benchmark::State& state, const char* hex) {
    auto in = bytes(hex);
    std::vector<std::uint8_t> out(in.size());
    for (auto _ : state) {
        std::memcpy(out.data(), in.data(), in.size());
        benchmark::DoNotOptimize(out.data());
        benchmark::ClobberMemory();
    }
    state.SetItemsProcessed(state.iterations());
}

void BM_DecodeOnly(benchmark::State& state, const char* hex) {
    auto in = bytes(hex);
    for (auto _ : state) {
        auto set = s46::dhcp::decode_reply_options(in);
        benchmark::DoNotOptimize(set);
    }
    state.SetItemsProcessed(state.iterations());
}

void BM_DecodeAndSelect(benchmark::State& state, const char* hex) {
    auto in = bytes(hex);
    auto ctx = context();
    s46::select::Policy policy;
    for (auto _ : state) {
        auto ev = s46::modes::evaluate(s46::dhcp::decode_reply_options(in), ctx, policy);
        if (ev.decision.mode == s46::select::Mode::none) state.SkipWithError("no mode selected");
        benchmark::DoNotOptimize(ev);
    }
    state.SetItemsProcessed(state.iterations());
}

}  // namespace

BENCHMARK_CAPTURE(BM_CopyOptions, mape, kMapE);
BENCHMARK_CAPTURE(BM_DecodeOnly, mape, kMapE);
BENCHMARK_CAPTURE(BM_DecodeAndSelect, mape, kMapE);
BENCHMARK_CAPTURE(BM_CopyOptions, mape_lw_111, kMapELw111);
BENCHMARK_CAPTURE(BM_DecodeOnly, mape_lw_111, kMapELw111);
BENCHMARK_CAPTURE(BM_DecodeAndSelect, mape_lw_111, kMapELw111);
BENCHMARK_CAPTURE(BM_CopyOptions, all_four_111, kAllFour);
BENCHMARK_CAPTURE(BM_DecodeOnly, all_four_111, kAllFour);
BENCHMARK_CAPTURE(BM_DecodeAndSelect, all_four_111, kAllFour);

BENCHMARK_MAIN();
