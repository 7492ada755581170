// The engine's states (RFC 2131 §4.4, Figure 5) and the table of allowed transitions. Every state
// change goes through Client::enter(), which refuses an edge this table does not list.
#pragma once

#include <cstdint>
#include <string_view>

namespace s46::dhcp::client4o6 {

enum class State : std::uint8_t {
    init,        // not started, stopped, or waiting to restart after NAK / DECLINE / give-up
    selecting,   // DHCPDISCOVER sent, waiting for a DHCPOFFER
    requesting,  // DHCPREQUEST sent for the chosen OFFER
    bound,       // lease held; waiting for T1
    renewing,    // §4.4.5: DHCPREQUEST to the leasing server (U flag), until T2
    rebinding,   // §4.4.5: DHCPREQUEST to any server, until the lease expires
};

inline constexpr std::size_t kStateCount = 6;

constexpr std::string_view to_string(State s) {
    switch (s) {
        case State::init: return "Init";
        case State::selecting: return "Selecting";
        case State::requesting: return "Requesting";
        case State::bound: return "Bound";
        case State::renewing: return "Renewing";
        case State::rebinding: return "Rebinding";
    }
    return "?";
}

// Whether `from` -> `to` is an edge of the engine's state machine (docs/dhcp4o6-client.md §1).
bool transition_allowed(State from, State to);

}  // namespace s46::dhcp::client4o6
