// Shared set-up for the data-path tests: one Plan per mode on documentation addresses, a
// Pipeline wired to core/napt through PortSetNapt, packet builders for what the tests feed in,
// and independent checks of what comes out. Packets come from the NAPT tests' builders
// (naive RFC 1071 sums), so the code under test never checks itself.
#pragma once

#include <catch2/catch.hpp>

#include <memory>
#include <optional>
#include <variant>

#include "core/dataplane/napt_adapter.hpp"
#include "core/dataplane/pipeline.hpp"
#include "core/map/derivation.hpp"
#include "core/map/map_address.hpp"
#include "core/map/rule.hpp"
#include "modes/plan.hpp"
#include "tests/unit/core/dataplane/dp_packets.hpp"

namespace s46::dataplane::test {

inline net::Ipv6Address v6(const char* s) { return *net::Ipv6Address::parse(s); }
inline net::Ipv4Prefix p4(const char* s) { return *net::Ipv4Prefix::parse(s); }
inline net::Ipv6Prefix p6(const char* s) { return *net::Ipv6Prefix::parse(s); }
inline Time at_s(std::int64_t s) { return std::chrono::seconds(s); }

// ---- addresses ----
inline constexpr std::uint32_t lan_host = v4(192, 168, 1, 10);
inline constexpr std::uint32_t lan_host2 = v4(192, 168, 1, 11);
inline constexpr std::uint32_t server = v4(198, 51, 100, 7);
inline constexpr std::uint32_t server2 = v4(203, 0, 113, 9);
inline constexpr std::uint32_t b4_address = v4(192, 0, 0, 2);   // RFC 6333 §5.7
inline constexpr std::uint32_t ce_address = v4(192, 0, 2, 18);  // RFC 7597 App. A Ex. 1, RFC 7596 §5.1 example
inline const net::Ipv6Address aftr = v6("2001:db8:a::1");
inline const net::Ipv6Address b4_local = v6("2001:db8:100::1");
inline const net::Ipv6Address br = v6("2001:db8:ffff::1");
inline const net::Ipv6Address ce_local = v6("2001:db8:12:3400:0:c000:212:34");  // same for lw4o6 and MAP-E Ex. 1

// ---- plans ----
// One softwire to `remote` carrying everything (the default route), for an IPv4 /32.
inline modes::Plan one_tunnel_plan(select::Mode mode, const net::Ipv6Address& local, const net::Ipv6Address& remote,
                                   std::uint32_t ipv4, bool napt) {
    modes::Plan p;
    p.mode = mode;
    p.tunnel_local = local;
    p.tunnel_remote = remote;
    p.ipv4 = net::Ipv4Prefix(net::Ipv4Address(ipv4), 32);
    p.napt = napt;
    p.forwarding.push_back({net::Ipv4Prefix{}, std::nullopt});
    p.tunnel_mtu = 1460;
    return p;
}

inline modes::Plan dslite_plan() { return one_tunnel_plan(select::Mode::dslite, b4_local, aftr, b4_address, false); }

// RFC 7596 §5.1's example: 192.0.2.18, PSID 0x34/8, offset 0 -> ports 13312-13567.
inline modes::Plan lw4o6_plan() {
    modes::Plan p = one_tunnel_plan(select::Mode::lw4o6, ce_local, br, ce_address, true);
    p.ports = {0, 8, 0x34};
    return p;
}

// GI-4over6: a full address, no NAPT, 192.0.2.16/28 routed to the LAN.
inline constexpr std::uint32_t gi_host = v4(192, 0, 2, 20);
inline modes::Plan gi_plan() {
    modes::Plan p = lw4o6_plan();
    p.ports = {};
    p.napt = false;
    p.ipv4 = p4("192.0.2.16/28");
    p.lan_routed_prefix = p.ipv4;
    return p;
}

// RFC 7597 App. A Ex. 1: rule 2001:db8::/40, 192.0.2.0/24, ea-len 16 (offset 6, k 8); our
// End-user prefix 2001:db8:12:3400::/56 gives 192.0.2.18, PSID 0x34.
inline map::Rule example1_rule(bool fmr = true) {
    map::Rule r;
    r.ipv6_prefix = p6("2001:db8::/40");
    r.ipv4_prefix = p4("192.0.2.0/24");
    r.ea_len = 16;
    r.forwarding = fmr;
    return r;
}

inline modes::Plan mape_plan(bool mesh = true) {
    const map::Rule rule = example1_rule(mesh);
    const auto eup = p6("2001:db8:12:3400::/56");
    auto b = map::derive_binding(rule, eup, map::kMapEDefaultPsidOffset);
    REQUIRE(b.ok());
    modes::Plan p;
    p.mode = select::Mode::mape;
    p.tunnel_local = map::map_ipv6_address(eup, *b);
    p.tunnel_remote = br;
    p.ipv4 = b->ipv4;
    p.ports = {b->ports.offset(), b->ports.psid_len(), b->ports.psid()};
    p.napt = true;
    p.forwarding.push_back({net::Ipv4Prefix{}, std::nullopt});
    if (mesh) {
        p.fmrs.push_back(rule);
        p.forwarding.push_back({rule.ipv4_prefix, 0});
    }
    p.tunnel_mtu = 1460;
    return p;
}

// A peer CE in the same domain: End-user prefix 2001:db8:13:5600::/56 -> 192.0.2.19, PSID 0x56,
// ports (A << 10) | (0x56 << 2) | j.
inline constexpr std::uint32_t peer_ipv4 = v4(192, 0, 2, 19);
inline constexpr std::uint16_t peer_port = (1u << 10) | (0x56u << 2) | 1u;  // 1369
inline const net::Ipv6Address peer_ce = v6("2001:db8:13:5600:0:c000:213:56");

// ---- the pipeline ----
struct Rig {
    PortSetNapt napt;
    Pipeline pipe;
    explicit Rig(PortSetNapt n, const Options& o) : napt(std::move(n)), pipe(&napt, o) {}
};

inline napt::Config napt_config() {
    napt::Config c;
    c.filtering = napt::Filtering::address_dependent;
    return c;
}

inline std::unique_ptr<Rig> make_rig(const modes::Plan& plan, const Options& options = {},
                                     const napt::Config& nc = napt_config()) {
    auto n = PortSetNapt::create(nc);
    REQUIRE(n.ok());
    auto rig = std::make_unique<Rig>(std::move(*n), options);
    auto r = rig->pipe.configure(plan);
    INFO((r.ok() ? std::string() : r.error()));
    REQUIRE(r.ok());
    return rig;
}

// ---- results ----
template <class T, class V>
const T& as(const V& v) {
    INFO("result alternative index " << v.index());
    REQUIRE(std::holds_alternative<T>(v));
    return std::get<T>(v);
}

template <class V>
DropReason drop_reason(const V& v) {
    return as<Drop>(v).reason;
}

inline Bytes bytes(std::span<const std::uint8_t> s) { return Bytes(s.begin(), s.end()); }

// ---- packet shaping ----
inline void set_ttl(Bytes& p, std::uint8_t ttl) {
    p[8] = ttl;
    fix_ipv4_checksum(p);
}
inline void set_tos(Bytes& p, std::uint8_t tos) {
    p[1] = tos;
    fix_ipv4_checksum(p);
}
inline void set_df(Bytes& p, bool df) {
    p[6] = static_cast<std::uint8_t>(df ? (p[6] | 0x40) : (p[6] & ~0x40));
    fix_ipv4_checksum(p);
}

// Splits a whole datagram (20-byte header) into fragments of `chunk` payload bytes (a multiple of 8).
inline std::vector<Bytes> fragments(const Bytes& dgram, std::size_t chunk) {
    std::vector<Bytes> out;
    const std::size_t hl = 20, payload = dgram.size() - hl;
    for (std::size_t off = 0; off < payload; off += chunk) {
        const std::size_t n = std::min(chunk, payload - off);
        Bytes f(dgram.begin(), dgram.begin() + hl);
        f.insert(f.end(), dgram.begin() + static_cast<std::ptrdiff_t>(hl + off),
                 dgram.begin() + static_cast<std::ptrdiff_t>(hl + off + n));
        put16(f, 2, static_cast<std::uint16_t>(hl + n));
        const bool more = off + n < payload;
        put16(f, 6, static_cast<std::uint16_t>((more ? 0x2000 : 0) | (off / 8)));
        fix_ipv4_checksum(f);
        out.push_back(f);
    }
    return out;
}

inline Bytes tcp_syn_with_mss(std::uint32_t src, std::uint16_t sport, std::uint32_t dst, std::uint16_t dport,
                              std::uint16_t mss) {
    return tcp_packet(src, sport, dst, dport, 0x02, mss);
}

inline std::uint16_t tcp_mss_of(const Bytes& p) { return get16(p, 20 + 22); }

// An ICMPv6 error from `from` to `to` about `invoking` (an IPv6 packet), checksum right.
inline Bytes icmpv6_error(std::uint8_t type, std::uint8_t code, std::uint32_t word, std::span<const std::uint8_t> invoking,
                          const net::Ipv6Address& from, const net::Ipv6Address& to) {
    Bytes m(8 + invoking.size(), 0);
    m[0] = type;
    m[1] = code;
    put32(m, 4, word);
    for (std::size_t i = 0; i < invoking.size(); ++i) m[8 + i] = invoking[i];
    // RFC 8200 §8.1 pseudo-header: source, destination, length, next header 58.
    std::uint32_t s = naive_add(from.bytes);
    s = naive_add(to.bytes, s);
    s = naive_add_word(s, static_cast<std::uint32_t>(m.size()) >> 16);
    s = naive_add_word(s, static_cast<std::uint32_t>(m.size()) & 0xffff);
    s = naive_add_word(s, 58);
    put16(m, 2, naive_finish(naive_add(m, s)));
    return m;
}

// An IPv6 header + payload, built by hand (not by the code under test).
inline Bytes ipv6_packet(const net::Ipv6Address& src, const net::Ipv6Address& dst, std::uint8_t next,
                         std::span<const std::uint8_t> payload, std::uint8_t traffic_class = 0) {
    Bytes h(40 + payload.size(), 0);
    h[0] = static_cast<std::uint8_t>(0x60 | (traffic_class >> 4));
    h[1] = static_cast<std::uint8_t>(traffic_class << 4);
    put16(h, 4, static_cast<std::uint16_t>(payload.size()));
    h[6] = next;
    h[7] = 64;
    for (std::size_t i = 0; i < 16; ++i) {
        h[8 + i] = src.bytes[i];
        h[24 + i] = dst.bytes[i];
    }
    for (std::size_t i = 0; i < payload.size(); ++i) h[40 + i] = payload[i];
    return h;
}

inline Bytes join(std::span<const std::uint8_t> a, std::span<const std::uint8_t> b) {
    Bytes out(a.size() + b.size());
    for (std::size_t i = 0; i < a.size(); ++i) out[i] = a[i];
    for (std::size_t i = 0; i < b.size(); ++i) out[a.size() + i] = b[i];
    return out;
}

inline bool ipv4_checksum_ok(std::span<const std::uint8_t> p) {
    auto v = net::ConstIpv4View::parse_embedded(p);
    return v && v->checksum_valid();
}

}  // namespace s46::dataplane::test
