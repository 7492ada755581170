// The dynamic ports of a port set, numbered densely: slot 0 .. size()-1 <-> port.
//
// The NAPT allocates and indexes by slot, never by port, so that a non-contiguous MAP
// set (2^a - 1 blocks of 2^m ports, RFC 7597 §5.1) is one dense range: the reverse
// table is an array of size() entries per protocol and a random start plus linear
// probing walks every block.
//
// Slot n of the full set is port  ((n >> m) + [a > 0]) << (16 - a) | PSID << m | (n mod 2^m):
// the block index skips A = 0 when a > 0, exactly as PortSet::for_each_range does.
//
// Well-known ports (docs/napt.md): the leading ports below 1024 are left out when the set
// has any port at or above 1024. That keeps 0-1023 out of a full address (dynamic ports
// 1024-65535, RFC 6056 §3.2 / RFC 4787 REQ-3a's intent) and out of the A = 0-adjacent
// low ports a set with a > 6 would include. A set that lies wholly below 1024 (an operator
// choice RFC 7596 §5.1 advises against) keeps its ports, all but port 0.
#pragma once

#include <cstdint>

#include "core/map/port_set.hpp"

namespace s46::napt {

class PortIndex {
public:
    static constexpr std::uint32_t npos = 0xffffffffu;

    explicit PortIndex(const map::PortSet& set);

    std::uint32_t size() const { return size_; }
    const map::PortSet& set() const { return set_; }

    // Precondition: slot < size().
    std::uint16_t port(std::uint32_t slot) const { return port_of_ordinal(slot + skip_); }

    // npos when the port is not a dynamic port of this set.
    std::uint32_t slot_of(std::uint16_t port) const {
        if (!set_.contains(port)) return npos;
        const std::uint32_t block = (std::uint32_t{port} >> block_shift_) - a_nonzero_;
        const std::uint32_t n = (block << m_) | (port & j_mask_);
        return n >= skip_ ? n - skip_ : npos;
    }

    // Ports of the set below the first slot (left out as described above).
    std::uint32_t skipped() const { return skip_; }

private:
    std::uint16_t port_of_ordinal(std::uint32_t n) const {
        return static_cast<std::uint16_t>((((n >> m_) + a_nonzero_) << block_shift_) | psid_field_ | (n & j_mask_));
    }

    map::PortSet set_;
    std::uint32_t size_ = 0;
    std::uint32_t skip_ = 0;
    std::uint32_t m_ = 0;            // contiguous bits
    std::uint32_t j_mask_ = 0;       // 2^m - 1
    std::uint32_t block_shift_ = 0;  // 16 - a (16 when a = 0: the block index is then always 0)
    std::uint32_t a_nonzero_ = 0;    // 1 when a > 0 (block A = 0 excluded)
    std::uint32_t psid_field_ = 0;   // PSID << m
};

}  // namespace s46::napt
