// The one path from a decoded Reply to a decision: build every enabled mode's plan (a mode is a
// candidate exactly when its plan builds, RFC 8026 §1.4 step 1), then choose. s46ctl select,
// the conformance runner and the daemon all call this.
#pragma once

#include <optional>
#include <vector>

#include "core/provision/s46_options.hpp"
#include "core/select/choose.hpp"
#include "core/select/policy.hpp"
#include "modes/plan.hpp"

namespace s46::modes {

struct Evaluation {
    select::Decision decision;
    std::optional<Plan> plan;                      // set exactly when decision.mode != none
    std::vector<select::Candidate> candidates;     // one per mode, in kAllModes order
    std::vector<provision::Rejection> rejected;    // codec rejections + offered but unusable configurations
};

Evaluation evaluate(const provision::S46OptionSet& options, const PlanContext& ctx, const select::Policy& policy);

// Builds one mode's plan (no selection): what a CPE pinned to that mode runs.
Result<Plan> build_plan(select::Mode mode, const provision::S46OptionSet& options, const PlanContext& ctx);

}  // namespace s46::modes
