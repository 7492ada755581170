// Fuzz target: core/napt driven in both directions by a script of arbitrary packets and
// packets built from compact fields (so that checksums are right and sessions pile up).
//
// Input: one configuration byte, then records  op, dt, len, [len bytes]:
//   op & 15 = 0  raw outbound packet (the len bytes)    1  raw inbound packet
//             2  the reply to the last outbound translation (len: TCP flags)
//             3  an ICMP error from outside quoting the last outbound translation (len: quote cut)
//             4  an ICMP error from the LAN quoting the last inbound translation (len: quote cut)
//             5  expire(now, len * 16)        6  flush()      7  replan (len bytes pick address and set)
//             8  outbound built from fields (len bytes: protocol, host, ports, remote, flags)
//   dt: seconds to advance (times 64 when op & 0x80)
//
// Invariants, after every call:
//  * nothing reads or writes outside the packet (each one sits in an exactly-sized heap buffer);
//  * a refused packet is unchanged; a translated one still parses with the same length and protocol;
//  * an outbound translation's source is the external address and its port or echo identifier a
//    dynamic port of the set; every mapping in the table has an external port in the set;
//  * checksums that were right before translation are right after (recomputed from scratch);
//  * counters add up (packets = translated + dropped; reasons sum to the drops) and table sizes
//    stay within their limits;
//  * translate-out then translate-in of the reply restores the original endpoints.
#include <cstdint>
#include <cstring>
#include <optional>
#include <span>
#include <vector>

#include "core/napt/napt.hpp"
#include "core/napt/packet_shape.hpp"
#include "core/net/checksum.hpp"
#include "core/net/icmpv4_packet.hpp"
#include "core/net/ipv4_packet.hpp"
#include "core/net/tcp_packet.hpp"
#include "core/net/udp_packet.hpp"
#include "fuzz/fuzz_check.hpp"

using namespace s46;
using namespace s46::napt;
using Bytes = std::vector<std::uint8_t>;

