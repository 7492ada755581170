// Fuzz target: every packet view in core/net over arbitrary bytes, then nested: an
// IPv4 or IPv6 packet's payload goes to the parser its protocol names, an ICMP
// error's quoted packet to parse_embedded(), IPv4-in-IPv6 to the IPv4 parser.
//
// Invariants for every view a parser accepts:
//  * every span it hands out lies inside the input, header + payload tile the packet,
//    and length fields agree with the extents (unless marked truncated);
//  * a strict parse that succeeds implies the embedded parse gives the same extents;
//  * TCP options: each option's value lies inside the options area, walking stops;
//  * the fast checksum sum equals a naive byte-wise one at any alignment;
//  * on a private copy: after update_checksum() the verify function accepts; after a
//    field is rewritten with a setter and the RFC 1624 adjust_*() helper, the checksum
//    equals a full recomputation and still verifies (UDP: never 0x0000 when present);
//    MSS clamping leaves no MSS above the limit and the checksum valid;
//  * setters of bit fields leave neighbouring fields alone.
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <memory>
#include <span>

#include "core/net/checksum.hpp"
#include "core/net/icmpv4_packet.hpp"
#include "core/net/icmpv6_packet.hpp"
#include "core/net/ip_protocol.hpp"
#include "core/net/ipv4_packet.hpp"
#include "core/net/ipv6_packet.hpp"
#include "core/net/tcp_packet.hpp"
#include "core/net/udp_packet.hpp"
#include "fuzz/fuzz_check.hpp"

using namespace s46::net;

