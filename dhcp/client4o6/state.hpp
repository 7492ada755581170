// The engine's states (RFC 2131 §4.4, Figure 5) and the table of allowed transitions. Every state
// change goes through Client::enter(), which refuses an edge this table does not list.
#pragma once

#include <cstdint>
#include <string_view>

namespace s46::dhcp::client4o6 {

enum class State : std::uint8_t {
    Init,        // not started, stopped, or waiting to restart after NAK / DECLINE / give-up
    Selecting,   // DHCPDISCOVER sent, waiting for a DHCPOFFER
    Requesting,  // DHCPREQUEST sent for the chosen OFFER
    Bound,       // lease held; waiting for T1
    Renewing,    // §4.4.5: DHCPREQUEST to the leasing server (U flag), until T2
    Rebinding,   // §4.4.5: DHCPREQUEST to any server, until the lease expires
};

inline constexpr std::size_t kStateCount = 6;

constexpr std::string_view to_string(State s) {
    switch (s) {
        case State::Init: return "Init";
        case State::Selecting: return "Selecting";
        case State::Requesting: return "Requesting";
        case State::Bound: return "Bound";
        case State::Renewing: return "Renewing";
        case State::Rebinding: return "Rebinding";
    }
    return "?";
}

// Whether `from` -> `to` is an edge of the engine's state machine (docs/dhcp4o6-client.md §1).
bool transition_allowed(State from, State to);

}  // namespace s46::dhcp::client4o6
