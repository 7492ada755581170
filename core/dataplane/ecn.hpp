// RFC 6040 §4.2: the inner ECN field after decapsulation, from the inner and outer fields
// (normal mode). Not-ECT = 0, ECT(1) = 1, ECT(0) = 2, CE = 3 (RFC 3168 §5).
#pragma once

#include <cstdint>
#include <optional>

namespace s46::dataplane {

// nullopt: drop (outer CE on a Not-ECT inner packet: the congestion mark cannot be passed on).
constexpr std::optional<std::uint8_t> decapsulated_ecn(std::uint8_t inner, std::uint8_t outer) {
    constexpr std::uint8_t not_ect = 0, ect1 = 1, ce = 3;
    inner &= 3;
    outer &= 3;
    if (inner == not_ect) {
        if (outer == ce) return std::nullopt;
        return not_ect;
    }
    if (outer == ce) return ce;
    if (outer == ect1 && inner != ce) return ect1;  // ECT(0) inner, ECT(1) outer -> ECT(1)
    return inner;
}

}  // namespace s46::dataplane
