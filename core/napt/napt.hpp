// Port-set restricted NAPT44 for a softwire CE: DS-Lite B4 (full address), lwB4 (RFC
// 7596 §5.2, restricted port set) and MAP-E CE (RFC 7597 §5.3/§8, GMA port set).
//
// It rewrites IPv4 packets in place in a caller-owned buffer: the source address and
// port / ICMP identifier on the way out, the destination on the way in, with the IPv4
// and transport checksums fixed incrementally (RFC 1624; a UDP checksum of 0 stays 0).
// Everything is sized at construction: the packet path never allocates, logs or reads a
// clock (`now` is passed in). What it does, rule by rule, is in docs/napt.md:
//
//  * endpoint-independent mapping (RFC 4787 REQ-1, RFC 5382 REQ-1, RFC 5508 REQ-1a);
//  * filtering endpoint-independent, address-dependent (default) or address-and-port-
//    dependent (RFC 4787 REQ-8, RFC 5382 REQ-3);
//  * external ports and ICMP identifiers only from the port set, random start then the
//    next free one (RFC 6056 §3.3.1; RFC 7597 §8.2, RFC 7596 §8.2), with a per-host share;
//  * idle timeouts per protocol and TCP state (RFC 4787 REQ-5/6, RFC 5382 REQ-5, RFC 5508
//    REQ-2), expiry by a clock hand amortised over new sessions and expire();
//  * ICMP errors carrying a quoted packet, both directions (RFC 5508 REQ-3..6);
//  * hairpinning (RFC 4787 REQ-9, RFC 5382 REQ-8): see Action::hairpin;
//  * flush on a plan change (RFC 7596 §5.1);
//  * static forwards (static_forward.hpp): reserved external ports toward one LAN endpoint.
//
// Not here: reassembly (non-first fragments are refused; the caller reassembles first,
// RFC 4787 REQ-14), TTL, IPv4 header validation beyond what translation needs (the caller's
// RFC 1812 §5.2.2 input checks), generating ICMP errors (the verdict says when to).
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "core/napt/config.hpp"
#include "core/napt/counters.hpp"
#include "core/napt/drop_reason.hpp"
#include "core/napt/entries.hpp"
#include "core/napt/port_index.hpp"
#include "core/napt/port_random.hpp"
#include "core/napt/protocol.hpp"
#include "core/napt/robin_hood.hpp"
#include "core/napt/slot_bitmap.hpp"
#include "core/napt/static_forward.hpp"
#include "core/net/ipv4.hpp"
#include "core/net/ipv4_packet.hpp"
#include "core/result.hpp"
#include "core/time.hpp"
#include "core/verdict.hpp"

namespace s46::napt {

enum class Action : std::uint8_t {
    // Translated: send it on (outbound into the softwire, inbound to the LAN).
    forward,
    // Outbound only: translated, and addressed to our own external address at a port of
    // our set, i.e. to another LAN host's mapping. Pass the buffer to translate_inbound()
    // next (RFC 4787 REQ-9a: it then carries our external address and port as source).
    // Traffic to our address at a port outside the set belongs to a CE sharing the
    // address and is `forward` (RFC 7597 §8: the mesh or the BR takes it to that CE).
    hairpin,
    // Refused: `reason` says why and its counter was bumped. The buffer is unchanged.
    drop,
};

// What translate_outbound() / translate_inbound() did: the Verdict of core/verdict.hpp plus the
// hairpin case. Kept as two bytes (action, reason) because it is returned per packet.
class Outcome {
public:
    static constexpr Outcome forward() { return Outcome(Action::forward, DropReason{}); }
    static constexpr Outcome hairpin() { return Outcome(Action::hairpin, DropReason{}); }
    static constexpr Outcome drop(DropReason why) { return Outcome(Action::drop, why); }
    // A Verdict that passed is `forward` (a check inside the engine, not a hairpin decision).
    static constexpr Outcome from(const Verdict<DropReason>& v) { return v.passed() ? forward() : drop(*v.reason()); }

    constexpr Action action() const { return action_; }
    constexpr bool ok() const { return action_ != Action::drop; }
    // Why it was dropped; empty unless action() is drop.
    constexpr std::optional<DropReason> reason() const {
        return action_ == Action::drop ? std::optional<DropReason>(reason_) : std::nullopt;
    }