namespace {

constexpr std::uint32_t external_address = 0xc0000201;  // 192.0.2.1

map::PortSet set_for(unsigned choice) {
    switch (choice % 6) {
        case 0: return map::PortSet::all();
        case 1: return *map::PortSet::make(6, 8, 0x34);   // 63 blocks of 4
        case 2: return *map::PortSet::make(0, 12, 100);   // 16 ports, 1600-1615
        case 3: return *map::PortSet::make(4, 4, 3);
        case 4: return *map::PortSet::make(6, 10, 1);     // 63 single ports
        default: return *map::PortSet::make(8, 4, 5);     // a > 6: low blocks skipped
    }
}

Config config_for(std::uint8_t b) {
    Config c;
    c.external = net::Ipv4Address{external_address};
    c.filtering = static_cast<Filtering>((b & 3) % 3);
    c.ports = set_for((b >> 2) & 7);
    c.max_sessions = (b & 0x40) ? 64 : 1024;
    if (b & 0x20) {
        c.sweep_per_new_session = 0;
        c.reclaim_scan = 0;
    }
    c.max_hosts = (b & 0x80) ? 3 : 0;
    c.seed = b;
    return c;
}

// ---- checksums from scratch ----

bool ip_header_ok(const net::ConstIpv4View& ip) { return ip.checksum_valid(); }

// Whole datagrams only: the transport checksum covers data a fragment or a cut quote lacks.
std::optional<bool> transport_ok(const net::ConstIpv4View& ip) {
    if (ip.is_fragment() || ip.truncated()) return std::nullopt;
    const auto l4 = ip.payload();
    switch (ip.protocol()) {
        case 17: {
            auto u = net::ConstUdpView::parse(l4);
            if (!u) return std::nullopt;
            auto s = u->verify_checksum(ip.pseudo_header_sum(17, u->length()));
            if (s == net::ChecksumStatus::absent) return std::nullopt;
            return s == net::ChecksumStatus::valid;
        }
        case 6: {
            auto t = net::ConstTcpView::parse(l4);
            if (!t) return std::nullopt;
            return t->checksum_valid(ip.pseudo_header_sum(6, static_cast<std::uint16_t>(l4.size())));
        }
        case 1: {
            auto m = net::ConstIcmpv4View::parse(l4);
            if (!m) return std::nullopt;
            return m->checksum_valid();
        }
        default: return std::nullopt;
    }
}

struct ChecksumState {
    bool header = false;
    std::optional<bool> transport;
    bool quote_header = false;
    std::optional<bool> quote_transport;
};

ChecksumState checksums_of(std::span<const std::uint8_t> p) {
    ChecksumState s;
    auto ip = net::ConstIpv4View::parse(p);
    if (!ip) return s;
    s.header = ip_header_ok(*ip);
    s.transport = transport_ok(*ip);
    if (ip->protocol() == 1 && !ip->is_fragment()) {
        auto m = net::ConstIcmpv4View::parse(ip->payload());
        if (m && m->is_error()) {
            auto q = net::ConstIpv4View::parse_embedded(m->body());
            if (q) {
                s.quote_header = q->checksum_valid();
                s.quote_transport = transport_ok(*q);
            }
        }
    }
    return s;
}

// What was right before must be right after.
void check_checksums_kept(const ChecksumState& before, std::span<const std::uint8_t> after) {
    const ChecksumState a = checksums_of(after);
    if (before.header) S46_FUZZ_CHECK(a.header);
    if (before.transport.value_or(false)) S46_FUZZ_CHECK(a.transport.value_or(false));
    if (before.quote_header) S46_FUZZ_CHECK(a.quote_header);
    if (before.quote_transport.value_or(false)) S46_FUZZ_CHECK(a.quote_transport.value_or(false));
}

// ---- building packets with right checksums ----

void put16(Bytes& b, std::size_t at, std::uint16_t v) { net::store_be16(&b[at], v); }
void put32(Bytes& b, std::size_t at, std::uint32_t v) { net::store_be32(&b[at], v); }

Bytes build(std::uint8_t proto, std::uint32_t src, std::uint32_t dst, std::uint16_t sport, std::uint16_t dport,
            std::uint8_t tcp_flags, std::uint8_t icmp_type, std::size_t payload) {
    const std::size_t l4 = proto == 6 ? 20 : 8;
    Bytes p(20 + l4 + payload, 0);
    p[0] = 0x45;
    put16(p, 2, static_cast<std::uint16_t>(p.size()));
    p[8] = 64;
    p[9] = proto;
    put32(p, 12, src);
    put32(p, 16, dst);
    for (std::size_t i = 20 + l4; i < p.size(); ++i) p[i] = static_cast<std::uint8_t>(i);
    auto ip = *net::Ipv4View::parse(p);
    ip.update_checksum();
    auto l4s = ip.payload();
    if (proto == 17) {
        put16(p, 20, sport);
        put16(p, 22, dport);
        put16(p, 24, static_cast<std::uint16_t>(l4s.size()));
        net::UdpView::parse(l4s)->update_checksum(ip.pseudo_header_sum(17, static_cast<std::uint16_t>(l4s.size())));
    } else if (proto == 6) {
        put16(p, 20, sport);
        put16(p, 22, dport);
        p[32] = 0x50;
        p[33] = tcp_flags;
        net::TcpView::parse(l4s)->update_checksum(ip.pseudo_header_sum(6, static_cast<std::uint16_t>(l4s.size())));
    } else {
        p[20] = icmp_type;
        put16(p, 24, sport);
        put16(p, 26, dport);
        net::Icmpv4View::parse(l4s)->update_checksum();
    }
    return p;
}

Bytes icmp_error(std::uint32_t src, std::uint32_t dst, std::span<const std::uint8_t> quoted, std::size_t cut) {
    const std::size_t q = std::min(quoted.size(), cut);
    Bytes p(28 + q, 0);
    p[0] = 0x45;
    put16(p, 2, static_cast<std::uint16_t>(p.size()));
    p[8] = 64;
    p[9] = 1;
    put32(p, 12, src);
    put32(p, 16, dst);
    p[20] = 3;
    p[21] = 3;
    std::memcpy(p.data() + 28, quoted.data(), q);
    auto ip = *net::Ipv4View::parse(p);
    ip.update_checksum();
    net::Icmpv4View::parse(ip.payload())->update_checksum();
    return p;
}

struct Endpoints {
    std::uint32_t src = 0, dst = 0;
    std::uint16_t sport = 0, dport = 0;
    std::uint8_t proto = 0;
};

Endpoints endpoints_of(std::span<const std::uint8_t> p) {
    Endpoints e;
    auto ip = net::ConstIpv4View::parse(p);
    if (!ip || ip->payload().size() < 8) return e;
    e.src = ip->src().value;
    e.dst = ip->dst().value;
    e.proto = ip->protocol();
    const auto l4 = ip->payload();
    if (e.proto == 1) e.sport = e.dport = net::load_be16(&l4[4]);
    else {
        e.sport = net::load_be16(&l4[0]);
        e.dport = net::load_be16(&l4[2]);
    }
    return e;
}

struct Reader {
    std::span<const std::uint8_t> in;
    std::size_t at = 0;
    bool empty() const { return at >= in.size(); }
    std::uint8_t u8() { return at < in.size() ? in[at++] : 0; }
    std::span<const std::uint8_t> take(std::size_t n) {
        n = std::min(n, in.size() - std::min(at, in.size()));
        auto s = in.subspan(at, n);
        at += n;
        return s;
    }
};

class Harness {
public:
    explicit Harness(const Config& c) : napt_(*Napt::create(c)) {}

