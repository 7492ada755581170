// JSON views of plans, rules and evaluations: one definition shared by `s46ctl select`,
// `s46ctl status`, the conformance runner and the daemon's control socket.
#pragma once

#include <nlohmann/json.hpp>

#include "core/map/rule.hpp"
#include "modes/evaluate.hpp"
#include "modes/plan.hpp"

namespace s46::report {

nlohmann::json rule_json(const map::Rule& rule);
// The mode-specific fields of `s46ctl select --json` (docs/control.md), plus tunnel_mtu.
nlohmann::json plan_json(const modes::Plan& plan);
// {"mode", "reason", "rejected": [{"option", "why"}], "plan"}; plan is null for mode none.
nlohmann::json evaluation_json(const modes::Evaluation& ev);
// "lo-hi" strings, ascending, for the plan's port set.
nlohmann::json port_ranges_json(const modes::PortSetParams& ports);
// An address, or "a.b.c.d/len" when the CE holds a prefix.
std::string ipv4_text(const net::Ipv4Prefix& p);

}  // namespace s46::report
