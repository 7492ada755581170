#include "dhcp/client4o6/state.hpp"

#include <array>
#include <initializer_list>

namespace s46::dhcp::client4o6 {

namespace {

using S = State;

constexpr std::uint8_t to_set(std::initializer_list<S> states) {
    std::uint8_t m = 0;
    for (S s : states) m = static_cast<std::uint8_t>(m | (1u << static_cast<unsigned>(s)));
    return m;
}

// Row `from`: the states it may enter, indexed by State's value. Self-edges restart the state's
// exchange (a new source address while Selecting or Renewing).
constexpr std::array<std::uint8_t, kStateCount> kTable{
    // Init: start() or the restart delay ran out; restore() of a stored lease.
    to_set({S::selecting, S::bound}),
    // Selecting: OFFER chosen; new source address restarts DISCOVER; stop.
    to_set({S::requesting, S::selecting, S::init}),
    // Requesting: ACK; NAK or retransmissions exhausted (§3.1 step 5); new source address; stop.
    to_set({S::bound, S::init, S::selecting}),
    // Bound: T1 (T1 = T2: straight to REBINDING); new source address (REQUEST in RENEWING);
    // DECLINE, stop.
    to_set({S::renewing, S::rebinding, S::init}),
    // Renewing: ACK; T2; NAK, expiry, DECLINE, stop; new source address restarts the REQUEST.
    to_set({S::bound, S::rebinding, S::init, S::renewing}),
    // Rebinding: ACK; NAK, expiry, DECLINE, stop; new source address restarts the REQUEST.
    to_set({S::bound, S::init, S::rebinding}),
};

}  // namespace

bool transition_allowed(State from, State to) {
    const auto f = static_cast<std::size_t>(from), t = static_cast<std::size_t>(to);
    return f < kTable.size() && t < kStateCount && (kTable[f] >> t & 1u) != 0;
}

}  // namespace s46::dhcp::client4o6
