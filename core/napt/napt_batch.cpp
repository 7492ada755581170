// Batch translation: the table lines a packet will read are requested a few packets before
// it is translated, then every packet goes through the ordinary per-packet code.
//
// At 64 Ki sessions the tables are a few MiB, so nearly every packet misses the cache on the
// mapping and then on the session it finds through the mapping: two dependent misses, which a
// packet-at-a-time loop pays in sequence (docs/performance.md). The hints come in two stages,
// because the second line's address depends on the first line's contents:
//
//   outbound  stage 1: hash the mapping key, prefetch its home line
//             stage 2: probe the mapping (now cached), hash the session key with its external
//                      port, prefetch the session line
//   inbound   stage 1: prefetch the reverse-index entry and the session line (both keys are in
//                      the packet)
//             stage 2: read the reverse index (now cached), prefetch the mapping line
//
// and run as a software pipeline over groups (run_prefetched() below): while group g is
// translated, group g + 1 gets stage 2 and group g + 2 stage 1, so each line has a whole
// group's worth of work to arrive in. The stages only read and only hint, so the results are
// exactly those of translate_outbound()/translate_inbound() in order, even when a packet
// creates state that a later one in the same batch uses (its hint was merely useless).
#include "core/napt/napt_batch.hpp"

#include "core/napt/napt.hpp"
#include "core/napt/napt_lookup.hpp"
#include "core/napt/packet_shape.hpp"
#include "core/napt/rewrite.hpp"
#include "core/net/bytes.hpp"
#include "core/net/icmpv4_packet.hpp"

namespace s46::napt {

namespace {

// The fields a lookup needs, when the packet is plain enough to be worth a hint: a whole
// IPv4 header, UDP/TCP/ICMP echo with 8 transport bytes. Anything else is not prefetched.
struct Key {
    bool ok = false;
    Protocol protocol = Protocol::udp;
    std::uint32_t src = 0, dst = 0;
    std::uint16_t sport = 0, dport = 0;  // ICMP: the echo identifier in both
};

inline Key key_of(std::span<const std::uint8_t> packet, std::uint8_t echo_type) {
    Key k;
    // Cheaper than check_ipv4(): only what keeps the reads below in bounds.
    if (packet.size() < 28) return k;
    const std::uint8_t* ip = packet.data();
    const std::size_t hl = static_cast<std::size_t>(ip[0] & 0x0f) * 4;
    if (hl < 20 || hl + 8 > packet.size()) return k;
    const auto proto = protocol_from_ip(ip[9]);
    if (!proto) return k;
    const std::uint8_t* l4 = ip + hl;
    k.protocol = *proto;
    k.src = net::load_be32(ip + rewrite::ipv4_src);
    k.dst = net::load_be32(ip + rewrite::ipv4_dst);
    if (*proto == Protocol::icmp) {
        if (l4[0] != echo_type) return k;
        k.sport = k.dport = net::load_be16(l4 + rewrite::icmp_identifier);
    } else {
        k.sport = net::load_be16(l4 + rewrite::src_port);
        k.dport = net::load_be16(l4 + rewrite::dst_port);
    }
    k.ok = true;
    return k;
}

// Both inbound stages start the same way: the packet's key, and its reverse-index slot when
// it is addressed to our external address at a port of the set. npos: nothing to prefetch.
std::uint32_t inbound_slot(std::span<const std::uint8_t> packet, std::uint32_t external, const PortIndex& index,
                           Key& k) {
    k = key_of(packet, net::icmpv4_type::echo_reply);
    if (!k.ok || k.dst != external) return PortIndex::npos;
    return index.slot_of(k.dport);
}

}  // namespace

void Napt::prefetch_outbound_mappings(std::span<const std::span<std::uint8_t>> packets) const {
    for (const auto& p : packets) {
        const Key k = key_of(p, net::icmpv4_type::echo_request);
        if (k.ok) mappings_.prefetch(mapping_hash(k.protocol, k.src, k.sport));
    }
}

void Napt::prefetch_outbound_sessions(std::span<const std::span<std::uint8_t>> packets) const {
    for (const auto& p : packets) {
        const Key k = key_of(p, net::icmpv4_type::echo_request);
        if (!k.ok) continue;
        const std::uint32_t mpos = find_mapping_pos(k.protocol, k.src, k.sport);
        if (mpos == empty_ref) continue;
        const std::uint16_t rport = k.protocol == Protocol::icmp ? 0 : k.dport;
        sessions_.prefetch(session_hash(k.protocol, mappings_.at(mpos).external_port, k.dst, remote_key(k.protocol, rport)));
    }
}

void Napt::prefetch_inbound_sessions(std::span<const std::span<std::uint8_t>> packets) const {
    for (const auto& p : packets) {
        Key k;
        const std::uint32_t slot = inbound_slot(p, cfg_.external.value, index_, k);
        if (slot == PortIndex::npos) continue;
        prefetch_line(&reverse_[index_of(k.protocol) * index_.size() + slot]);
        const std::uint16_t rport = k.protocol == Protocol::icmp ? 0 : k.sport;
        sessions_.prefetch(session_hash(k.protocol, k.dport, k.src, remote_key(k.protocol, rport)));
    }
}

void Napt::prefetch_inbound_mappings(std::span<const std::span<std::uint8_t>> packets) const {
    for (const auto& p : packets) {
        Key k;
        const std::uint32_t slot = inbound_slot(p, cfg_.external.value, index_, k);
        if (slot == PortIndex::npos) continue;
        const std::uint32_t mpos = reverse_[index_of(k.protocol) * index_.size() + slot];
        if (mpos != empty_ref) mappings_.prefetch_at(mpos);
    }
}

void Napt::translate_outbound_batch(std::span<const std::span<std::uint8_t>> packets, Time now,
                                    std::span<Outcome> outcomes) {
    run_prefetched(
        packets.size(), batch_group,
        [&](std::size_t at, std::size_t n) { prefetch_outbound_mappings(packets.subspan(at, n)); },
        [&](std::size_t at, std::size_t n) { prefetch_outbound_sessions(packets.subspan(at, n)); },
        [&](std::size_t i) { outcomes[i] = translate_outbound(packets[i], now); });
}

void Napt::translate_inbound_batch(std::span<const std::span<std::uint8_t>> packets, Time now,
                                   std::span<Outcome> outcomes) {
    run_prefetched(
        packets.size(), batch_group,
        [&](std::size_t at, std::size_t n) { prefetch_inbound_sessions(packets.subspan(at, n)); },
        [&](std::size_t at, std::size_t n) { prefetch_inbound_mappings(packets.subspan(at, n)); },
        [&](std::size_t i) { outcomes[i] = translate_inbound(packets[i], now); });
}

}  // namespace s46::napt
