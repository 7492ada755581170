// NAPT44 translation rate (core/napt), with a same-run baseline.
//
// Each benchmark walks an array of pre-built 64-byte IPv4/UDP packets (20 + 8 + 36 bytes of
// data), one per active session in random order, so every packet hits a different session
// and the tables are touched the way random traffic touches them. Per packet:
//   Baseline_Memcpy  copy the packet into a work buffer: the floor every other row pays too
//   Outbound         copy, then translate_outbound(): mapping + session lookup, source rewrite,
//                    IPv4 and UDP checksums updated (RFC 1624)
//   Inbound          copy, then translate_inbound(): reverse index + session lookup (filtering),
//                    destination rewrite
//   *Batch32         the same, 32 packets at a time through translate_*_batch(), which requests
//                    each packet's table lines one and two groups of 8 ahead (napt_batch.hpp)
// Arguments: the table shape
//   0  full address, 64 512 sessions, each on its own mapping (64 hosts x 1008 ports): every
//      port of 1024-65535 in use, the most mappings a full address can have for one protocol
//   1  full address, 65 536 sessions on 16 384 mappings (4 remotes each)
//   2  MAP a=6 k=8 (252 ports), 65 520 sessions on 252 mappings (260 remotes each)
//   3  full address, 1 024 sessions (a small hot set)
// max_sessions is 65 536 in every case, so bytes_per_session is the all-in cost at that capacity.
// `now` stays at 1 s: within a second a refresh stores nothing (napt_state.cpp).
// Results and the command line are in docs/performance.md, "NAPT44 (core/napt)".
#include <benchmark/benchmark.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <map>
#include <memory>
#include <random>
#include <vector>

#include "core/napt/napt.hpp"
#include "core/net/checksum.hpp"
#include "core/net/ipv4_packet.hpp"
#include "core/net/udp_packet.hpp"

using namespace s46;
using namespace s46::napt;

namespace {

constexpr std::size_t packet_size = 64;
using Packet = std::array<std::uint8_t, packet_size>;
constexpr std::uint32_t external_address = 0xc0000201;  // 192.0.2.1

Packet udp(std::uint32_t src, std::uint16_t sport, std::uint32_t dst, std::uint16_t dport) {
    Packet p{};
    p[0] = 0x45;
    net::store_be16(&p[2], packet_size);
    p[8] = 64;
    p[9] = 17;
    net::store_be32(&p[12], src);
    net::store_be32(&p[16], dst);
    net::store_be16(&p[20], sport);
    net::store_be16(&p[22], dport);
    net::store_be16(&p[24], packet_size - 20);
    for (std::size_t i = 28; i < packet_size; ++i) p[i] = static_cast<std::uint8_t>(i * 7);
    auto ip = *net::Ipv4View::parse(p);
    ip.update_checksum();
    net::UdpView::parse(ip.payload())->update_checksum(ip.pseudo_header_sum(17, packet_size - 20));
    return p;
}

struct Setup {
    std::unique_ptr<Napt> napt;
    std::vector<Packet> outbound, inbound;
};

// Builds the sessions (untimed) and the two packet arrays for shape `shape`.
Setup build(int shape) {
    Config c;
    c.external = net::Ipv4Address{external_address};
    c.max_sessions = 65536;
    c.max_ports_per_host = 65535;
    c.max_sessions_per_host = 65536;
    std::uint32_t hosts = 64, ports_per_host = 1008, remotes = 1;
    switch (shape) {
        case 1: hosts = 64, ports_per_host = 256, remotes = 4; break;
        case 2:
            c.ports = *map::PortSet::make(6, 8, 0x34);
            hosts = 4, ports_per_host = 63, remotes = 260;
            break;
        case 3: hosts = 4, ports_per_host = 256, remotes = 1; break;
        default: break;
    }
    Setup s;
    s.napt = std::make_unique<Napt>(std::move(*Napt::create(c)));
    const auto now = std::chrono::seconds(1);
    for (std::uint32_t h = 0; h < hosts; ++h)
        for (std::uint32_t port = 0; port < ports_per_host; ++port)
            for (std::uint32_t r = 0; r < remotes; ++r) {
                const std::uint32_t src = 0x0a000000u | (h + 1);            // 10.0.0.h
                const std::uint32_t dst = 0xc6330000u | (r * 17 + 1);     // 198.51.x.y
                Packet p = udp(src, static_cast<std::uint16_t>(10000 + port), dst, 53);
                s.outbound.push_back(p);
                if (!s.napt->translate_outbound(p, now).ok()) std::abort();
                const std::uint16_t ext = net::load_be16(&p[20]);
                s.inbound.push_back(udp(dst, 53, external_address, ext));
            }
    std::mt19937 rng(4787);
    std::shuffle(s.outbound.begin(), s.outbound.end(), rng);
    std::shuffle(s.inbound.begin(), s.inbound.end(), rng);
    return s;
}

Setup& setup(int shape) {
    static std::map<int, Setup> cache;
    auto it = cache.find(shape);
    if (it == cache.end()) it = cache.emplace(shape, build(shape)).first;
    return it->second;
}

void report(benchmark::State& state, const Setup& s, std::size_t packets) {
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * packets));
    state.counters["sessions"] = static_cast<double>(s.napt->session_count());
    state.counters["mappings"] = static_cast<double>(s.napt->mapping_count());
    state.counters["bytes_per_session"] = s.napt->bytes_per_session();
}

