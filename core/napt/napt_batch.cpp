// Batch translation: prefetch what a group of packets will read, then translate them one
// by one with the ordinary per-packet code.
//
// At 64 Ki sessions the tables are a few MiB, so nearly every packet misses the cache on
// the mapping and then on the session it finds through the mapping: two dependent misses,
// which a packet-at-a-time loop pays in sequence (docs/performance.md). Here stage A hashes
// every packet of the group and prefetches the first table line it will probe; stage B looks
// the mappings up (their lines are arriving) and prefetches the session lines; stage C does
// the real work, which now mostly hits. Stages A and B only read and only hint, so the
// results are exactly those of translate_outbound()/translate_inbound() in order, even
// when a packet of the group creates state that a later one uses.
#include "core/napt/napt.hpp"
#include "core/napt/napt_lookup.hpp"
#include "core/napt/packet_shape.hpp"
#include "core/napt/rewrite.hpp"
#include "core/net/bytes.hpp"
#include "core/net/icmpv4_packet.hpp"

namespace s46::napt {

namespace {

constexpr std::size_t group_size = 16;

// The fields a lookup needs, when the packet is plain enough to be worth a prefetch. Bounds
// are checked as in the real path; anything unusual is simply not prefetched.
struct Key {
    bool ok = false;
    Protocol protocol = Protocol::udp;
    std::uint32_t src = 0, dst = 0;
    std::uint16_t sport = 0, dport = 0;  // ICMP: the echo identifier in both
};

Key key_of(std::span<const std::uint8_t> packet, std::uint8_t echo_type) {
    Key k;
    const Ipv4Shape shape = check_ipv4(packet);
    if (!shape.ok || shape.total_length - shape.header_length < 8) return k;
    const std::uint8_t* ip = packet.data();
    const auto proto = protocol_from_ip(ip[9]);
    if (!proto) return k;
    const std::uint8_t* l4 = ip + shape.header_length;
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

}  // namespace

void Napt::prefetch_outbound(std::span<const std::span<std::uint8_t>> packets) const {
    Key keys[group_size];
    for (std::size_t i = 0; i < packets.size(); ++i) {
        keys[i] = key_of(packets[i], net::icmpv4_type::echo_request);
        if (keys[i].ok) mappings_.prefetch(mapping_hash(keys[i].protocol, keys[i].src, keys[i].sport));
    }
    for (std::size_t i = 0; i < packets.size(); ++i) {
        const Key& k = keys[i];
        if (!k.ok) continue;
        const std::uint32_t mpos = find_mapping_pos(k.protocol, k.src, k.sport);
        if (mpos == empty_ref) continue;
        const std::uint16_t rport = k.protocol == Protocol::icmp ? 0 : k.dport;
        sessions_.prefetch(session_hash(k.protocol, mappings_.at(mpos).external_port, k.dst, remote_key(k.protocol, rport)));
    }
}

void Napt::prefetch_inbound(std::span<const std::span<std::uint8_t>> packets) const {
    Key keys[group_size];
    std::uint32_t slots[group_size];
    for (std::size_t i = 0; i < packets.size(); ++i) {
        Key& k = keys[i];
        k = key_of(packets[i], net::icmpv4_type::echo_reply);
        slots[i] = PortIndex::npos;
        if (!k.ok || k.dst != cfg_.external.value) continue;
        slots[i] = index_.slot_of(k.dport);
        if (slots[i] == PortIndex::npos) continue;
        prefetch_line(&reverse_[index_of(k.protocol) * index_.size() + slots[i]]);
        const std::uint16_t rport = k.protocol == Protocol::icmp ? 0 : k.sport;
        sessions_.prefetch(session_hash(k.protocol, k.dport, k.src, remote_key(k.protocol, rport)));
    }
    for (std::size_t i = 0; i < packets.size(); ++i) {
        if (slots[i] == PortIndex::npos) continue;
        const std::uint32_t mpos = reverse_[index_of(keys[i].protocol) * index_.size() + slots[i]];
        if (mpos != empty_ref) mappings_.prefetch_at(mpos);
    }
}

void Napt::translate_outbound_batch(std::span<const std::span<std::uint8_t>> packets, Time now,
                                    std::span<Outcome> outcomes) {
    for (std::size_t at = 0; at < packets.size(); at += group_size) {
        const auto group = packets.subspan(at, std::min(group_size, packets.size() - at));
        prefetch_outbound(group);
        for (std::size_t i = 0; i < group.size(); ++i) outcomes[at + i] = translate_outbound(group[i], now);
    }
}

void Napt::translate_inbound_batch(std::span<const std::span<std::uint8_t>> packets, Time now,
                                   std::span<Outcome> outcomes) {
    for (std::size_t at = 0; at < packets.size(); at += group_size) {
        const auto group = packets.subspan(at, std::min(group_size, packets.size() - at));
        prefetch_inbound(group);
        for (std::size_t i = 0; i < group.size(); ++i) outcomes[at + i] = translate_inbound(group[i], now);
    }
}

}  // namespace s46::napt
