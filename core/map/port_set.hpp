// The port set of one CE: RFC 7597 §5.1 Generalized Modulus Algorithm (GMA), Appendix B.
// A 16-bit port is read as  A (a bits) | PSID (k bits) | j (m bits),  m = 16 - a - k.
// The CE owns every port whose PSID field equals its PSID, except (when a > 0) the block
// with A = 0, which §5.1 excludes so that the well-known ports are never handed out.
#pragma once

#include <cstdint>
#include <vector>

#include "core/result.hpp"

namespace s46::map {

// A closed range of ports, first <= last.
struct PortRange {
    std::uint16_t first = 0;
    std::uint16_t last = 0;
    friend bool operator==(const PortRange&, const PortRange&) = default;
};

class PortSet {
public:
    // Validates a (offset, 0..15), k (psid_len, a + k <= 16) and psid (< 2^k), RFC 7598 §4.5.
    static Result<PortSet> make(unsigned offset, unsigned psid_len, unsigned psid);
    // Every port 0..65535: a full address or an IPv4 prefix is not shared (RFC 7597 §5.2).
    static PortSet all() { return PortSet(0, 0, 0); }

    std::uint8_t offset() const { return offset_; }      // a
    std::uint8_t psid_len() const { return psid_len_; }  // k
    std::uint16_t psid() const { return psid_; }         // right-aligned
    unsigned contiguous_bits() const { return 16u - offset_ - psid_len_; }  // m

    // 2^(16-k) ports, minus the 2^m of the excluded A = 0 block when a > 0 (RFC 7597 §5.1).
    std::uint32_t port_count() const;
    // 2^a - 1 ranges of 2^m ports when a > 0, else one range.
    std::uint32_t range_count() const { return offset_ == 0 ? 1u : (1u << offset_) - 1u; }

    // PSID = (port >> m) & (2^k - 1): the PSID of the CE that owns `port` (RFC 7597 §5.1).
    // Precondition: offset + psid_len <= 16 (PortSet::make and validate() enforce it).
    static std::uint16_t psid_of(std::uint16_t port, unsigned offset, unsigned psid_len) {
        return static_cast<std::uint16_t>((std::uint32_t{port} >> (16u - offset - psid_len)) & ((1u << psid_len) - 1u));
    }
    std::uint16_t psid_of(std::uint16_t port) const { return static_cast<std::uint16_t>((port & psid_mask_) >> psid_shift_); }

    // One mask-compare for the PSID field and one compare for A != 0 (A = 0 <=> port < 2^(16-a)).
    bool contains(std::uint16_t port) const { return (port & psid_mask_) == psid_field_ && port >= first_allowed_; }

    // Ascending; the lowest block is absent when a > 0.
    std::vector<PortRange> ranges() const;

    template <class F>
    void for_each_range(F&& f) const {
        const std::uint32_t size = 1u << contiguous_bits();
        const std::uint32_t stride = 1u << (16u - offset_);  // 2^16 when a = 0: one block
        for (std::uint32_t a = offset_ == 0 ? 0u : 1u; a < (1u << offset_); ++a) {
            const std::uint32_t first = a * stride + psid_field_;
            f(PortRange{static_cast<std::uint16_t>(first), static_cast<std::uint16_t>(first + size - 1u)});
        }
    }

    template <class F>
    void for_each_port(F&& f) const {
        for_each_range([&](PortRange r) {
            for (std::uint32_t p = r.first; p <= r.last; ++p) f(static_cast<std::uint16_t>(p));
        });
    }

    friend bool operator==(const PortSet& x, const PortSet& y) {
        return x.offset_ == y.offset_ && x.psid_len_ == y.psid_len_ && x.psid_ == y.psid_;
    }

private:
    PortSet(unsigned offset, unsigned psid_len, unsigned psid);

    std::uint8_t offset_;
    std::uint8_t psid_len_;
    std::uint16_t psid_;
    // Precomputed for contains() and psid_of(): the PSID field mask and value in port position,
    // m (the shift that right-aligns the field), and 2^(16-a) (0 when a = 0).
    std::uint8_t psid_shift_;
    std::uint16_t psid_mask_;
    std::uint16_t psid_field_;
    std::uint16_t first_allowed_;
};

}  // namespace s46::map
