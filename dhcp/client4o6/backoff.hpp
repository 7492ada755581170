// When to retransmit. Two RFC 2131 rules, pure arithmetic on an injected Random:
//  * §4.1, DHCPDISCOVER and DHCPREQUEST in REQUESTING: 4, 8, 16, 32, then 64 s between
//    transmissions, each randomized by a uniform -1..+1 s.
//  * §4.4.5, DHCPREQUEST in RENEWING / REBINDING: half the time left until T2 (RENEWING) or until
//    the lease expires (REBINDING), but at least 60 s, and never past that end.
#pragma once

#include <cstdint>
#include <optional>

#include "dhcp/client4o6/types.hpp"

namespace s46::dhcp::client4o6 {

inline constexpr Time kFirstBackoff = std::chrono::seconds(4);   // §4.1
inline constexpr Time kMaxBackoff = std::chrono::seconds(64);    // §4.1
inline constexpr Time kBackoffJitter = std::chrono::seconds(1);  // §4.1: -1..+1 s
inline constexpr Time kMinRenewWait = std::chrono::seconds(60);  // §4.4.5
// §4.1 gives no count; after the 64-s wait the REQUEST has had the whole schedule, and §3.1
// step 5 says to go back to INIT. DISCOVER never gives up.
inline constexpr unsigned kRequestTransmissions = 5;

// Uniform in [-1 s, +1 s] from 32 random bits (0 -> -1 s, 0xffffffff -> +1 s).
Time backoff_jitter(std::uint32_t r);

// The §4.1 wait after the `transmission`-th send (1-based): 4, 8, 16, 32, 64, 64... s, not jittered.
Time backoff_base(unsigned transmission);

// §4.4.5: the wait after a RENEWING / REBINDING transmission at `now` for an exchange that ends at
// `end` (T2 or expiry). Returns `end` when the 60-s minimum would pass it.
Time renew_retransmit_at(Time now, Time end);

}  // namespace s46::dhcp::client4o6