namespace {

using CSpan = std::span<const std::uint8_t>;

// Bytes the fuzzer controls, used to pick rewrite values; reads past the end give 0.
struct Knobs {
    CSpan in;
    std::size_t at = 0;
    std::uint8_t u8() { return at < in.size() ? in[at++] : 0; }
    std::uint16_t u16() { return static_cast<std::uint16_t>((u8() << 8) | u8()); }
    std::uint32_t u32() { return (std::uint32_t{u16()} << 16) | u16(); }
};

template <class T, std::size_t N>
bool within(std::span<T, N> inner, CSpan outer) {
    auto b = reinterpret_cast<std::uintptr_t>(inner.data()), e = b + inner.size();
    auto ob = reinterpret_cast<std::uintptr_t>(outer.data()), oe = ob + outer.size();
    return inner.empty() || (b >= ob && e <= oe);
}

template <class T, class U>
bool adjacent(std::span<T> first, std::span<U> second) {
    return reinterpret_cast<std::uintptr_t>(first.data()) + first.size() == reinterpret_cast<std::uintptr_t>(second.data());
}

// A private, exactly-sized, mutable copy so that setters never touch the fuzzer's
// input and ASan sees any overrun of the view's extent.
struct Copy {
    std::unique_ptr<std::uint8_t[]> p;
    std::size_t n;
    explicit Copy(CSpan s) : p(new std::uint8_t[s.size()]), n(s.size()) {
        if (n) std::memcpy(p.get(), s.data(), n);
    }
    std::span<std::uint8_t> span() const { return {p.get(), n}; }
};

std::uint16_t naive_fold(CSpan b) {
    std::uint32_t sum = 0;
    for (std::size_t i = 0; i < b.size(); i += 2) {
        sum += std::uint32_t{b[i]} << 8 | (i + 1 < b.size() ? b[i + 1] : 0u);
        sum = (sum & 0xffff) + (sum >> 16);
    }
    return static_cast<std::uint16_t>(sum);
}

void check_sum(CSpan in) {
    for (std::size_t off = 0; off < 3 && off <= in.size(); ++off)
        S46_FUZZ_CHECK(checksum_fold(checksum_add(in.subspan(off))) == naive_fold(in.subspan(off)));
}

void check_udp(CSpan in, std::uint64_t pseudo_base, bool ipv6, Knobs& k) {
    auto r = ConstUdpView::parse(in);
    if (!r) return;
    auto v = *r;
    S46_FUZZ_CHECK(within(v.datagram(), in) && v.datagram().data() == in.data());
    S46_FUZZ_CHECK(v.length() == v.datagram().size() && v.length() >= 8);
    S46_FUZZ_CHECK(within(v.payload(), in) && v.payload().size() + 8 == v.datagram().size());
    (void)v.src_port();
    (void)v.dst_port();
    auto status = v.verify_checksum(pseudo_base + v.length());
    S46_FUZZ_CHECK(status != ChecksumStatus::absent || v.checksum() == 0);

    Copy c(v.datagram());
    auto wr = UdpView::parse(c.span());
    S46_FUZZ_CHECK(wr.ok());
    auto w = *wr;
    std::uint64_t pseudo = pseudo_base + w.length();
    w.update_checksum(pseudo);
    S46_FUZZ_CHECK(w.checksum() != 0 && w.verify_checksum(pseudo) == ChecksumStatus::valid);
    std::uint16_t old_port = w.src_port(), new_port = k.u16();
    w.set_src_port(new_port);
    w.adjust_checksum16(old_port, new_port);
    S46_FUZZ_CHECK(w.checksum() == w.compute_checksum(pseudo));
    S46_FUZZ_CHECK(w.verify_checksum(pseudo) == ChecksumStatus::valid);
    if (!ipv6) {
        // An absent checksum (legal over IPv4) stays absent through a rewrite.
        w.set_checksum(0);
        w.adjust_checksum32(k.u32(), k.u32());
        S46_FUZZ_CHECK(w.checksum() == 0);
    }
}

void check_tcp(CSpan in, std::uint64_t pseudo_base, Knobs& k) {
    auto r = ConstTcpView::parse(in);
    if (!r) return;
    auto v = *r;
    S46_FUZZ_CHECK(v.segment().size() == in.size());
    S46_FUZZ_CHECK(v.header_length() == v.data_offset() * 4u && v.header_length() >= 20);
    S46_FUZZ_CHECK(within(v.header(), in) && within(v.options(), in) && within(v.payload(), in));
    S46_FUZZ_CHECK(adjacent(v.header(), v.payload()) && v.header().size() + v.payload().size() == in.size());
    S46_FUZZ_CHECK(v.options().size() + 20 == v.header_length());
    std::size_t last = 0, count = 0;
    for (const auto& o : v.option_range()) {
        S46_FUZZ_CHECK(within(o.value, v.options()));
        S46_FUZZ_CHECK(count == 0 || o.offset > last);
        S46_FUZZ_CHECK(o.kind != tcp_option::eol);
        last = o.offset;
        ++count;
        S46_FUZZ_CHECK(count <= v.options().size());
    }
    (void)v.option_range().well_formed();
    auto mss = v.mss();
    (void)v.seq(), (void)v.ack(), (void)v.flags(), (void)v.window(), (void)v.urgent_pointer();

    Copy c(in);
    auto wr = TcpView::parse(c.span());
    S46_FUZZ_CHECK(wr.ok());
    auto w = *wr;
    std::uint64_t pseudo = pseudo_base + in.size();
    w.update_checksum(pseudo);
    S46_FUZZ_CHECK(w.checksum_valid(pseudo));
    std::uint16_t limit = k.u16();
    Copy before(w.segment());
    bool changed = w.clamp_mss(limit);
    S46_FUZZ_CHECK(w.checksum_valid(pseudo) && w.checksum() == w.compute_checksum(pseudo));
    for (const auto& o : w.option_range())
        if (o.kind == tcp_option::mss && o.value.size() == 2) S46_FUZZ_CHECK(load_be16(o.value.data()) <= limit);
    if (mss && *mss > limit) S46_FUZZ_CHECK(changed);
    if (!changed) S46_FUZZ_CHECK(std::memcmp(before.p.get(), w.segment().data(), before.n) == 0);
    std::uint32_t old_seq = w.seq(), new_seq = k.u32();
    w.set_seq(new_seq);
    w.adjust_checksum32(old_seq, new_seq);
    S46_FUZZ_CHECK(w.checksum() == w.compute_checksum(pseudo));
}

void check_icmpv4(CSpan in, Knobs& k, int depth);
void check_ipv4(CSpan in, Knobs& k, int depth, bool embedded);

void check_icmpv6(CSpan in, std::uint64_t pseudo_base, Knobs& k, int depth);
void check_ipv6(CSpan in, Knobs& k, int depth, bool embedded);

void check_icmpv4(CSpan in, Knobs& k, int depth) {
    auto r = ConstIcmpv4View::parse(in);
    if (!r) return;
    auto v = *r;
    S46_FUZZ_CHECK(within(v.body(), in) && v.body().size() + 8 == in.size());
    S46_FUZZ_CHECK(v.embedded().empty() || (v.is_error() && within(v.embedded(), in)));
    (void)v.identifier(), (void)v.sequence(), (void)v.next_hop_mtu(), (void)v.pointer(), (void)v.is_echo();

    Copy c(in);
    auto wr = Icmpv4View::parse(c.span());
    S46_FUZZ_CHECK(wr.ok());
    auto w = *wr;
    w.update_checksum();
    S46_FUZZ_CHECK(w.checksum_valid());
    std::uint16_t old_id = w.identifier(), new_id = k.u16();
    w.set_identifier(new_id);
    w.adjust_checksum16(old_id, new_id);
    S46_FUZZ_CHECK(w.checksum() == w.compute_checksum() && w.checksum_valid());

    if (depth > 0 && v.is_error()) check_ipv4(v.embedded(), k, depth - 1, true);
}

void check_icmpv6(CSpan in, std::uint64_t pseudo_base, Knobs& k, int depth) {
    auto r = ConstIcmpv6View::parse(in);
    if (!r) return;
    auto v = *r;
    S46_FUZZ_CHECK(within(v.body(), in) && v.body().size() + 8 == in.size());
    S46_FUZZ_CHECK(v.embedded().empty() || (v.is_error() && within(v.embedded(), in)));
    (void)v.mtu(), (void)v.pointer(), (void)v.identifier(), (void)v.sequence();

    Copy c(in);
    auto wr = Icmpv6View::parse(c.span());
    S46_FUZZ_CHECK(wr.ok());
    auto w = *wr;
    std::uint64_t pseudo = pseudo_base + in.size();
    w.update_checksum(pseudo);
    S46_FUZZ_CHECK(w.checksum_valid(pseudo));
    std::uint32_t old_word = w.word(), new_word = k.u32();
    w.set_word(new_word);
    w.adjust_checksum32(old_word, new_word);
    S46_FUZZ_CHECK(w.checksum() == w.compute_checksum(pseudo) && w.checksum_valid(pseudo));

    if (depth > 0 && v.is_error()) check_ipv6(v.embedded(), k, depth - 1, true);
}

void check_ipv4(CSpan in, Knobs& k, int depth, bool embedded) {
    auto r = embedded ? ConstIpv4View::parse_embedded(in) : ConstIpv4View::parse(in);
    if (!r) return;
    auto v = *r;
    S46_FUZZ_CHECK(v.version() == 4);
    S46_FUZZ_CHECK(v.header_length() == v.ihl() * 4u && v.header_length() >= 20);
    S46_FUZZ_CHECK(within(v.datagram(), in) && v.datagram().data() == in.data());
    S46_FUZZ_CHECK(within(v.header(), in) && within(v.options(), in) && within(v.payload(), in));
    S46_FUZZ_CHECK(adjacent(v.header(), v.payload()));
    S46_FUZZ_CHECK(v.header().size() + v.payload().size() == v.datagram().size());
    S46_FUZZ_CHECK(v.options().size() + 20 == v.header_length());
    if (v.truncated())
        S46_FUZZ_CHECK(embedded && v.total_length() > in.size() && v.datagram().size() == in.size());
    else
        S46_FUZZ_CHECK(v.total_length() == v.datagram().size());
    if (!embedded) {
        auto e = ConstIpv4View::parse_embedded(in);
        S46_FUZZ_CHECK(e && !e->truncated() && e->datagram().size() == v.datagram().size());
    }
    (void)v.tos(), (void)v.identification(), (void)v.is_fragment(), (void)v.ttl(), (void)v.src(), (void)v.dst();
    (void)v.checksum_valid();

    Copy c(v.datagram());
    auto wr = embedded ? Ipv4View::parse_embedded(c.span()) : Ipv4View::parse(c.span());
    S46_FUZZ_CHECK(wr.ok() && wr->datagram().size() == v.datagram().size());
    auto w = *wr;
    w.update_checksum();
    S46_FUZZ_CHECK(w.checksum_valid());
    std::uint16_t old_word = load_be16(&w.header()[8]);  // TTL + protocol
    w.set_ttl(k.u8());
    w.adjust_checksum16(old_word, load_be16(&w.header()[8]));
    S46_FUZZ_CHECK(w.checksum() == w.compute_checksum() && w.checksum_valid());
    Ipv4Address old_src = w.src(), new_src{k.u32()};
    w.set_src(new_src);
    w.adjust_checksum32(old_src.value, new_src.value);
    S46_FUZZ_CHECK(w.checksum() == w.compute_checksum() && w.checksum_valid());
    std::uint16_t frag = k.u16();
    bool df = w.dont_fragment();
    w.set_fragment_offset(frag);
    S46_FUZZ_CHECK(w.fragment_offset() == (frag & 0x1fff) && w.dont_fragment() == df);
    std::uint8_t tos = w.tos();
    w.set_ecn(k.u8());
    S46_FUZZ_CHECK(w.dscp() == (tos >> 2));

    if (depth <= 0 || v.is_fragment()) return;
    auto pseudo = v.pseudo_header_sum(v.protocol(), 0);
    switch (v.protocol()) {
        case ip_protocol::udp: check_udp(v.payload(), pseudo, false, k); break;
        case ip_protocol::tcp: check_tcp(v.payload(), pseudo, k); break;
        case ip_protocol::icmp: check_icmpv4(v.payload(), k, depth - 1); break;
        default: break;
    }
}

void check_ipv6(CSpan in, Knobs& k, int depth, bool embedded) {
    auto r = embedded ? ConstIpv6View::parse_embedded(in) : ConstIpv6View::parse(in);
    if (!r) return;
    auto v = *r;
    S46_FUZZ_CHECK(v.version() == 6);
    S46_FUZZ_CHECK(within(v.packet(), in) && v.packet().data() == in.data());
    S46_FUZZ_CHECK(within(v.payload(), in) && adjacent(v.header(), v.payload()));
    S46_FUZZ_CHECK(within(v.src_bytes(), in) && within(v.dst_bytes(), in));
    if (v.truncated())
        S46_FUZZ_CHECK(embedded && 40u + v.payload_length() > in.size() && v.packet().size() == in.size());
    else
        S46_FUZZ_CHECK(40u + v.payload_length() == v.packet().size());
    if (!embedded) {
        auto e = ConstIpv6View::parse_embedded(in);
        S46_FUZZ_CHECK(e && !e->truncated() && e->packet().size() == v.packet().size());
    }
    (void)v.flow_label(), (void)v.hop_limit(), (void)v.src(), (void)v.dst();

    Copy c(v.packet());
    auto wr = embedded ? Ipv6View::parse_embedded(c.span()) : Ipv6View::parse(c.span());
    S46_FUZZ_CHECK(wr.ok() && wr->packet().size() == v.packet().size());
    auto w = *wr;
    std::uint8_t tc = w.traffic_class();
    std::uint32_t fl = k.u32();
    w.set_flow_label(fl);
    S46_FUZZ_CHECK(w.flow_label() == (fl & 0xfffff) && w.traffic_class() == tc && w.version() == 6);
    std::uint8_t new_tc = k.u8();
    w.set_traffic_class(new_tc);
    S46_FUZZ_CHECK(w.traffic_class() == new_tc && w.flow_label() == (fl & 0xfffff) && w.version() == 6);

    if (depth <= 0) return;
    auto pseudo = v.pseudo_header_sum(v.next_header(), 0);
    switch (v.next_header()) {
        case ip_protocol::udp: check_udp(v.payload(), pseudo, true, k); break;
        case ip_protocol::tcp: check_tcp(v.payload(), pseudo, k); break;
        case ip_protocol::icmpv6: check_icmpv6(v.payload(), pseudo, k, depth - 1); break;
        case ip_protocol::ipv4: check_ipv4(v.payload(), k, depth - 1, embedded); break;  // DS-Lite / MAP-E
        default: break;
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    CSpan in(data, size);
    // Knobs come from the tail so that the packet bytes and the rewrite values mutate
    // somewhat independently.
    Knobs k{in.subspan(size / 2)};
    check_sum(in);
    check_ipv4(in, k, 3, false);
    check_ipv4(in, k, 3, true);
    check_ipv6(in, k, 3, false);
    check_ipv6(in, k, 3, true);
    // Each transport parser on the raw bytes too, with a pseudo-header from the knobs.
    std::uint64_t pseudo = k.u32();
    check_udp(in, pseudo, false, k);
    check_tcp(in, pseudo, k);
    check_icmpv4(in, k, 1);
    check_icmpv6(in, pseudo, k, 1);
    return 0;
}
