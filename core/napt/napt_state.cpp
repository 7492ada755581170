// Mappings, sessions and hosts: lookup, creation with port allocation and the fair
// share, refresh, and expiry by a clock hand. No packet bytes here.
#include <algorithm>

#include "core/napt/napt.hpp"
#include "core/napt/napt_lookup.hpp"
#include "core/napt/tcp_tracking.hpp"

namespace s46::napt {

std::uint32_t Napt::find_host_pos(std::uint32_t address) const {
    return hosts_.find(mix64(address ^ host_seed_), [&](const HostEntry& h) { return h.address == address; });
}

// Everything but the common case (mapping and session both exist), which
// napt_lookup.hpp's inline bind_outbound() handles before calling this.
Napt::Bound Napt::bind_outbound_slow(Protocol p, std::uint32_t internal_address, std::uint16_t internal_port,
                                std::uint32_t remote_address, std::uint16_t remote_key, std::uint8_t tcp_flags,
                                std::uint32_t now_s, bool outbound) {
    const unsigned pi = index_of(p);
    auto refused = [](DropReason r) { return Bound::refused(r); };
    auto on_mapping_move = [this](const MappingEntry& m, std::uint32_t pos) { reverse_ref(m.protocol, m.external_port) = pos; };
    auto no_move = [](const auto&, std::uint32_t) {};

    // At most two passes: when there is no room, reclaim expired state once and retry.
    // The reclaim may remove entries found in the first pass, so everything is looked up again.
    for (bool retried = false;; retried = true) {
        auto reclaim_then_retry = [&]() { return !retried && sweep(now_s, cfg_.reclaim_scan) > 0; };

        const std::uint32_t mpos = find_mapping_pos(p, internal_address, internal_port);
        if (mpos != empty_ref) {
            MappingEntry& m = mappings_.at(mpos);
            const std::uint16_t external_port = m.external_port;
            const std::uint32_t spos = find_session_pos(p, external_port, remote_address, remote_key);
            if (spos != empty_ref) {
                m.expiry = mapping_expiry(m, refresh_session(sessions_.at(spos), outbound, tcp_flags, now_s));
                return Bound::to(external_port);
            }
            // A new remote for an existing mapping (endpoint-independent mapping, RFC 4787 REQ-1).
            HostEntry& h = hosts_.at(find_host_pos(internal_address));
            if (h.sessions >= cfg_.max_sessions_per_host) return refused(DropReason::host_share_exhausted);
            if (m.sessions == 0xffff) return refused(DropReason::mapping_session_limit);
            if (sessions_.size() >= cfg_.max_sessions) {
                if (reclaim_then_retry()) continue;
                return refused(DropReason::session_table_full);
            }
            SessionEntry s;
            s.remote_address = remote_address;
            s.remote_port = remote_key;
            s.external_port = external_port;
            s.protocol = static_cast<std::uint8_t>(p);
            s.expiry = 0;
            const std::uint32_t expiry = refresh_session(s, outbound, tcp_flags, now_s);
            if (sessions_.insert(s, session_hash(p, external_port, remote_address, remote_key),
                                 no_move) == RobinHoodTable<SessionEntry>::npos)
                return refused(DropReason::session_table_full);
            ++m.sessions;
            m.expiry = std::max(m.expiry, expiry);
            ++h.sessions;
            ++c_.sessions_created;
            sweep(now_s, cfg_.sweep_per_new_session);
            return Bound::to(external_port);
        }

        // A new mapping: the host's share, then room, then a port. A static forward's endpoint
        // has its port reserved: it needs no free port and does not count against the share
        // of ports (the operator gave it that one).
        const StaticSlot* fixed = statics_.empty() ? nullptr : static_by_endpoint(p, internal_address, internal_port);
        std::uint32_t hpos = find_host_pos(internal_address);
        if (hpos != empty_ref) {
            const HostEntry& h = hosts_.at(hpos);
            if ((!fixed && h.ports[pi] >= cfg_.max_ports_per_host) || h.sessions >= cfg_.max_sessions_per_host)
                return refused(DropReason::host_share_exhausted);
        } else if (hosts_.size() >= cfg_.max_hosts) {
            if (reclaim_then_retry()) continue;
            return refused(DropReason::host_table_full);
        }
        if (sessions_.size() >= cfg_.max_sessions) {
            if (reclaim_then_retry()) continue;
            return refused(DropReason::session_table_full);
        }
        if (!fixed && used_count_[pi] == index_.size()) {
            if (reclaim_then_retry()) continue;
            return refused(DropReason::port_exhausted);
        }
        // Only the endpoint's own mapping ever holds its reserved slot (set_static_forwards).
        if (fixed && reverse_[pi * index_.size() + fixed->slot] != empty_ref) return refused(DropReason::port_exhausted);
        // RFC 6056 §3.3.1: a random slot, then the next free one. Slots, not ports, so a
        // MAP set's 2^a - 1 blocks form one range (port_index.hpp). Reserved slots are marked
        // used, so they are never picked.
        const std::uint32_t slot = fixed ? fixed->slot : used_[pi].next_free(scale_to(random_.next32(), index_.size()));
        const std::uint16_t external_port = index_.port(slot);

        SessionEntry s;
        s.remote_address = remote_address;
        s.remote_port = remote_key;
        s.external_port = external_port;
        s.protocol = static_cast<std::uint8_t>(p);
        const std::uint32_t expiry = refresh_session(s, outbound, tcp_flags, now_s);

        MappingEntry m;
        m.internal_address = internal_address;
        m.internal_port = internal_port;
        m.external_port = external_port;
        m.protocol = static_cast<std::uint8_t>(p);
        m.sessions = 1;
        m.expiry = expiry;

        // Insert host, mapping, session; undo on the (practically impossible) probe-length
        // overflow so that a refusal leaves no partial state.
        bool new_host = false;
        if (hpos == empty_ref) {
            HostEntry h;
            h.address = internal_address;
            hpos = hosts_.insert(h, mix64(internal_address ^ host_seed_), no_move);
            if (hpos == RobinHoodTable<HostEntry>::npos) return refused(DropReason::host_table_full);
            new_host = true;
        }
        auto undo_host = [&]() {
            if (new_host) hosts_.erase(find_host_pos(internal_address), no_move);
        };
        const std::uint32_t new_mpos =
            mappings_.insert(m, mapping_hash(p, internal_address, internal_port), on_mapping_move);
        if (new_mpos == RobinHoodTable<MappingEntry>::npos) {
            undo_host();
            return refused(DropReason::session_table_full);
        }
        reverse_[pi * index_.size() + slot] = new_mpos;
        if (sessions_.insert(s, session_hash(p, external_port, remote_address, remote_key),
                             no_move) == RobinHoodTable<SessionEntry>::npos) {
            reverse_[pi * index_.size() + slot] = empty_ref;
            mappings_.erase(new_mpos, on_mapping_move);
            undo_host();
            return refused(DropReason::session_table_full);
        }
        if (!fixed) {  // a reserved slot is marked used for as long as it is reserved
            used_[pi].set(slot);
            ++used_count_[pi];
        }
        HostEntry& h = hosts_.at(find_host_pos(internal_address));
        ++h.ports[pi];
        ++h.sessions;
        ++c_.mappings_created;
        ++c_.sessions_created;
        sweep(now_s, cfg_.sweep_per_new_session);
        return Bound::to(external_port);
    }
}

std::size_t Napt::expire(Time now, std::size_t max_entries) { return sweep(seconds_of(now), max_entries); }

// The clock hand: look at `budget` session slots from where it stopped last time and
// remove the expired sessions there. Deletion shifts the next entries back into the
// current slot, so the hand stays put after a removal.
std::size_t Napt::sweep(std::uint32_t now_s, std::size_t budget) {
    std::size_t removed = 0;
    for (; budget > 0 && sessions_.size() > 0; --budget) {
        const SessionEntry& s = sessions_.at(hand_);
        if (s.dist != 0 && s.expiry <= now_s) {
            remove_session(hand_);
            ++removed;
        } else {
            hand_ = sessions_.next(hand_);
        }
    }
    c_.sessions_expired += removed;
    return removed;
}

void Napt::remove_session(std::uint32_t pos) {
    const SessionEntry s = sessions_.at(pos);
    sessions_.erase(pos, [](const SessionEntry&, std::uint32_t) {});
    const std::uint32_t mpos = reverse_ref(s.protocol, s.external_port);
    MappingEntry& m = mappings_.at(mpos);
    const std::uint32_t hpos = find_host_pos(m.internal_address);
    HostEntry& h = hosts_.at(hpos);
    --h.sessions;
    if (--m.sessions == 0) {
        --h.ports[s.protocol];
        remove_mapping(mpos);
    }
    if (h.sessions == 0) hosts_.erase(hpos, [](const HostEntry&, std::uint32_t) {});
}

void Napt::remove_mapping(std::uint32_t pos) {
    const MappingEntry m = mappings_.at(pos);
    const std::uint32_t slot = index_.slot_of(m.external_port);
    reverse_[m.protocol * index_.size() + slot] = empty_ref;
    if (!reserved_[m.protocol].test(slot)) {  // a static forward's port stays taken
        used_[m.protocol].reset(slot);
        --used_count_[m.protocol];
    }
    mappings_.erase(pos, [this](const MappingEntry& e, std::uint32_t to) { reverse_ref(e.protocol, e.external_port) = to; });
    ++c_.mappings_removed;
}

}  // namespace s46::napt