    // Default: an empty slot for the batch calls to fill.
    constexpr Outcome() = default;

private:
    constexpr Outcome(Action a, DropReason r) : action_(a), reason_(r) {}

    Action action_ = Action::drop;
    DropReason reason_ = DropReason::malformed;  // read only through reason(), when action_ is drop
};

struct MappingInfo {
    Protocol protocol = Protocol::udp;
    net::Ipv4Address internal_address;
    std::uint16_t internal_port = 0;  // or ICMP identifier
    std::uint16_t external_port = 0;
    std::uint16_t sessions = 0;
    bool live = false;  // some session refreshed it recently enough (expired ones wait for the sweep)
};

struct HostUsage {
    std::uint32_t sessions = 0;
    std::uint16_t ports[kProtocolCount] = {0, 0, 0};
};

class Napt {
public:
    // Checks the configuration (config.hpp resolve()) and sizes every table.
    static Result<Napt> create(const Config& config);

    // LAN -> WAN. Rewrites the source address to the external address and the source
    // port (UDP, TCP) or echo identifier (ICMP) to the mapping's external port, creating
    // the mapping and session if needed; ICMP errors from LAN hosts get their quoted
    // packet translated (RFC 5508 REQ-5). `packet` is one IPv4 datagram (bytes past Total
    // Length are ignored).
    Outcome translate_outbound(std::span<std::uint8_t> packet, Time now);

    // WAN -> LAN (after decapsulation), or a hairpinned packet. Rewrites the destination
    // back to the internal endpoint if a live mapping exists and filtering lets it in;
    // ICMP errors get their quoted packet translated (RFC 5508 REQ-4). Never creates state.
    Outcome translate_inbound(std::span<std::uint8_t> packet, Time now);

    // The same as translate_outbound() / translate_inbound() on each packet in order --
    // same outcomes, same state, same counters -- but the table lines each packet will read
    // are prefetched a group or two ahead, so that their cache misses overlap instead of
    // queueing one packet at a time (napt_batch.cpp). `outcomes` must be at least as long
    // as `packets`. Any length works; 16 or more lets the prefetch run ahead.
    void translate_outbound_batch(std::span<const std::span<std::uint8_t>> packets, Time now,
                                  std::span<Outcome> outcomes);
    void translate_inbound_batch(std::span<const std::span<std::uint8_t>> packets, Time now,
                                 std::span<Outcome> outcomes);

    // The prefetch stages of the batch calls, for a caller that batches around other work
    // (dataplane::Pipeline::outbound_batch; napt_batch.hpp runs them). Stage 1 requests the
    // first table line of each packet's lookup, stage 2 -- a group later, once those lines
    // are in -- reads them and requests the second. They change nothing (no state, no
    // counter) and skip packets that are malformed or of no lookup.
    void prefetch_outbound_mappings(std::span<const std::span<std::uint8_t>> packets) const;  // stage 1
    void prefetch_outbound_sessions(std::span<const std::span<std::uint8_t>> packets) const;  // stage 2
    void prefetch_inbound_sessions(std::span<const std::span<std::uint8_t>> packets) const;   // stage 1
    void prefetch_inbound_mappings(std::span<const std::span<std::uint8_t>> packets) const;   // stage 2

    // Takes up to `max_entries` steps of the expiry hand. A step looks at one session
    // slot and either removes the session there, if its idle timeout has passed (with the
    // mapping and host it leaves empty), or moves on; so the work per call is bounded.
    // Returns the number of sessions removed. Call it from a timer, e.g. every second
    // with session_slots() / 8: a pass over the whole table takes at most 16 s even when
    // half the steps are removals.
    std::size_t expire(Time now, std::size_t max_entries);

    // Drops every mapping and session (RFC 7596 §5.1: a new IPv4 address or PSID MUST
    // flush the NAPT table). Returns the number of sessions dropped. Not for the packet path.
    std::size_t flush();

    // A plan change: flush, then use `external` and `ports` from now on. The tables are
    // re-sized for the new set (this allocates). On error nothing changes.
    Result<std::size_t> replan(net::Ipv4Address external, const map::PortSet& ports);

