#include "core/dataplane/path_mtu.hpp"

#include <algorithm>

namespace s46::dataplane {

PathMtuCache::PathMtuCache(std::size_t capacity, Time lifetime) : entries_(std::max<std::size_t>(capacity, 1)), lifetime_(lifetime) {}

std::uint16_t PathMtuCache::lookup_slow(const net::Ipv6Address& remote, std::uint16_t tunnel_mtu, Time now) const {
    for (std::size_t i = 0; i < used_; ++i) {
        const Entry& e = entries_[i];
        if (e.remote == remote) return now - e.learnt < lifetime_ ? std::min(e.mtu, tunnel_mtu) : tunnel_mtu;
    }
    return tunnel_mtu;
}

bool PathMtuCache::lower(const net::Ipv6Address& remote, std::uint16_t mtu, Time now) {
    for (std::size_t i = 0; i < used_; ++i) {
        Entry& e = entries_[i];
        if (e.remote != remote) continue;
        const bool stale = now - e.learnt >= lifetime_;
        if (!stale && e.mtu <= mtu) return false;
        e.mtu = mtu;
        e.learnt = now;
        return true;
    }
    std::size_t at = used_;
    if (used_ < entries_.size()) {
        ++used_;
    } else {
        at = 0;
        for (std::size_t i = 1; i < used_; ++i)
            if (entries_[i].learnt < entries_[at].learnt) at = i;
    }
    entries_[at] = Entry{remote, mtu, now};
    return true;
}

void PathMtuCache::expire(Time now) {
    std::size_t kept = 0;
    for (std::size_t i = 0; i < used_; ++i)
        if (now - entries_[i].learnt < lifetime_) entries_[kept++] = entries_[i];
    used_ = kept;
}

void PathMtuCache::clear() { used_ = 0; }

}  // namespace s46::dataplane
