#include "dhcp/client/retransmission.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <ratio>

namespace s46::dhcp::client {

namespace {

// The RT is kept in milliseconds, as a double so the §15 recursion is not rounded at every step:
// whole milliseconds are finer than any RFC 8415 timer (the smallest IRT is 1 s with a RAND of
// ±10%) and than the event loop's timer, and they are the resolution the tests pin.
double in_ms(Time t) { return std::chrono::duration<double, std::milli>(t).count(); }
constexpr double kMaxMs = static_cast<double>(std::chrono::duration_cast<std::chrono::milliseconds>(Time::max()).count());

}  // namespace

double rand_factor(std::uint32_t r) {
    return -0.1 + 0.2 * (static_cast<double>(r) / std::numeric_limits<std::uint32_t>::max());
}

double rand_factor_positive(std::uint32_t r) {
    return 0.1 * ((static_cast<double>(r) + 1.0) / 4294967296.0);
}

Time random_delay(Time max, std::uint32_t r) {
    if (max.count() <= 0) return Time(0);
    const double f = static_cast<double>(r) / std::numeric_limits<std::uint32_t>::max();
    return Time(static_cast<std::int64_t>(std::llround(f * static_cast<double>(max.count()))));
}

std::uint16_t elapsed_time_cs(Time since_first) {
    using Centiseconds = std::chrono::duration<std::int64_t, std::centi>;
    const auto cs = std::chrono::duration_cast<Centiseconds>(since_first).count();
    return static_cast<std::uint16_t>(std::clamp<std::int64_t>(cs, 0, 0xffff));
}

void Retransmission::begin(const RetransmissionParams& params, Time now, const Random& random,
                           bool first_rt_above_irt, std::optional<Time> end) {
    params_ = params;
    first_sent_ = last_sent_ = now;
    sent_ = 1;
    // §15: RT = IRT + RAND*IRT for the first transmission.
    const double rand = first_rt_above_irt ? rand_factor_positive(random()) : rand_factor(random());
    const double irt = in_ms(params.irt);
    rt_ms_ = irt + rand * irt;
    clamp_to_mrt(rand);
    end_ = end;
    if (params.mrd.count() > 0) {
        const Time by_mrd = now + params.mrd;
        end_ = end_ ? std::min(*end_, by_mrd) : by_mrd;
    }
}

bool Retransmission::retransmit(Time now, const Random& random) {
    if (params_.mrc > 0 && sent_ >= params_.mrc) return false;  // §15: MRC transmissions made
    if (end_ && now >= *end_) return false;                       // §15: MRD elapsed
    // §15: RT = 2*RTprev + RAND*RTprev.
    const double rand = rand_factor(random());
    rt_ms_ = 2.0 * rt_ms_ + rand * rt_ms_;
    clamp_to_mrt(rand);
    last_sent_ = now;
    ++sent_;
    return true;
}

void Retransmission::clamp_to_mrt(double rand) {
    // §15: if (RT > MRT) RT = MRT + RAND*MRT.
    const double mrt = in_ms(params_.mrt);
    if (mrt > 0 && rt_ms_ > mrt) rt_ms_ = mrt + rand * mrt;
}

Time Retransmission::deadline() const {
    // Rounded up, so a first Solicit RT a hair above IRT still ends strictly after IRT. An RT
    // that doubled without an MRT beyond what Time holds is saturated, not wrapped.
    const double rt_ms = std::ceil(rt_ms_);
    const Time rt = rt_ms >= kMaxMs ? Time::max() : std::chrono::milliseconds(static_cast<std::int64_t>(rt_ms));
    const Time due = saturating_add(last_sent_, rt);
    return end_ ? std::min(due, *end_) : due;
}

}  // namespace s46::dhcp::client
