// The in-process softwire data path (core/dataplane::Pipeline) in packets per second on one
// core, with 64 Ki live NAPT sessions, against a plain copy of the same packets as the ceiling.
//
// Setup: lw4o6 with a full IPv4 address (NAPT44 over ports 1024-65535, core/napt through
// PortSetNapt, address-dependent filtering), 256 LAN hosts x 16 random source ports x 16 servers =
// 65 536 UDP sessions on 4 096 mappings, all opened before timing. Packets are UDP datagrams of
// 64 or 1500 bytes (IPv4 total length).
//
// The packets form a stream, read in order as a receive ring would be: second argument T = how
// many packets of one flow follow each other. T = 1: every packet belongs to another session,
// in a random order of all 65 536 (no locality at all, the worst case for the NAPT tables);
// T = 16: the flows in a random order, 16 packets each (bursts, as TCP windows produce).
//
// Every timed iteration first writes the packet's 28 header bytes from the stream into the
// work buffer (the payload stays there: the pipeline rewrites headers only); that stands for
// receiving it. Then:
//   Copy       the ceiling: a memcpy of the whole packet (outbound size + 40) into the output
//              buffer, no processing at all
//   Outbound   Pipeline::outbound(): validate, NAPT, LPM, MTU, MSS, TTL, and the whole IPv6
//              packet built into the output buffer (RFC 2473 header + a copy of the datagram)
//   OutboundBatch  Pipeline::outbound_batch() on 32 packets at a time (a receive ring's worth):
//              the same per-packet work, with the NAPT's table lines prefetched one and two
//              groups of 8 ahead (core/napt/napt_batch.hpp)
//   Inbound    Pipeline::inbound_ipv6() on the whole IPv6 reply from the lwAFTR: decapsulate,
//              source check, binding check, traffic class, reverse NAPT (no copy out: the
//              platform writes the span to the TUN)
//   NaptOnly   core/napt's translate_outbound() alone on the same stream, for attribution
//   DsLite     Pipeline::outbound() in DS-Lite (no NAPT), the same stream
// Counters: Mpps (packets/s / 1e6, CPU time) and allocs (operator new calls per packet in the
// timed loop: must be 0). The ratios to Copy (same run) are in docs/performance.md,
// "Data path pipeline (core/dataplane)", with the command line.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <random>
#include <tuple>
#include <vector>

#include "core/dataplane/napt_adapter.hpp"
#include "core/dataplane/pipeline.hpp"
#include "core/net/bytes.hpp"
#include "core/net/checksum.hpp"
#include "core/net/udp_packet.hpp"
#include "modes/plan.hpp"

// The "allocs" counter: alloc_count.cpp replaces operator new.
namespace s46::bench {
extern std::atomic<std::uint64_t> allocations;
}  // namespace s46::bench

using namespace s46;
using namespace s46::dataplane;