    void run(Reader& r) {
        while (!r.empty()) {
            const std::uint8_t op = r.u8();
            const std::uint8_t dt = r.u8();
            const std::uint8_t len = r.u8();
            now_s_ += (op & 0x80) ? std::int64_t{dt} * 64 : dt;
            switch (op & 15) {
                case 0:
                case 1: {
                    const auto raw = r.take(len);
                    translate(Bytes(raw.begin(), raw.end()), (op & 15) == 0);
                    break;
                }
                case 2: reply(len); break;
                case 3:
                    if (!last_out_.empty()) {
                        const Endpoints e = endpoints_of(last_out_);
                        translate(icmp_error(e.dst, external(), last_out_, 20 + 8 + len), false);
                    }
                    break;
                case 4:
                    if (!last_in_.empty()) {
                        const Endpoints e = endpoints_of(last_in_);
                        translate(icmp_error(e.dst, e.src, last_in_, 20 + 8 + len), true);
                    }
                    break;
                case 5: napt_.expire(now(), std::size_t{len} * 16); break;
                case 6: napt_.flush(); break;
                case 7: {
                    auto b = r.take(len);
                    std::uint32_t addr = external_address;
                    if (b.size() >= 1 && (b[0] & 1)) addr = 0xc0000200u | (b[0] >> 1);
                    const auto r2 = napt_.replan(net::Ipv4Address{addr}, set_for(b.size() >= 2 ? b[1] : 0));
                    S46_FUZZ_CHECK(r2.ok());
                    break;
                }
                default: built(r.take(len)); break;
            }
            check_tables();
        }
    }

private:
    Time now() const { return std::chrono::seconds(now_s_); }
    std::uint32_t external() const { return napt_.config().external.value; }

    void built(std::span<const std::uint8_t> f) {
        auto at = [&](std::size_t i) -> std::uint8_t { return i < f.size() ? f[i] : 0; };
        const std::uint8_t kind = at(0) % 3;
        const std::uint8_t proto = kind == 0 ? 17 : kind == 1 ? 6 : 1;
        const std::uint32_t src = 0xc0a80100u | (at(1) & 7);        // 192.168.1.0-7
        const std::uint32_t dst = (at(2) & 0x80) ? external() : 0xc6336400u | (at(2) & 3);  // ours, or 198.51.100.0-3
        const std::uint16_t sport = static_cast<std::uint16_t>(at(3) << 8 | at(4));
        const std::uint16_t dport = static_cast<std::uint16_t>(at(5) << 8 | at(6));
        translate(build(proto, src, dst, sport, dport, at(7), 8, at(8) & 31), true);
    }

