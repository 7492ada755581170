// Construction, sizing, flush/replan and introspection. The packet paths are in
// napt_outbound.cpp, napt_inbound.cpp and napt_icmp_error.cpp; state in napt_state.cpp.
#include "core/napt/napt.hpp"
#include "core/napt/napt_lookup.hpp"

#include <algorithm>
#include <utility>

namespace s46::napt {

namespace {

// Slots for `entries` at a load factor of at most 0.8, plus the one empty slot every
// probe relies on. 0.8 is where Robin Hood probes stay around two entries on average
// (one cache line) while the memory budget still holds (docs/napt.md "Memory").
std::uint32_t slots_for(std::uint32_t entries) {
    return static_cast<std::uint32_t>((std::uint64_t{entries} * 5 + 3) / 4) + 1;
}

std::uint32_t mapping_capacity(const Config& c, const PortIndex& index) {
    // Every mapping holds a session, and each protocol has index.size() external ports.
    return static_cast<std::uint32_t>(std::min<std::uint64_t>(c.max_sessions, std::uint64_t{kProtocolCount} * index.size()));
}

// The hash seeds come from a stream separate from the port choice, so that the port
// sequence depends on Config::seed alone (the differential test replays it).
constexpr std::uint64_t hash_stream = 0x68617368'73656564ull;

}  // namespace

Result<Napt> Napt::create(const Config& config) {
    PortIndex index(config.ports);
    auto resolved = resolve(config, index.size());
    if (!resolved) return fail(resolved.error());
    return Napt(config, *resolved);
}

Napt::Napt(const Config& requested, const Config& resolved)
    : requested_(requested),
      cfg_(resolved),
      index_(resolved.ports),
      random_(resolved.seed),
      mappings_(slots_for(mapping_capacity(resolved, index_))),
      sessions_(slots_for(resolved.max_sessions)),
      hosts_(slots_for(resolved.max_hosts)),
      reverse_(std::size_t{kProtocolCount} * index_.size(), empty_ref),
      used_(kProtocolCount, SlotBitmap(index_.size())),
      reserved_(kProtocolCount, SlotBitmap(index_.size())) {
    PortRandom seeds(resolved.seed ^ hash_stream);
    // Odd: the multipliers of the packet-path hashes (napt_lookup.hpp).
    mapping_seed_ = seeds.next64() | 1;
    session_seed_ = seeds.next64() | 1;
    host_seed_ = seeds.next64();
    const Timeouts& t = cfg_.timeouts;
    timeouts_s_[0] = static_cast<std::uint32_t>(t.udp.count());
    timeouts_s_[1] = static_cast<std::uint32_t>(t.tcp_established.count());
    timeouts_s_[2] = static_cast<std::uint32_t>(t.tcp_transitory.count());
    timeouts_s_[3] = static_cast<std::uint32_t>(t.icmp_query.count());
}

std::size_t Napt::flush() {
    const std::size_t dropped = sessions_.size();
    sessions_.clear();
    mappings_.clear();
    hosts_.clear();
    std::fill(reverse_.begin(), reverse_.end(), empty_ref);
    for (auto& u : used_) u.clear();
    std::fill(std::begin(used_count_), std::end(used_count_), 0u);
    mark_reserved_used();  // the static forwards outlive a flush
    hand_ = 0;
    ++c_.flushes;
    c_.sessions_flushed += dropped;
    return dropped;
}

Result<std::size_t> Napt::replan(net::Ipv4Address external, const map::PortSet& ports) {
    Config next = requested_;
    next.external = external;
    next.ports = ports;
    auto fresh = create(next);
    if (!fresh) return fail(fresh.error());
    // The forwards whose port the new set still holds; the daemon re-sends its list after a
    // plan change anyway, but no packet may take a forwarded port in between.
    std::vector<StaticForward> kept;
    for (const auto& s : statics_)
        if (fresh->index_.slot_of(s.forward.external_port) != PortIndex::npos) kept.push_back(s.forward);
    if (auto r = fresh->set_static_forwards(kept); !r) return fail(r.error());
    const std::size_t dropped = flush();
    fresh->c_ = c_;
    *this = std::move(*fresh);
    return dropped;
}

std::size_t Napt::memory_bytes() const {
    std::size_t bytes = sizeof(*this) + mappings_.memory_bytes() + sessions_.memory_bytes() + hosts_.memory_bytes() +
                        reverse_.capacity() * sizeof(std::uint32_t) + used_.capacity() * sizeof(SlotBitmap) +
                        reserved_.capacity() * sizeof(SlotBitmap) + statics_.capacity() * sizeof(StaticSlot);
    for (const auto& u : used_) bytes += u.memory_bytes();
    for (const auto& r : reserved_) bytes += r.memory_bytes();
    return bytes;
}

MappingInfo Napt::info_of(const MappingEntry& m, std::uint32_t now_s) const {
    MappingInfo i;
    i.protocol = static_cast<Protocol>(m.protocol);
    i.internal_address = net::Ipv4Address{m.internal_address};
    i.internal_port = m.internal_port;
    i.external_port = m.external_port;
    i.sessions = m.sessions;
    i.live = now_s < m.expiry;
    return i;
}

std::optional<MappingInfo> Napt::find_mapping(Protocol p, net::Ipv4Address internal_address,
                                              std::uint16_t internal_port, Time now) const {
    const std::uint32_t pos = find_mapping_pos(p, internal_address.value, internal_port);
    if (pos == empty_ref) return std::nullopt;
    return info_of(mappings_.at(pos), seconds_of(now));
}

std::optional<MappingInfo> Napt::find_mapping_by_external(Protocol p, std::uint16_t external_port, Time now) const {
    const std::uint32_t slot = index_.slot_of(external_port);
    if (slot == PortIndex::npos) return std::nullopt;
    const std::uint32_t pos = reverse_[index_of(p) * index_.size() + slot];
    if (pos == empty_ref) return std::nullopt;
    return info_of(mappings_.at(pos), seconds_of(now));
}

HostUsage Napt::host_usage(net::Ipv4Address internal_address) const {
    HostUsage u;
    const std::uint32_t pos = find_host_pos(internal_address.value);
    if (pos == empty_ref) return u;
    const HostEntry& h = hosts_.at(pos);
    u.sessions = h.sessions;
    std::copy(std::begin(h.ports), std::end(h.ports), std::begin(u.ports));
    return u;
}

}  // namespace s46::napt