namespace {

constexpr std::size_t kHosts = 256, kPortsPerHost = 16, kServers = 16;
constexpr std::size_t kSessions = kHosts * kPortsPerHost * kServers;  // 65 536
constexpr std::size_t kHeader = 28;                                   // IPv4 + UDP
constexpr std::uint32_t kExternal = 0xc0000212;                       // 192.0.2.18
const Time kNow = std::chrono::seconds(100);

net::Ipv6Address v6(const char* s) { return *net::Ipv6Address::parse(s); }
const net::Ipv6Address kLocal = v6("2001:db8:12:3400:0:c000:212:0");
const net::Ipv6Address kLwAftr = v6("2001:db8:ffff::1");

using Header = std::array<std::uint8_t, kHeader>;

// A UDP datagram of `size` bytes with every checksum right; the payload is the same for all.
std::vector<std::uint8_t> udp(std::uint32_t src, std::uint16_t sport, std::uint32_t dst, std::uint16_t dport, std::size_t size) {
    std::vector<std::uint8_t> p(size, 0);
    for (std::size_t i = kHeader; i < size; ++i) p[i] = static_cast<std::uint8_t>(i * 7);
    p[0] = 0x45;
    p[1] = 0x28;
    net::store_be16(&p[2], static_cast<std::uint16_t>(size));
    net::store_be16(&p[6], 0x4000);  // DF
    p[8] = 64;
    p[9] = 17;
    net::store_be32(&p[12], src);
    net::store_be32(&p[16], dst);
    net::store_be16(&p[10], net::internet_checksum(std::span<const std::uint8_t>(p.data(), 20)));
    net::store_be16(&p[20], sport);
    net::store_be16(&p[22], dport);
    net::store_be16(&p[24], static_cast<std::uint16_t>(size - 20));
    auto u = net::UdpView::parse(std::span<std::uint8_t>(p).subspan(20));
    u->update_checksum(net::pseudo_header_sum_v4(net::Ipv4Address(src), net::Ipv4Address(dst), 17, static_cast<std::uint16_t>(size - 20)));
    return p;
}

Header header_of(const std::vector<std::uint8_t>& p) {
    Header h{};
    std::copy_n(p.begin(), kHeader, h.begin());
    return h;
}

modes::Plan lw4o6_plan() {
    modes::Plan p;
    p.mode = select::Mode::lw4o6;
    p.tunnel_local = kLocal;
    p.tunnel_remote = kLwAftr;
    p.ipv4 = net::Ipv4Prefix(net::Ipv4Address(kExternal), 32);
    p.napt = true;
    p.forwarding.push_back({net::Ipv4Prefix{}, std::nullopt});
    p.tunnel_mtu = 1500;  // so that 1500-byte DF packets fit (a 1540-byte WAN MTU)
    return p;
}

modes::Plan dslite_plan() {
    modes::Plan p = lw4o6_plan();
    p.mode = select::Mode::dslite;
    p.napt = false;
    p.ipv4 = net::Ipv4Prefix(net::Ipv4Address(192, 0, 0, 2), 32);
    return p;
}

napt::Config napt_config() {
    napt::Config nc;
    nc.max_sessions = 1u << 17;
    nc.filtering = napt::Filtering::address_dependent;
    return nc;
}

struct Rig {
    PortSetNapt napt;
    Pipeline pipe;
    std::vector<Header> out_headers, in_headers;     // per session: LAN -> server, server -> external port
    std::vector<std::uint8_t> out_packet, in_packet;  // one whole packet each way: the payload bytes
    explicit Rig(PortSetNapt n) : napt(std::move(n)), pipe(&napt) {}
};

Rig& rig(std::size_t size) {
    static std::map<std::size_t, std::unique_ptr<Rig>> cache;
    auto& slot = cache[size];
    if (slot) return *slot;
    auto n = PortSetNapt::create(napt_config());
    if (!n) std::abort();
    slot = std::make_unique<Rig>(std::move(*n));
    Rig& r = *slot;
    if (!r.pipe.configure(lw4o6_plan()).ok()) std::abort();
    std::vector<std::uint8_t> buf(size + 64), work;
    // Source ports as Linux picks ephemeral ones, at random in 32768-60999 (distinct per host):
    // consecutive ports would be unusually kind to the NAPT's multiply-shift hash.
    std::vector<std::uint16_t> sports;
    std::mt19937 port_rng(6056);
    for (std::size_t h = 0; h < kHosts; ++h)
        for (std::size_t p = 0; p < kPortsPerHost; ++p) {
            std::uint16_t port;
            do port = static_cast<std::uint16_t>(32768 + port_rng() % 28232);
            while (std::find(sports.begin() + static_cast<std::ptrdiff_t>(h * kPortsPerHost), sports.end(), port) != sports.end());
            sports.push_back(port);
        }
    for (std::size_t h = 0; h < kHosts; ++h)
        for (std::size_t p = 0; p < kPortsPerHost; ++p)
            for (std::size_t s = 0; s < kServers; ++s) {
                const std::uint32_t host = 0x0a000000u | static_cast<std::uint32_t>(h + 1);   // 10.0.0.x
                const std::uint16_t sport = sports[h * kPortsPerHost + p];
                const std::uint32_t server = 0xc6336400u | static_cast<std::uint32_t>(s + 1);  // 198.51.100.x
                const auto pkt = udp(host, sport, server, 443, size);
                work = pkt;
                const Outbound res = r.pipe.outbound(work, kNow, buf);
                const auto* e = std::get_if<Encapsulated>(&res);
                if (!e) std::abort();
                const auto reply = udp(server, 443, kExternal, net::load_be16(&e->inner[20]), size);
                r.out_headers.push_back(header_of(pkt));
                r.in_headers.push_back(header_of(reply));
                if (r.out_packet.empty()) r.out_packet = pkt, r.in_packet = reply;
            }
    if (r.napt.session_count() != kSessions) std::abort();
    return r;
}

// The header stream for (size, train, direction): flows in a random order, `train` packets each.
const std::vector<Header>& stream(std::size_t size, std::size_t train, bool inbound) {
    static std::map<std::tuple<std::size_t, std::size_t, bool>, std::vector<Header>> cache;
    auto& s = cache[{size, train, inbound}];
    if (!s.empty()) return s;
    const Rig& r = rig(size);
    std::vector<std::uint32_t> order(kSessions);
    for (std::uint32_t i = 0; i < kSessions; ++i) order[i] = i;
    std::shuffle(order.begin(), order.end(), std::mt19937(42));
    s.reserve(kSessions * train);
    for (std::uint32_t flow : order)
        for (std::size_t k = 0; k < train; ++k) s.push_back(inbound ? r.in_headers[flow] : r.out_headers[flow]);
    return s;
}

void report(benchmark::State& state, std::uint64_t allocs, std::size_t per_iteration = 1) {
    const double packets = static_cast<double>(state.iterations()) * static_cast<double>(per_iteration);
    state.SetItemsProcessed(static_cast<std::int64_t>(packets));
    state.counters["Mpps"] = benchmark::Counter(packets / 1e6, benchmark::Counter::kIsRate);
    state.counters["allocs"] = packets > 0 ? static_cast<double>(allocs) / packets : 0;
}

struct Args {
    std::size_t size, train;
    explicit Args(const benchmark::State& s)
        : size(static_cast<std::size_t>(s.range(0))), train(static_cast<std::size_t>(s.range(1))) {}
};

void BM_Copy(benchmark::State& state) {
    const Args a(state);
    Rig& r = rig(a.size);
    const auto& in = stream(a.size, a.train, false);
    std::vector<std::uint8_t> work = r.out_packet, out(a.size + 64);
    std::size_t i = 0;
    const std::uint64_t a0 = s46::bench::allocations.load();
    for (auto _ : state) {
        std::memcpy(work.data(), in[i].data(), kHeader);
        std::memcpy(out.data() + 40, work.data(), a.size);
        benchmark::DoNotOptimize(out.data());
        benchmark::ClobberMemory();
        if (++i == in.size()) i = 0;
    }
    report(state, s46::bench::allocations.load() - a0);
}

void BM_Outbound(benchmark::State& state) {
    const Args a(state);
    Rig& r = rig(a.size);
    const auto& in = stream(a.size, a.train, false);
    std::vector<std::uint8_t> work = r.out_packet, out(a.size + 64);
    std::size_t i = 0;
    std::uint64_t bad = 0;
    const std::uint64_t a0 = s46::bench::allocations.load();
    for (auto _ : state) {
        std::memcpy(work.data(), in[i].data(), kHeader);
        auto res = r.pipe.outbound(work, kNow, out);
        bad += !std::holds_alternative<Encapsulated>(res);
        benchmark::DoNotOptimize(res);
        if (++i == in.size()) i = 0;
    }
    report(state, s46::bench::allocations.load() - a0);
    if (bad) state.SkipWithError("a packet was not encapsulated");
}

// Pipeline::outbound_batch() on kBatch packets at a time (a receive ring's worth): the same
// per-packet work, with the NAPT's table lines prefetched ahead (core/napt/napt_batch.hpp).
constexpr std::size_t kBatch = 32;

void BM_OutboundBatch(benchmark::State& state) {
    const Args a(state);
    Rig& r = rig(a.size);
    const auto& in = stream(a.size, a.train, false);
    std::vector<std::vector<std::uint8_t>> work(kBatch, r.out_packet), out(kBatch, std::vector<std::uint8_t>(a.size + 64));
    std::array<std::span<std::uint8_t>, kBatch> packets, outs;
    for (std::size_t k = 0; k < kBatch; ++k) packets[k] = work[k], outs[k] = out[k];
    const std::size_t n = in.size() / kBatch * kBatch;
    std::size_t i = 0;
    std::uint64_t bad = 0;
    const std::uint64_t a0 = s46::bench::allocations.load();
    for (auto _ : state) {
        for (std::size_t k = 0; k < kBatch; ++k) std::memcpy(work[k].data(), in[i + k].data(), kHeader);
        r.pipe.outbound_batch(packets, kNow, outs, [&](std::size_t, const Outbound& res) {
            bad += !std::holds_alternative<Encapsulated>(res);
            benchmark::DoNotOptimize(&res);
        });
        if ((i += kBatch) == n) i = 0;
    }
    report(state, s46::bench::allocations.load() - a0, kBatch);
    if (bad) state.SkipWithError("a packet was not encapsulated");
}

void BM_Inbound(benchmark::State& state) {
    const Args a(state);
    Rig& r = rig(a.size);
    const auto& in = stream(a.size, a.train, true);
    // The whole IPv6 packet from the lwAFTR: 40-byte header, then the reply datagram.
    std::vector<std::uint8_t> v6pkt(40 + a.size);
    Ipv4InIpv6Tunnel lwaftr(TunnelParams{kLwAftr, 64, std::nullopt});
    if (lwaftr.encapsulate(kLocal, 0x28, r.in_packet, v6pkt) != v6pkt.size()) std::abort();
    std::size_t i = 0;
    std::uint64_t bad = 0;
    const std::uint64_t a0 = s46::bench::allocations.load();
    for (auto _ : state) {
        std::memcpy(v6pkt.data() + 40, in[i].data(), kHeader);
        auto res = r.pipe.inbound_ipv6(v6pkt, kNow);
        bad += !std::holds_alternative<ToLan>(res);
        benchmark::DoNotOptimize(res);
        if (++i == in.size()) i = 0;
    }
    report(state, s46::bench::allocations.load() - a0);
    if (bad) state.SkipWithError("a packet was not delivered");
}

void BM_NaptOnly(benchmark::State& state) {
    const Args a(state);
    Rig& r = rig(a.size);
    const auto& in = stream(a.size, a.train, false);
    std::vector<std::uint8_t> work = r.out_packet;
    const auto now = std::chrono::duration_cast<s46::Time>(kNow);
    std::size_t i = 0;
    std::uint64_t bad = 0;
    for (auto _ : state) {
        std::memcpy(work.data(), in[i].data(), kHeader);
        bad += !r.napt.engine().translate_outbound(work, now).ok();
        benchmark::ClobberMemory();
        if (++i == in.size()) i = 0;
    }
    report(state, 0);
    if (bad) state.SkipWithError("a packet was dropped");
}

void BM_DsLite(benchmark::State& state) {
    const Args a(state);
    const auto& in = stream(a.size, a.train, false);
    Pipeline pipe(nullptr);
    if (!pipe.configure(dslite_plan()).ok()) std::abort();
    std::vector<std::uint8_t> work = rig(a.size).out_packet, out(a.size + 64);
    std::size_t i = 0;
    std::uint64_t bad = 0;
    const std::uint64_t a0 = s46::bench::allocations.load();
    for (auto _ : state) {
        std::memcpy(work.data(), in[i].data(), kHeader);
        auto res = pipe.outbound(work, kNow, out);
        bad += !std::holds_alternative<Encapsulated>(res);
        benchmark::DoNotOptimize(res);
        if (++i == in.size()) i = 0;
    }
    report(state, s46::bench::allocations.load() - a0);
    if (bad) state.SkipWithError("a packet was not encapsulated");
}

void sizes_and_trains(benchmark::internal::Benchmark* b) {
    for (int size : {64, 1500})
        for (int train : {1, 16}) b->Args({size, train});
}

}  // namespace

BENCHMARK(BM_Copy)->Apply(sizes_and_trains);
BENCHMARK(BM_Outbound)->Apply(sizes_and_trains);
BENCHMARK(BM_OutboundBatch)->Apply(sizes_and_trains);
BENCHMARK(BM_Inbound)->Apply(sizes_and_trains);
BENCHMARK(BM_NaptOnly)->Args({64, 1})->Args({64, 16});
BENCHMARK(BM_DsLite)->Args({64, 1})->Args({1500, 1});

BENCHMARK_MAIN();
