// The softwire modes this CPE runs, and the S46 option codes that name them (RFC 8026 §4.1).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

namespace s46::select {

enum class Mode : std::uint8_t { none, dslite, lw4o6, mape };

inline constexpr std::array<Mode, 3> kAllModes = {Mode::mape, Mode::lw4o6, Mode::dslite};

constexpr std::string_view to_string(Mode m) {
    switch (m) {
        case Mode::dslite: return "dslite";
        case Mode::lw4o6: return "lw4o6";
        case Mode::mape: return "mape";
        case Mode::none: break;
    }
    return "none";
}

constexpr std::optional<Mode> mode_from_string(std::string_view s) {
    if (s == "dslite") return Mode::dslite;
    if (s == "lw4o6") return Mode::lw4o6;
    if (s == "mape") return Mode::mape;
    if (s == "none") return Mode::none;
    return std::nullopt;
}

// RFC 8026 §4.1: the option code that identifies each mechanism in option 111.
constexpr std::uint16_t option_code(Mode m) {
    switch (m) {
        case Mode::dslite: return 64;
        case Mode::lw4o6: return 96;
        case Mode::mape: return 94;
        case Mode::none: break;
    }
    return 0;
}

// The mode an option-111 code names, if this CPE implements it. 95 (MAP-T) is a registered code
// this CPE does not run; unknown codes are skipped (RFC 8026 §1.4). 88 (DHCPv4-over-DHCPv6,
// RFC 8026 §4.1) names a provisioning method, not a mode of its own: choose() lets it name lw4o6
// only when lw4o6 is provisioned that way (kCodeDhcp4o6), so it is not mapped here.
// RFC 8026 §4.1: option 111's code for DHCPv4-over-DHCPv6 (RFC 7341).
inline constexpr std::uint16_t kCodeDhcp4o6 = 88;

constexpr std::optional<Mode> mode_for_code(std::uint16_t code) {
    switch (code) {
        case 64: return Mode::dslite;
        case 94: return Mode::mape;
        case 96: return Mode::lw4o6;
        default: return std::nullopt;
    }
}

}  // namespace s46::select
