// Lightweight 4over6 lwB4 plan (RFC 7596), and its GI-4over6 variant (full address or prefix, no NAPT).
#pragma once

#include <optional>

#include "core/provision/s46_options.hpp"
#include "core/result.hpp"
#include "modes/dhcp4o6_parameters.hpp"
#include "modes/plan.hpp"

namespace s46::modes::lw4o6 {

// What a valid lw4o6 configuration gives: a plan, the 4o6 exchange it waits for, or both.
//  * A container with a V4V6BIND: `plan` only (the operator gave the binding in DHCPv6).
//  * A container with a BR and no V4V6BIND, with option 88 ("lw4o6 via DHCP 4o6", RFC 7596
//    §5.1): `dhcp4o6` (88's servers, the softwire source of dhcp4o6_softwire_source()), and
//    `plan` only once ctx.dhcp4o6_binding is set AND its softwire_source equals
//    dhcp4o6->softwire_source. A binding for another source (the IPv6 prefix changed) gives no
//    plan: the daemon runs a new exchange from the new source (RFC 8539).
// Either way the configuration is valid, so lw4o6 is a candidate (RFC 8026 §1.4 step 1).
struct Provisioning {
    std::optional<Plan> plan;
    std::optional<Dhcp4o6Parameters> dhcp4o6;
};

// Needs a valid OPTION_S46_CONT_LW, and an active prefix to source the tunnel from (matching
// the binding prefix, or option 137 for 4o6). A container with a V4V6BIND is preferred over
// one that needs 4o6, even when 88 is present: no exchange is needed.
Result<Provisioning> provision(const provision::S46OptionSet& options, const PlanContext& ctx);

// provision() reduced to a plan: fails while lw4o6 via DHCP 4o6 waits for its binding.
Result<Plan> build_plan(const provision::S46OptionSet& options, const PlanContext& ctx);

}  // namespace s46::modes::lw4o6
