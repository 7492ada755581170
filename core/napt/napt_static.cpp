// Static forwards in the engine: reserving their ports, moving mappings out of the way, and
// the sessions an inbound packet to a forwarded port opens. Control plane except match_static(),
// which only runs for packets that would otherwise be dropped.
#include <algorithm>

#include "core/napt/napt.hpp"
#include "core/napt/napt_lookup.hpp"
#include "core/net/tcp_packet.hpp"

namespace s46::napt {

const Napt::StaticSlot* Napt::static_by_slot(unsigned proto, std::uint32_t slot) const {
    for (const auto& s : statics_)
        if (index_of(s.forward.protocol) == proto && s.slot == slot) return &s;
    return nullptr;
}

const Napt::StaticSlot* Napt::static_by_endpoint(Protocol p, std::uint32_t internal_address,
                                                 std::uint16_t internal_port) const {
    for (const auto& s : statics_)
        if (s.forward.protocol == p && s.forward.lan_address.value == internal_address && s.forward.lan_port == internal_port)
            return &s;
    return nullptr;
}

// After a flush: the reserved slots are taken again before any packet can ask for a port.
void Napt::mark_reserved_used() {
    for (const auto& s : statics_) {
        const unsigned pi = index_of(s.forward.protocol);
        if (!used_[pi].test(s.slot)) {
            used_[pi].set(s.slot);
            ++used_count_[pi];
        }
    }
}

// Removes every session of the mapping at `mpos`; the last one takes the mapping (and an
// emptied host) with it (remove_session). Sessions are keyed by external port, not by mapping,
// so this walks the table: control plane only. An erase shifts the following entries back
// into the current slot, so the walk stays put after a removal; the outer loop catches an
// entry that wrapped around past the end.
std::size_t Napt::displace_mapping(std::uint32_t mpos) {
    const MappingEntry m = mappings_.at(mpos);
    const unsigned pi = m.protocol;
    const std::uint32_t slot = index_.slot_of(m.external_port);
    std::size_t removed = 0;
    while (reverse_[pi * index_.size() + slot] != empty_ref) {
        for (std::uint32_t i = 0; i < sessions_.slots();) {
            const SessionEntry& s = sessions_.at(i);
            if (s.dist != 0 && s.protocol == m.protocol && s.external_port == m.external_port) {
                remove_session(i);
                ++removed;
                if (reverse_[pi * index_.size() + slot] == empty_ref) break;
            } else {
                ++i;
            }
        }
    }
    if (hand_ >= sessions_.slots()) hand_ = 0;
    c_.sessions_displaced += removed;
    return removed;
}

Result<std::size_t> Napt::set_static_forwards(std::span<const StaticForward> forwards) {
    std::vector<StaticSlot> next;
    next.reserve(forwards.size());
    for (const auto& f : forwards) {
        if (f.protocol == Protocol::icmp) return fail("static forward " + describe(f) + ": only tcp and udp ports are forwarded");
        if (f.lan_port == 0) return fail("static forward " + describe(f) + ": LAN port 0");
        const std::uint32_t slot = index_.slot_of(f.external_port);
        if (slot == PortIndex::npos)
            return fail("static forward " + describe(f) + ": port " + std::to_string(f.external_port) +
                        " is not a dynamic port of the NAPT's port set");
        for (const auto& n : next)
            if (n.forward.protocol == f.protocol &&
                (n.slot == slot || (n.forward.lan_address == f.lan_address && n.forward.lan_port == f.lan_port)))
                return fail("static forwards " + describe(n.forward) + " and " + describe(f) + " collide");
        next.push_back({f, slot});
    }

    // Release the old reservations; a slot whose mapping still lives stays used until it goes.
    for (const auto& s : statics_) {
        const unsigned pi = index_of(s.forward.protocol);
        reserved_[pi].reset(s.slot);
        if (used_[pi].test(s.slot) && reverse_[pi * index_.size() + s.slot] == empty_ref) {
            used_[pi].reset(s.slot);
            --used_count_[pi];
        }
    }
    statics_ = std::move(next);

    std::size_t displaced = 0;
    for (const auto& s : statics_) {
        const unsigned pi = index_of(s.forward.protocol);
        const std::uint32_t address = s.forward.lan_address.value;
        // Another endpoint's mapping on the port: it goes (its flows restart on another port).
        const std::uint32_t on_port = reverse_[pi * index_.size() + s.slot];
        if (on_port != empty_ref) {
            const MappingEntry& m = mappings_.at(on_port);
            if (m.internal_address != address || m.internal_port != s.forward.lan_port) displaced += displace_mapping(on_port);
        }
        // The endpoint's own mapping on another port: it goes too, so that the endpoint's next
        // packet takes the forwarded port (one external port per endpoint, RFC 4787 REQ-1).
        const std::uint32_t own = find_mapping_pos(s.forward.protocol, address, s.forward.lan_port);
        if (own != empty_ref && mappings_.at(own).external_port != s.forward.external_port) displaced += displace_mapping(own);
        reserved_[pi].set(s.slot);
        if (!used_[pi].test(s.slot)) {
            used_[pi].set(s.slot);
            ++used_count_[pi];
        }
    }
    return displaced;
}

std::vector<StaticForward> Napt::static_forwards() const {
    std::vector<StaticForward> out;
    for (const auto& s : statics_) out.push_back(s.forward);
    return out;
}

// An inbound packet to a forwarded port that no session lets in: the forward is the operator's
// standing permission for any remote, which endpoint-independent filtering would give a dynamic
// mapping only while it lives (RFC 4787 §5). The session it opens is an ordinary one -- same
// limits, timeouts and filtering afterwards -- as if the LAN endpoint had sent first. TCP opens
// only on a SYN (without ACK): anything else has no connection to belong to and stays filtered,
// as for any unknown remote (RFC 5382 §4.3).
Napt::Matched Napt::match_static(Protocol p, std::uint32_t slot, std::uint32_t remote_address, std::uint16_t remote_key,
                                 std::uint8_t tcp_flags, std::uint32_t now_s) {
    const StaticSlot* s = static_by_slot(index_of(p), slot);
    if (!s) return Matched::refused(DropReason::no_mapping_inbound);
    namespace f = net::tcp_flag;
    if (p == Protocol::tcp && !((tcp_flags & f::syn) && !(tcp_flags & f::ack))) return Matched::refused(DropReason::filtered);
    const std::uint32_t address = s->forward.lan_address.value;
    const std::uint16_t port = s->forward.lan_port;
    const Bound b = bind_outbound_slow(p, address, port, remote_address, remote_key, tcp_flags, now_s, false);
    if (!b.verdict.passed()) return Matched::refused(*b.verdict.reason());
    ++c_.static_sessions_opened;
    return Matched::to(address, port);
}

}  // namespace s46::napt
