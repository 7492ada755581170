// The per-packet lookups, defined inline so that the common case -- mapping and session
// both exist -- compiles into the translate functions without a call (measured: the calls
// and their register saves were a fifth of the instructions per packet). Internal to
// core/napt; napt.hpp declares these members.
#pragma once

#include <algorithm>

#include "core/napt/napt.hpp"
#include "core/napt/tcp_tracking.hpp"

namespace s46::napt {

namespace detail {

inline constexpr std::uint64_t mapping_key(Protocol p, std::uint32_t address, std::uint16_t port) {
    return (std::uint64_t{address} << 32) | (std::uint64_t{port} << 16) | index_of(p);
}

inline constexpr std::uint64_t session_key(Protocol p, std::uint16_t external_port, std::uint32_t remote_address,
                                           std::uint16_t remote_key) {
    // 66 bits of key; the protocol is spread by an odd constant instead of packed.
    return ((std::uint64_t{remote_address} << 32) | (std::uint64_t{remote_key} << 16) | external_port) ^
           (index_of(p) * 0x9e3779b97f4a7c15ull);
}

}  // namespace detail

// Multiply-shift (Dietzfelbinger et al. 1997): the key times a random odd 64-bit multiplier;
// the table takes the top bits (RobinHoodTable::home). For a secret multiplier two distinct
// keys share a home slot with probability at most about 2 / slots, so LAN hosts still cannot
// aim keys at one slot (docs/napt.md "Seeds"). One multiply instead of fmix64's two
// multiplies and three shift-xors: these hashes run up to five times per packet in the batch
// path, and their latency sits in front of every table miss.
inline std::uint64_t Napt::mapping_hash(Protocol p, std::uint32_t internal_address,
                                        std::uint16_t internal_port) const {
    return detail::mapping_key(p, internal_address, internal_port) * mapping_seed_;
}

inline std::uint64_t Napt::session_hash(Protocol p, std::uint16_t external_port, std::uint32_t remote_address,
                                        std::uint16_t remote_key) const {
    return detail::session_key(p, external_port, remote_address, remote_key) * session_seed_;
}

inline std::uint32_t Napt::find_mapping_pos(Protocol p, std::uint32_t internal_address,
                                            std::uint16_t internal_port) const {
    const std::uint8_t proto = static_cast<std::uint8_t>(p);
    return mappings_.find(mapping_hash(p, internal_address, internal_port),
                          [&](const MappingEntry& m) {
                              return m.internal_address == internal_address && m.internal_port == internal_port &&
                                     m.protocol == proto;
                          });
}

inline std::uint32_t Napt::find_session_pos(Protocol p, std::uint16_t external_port, std::uint32_t remote_address,
                                            std::uint16_t remote_key) const {
    const std::uint8_t proto = static_cast<std::uint8_t>(p);
    return sessions_.find(session_hash(p, external_port, remote_address, remote_key),
                          [&](const SessionEntry& s) {
                              return s.remote_address == remote_address && s.remote_port == remote_key &&
                                     s.external_port == external_port && s.protocol == proto;
                          });
}

inline std::uint32_t Napt::timeout_s(Protocol p, std::uint8_t tcp_state) const {
    switch (p) {
        case Protocol::udp: return timeouts_s_[0];
        case Protocol::tcp: return tcp_track::established(tcp_state) ? timeouts_s_[1] : timeouts_s_[2];
        case Protocol::icmp: return timeouts_s_[3];
    }
    return timeouts_s_[0];
}

// Both directions refresh (RFC 4787 REQ-6: outbound MUST, inbound MAY; a TCP connection
// is idle only when neither side speaks). An expired session that the sweep has not
// reached yet is revived by outbound traffic as if new. Returns the new expiry: one
// second more than the timeout, so that whole-second bookkeeping never cuts it short.
inline std::uint32_t Napt::refresh_session(SessionEntry& s, bool outbound, std::uint8_t tcp_flags,
                                           std::uint32_t now_s) const {
    const Protocol p = static_cast<Protocol>(s.protocol);
    if (s.expiry <= now_s) s.tcp = 0;
    if (p == Protocol::tcp) s.tcp = tcp_track::update(s.tcp, tcp_flags, outbound);
    const std::uint32_t expiry = now_s + 1 + timeout_s(p, s.tcp);
    if (s.expiry != expiry) s.expiry = expiry;  // most packets within a second store nothing
    return expiry;
}

// A mapping lives as long as its longest-lived session. With one session (the usual TCP
// case: one connection per ephemeral port) that is exactly the session's expiry, so a
// closed connection takes its mapping down after the transitory timeout. With several,
// the latest expiry ever granted is kept: never too early, possibly late until the
// sessions dwindle to one again.
inline std::uint32_t Napt::mapping_expiry(const MappingEntry& m, std::uint32_t session_expiry) {
    return m.sessions == 1 ? session_expiry : std::max(m.expiry, session_expiry);
}

inline Napt::Bound Napt::bind_outbound(Protocol p, std::uint32_t internal_address, std::uint16_t internal_port,
                                       std::uint32_t remote_address, std::uint16_t remote_key, std::uint8_t tcp_flags,
                                       std::uint32_t now_s) {
    const std::uint32_t mpos = find_mapping_pos(p, internal_address, internal_port);
    if (mpos != empty_ref) {
        MappingEntry& m = mappings_.at(mpos);
        const std::uint32_t spos = find_session_pos(p, m.external_port, remote_address, remote_key);
        if (spos != empty_ref) {
            m.expiry = mapping_expiry(m, refresh_session(sessions_.at(spos), true, tcp_flags, now_s));
            return Bound::to(m.external_port);
        }
    }
    return bind_outbound_slow(p, internal_address, internal_port, remote_address, remote_key, tcp_flags, now_s);
}

inline Napt::Matched Napt::match_inbound(Protocol p, std::uint16_t external_port, std::uint32_t remote_address,
                                         std::uint16_t remote_key, std::uint8_t tcp_flags, std::uint32_t now_s,
                                         bool refresh) {
    auto refused = [](DropReason r) { return Matched::refused(r); };
    const std::uint32_t slot = index_.slot_of(external_port);
    if (slot == PortIndex::npos)
        return refused(index_.set().contains(external_port) ? DropReason::no_mapping_inbound : DropReason::port_outside_set);
    // A static forward's port lets in what filtering would not (napt_static.cpp); `refresh`
    // false is an ICMP error's quote, which never opens anything.
    auto unmatched = [&](DropReason r) {
        return refresh && reserved_[index_of(p)].test(slot) ? match_static(p, slot, remote_address, remote_key, tcp_flags, now_s)
                                                           : refused(r);
    };
    const std::uint32_t mpos = reverse_[index_of(p) * index_.size() + slot];
    if (mpos == empty_ref) return unmatched(DropReason::no_mapping_inbound);
    MappingEntry& m = mappings_.at(mpos);
    if (m.expiry <= now_s) return unmatched(DropReason::no_mapping_inbound);

    // RFC 4787 §5: the session is the record of "X:x has sent to Y[:y]".
    const std::uint32_t spos = find_session_pos(p, external_port, remote_address, remote_key);
    const bool known = spos != empty_ref && now_s < sessions_.at(spos).expiry;
    if (!known && cfg_.filtering != Filtering::endpoint_independent) return unmatched(DropReason::filtered);
    if (known && refresh) m.expiry = mapping_expiry(m, refresh_session(sessions_.at(spos), false, tcp_flags, now_s));
    return Matched::to(m.internal_address, m.internal_port);
}

}  // namespace s46::napt