    void reply(std::uint8_t flags) {
        if (last_out_.empty()) return;
        const Endpoints e = endpoints_of(last_out_);
        if (e.proto != 17 && e.proto != 6 && e.proto != 1) return;
        translate(build(e.proto, e.dst, e.src, e.dport, e.sport, flags, 0, flags & 15), false);
    }

    // Runs one packet through, checks the invariants, follows a hairpin back in, and
    // for an outbound translation checks that the reply comes back to the sender.
    Outcome translate(Bytes p, bool outbound) {
        const Bytes before = p;
        const ChecksumState sums = checksums_of(before);
        const Counters c0 = napt_.counters();
        const Outcome o = outbound ? napt_.translate_outbound(p, now()) : napt_.translate_inbound(p, now());
        const Counters& c = napt_.counters();
        S46_FUZZ_CHECK(c.outbound_packets == c.outbound_translated + c.outbound_dropped);
        S46_FUZZ_CHECK(c.inbound_packets == c.inbound_translated + c.inbound_dropped);
        S46_FUZZ_CHECK(c.total_drops() == c.outbound_dropped + c.inbound_dropped);
        S46_FUZZ_CHECK((outbound ? c.outbound_packets - c0.outbound_packets : c.inbound_packets - c0.inbound_packets) == 1);
        if (!o.ok()) {
            S46_FUZZ_CHECK(p == before);
            S46_FUZZ_CHECK(c.drop(*o.reason()) == c0.drop(*o.reason()) + 1);
            return o;
        }
        S46_FUZZ_CHECK(outbound || o.action() == Action::forward);
        auto ip = net::ConstIpv4View::parse(p);
        S46_FUZZ_CHECK(ip.ok());
        auto ip0 = net::ConstIpv4View::parse(before);
        S46_FUZZ_CHECK(ip->total_length() == ip0->total_length() && ip->protocol() == ip0->protocol());
        check_checksums_kept(sums, p);

        const Endpoints e0 = endpoints_of(before), e = endpoints_of(p);
        const bool query_or_transport =
            e.proto != 1 || net::ConstIcmpv4View::parse(ip->payload())->is_echo();
        if (outbound) {
            S46_FUZZ_CHECK(e.src == external());
            if (query_or_transport) S46_FUZZ_CHECK(napt_.port_index().slot_of(e.sport) != PortIndex::npos);
            last_out_ = p;
            if (o.action() == Action::hairpin) {
                translate(p, false);
            } else if (query_or_transport && !ip->is_fragment()) {
                // The reply restores the original endpoints (a fresh session: every filter passes).
                Bytes back = build(e.proto, e.dst, e.src, e.dport, e.sport, 0x10, 0, 4);
                const Outcome r = napt_.translate_inbound(back, now());
                S46_FUZZ_CHECK(r.action() == Action::forward);
                const Endpoints b = endpoints_of(back);
                S46_FUZZ_CHECK(b.dst == e0.src && b.dport == e0.sport && b.src == e0.dst && b.sport == e0.dport);
            }
        } else {
            last_in_ = p;
        }
        return o;
    }

    void check_tables() {
        const Config& c = napt_.config();
        S46_FUZZ_CHECK(napt_.session_count() <= c.max_sessions);
        S46_FUZZ_CHECK(napt_.host_count() <= c.max_hosts);
        S46_FUZZ_CHECK(napt_.mapping_count() <= napt_.session_count());
        if (++checks_ % 16 == 0)
            napt_.for_each_mapping(now(), [&](const MappingInfo& m) {
                S46_FUZZ_CHECK(napt_.port_index().slot_of(m.external_port) != PortIndex::npos);
                S46_FUZZ_CHECK(m.sessions > 0);
            });
    }

    Napt napt_;
    std::int64_t now_s_ = 1000;
    Bytes last_out_, last_in_;
    unsigned checks_ = 0;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    Reader r{std::span<const std::uint8_t>(data, size)};
    Harness h(config_for(r.u8()));
    h.run(r);
    return 0;
}
