// `s46ctl status --json`: the daemon's status under the names management systems already know.
//
//   DS-Lite  -> TR-181 Device.DSLite.InterfaceSetting.{i}.
//   MAP-E    -> TR-181 Device.MAP.Domain.{i}. and Device.MAP.Domain.{i}.Rule.{i}.
//   lw4o6    -> RFC 8676 ietf-softwire-ce's binding (TR-181 has no lw4o6 object); the leaf names
//               are those of the binding-entry grouping of ietf-softwire-common (RFC 8676 §4).
//
// docs/control.md ("Status fields") has the field-by-field table. "s46d" carries the daemon's status object
// unchanged: the fields with no standard name (selection reasoning, counters, timings, lease timers,
// s46d-only plan fields) and, under s46d's names, the mapped ones.
#pragma once

#include <nlohmann/json.hpp>

namespace s46::report {

// Bumped when a member is renamed or removed or changes meaning (adding members keeps it).
inline constexpr int kStandardStatusVersion = 1;

// {"version": 1, "<object path>": {parameters}..., "s46d": {...}} for a status object as
// Controller::status_json + Daemon::status produce it. Object paths are TR-181 instance paths with
// instance number 1, as a USP Get response resolves them (TR-369 resolved_path), e.g.
// "Device.MAP.Domain.1." and "Device.MAP.Domain.1.Rule.2."; the lw4o6 binding is under
// "ietf-softwire-ce:binding". Only the active mode's object appears; mode none has none.
nlohmann::json standard_status_json(const nlohmann::json& status);

}  // namespace s46::report
