#include "core/napt/conntrack_view.hpp"

#include <algorithm>
#include <map>
#include <tuple>

namespace s46::napt {

namespace {
constexpr std::uint8_t kIcmp = 1, kTcp = 6, kUdp = 17;
bool has_port(std::uint8_t proto) { return proto == kTcp || proto == kUdp || proto == kIcmp; }
}  // namespace

bool stale_after_rebinding(const NatFlow& flow, net::Ipv4Address old_address, net::Ipv4Address new_address,
                           const map::PortSet& new_set) {
    if (old_address != new_address && flow.nat_address == old_address) return true;
    if (flow.nat_address != new_address) return false;
    // A protocol without ports cannot be checked against the set; the ruleset drops those.
    return has_port(flow.proto) && !new_set.contains(flow.nat_port);
}

std::vector<std::uint32_t> busiest_occupancy(std::span<const NatFlow> flows, net::Ipv4Address nat_address,
                                             std::span<const map::PortRange> ranges) {
    std::vector<std::uint32_t> out(ranges.size(), 0);
    // (proto, remote, remote port) -> ports in use per range
    std::map<std::tuple<std::uint8_t, std::uint32_t, std::uint16_t>, std::vector<std::uint32_t>> per_destination;
    for (const NatFlow& f : flows) {
        if (f.nat_address != nat_address || !has_port(f.proto)) continue;
        // ranges ascend (dynamic_ranges): the first range whose last port is >= nat_port
        auto it = std::lower_bound(ranges.begin(), ranges.end(), f.nat_port,
                                   [](const map::PortRange& r, std::uint16_t p) { return r.last < p; });
        if (it == ranges.end() || it->first > f.nat_port) continue;
        auto& counts = per_destination[{f.proto, f.remote.value, f.remote_port}];
        if (counts.empty()) counts.assign(ranges.size(), 0);
        const auto i = static_cast<std::size_t>(it - ranges.begin());
        out[i] = std::max(out[i], ++counts[i]);
    }
    return out;
}

}  // namespace s46::napt
