// What the operator reads from `s46ctl status`: the daemon's status object (Controller::status_json
// plus Daemon::status: mode, reason, rejected, plan, lease, counters, events, dhcp_state, dataplane,
// timings) as an aligned two-column table. Pure: the caller passes the clock, so tests pin it.
#pragma once

#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

namespace s46::report {

// The two largest non-zero units of a duration: "45s", "12m 3s", "1h 59m", "2d 3h". Negative
// durations are printed as their magnitude (callers say "ago" themselves).
std::string human_duration(std::int64_t seconds);

// The whole status as text, one "label  value" row per line (continuation rows have an empty
// label). Lease times come from the status's relative fields (age_seconds, t1_in_seconds,
// t2_in_seconds, valid_for_seconds) when present; otherwise from obtained_at / valid_until against
// `wall_now_seconds`, which must then be on the same clock as those fields.
std::string status_table(const nlohmann::json& status, std::int64_t wall_now_seconds);

}  // namespace s46::report
