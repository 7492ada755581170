// Per-remote tunnel path MTU, learnt from ICMPv6 Packet Too Big about our tunnel packets
// (RFC 2473 §6.7: the tunnel MTU is the path MTU to the exit point minus the tunnel headers;
// §8.3 relays the lower value to the IPv4 source).
//
// Fixed capacity, allocated up front; a full table replaces its oldest entry. Estimates age out
// after `lifetime` so a path that grew is tried again (RFC 8201 §4: not sooner than 5 minutes
// after a Packet Too Big, 10 recommended). An empty table costs one compare per packet.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "core/time.hpp"
#include "core/net/ipv6.hpp"

namespace s46::dataplane {

class PathMtuCache {
public:
    explicit PathMtuCache(std::size_t capacity = 32, Time lifetime = std::chrono::minutes(10));

    // The inner (IPv4) MTU toward `remote`: the learnt value if live and lower, else `tunnel_mtu`.
    std::uint16_t lookup(const net::Ipv6Address& remote, std::uint16_t tunnel_mtu, Time now) const {
        return used_ == 0 ? tunnel_mtu : lookup_slow(remote, tunnel_mtu, now);
    }
    // Records `mtu` for `remote` if lower than what is known. Returns true if it lowered something.
    bool lower(const net::Ipv6Address& remote, std::uint16_t mtu, Time now);
    void expire(Time now);
    void clear();
    std::size_t size() const { return used_; }

private:
    struct Entry {
        net::Ipv6Address remote;
        std::uint16_t mtu = 0;
        Time learnt{};
    };
    std::uint16_t lookup_slow(const net::Ipv6Address& remote, std::uint16_t tunnel_mtu, Time now) const;

    std::vector<Entry> entries_;  // [0, used_) live or stale; capacity fixed
    std::size_t used_ = 0;
    Time lifetime_;
};

}  // namespace s46::dataplane
