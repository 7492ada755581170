// Lightweight 4over6 lwB4 plan (RFC 7596), and its GI-4over6 variant (full address or prefix, no NAPT).
#pragma once

#include "core/provision/s46_options.hpp"
#include "core/result.hpp"
#include "modes/plan.hpp"

namespace s46::modes::lw4o6 {

// Needs a valid OPTION_S46_CONT_LW with a V4V6BIND (without one the address would come from
// DHCPv4-over-DHCPv6, RFC 7596 §5.1, which this CPE does not implement) and an active prefix
// matching the binding prefix to source the tunnel from.
Result<Plan> build_plan(const provision::S46OptionSet& options, const PlanContext& ctx);

}  // namespace s46::modes::lw4o6
