// The client engine's states (RFC 8415 §18) and the table of allowed transitions. Every state
// change goes through Client::enter(), which refuses an edge this table does not list
// (as systemd sd-dhcp6-client's client_start_transaction does; the table: docs/dhcpv6-client.md §1).
#pragma once

#include <cstdint>
#include <string_view>

namespace s46::dhcp::client {

enum class State : std::uint8_t {
    init,                   // not started, stopped, or released
    soliciting,             // §18.2.1: Solicit sent, collecting Advertise (or a Rapid Commit Reply)
    requesting,             // §18.2.2: Request sent to the chosen server
    bound,                  // leases held; waiting for T1
    renewing,               // §18.2.4: Renew sent to the server that granted the leases, until T2
    rebinding,              // §18.2.5: Rebind sent to any server, until the leases expire; also after
                            // link-up and restore() (§18.2.12), with Confirm's retransmission limits
    releasing,              // §18.2.7: Release sent on orderly shutdown
    information_requesting,  // §18.2.6: stateless mode, Information-request sent
    informed,               // stateless mode: configuration received, waiting for the refresh time
};

inline constexpr std::size_t kStateCount = 9;

constexpr std::string_view to_string(State s) {
    switch (s) {
        case State::init: return "Init";
        case State::soliciting: return "Soliciting";
        case State::requesting: return "Requesting";
        case State::bound: return "Bound";
        case State::renewing: return "Renewing";
        case State::rebinding: return "Rebinding";
        case State::releasing: return "Releasing";
        case State::information_requesting: return "InformationRequesting";
        case State::informed: return "Informed";
    }
    return "?";
}

// Whether `from` -> `to` is an edge of the engine's state machine (docs/dhcpv6-client.md).
bool transition_allowed(State from, State to);

}  // namespace s46::dhcp::client
