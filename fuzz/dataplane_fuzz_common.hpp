// Shared harness for dataplane_outbound_fuzz and dataplane_inbound_fuzz: the input format, the
// four plans (one per mode), packet fix-ups that get fuzzed packets past the checksum gates, and
// the invariants both targets check after every call.
//
// Input: byte 0 picks the mode (% 4: DS-Lite, lw4o6, MAP-E with an FMR, GI-4over6), byte 1 the
// option bits (kOpt*), then records until the input ends:
//   flags (1 byte)  bits 0-1 kind (per target), bit 2 fix (checksums / lengths), bit 3 aim (point
//                   the packet at a live mapping), bits 4-5 outer source (inbound), bits 6-7 time step
//   extra (1 byte)  traffic class (inbound) / unused
//   length (2 bytes, big-endian, cut to what is left), then that many packet bytes.
#pragma once

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <string>
#include <optional>
#include <span>
#include <vector>

#include "core/dataplane/napt_adapter.hpp"
#include "core/dataplane/pipeline.hpp"
#include "core/map/derivation.hpp"
#include "core/map/map_address.hpp"
#include "core/net/checksum.hpp"
#include "core/net/icmpv4_packet.hpp"
#include "core/net/ip_protocol.hpp"
#include "core/net/ipv4_packet.hpp"
#include "fuzz/fuzz_check.hpp"
#include "modes/plan.hpp"

namespace s46::dataplane::fuzz {

inline constexpr std::uint8_t kOptEncapLimit = 1, kOptAnswerBinding = 2, kOptNoTcCopy = 4, kOptNoTtl = 8,
                              kOptTinyReassembly = 16, kOptNoMss = 32, kOptEaBits = 64, kOptOpenFiltering = 128;

inline net::Ipv6Address v6(const char* s) { return *net::Ipv6Address::parse(s); }

inline constexpr std::uint32_t kLanHost = 0xc0a8010a;  // 192.168.1.10
inline constexpr std::uint32_t kServer = 0xc6336407;   // 198.51.100.7
inline constexpr std::uint32_t kPeer = 0xc0000213;     // 192.0.2.19, PSID 0x56 under the FMR
inline constexpr std::uint16_t kPeerPort = (1u << 10) | (0x56u << 2) | 1u;
inline const net::Ipv6Address kAftr = v6("2001:db8:a::1");
inline const net::Ipv6Address kBr = v6("2001:db8:ffff::1");
inline const net::Ipv6Address kPeerCe = v6("2001:db8:13:5600:0:c000:213:56");
inline const net::Ipv6Address kStranger = v6("2001:db8:a::2");

inline modes::Plan plan_for(std::uint8_t mode) {
    modes::Plan p;
    p.forwarding.push_back({net::Ipv4Prefix{}, std::nullopt});
    p.tunnel_mtu = 1460;
    p.tunnel_remote = kBr;
    switch (mode % 4) {
        case 0:
            p.mode = select::Mode::dslite;
            p.tunnel_local = v6("2001:db8:100::1");
            p.tunnel_remote = kAftr;
            p.ipv4 = net::Ipv4Prefix(net::Ipv4Address(192, 0, 0, 2), 32);
            break;
        case 1:
            p.mode = select::Mode::lw4o6;
            p.tunnel_local = v6("2001:db8:12:3400:0:c000:212:34");
            p.ipv4 = net::Ipv4Prefix(net::Ipv4Address(192, 0, 2, 18), 32);
            p.ports = {0, 8, 0x34};
            p.napt = true;
            break;
        case 2: {
            map::Rule r;
            r.ipv6_prefix = *net::Ipv6Prefix::parse("2001:db8::/40");
            r.ipv4_prefix = *net::Ipv4Prefix::parse("192.0.2.0/24");
            r.ea_len = 16;
            r.forwarding = true;
            const auto eup = *net::Ipv6Prefix::parse("2001:db8:12:3400::/56");
            auto b = map::derive_binding(r, eup, map::kMapEDefaultPsidOffset);
            S46_FUZZ_CHECK(b.ok());
            p.mode = select::Mode::mape;
            p.tunnel_local = map::map_ipv6_address(eup, *b);
            p.ipv4 = b->ipv4;
            p.ports = {b->ports.offset(), b->ports.psid_len(), b->ports.psid()};
            p.napt = true;
            p.fmrs.push_back(r);
            p.forwarding.push_back({r.ipv4_prefix, 0});
            break;
        }
        default:
            p.mode = select::Mode::lw4o6;
            p.tunnel_local = v6("2001:db8:12:3400:0:c000:212:34");
            p.ipv4 = *net::Ipv4Prefix::parse("192.0.2.16/28");
            p.lan_routed_prefix = p.ipv4;
            break;
    }
    return p;
}

inline Options options_for(std::uint8_t bits) {
    Options o;
    if (bits & kOptEncapLimit) o.encapsulation_limit = 4;
    o.answer_not_our_binding = bits & kOptAnswerBinding;
    o.copy_traffic_class_inbound = !(bits & kOptNoTcCopy);
    o.decrement_ttl = !(bits & kOptNoTtl);
    // Smaller than the default (8 x 64 KiB per direction) so that building a pipeline per input
    // stays cheap; the tiny table reaches overflow and oversize quickly.
    o.reassembly = bits & kOptTinyReassembly ? ReassemblyLimits{2, 2000, std::chrono::seconds(15)}
                                             : ReassemblyLimits{4, 16384, std::chrono::seconds(15)};
    o.clamp_mss = !(bits & kOptNoMss);
    if (bits & kOptEaBits) o.source_check = map::SourceCheckMode::ea_bits;
    o.icmp_burst = 1000;  // the fuzzer wants the replies, not the limit
    return o;
}

// The pipeline with its NAPT, built from the input's first two bytes.
struct Harness {
    modes::Plan plan;
    std::unique_ptr<PortSetNapt> napt;
    std::unique_ptr<Pipeline> pipe;
    map::PortSet ports = map::PortSet::all();

