// RFC 8415 §15 retransmission: the RT sequence, MRC and MRD for one message exchange, and the
// §7.6 parameters for each message this client sends. Pure arithmetic on an injected Random.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>

#include "dhcp/client/types.hpp"

namespace s46::dhcp::client {

struct RetransmissionParams {
    Time irt{0};       // initial retransmission time
    Time mrt{0};       // maximum retransmission time; 0: no upper bound
    unsigned mrc = 0;  // maximum transmission count; 0: unlimited
    Time mrd{0};       // maximum retransmission duration; 0: unlimited (Renew/Rebind pass an end instead)
    friend bool operator==(const RetransmissionParams&, const RetransmissionParams&) = default;
};

// RFC 8415 §7.6 transmission and retransmission parameters.
namespace params {
using std::chrono::seconds;
inline constexpr RetransmissionParams kSolicit{seconds(1), seconds(3600), 0, seconds(0)};  // SOL_TIMEOUT, SOL_MAX_RT
inline constexpr RetransmissionParams kRequest{seconds(1), seconds(30), 10, seconds(0)};   // REQ_TIMEOUT, REQ_MAX_RT, REQ_MAX_RC
inline constexpr RetransmissionParams kConfirm{seconds(1), seconds(4), 0, seconds(10)};    // CNF_TIMEOUT, CNF_MAX_RT, CNF_MAX_RD
inline constexpr RetransmissionParams kRenew{seconds(10), seconds(600), 0, seconds(0)};    // REN_TIMEOUT, REN_MAX_RT; MRD: until T2
inline constexpr RetransmissionParams kRebind{seconds(10), seconds(600), 0, seconds(0)};   // REB_TIMEOUT, REB_MAX_RT; MRD: until valid lifetimes end
inline constexpr RetransmissionParams kInformationRequest{seconds(1), seconds(3600), 0, seconds(0)};  // INF_TIMEOUT, INF_MAX_RT
inline constexpr RetransmissionParams kRelease{seconds(1), seconds(0), 4, seconds(0)};     // REL_TIMEOUT, REL_MAX_RC
inline constexpr Time kSolMaxDelay = seconds(1);  // §18.2.1 first Solicit delay bound
inline constexpr Time kInfMaxDelay = seconds(1);  // §18.2.6 first Information-request delay bound
}  // namespace params

// RAND of §15, uniform in [-0.1, +0.1]: 0 maps to -0.1, 0xffffffff to +0.1.
double rand_factor(std::uint32_t r);
// RAND restricted to (0, +0.1] for the first Solicit RT, which §15 requires to be strictly
// greater than IRT so Advertise collection (§18.2.1) lasts longer than IRT.
double rand_factor_positive(std::uint32_t r);
// Uniform in [0, max], for the §18.2.1/§18.2.6 initial delay.
Time random_delay(Time max, std::uint32_t r);

// §21.9 Elapsed Time: hundredths of a second since the exchange's first transmission, truncated,
// 0xffff when it does not fit (and 0 for a negative span, which a monotonic clock never gives).
std::uint16_t elapsed_time_cs(Time since_first);

// One exchange's retransmission clock. begin() at the first transmission; at deadline() the
// caller asks retransmit(), which either accounts for another transmission or says the exchange
// has failed (MRC transmissions made, or MRD / the explicit end reached).
class Retransmission {
public:
    // `end`: an absolute give-up time on top of params.mrd (Renew: T2; Rebind: valid lifetimes end).
    void begin(const RetransmissionParams& params, Time now, const Random& random, bool first_rt_above_irt,
               std::optional<Time> end = std::nullopt);

    bool retransmit(Time now, const Random& random);

    // A server's SOL_MAX_RT / INF_MAX_RT (§21.24, §21.25) replaces MRT for the next RTs.
    void set_mrt(Time mrt) { params_.mrt = mrt; }

    // When the current RT runs out, cut short by the exchange's end.
    Time deadline() const;
    Time first_sent() const { return first_sent_; }
    Time last_sent() const { return last_sent_; }
    unsigned transmissions() const { return sent_; }
    double rt_ms() const { return rt_ms_; }  // the current RT, unrounded
    std::optional<Time> end() const { return end_; }

private:
    void clamp_to_mrt(double rand);

    RetransmissionParams params_{};
    Time first_sent_{0};
    Time last_sent_{0};
    unsigned sent_ = 0;
    double rt_ms_ = 0;
    std::optional<Time> end_;
};

}  // namespace s46::dhcp::client