    // Static forwards (static_forward.hpp): from now on each forward's external port is reserved
    // -- never handed to another flow -- and is the external port of its LAN endpoint's mapping;
    // an inbound TCP SYN or UDP packet to it from any remote opens a session toward the LAN
    // endpoint. Replaces the previous list. Mappings in the way (another endpoint on a newly
    // reserved port, or the endpoint itself on another port) are removed with their sessions,
    // whose number is returned. Refused, changing nothing, when a port is not one of the set's
    // dynamic ports (PortIndex) or two forwards share a port or a LAN endpoint. Kept across
    // flush(); replan() keeps the forwards whose port the new set holds. Not for the packet path.
    Result<std::size_t> set_static_forwards(std::span<const StaticForward> forwards);
    std::vector<StaticForward> static_forwards() const;

    // ---- introspection (control plane, tests) ----
    const Config& config() const { return cfg_; }  // with the 0 defaults filled in
    const PortIndex& port_index() const { return index_; }
    const Counters& counters() const { return c_; }
    std::size_t session_count() const { return sessions_.size(); }
    std::size_t mapping_count() const { return mappings_.size(); }
    std::size_t host_count() const { return hosts_.size(); }
    std::uint32_t session_slots() const { return sessions_.slots(); }

    std::optional<MappingInfo> find_mapping(Protocol p, net::Ipv4Address internal_address, std::uint16_t internal_port,
                                            Time now) const;
    std::optional<MappingInfo> find_mapping_by_external(Protocol p, std::uint16_t external_port, Time now) const;
    HostUsage host_usage(net::Ipv4Address internal_address) const;

    template <class F>
    void for_each_mapping(Time now, F&& f) const {
        for (std::uint32_t i = 0; i < mappings_.slots(); ++i)
            if (mappings_.at(i).dist != 0) f(info_of(mappings_.at(i), seconds_of(now)));
    }

    // Bytes held by the tables (entries, reverse index, bitmaps) and this object.
    std::size_t memory_bytes() const;
    // memory_bytes() / max_sessions: the all-in cost of one session at capacity.
    double bytes_per_session() const { return static_cast<double>(memory_bytes()) / cfg_.max_sessions; }

    // Whole seconds, clamped so that now + timeout + 1 fits in 32 bits (timeouts < 2^24 s).
    static std::uint32_t seconds_of(Time now) {
        constexpr std::int64_t max_s = 0xffffffffll - (std::int64_t{1} << 24) - 2;
        const std::int64_t s = std::chrono::duration_cast<std::chrono::seconds>(now).count();
        return static_cast<std::uint32_t>(s < 0 ? 0 : (s > max_s ? max_s : s));
    }

private:
    static constexpr std::uint32_t empty_ref = 0xffffffffu;

    // A lookup's answer: the verdict and, when it passed, the endpoint found.
    struct Bound {
        Verdict<DropReason> verdict;
        std::uint16_t external_port = 0;
        static Bound to(std::uint16_t port) { return Bound{Verdict<DropReason>::pass(), port}; }
        static Bound refused(DropReason r) { return Bound{Verdict<DropReason>::drop(r), 0}; }
    };
    struct Matched {
        Verdict<DropReason> verdict;
        std::uint32_t internal_address = 0;
        std::uint16_t internal_port = 0;
        static Matched to(std::uint32_t address, std::uint16_t port) { return Matched{Verdict<DropReason>::pass(), address, port}; }
        static Matched refused(DropReason r) { return Matched{Verdict<DropReason>::drop(r), 0, 0}; }
    };
    struct StaticSlot {
        StaticForward forward;
        std::uint32_t slot = 0;  // of forward.external_port in index_
    };

    Napt(const Config& requested, const Config& resolved);

