// A token bucket for the ICMPv4 errors the CE originates (RFC 1812 §4.3.2.8: SHOULD limit the
// rate; RFC 4443 §2.4(f) says the same for ICMPv6). The defaults match Linux's global
// net.ipv4.icmp_msgs_per_sec = 1000 with a burst of 50.
#pragma once

#include <algorithm>
#include <cstdint>

#include "core/time.hpp"

namespace s46::dataplane {

class TokenBucket {
public:
    // rate 0: never allow (ICMP errors switched off).
    explicit TokenBucket(std::uint32_t per_second = 1000, std::uint32_t burst = 50)
        : period_(per_second ? std::chrono::nanoseconds(std::chrono::seconds(1)).count() / per_second : 0),
          cap_(period_ * std::max<std::uint32_t>(burst, 1)),
          credit_(cap_) {}

    bool take(Time now) {
        if (period_ == 0) return false;
        if (started_) {
            const auto gained = (now - last_).count();
            if (gained > 0) credit_ = std::min(cap_, credit_ + gained);
        }
        started_ = true;
        last_ = now;
        if (credit_ < period_) return false;
        credit_ -= period_;
        return true;
    }

private:
    std::int64_t period_;  // ns of credit per token
    std::int64_t cap_;
    std::int64_t credit_;
    Time last_{};
    bool started_ = false;
};

}  // namespace s46::dataplane
