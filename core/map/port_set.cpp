#include "core/map/port_set.hpp"

#include <string>

namespace s46::map {

PortSet::PortSet(unsigned offset, unsigned psid_len, unsigned psid)
    : offset_(static_cast<std::uint8_t>(offset)),
      psid_len_(static_cast<std::uint8_t>(psid_len)),
      psid_(static_cast<std::uint16_t>(psid)),
      psid_shift_(static_cast<std::uint8_t>(16u - offset - psid_len)),
      psid_mask_(static_cast<std::uint16_t>(((1u << psid_len) - 1u) << (16u - offset - psid_len))),
      psid_field_(static_cast<std::uint16_t>(psid << (16u - offset - psid_len))),
      first_allowed_(static_cast<std::uint16_t>(offset == 0 ? 0u : 1u << (16u - offset))) {}

Result<PortSet> PortSet::make(unsigned offset, unsigned psid_len, unsigned psid) {
    // RFC 7598 §4.5 / RFC 7597 §5.1 bounds; each message names the field it rejects.
    if (offset > 15) return fail("offset " + std::to_string(offset) + " exceeds 15 (RFC 7598 §4.5)");
    if (psid_len > 16) return fail("PSID-len " + std::to_string(psid_len) + " exceeds 16 (RFC 7598 §4.5)");
    if (offset + psid_len > 16)
        return fail("offset " + std::to_string(offset) + " + PSID-len " + std::to_string(psid_len) +
                    " exceeds the 16 port bits (RFC 7597 §5.1)");
    if (psid >= (1u << psid_len))
        return fail("PSID " + std::to_string(psid) + " does not fit in PSID-len " + std::to_string(psid_len));
    return PortSet(offset, psid_len, psid);
}

std::uint32_t PortSet::port_count() const {
    const std::uint32_t per_psid = 1u << (16u - psid_len_);
    return offset_ == 0 ? per_psid : per_psid - (1u << contiguous_bits());
}

std::vector<PortRange> PortSet::ranges() const {
    std::vector<PortRange> out;
    out.reserve(range_count());
    for_each_range([&](PortRange r) { out.push_back(r); });
    return out;
}

}  // namespace s46::map