    Harness(std::uint8_t mode, std::uint8_t bits) : plan(plan_for(mode)) {
        napt::Config nc;
        nc.max_sessions = 64;
        // Endpoint-independent filtering lets hairpinned packets in (their source is our own
        // external address, which no mapping has sent to).
        if (bits & kOptOpenFiltering) nc.filtering = napt::Filtering::endpoint_independent;
        auto n = PortSetNapt::create(nc);
        S46_FUZZ_CHECK(n.ok());
        napt = std::make_unique<PortSetNapt>(std::move(*n));
        pipe = std::make_unique<Pipeline>(napt.get(), options_for(bits));
        S46_FUZZ_CHECK(pipe->configure(plan).ok());
        if (plan.ports.psid_len) ports = *map::PortSet::make(plan.ports.offset, plan.ports.psid_len, plan.ports.psid);
    }
};

// ---- fix-ups ----

inline void fix_transport(std::span<std::uint8_t> dgram) {
    auto ip = net::Ipv4View::parse(dgram);
    if (!ip || ip->is_fragment()) return;
    auto l4 = ip->payload();
    const std::size_t at = ip->protocol() == net::ip_protocol::udp ? 6 : ip->protocol() == net::ip_protocol::tcp ? 16 : 2;
    if (ip->protocol() != net::ip_protocol::udp && ip->protocol() != net::ip_protocol::tcp && ip->protocol() != net::ip_protocol::icmp)
        return;
    if (l4.size() < at + 2) return;
    if (ip->protocol() == net::ip_protocol::udp) {
        if (l4.size() < 8) return;
        net::store_be16(&l4[4], static_cast<std::uint16_t>(l4.size()));
    }
    net::store_be16(&l4[at], 0);
    std::uint64_t sum = ip->protocol() == net::ip_protocol::icmp
                            ? 0
                            : ip->pseudo_header_sum(ip->protocol(), static_cast<std::uint16_t>(l4.size()));
    std::uint16_t c = net::checksum_finish(net::checksum_add(l4, sum));
    if (ip->protocol() == net::ip_protocol::udp && c == 0) c = 0xffff;
    net::store_be16(&l4[at], c);
}

// Version 4, IHL at least 5, Total Length = the buffer, header checksum right; then the
// transport checksum. Leaves short buffers alone.
inline void fix_ipv4(std::span<std::uint8_t> p) {
    if (p.size() < 20) return;
    p[0] = static_cast<std::uint8_t>(0x40 | std::max<std::uint8_t>(5, p[0] & 0x0f));
    if (std::size_t{p[0] & 0x0fu} * 4 > p.size()) p[0] = 0x45;
    net::store_be16(&p[2], static_cast<std::uint16_t>(std::min<std::size_t>(p.size(), 0xffff)));
    const std::size_t hl = std::size_t{p[0] & 0x0fu} * 4;
    net::store_be16(&p[10], 0);
    net::store_be16(&p[10], net::internet_checksum(p.first(hl)));
    fix_transport(p.first(std::min<std::size_t>(p.size(), 0xffff)));
}

// ---- invariants ----

inline void check_books(const Counters& c) {
    S46_FUZZ_CHECK(c.outbound_packets == c.outbound_encapsulated + c.outbound_hairpinned + c.outbound_held + c.outbound_dropped);
    S46_FUZZ_CHECK(c.inbound_packets == c.inbound_delivered + c.inbound_held + c.inbound_dropped);
    S46_FUZZ_CHECK(c.icmpv6_packets == c.icmpv6_relayed + c.icmpv6_dropped);
    S46_FUZZ_CHECK(c.total_drops() == c.outbound_dropped + c.inbound_dropped + c.icmpv6_dropped + c.fragments_discarded);
    S46_FUZZ_CHECK(c.icmp_errors_sent <= c.outbound_dropped + c.inbound_dropped + c.icmpv6_relayed);
}

inline void check_books(const Pipeline& p) {
    const Counters& c = p.counters();
    check_books(c);
    S46_FUZZ_CHECK(c.outbound_held + c.inbound_held == c.fragments_reassembled + c.fragments_discarded + p.pending_fragments());
}

// A whole IPv4 datagram with a valid header checksum and Total Length = its size.
inline void check_ipv4(std::span<const std::uint8_t> p) {
    auto v = net::ConstIpv4View::parse(p);
    S46_FUZZ_CHECK(v.ok());
    S46_FUZZ_CHECK(v->datagram().size() == p.size());
    S46_FUZZ_CHECK(v->checksum_valid());
}

// An ICMPv4 error we generated: at most 576 bytes, both checksums right.
inline void check_icmp_error(std::span<const std::uint8_t> p) {
    S46_FUZZ_CHECK(p.size() <= kIcmpErrorMaxSize);
    check_ipv4(p);
    auto v = net::ConstIpv4View::parse(p);
    S46_FUZZ_CHECK(v->protocol() == net::ip_protocol::icmp);
    auto icmp = net::ConstIcmpv4View::parse(v->payload());
    S46_FUZZ_CHECK(icmp.ok());
    S46_FUZZ_CHECK(icmp->is_error());
    S46_FUZZ_CHECK(icmp->checksum_valid());
}

// The span lies inside `buf` or is empty.
inline bool inside(std::span<const std::uint8_t> s, std::span<const std::uint8_t> buf) {
    return s.empty() || (s.data() >= buf.data() && s.data() + s.size() <= buf.data() + buf.size());
}

// With S46_FUZZ_SUMMARY set, every counter summed over all inputs is printed at exit: which
// paths the corpus reaches (seed maintenance), e.g.
//   S46_FUZZ_SUMMARY=1 build/fuzz/dataplane_inbound_fuzz fuzz/corpus/dataplane_inbound_fuzz
struct Summary {
    std::map<std::string, std::uint64_t> totals;
    void add(const Counters& c) {
        c.for_each([&](std::string_view name, std::uint64_t v) { totals[std::string(name)] += v; });
    }
    ~Summary() {
        if (!std::getenv("S46_FUZZ_SUMMARY")) return;
        for (const auto& [name, v] : totals)
            if (v) std::fprintf(stderr, "%-32s %llu\n", name.c_str(), static_cast<unsigned long long>(v));
    }
};

inline Summary& summary() {
    static Summary s;
    return s;
}

// Reads records; returns false at the end.
struct Reader {
    const std::uint8_t* p;
    std::size_t n;
    struct Record {
        std::uint8_t flags = 0, extra = 0;
        std::span<const std::uint8_t> bytes;
        unsigned kind() const { return flags & 3u; }
        bool fix() const { return flags & 4u; }
        bool aim() const { return flags & 8u; }
        unsigned source() const { return (flags >> 4) & 3u; }
        unsigned step() const { return flags >> 6; }
    };
    bool next(Record& r) {
        if (n < 4) return false;
        r.flags = p[0];
        r.extra = p[1];
        std::size_t len = (std::size_t{p[2]} << 8) | p[3];
        p += 4;
        n -= 4;
        len = std::min(len, n);
        r.bytes = std::span<const std::uint8_t>(p, len);
        p += len;
        n -= len;
        return true;
    }
};

}  // namespace s46::dataplane::fuzz
