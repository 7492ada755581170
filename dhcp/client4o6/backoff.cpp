#include "dhcp/client4o6/backoff.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace s46::dhcp::client4o6 {

Time backoff_jitter(std::uint32_t r) {
    const double f = static_cast<double>(r) / std::numeric_limits<std::uint32_t>::max();  // [0, 1]
    const double span = static_cast<double>(kBackoffJitter.count());
    return Time(static_cast<std::int64_t>(std::llround(-span + 2.0 * span * f)));
}

Time backoff_base(unsigned transmission) {
    if (transmission == 0) transmission = 1;
    if (transmission >= 5) return kMaxBackoff;  // 4 << 4 = 64: the cap is reached at the fifth
    return kFirstBackoff * (1u << (transmission - 1));
}

Time renew_retransmit_at(Time now, Time end) {
    if (now >= end) return end;
    const Time wait = std::max((end - now) / 2, kMinRenewWait);
    return std::min(now + wait, end);
}

}  // namespace s46::dhcp::client4o6