void Baseline_Memcpy(benchmark::State& state) {
    Setup& s = setup(static_cast<int>(state.range(0)));
    alignas(64) Packet work;
    for (auto _ : state) {
        for (const Packet& p : s.outbound) {
            std::memcpy(work.data(), p.data(), packet_size);
            benchmark::DoNotOptimize(work.data());
            benchmark::ClobberMemory();
        }
    }
    report(state, s, s.outbound.size());
}

void Outbound(benchmark::State& state) {
    Setup& s = setup(static_cast<int>(state.range(0)));
    alignas(64) Packet work;
    const auto now = std::chrono::seconds(1);
    std::uint64_t translated = 0;
    for (auto _ : state) {
        for (const Packet& p : s.outbound) {
            std::memcpy(work.data(), p.data(), packet_size);
            translated += s.napt->translate_outbound(work, now).ok();
            benchmark::ClobberMemory();
        }
    }
    if (translated != state.iterations() * s.outbound.size()) state.SkipWithError("a packet was refused");
    report(state, s, s.outbound.size());
}

void Inbound(benchmark::State& state) {
    Setup& s = setup(static_cast<int>(state.range(0)));
    alignas(64) Packet work;
    const auto now = std::chrono::seconds(1);
    std::uint64_t translated = 0;
    for (auto _ : state) {
        for (const Packet& p : s.inbound) {
            std::memcpy(work.data(), p.data(), packet_size);
            translated += s.napt->translate_inbound(work, now).ok();
            benchmark::ClobberMemory();
        }
    }
    if (translated != state.iterations() * s.inbound.size()) state.SkipWithError("a packet was refused");
    report(state, s, s.inbound.size());
}

// Batches of 32: copy 32 packets, then translate_*_batch() (prefetching, napt_batch.cpp).
template <bool outbound>
void batched(benchmark::State& state) {
    Setup& s = setup(static_cast<int>(state.range(0)));
    const auto& packets = outbound ? s.outbound : s.inbound;
    constexpr std::size_t batch = 32;
    alignas(64) std::array<Packet, batch> work;
    std::array<std::span<std::uint8_t>, batch> spans;
    for (std::size_t i = 0; i < batch; ++i) spans[i] = work[i];
    std::array<Outcome, batch> outcomes;
    const auto now = std::chrono::seconds(1);
    const std::size_t n = packets.size() / batch * batch;
    std::uint64_t translated = 0;
    for (auto _ : state) {
        for (std::size_t at = 0; at < n; at += batch) {
            for (std::size_t i = 0; i < batch; ++i) std::memcpy(work[i].data(), packets[at + i].data(), packet_size);
            if (outbound) s.napt->translate_outbound_batch(spans, now, outcomes);
            else s.napt->translate_inbound_batch(spans, now, outcomes);
            for (const Outcome& o : outcomes) translated += o.ok();
            benchmark::ClobberMemory();
        }
    }
    if (translated != state.iterations() * n) state.SkipWithError("a packet was refused");
    report(state, s, n);
}

void OutboundBatch32(benchmark::State& state) { batched<true>(state); }
void InboundBatch32(benchmark::State& state) { batched<false>(state); }

}  // namespace

BENCHMARK(Baseline_Memcpy)->Arg(0)->Arg(1)->Arg(2)->Arg(3);
BENCHMARK(Outbound)->Arg(0)->Arg(1)->Arg(2)->Arg(3);
BENCHMARK(OutboundBatch32)->Arg(0)->Arg(1)->Arg(2)->Arg(3);
BENCHMARK(Inbound)->Arg(0)->Arg(1)->Arg(2)->Arg(3);
BENCHMARK(InboundBatch32)->Arg(0)->Arg(1)->Arg(2)->Arg(3);

BENCHMARK_MAIN();