    // ---- state (napt_state.cpp; the per-packet part inline in napt_lookup.hpp) ----
    // `outbound` false: a session opened by an inbound packet to a static forward.
    Bound bind_outbound_slow(Protocol p, std::uint32_t internal_address, std::uint16_t internal_port,
                             std::uint32_t remote_address, std::uint16_t remote_key, std::uint8_t tcp_flags,
                             std::uint32_t now_s, bool outbound = true);
    Bound bind_outbound(Protocol p, std::uint32_t internal_address, std::uint16_t internal_port,
                        std::uint32_t remote_address, std::uint16_t remote_key, std::uint8_t tcp_flags,
                        std::uint32_t now_s);
    Matched match_inbound(Protocol p, std::uint16_t external_port, std::uint32_t remote_address,
                          std::uint16_t remote_key, std::uint8_t tcp_flags, std::uint32_t now_s, bool refresh);
    std::uint32_t find_mapping_pos(Protocol p, std::uint32_t internal_address, std::uint16_t internal_port) const;
    std::uint32_t find_session_pos(Protocol p, std::uint16_t external_port, std::uint32_t remote_address,
                                   std::uint16_t remote_key) const;
    std::uint32_t find_host_pos(std::uint32_t address) const;
    std::uint64_t mapping_hash(Protocol p, std::uint32_t internal_address, std::uint16_t internal_port) const;
    std::uint64_t session_hash(Protocol p, std::uint16_t external_port, std::uint32_t remote_address,
                               std::uint16_t remote_key) const;
    std::uint32_t refresh_session(SessionEntry& s, bool outbound, std::uint8_t tcp_flags, std::uint32_t now_s) const;
    std::uint32_t timeout_s(Protocol p, std::uint8_t tcp_state) const;
    static std::uint32_t mapping_expiry(const MappingEntry& m, std::uint32_t session_expiry);
    std::size_t sweep(std::uint32_t now_s, std::size_t budget);
    void remove_session(std::uint32_t pos);
    void remove_mapping(std::uint32_t pos);
    // ---- static forwards (napt_static.cpp) ----
    const StaticSlot* static_by_slot(unsigned proto, std::uint32_t slot) const;
    const StaticSlot* static_by_endpoint(Protocol p, std::uint32_t internal_address, std::uint16_t internal_port) const;
    Matched match_static(Protocol p, std::uint32_t slot, std::uint32_t remote_address, std::uint16_t remote_key,
                         std::uint8_t tcp_flags, std::uint32_t now_s);
    std::size_t displace_mapping(std::uint32_t mpos);
    void mark_reserved_used();
    std::uint32_t& reverse_ref(unsigned proto, std::uint16_t external_port) {
        return reverse_[proto * index_.size() + index_.slot_of(external_port)];
    }
    std::uint16_t remote_key(Protocol p, std::uint16_t remote_port) const {
        return (p == Protocol::icmp || cfg_.filtering == Filtering::address_dependent) ? 0 : remote_port;
    }
    MappingInfo info_of(const MappingEntry& m, std::uint32_t now_s) const;

    // ---- packet paths (napt_outbound.cpp, napt_inbound.cpp, napt_icmp_error.cpp) ----
    Outcome drop_outbound(DropReason r);
    Outcome drop_inbound(DropReason r);
    Outcome outbound_icmp_error(net::Ipv4View ip, bool fragment, std::uint32_t now_s);
    Outcome inbound_icmp_error(net::Ipv4View ip, bool fragment, std::uint32_t now_s);

    Config requested_;  // as given, for replan()
    Config cfg_;        // resolved
    PortIndex index_;
    std::uint64_t mapping_seed_;  // odd: the multiplier of mapping_hash() (napt_lookup.hpp)
    std::uint64_t session_seed_;  // odd: the multiplier of session_hash()
    std::uint64_t host_seed_;
    PortRandom random_;
    std::uint32_t timeouts_s_[4];  // udp, tcp established, tcp transitory, icmp
    RobinHoodTable<MappingEntry> mappings_;
    RobinHoodTable<SessionEntry> sessions_;
    RobinHoodTable<HostEntry> hosts_;
    std::vector<std::uint32_t> reverse_;  // [protocol * slots + slot] -> mapping position
    std::vector<SlotBitmap> used_;        // per protocol
    std::uint32_t used_count_[kProtocolCount] = {0, 0, 0};
    std::uint32_t hand_ = 0;  // expiry sweep position in sessions_
    std::vector<StaticSlot> statics_;
    std::vector<SlotBitmap> reserved_;  // per protocol: the static forwards' slots (also set in used_)
    Counters c_;
};

}  // namespace s46::napt
