#include "dhcp/client/state.hpp"

#include <array>
#include <initializer_list>

namespace s46::dhcp::client {

namespace {

using S = State;

constexpr std::uint16_t to_set(std::initializer_list<S> states) {
    std::uint16_t m = 0;
    for (S s : states) m = static_cast<std::uint16_t>(m | (1u << static_cast<unsigned>(s)));
    return m;
}

// Row `from`: the states it may enter. Self-edges restart the state's exchange (link-up, a new
// Rebind). Indexed by State's value, in declaration order.
constexpr std::array<std::uint16_t, kStateCount> kTable{
    // Init: start() stateful or stateless; restore(): a still-valid lease is rebound (§18.2.12).
    to_set({S::soliciting, S::information_requesting, S::rebinding}),
    // Soliciting: Advertise chosen; Rapid Commit Reply (§18.2.1); link-up restart; stop; a lease
    // still held after a failed NoBinding recovery is released on stop or rebound on link-up.
    to_set({S::soliciting, S::requesting, S::bound, S::init, S::releasing, S::rebinding}),
    // Requesting: Reply; REQ_MAX_RC reached or no bindings -> Solicit again (§18.2.2); stop; link-up.
    to_set({S::bound, S::soliciting, S::init, S::releasing, S::rebinding}),
    // Bound: T1 (T1 >= T2: Rebind at once); link-up; stop; expiry when T1 is infinite.
    to_set({S::renewing, S::rebinding, S::releasing, S::soliciting}),
    // Renewing: Reply; T2; NoBinding -> Request (§18.2.10.1); expiry or all leases revoked; stop.
    to_set({S::bound, S::rebinding, S::requesting, S::soliciting, S::releasing}),
    // Rebinding: Reply; link-up again; a Confirm-limited Rebind gave up (back to the lease's own
    // timers: Bound or Renew); NoBinding; expiry; stop.
    to_set({S::bound, S::rebinding, S::renewing, S::requesting, S::soliciting, S::releasing}),
    // Releasing: Reply or REL_MAX_RC transmissions made.
    to_set({S::init}),
    // InformationRequesting: Reply; link-up restart; stop.
    to_set({S::information_requesting, S::informed, S::init}),
    // Informed: refresh time reached or link-up; stop.
    to_set({S::information_requesting, S::init}),
};

}  // namespace

bool transition_allowed(State from, State to) {
    const auto f = static_cast<std::size_t>(from), t = static_cast<std::size_t>(to);
    return f < kTable.size() && t < kStateCount && (kTable[f] >> t & 1u) != 0;
}

}  // namespace s46::dhcp::client
