// Local configuration that steers mode selection: what RFC 8026 leaves to the implementation.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "core/select/mode.hpp"

namespace s46::select {

// What to do when a valid option 111 names no mechanism that is a valid candidate.
// RFC 8026 §1.4 says the client MAY configure one of the provisioned mechanisms; which is ours to pick.
enum class NoMatchPolicy : std::uint8_t {
    default_order,  // fall back to the configured default order (our default)
    none,           // configure nothing: the operator's list is authoritative
};

struct Policy {
    // Mechanisms this CPE may run (the draft §3.2: a CPE built for fewer modes ignores the others).
    std::vector<Mode> enabled{Mode::mape, Mode::lw4o6, Mode::dslite};
    // Mode::none means "auto": derive the mode from what the Reply carries. Anything else pins
    // the CPE to that mode (draft §3.2: it ignores every parameter the mode does not need).
    Mode configured = Mode::none;
    // Order used when no valid 111 decides (RFC 8026 leaves it open). Default: MAP-E, lw4o6, DS-Lite,
    // which is OpenWrt's precedence without MAP-T.
    std::vector<Mode> default_order{Mode::mape, Mode::lw4o6, Mode::dslite};
    NoMatchPolicy no_match = NoMatchPolicy::default_order;

    bool is_enabled(Mode m) const;
    friend bool operator==(const Policy&, const Policy&) = default;
};

// Parses "mape,lw4o6,dslite" (each mode at most once, at least one).
Result<std::vector<Mode>> parse_mode_list(std::string_view text);
// Parses "auto|dslite|lw4o6|mape" into Policy::configured (auto → Mode::none).
Result<Mode> parse_configured_mode(std::string_view text);

}  // namespace s46::select
