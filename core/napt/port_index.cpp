#include "core/napt/port_index.hpp"

namespace s46::napt {

PortIndex::PortIndex(const map::PortSet& set)
    : set_(set),
      m_(set.contiguous_bits()),
      j_mask_((1u << set.contiguous_bits()) - 1u),
      block_shift_(16u - set.offset()),
      a_nonzero_(set.offset() > 0 ? 1u : 0u),
      psid_field_(std::uint32_t{set.psid()} << set.contiguous_bits()) {
    const std::uint32_t total = set.port_count();
    // Ports ascend with the ordinal, so the ones below 1024 are a prefix.
    std::uint32_t low = 0;
    while (low < total && port_of_ordinal(low) < 1024) ++low;
    if (low < total) skip_ = low;
    else skip_ = (total > 0 && port_of_ordinal(0) == 0) ? 1u : 0u;  // never port 0
    size_ = total - skip_;
}

}  // namespace s46::napt
