// The one path from a decoded Reply to a decision: build every enabled mode's plan (a mode is a
// candidate exactly when its plan builds, RFC 8026 §1.4 step 1), then choose. s46ctl select,
// the conformance runner and the daemon all call this.
#pragma once

#include <optional>
#include <vector>

#include "core/provision/s46_options.hpp"
#include "core/select/choose.hpp"
#include "core/select/policy.hpp"
#include "modes/dhcp4o6_parameters.hpp"
#include "modes/plan.hpp"

namespace s46::modes {

struct Evaluation {
    select::Decision decision;
    // Set when decision.mode != none, except for lw4o6 via DHCP 4o6 while no usable binding is
    // there: PlanContext::dhcp4o6_binding is unset, or its softwire_source differs from
    // dhcp4o6->softwire_source (the IPv6 prefix changed; the daemon runs a new 4o6 exchange
    // from the new source, RFC 8539, and the old binding is not used).
    std::optional<Plan> plan;
    // Set exactly when the decision is lw4o6 through a container without a V4V6BIND, whether or
    // not the binding has arrived (modes/lw4o6/plan.hpp).
    std::optional<Dhcp4o6Parameters> dhcp4o6;
    std::vector<select::Candidate> candidates;     // one per mode, in kAllModes order
    std::vector<provision::Rejection> rejected;    // codec rejections + offered but unusable configurations
};

Evaluation evaluate(const provision::S46OptionSet& options, const PlanContext& ctx, const select::Policy& policy);

// Builds one mode's plan (no selection): what a CPE pinned to that mode runs. lw4o6 via DHCP
// 4o6 without a usable binding fails with a reason that says the binding is pending.
Result<Plan> build_plan(select::Mode mode, const provision::S46OptionSet& options, const PlanContext& ctx);

}  // namespace s46::modes
