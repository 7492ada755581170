// MAP-E CE plan (RFC 7597): BMR-derived IPv4 address and port set, MAP IPv6 address, the BR,
// and the FMRs that give direct CE-to-CE paths.
#pragma once

#include "core/provision/s46_options.hpp"
#include "core/result.hpp"
#include "modes/plan.hpp"

namespace s46::modes::mape {

// Needs a valid OPTION_S46_CONT_MAPE with a rule that is a BMR for one of the delegated
// prefixes (RFC 7597 §5: the BMR is mandatory). With several containers (domains, RFC 7598
// §5.1) the first, in message order, that yields a BMR is used: one softwire per attachment.
Result<Plan> build_plan(const provision::S46OptionSet& options, const PlanContext& ctx);

}  // namespace s46::modes::mape
