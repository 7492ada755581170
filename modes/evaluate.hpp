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

// The chosen lw4o6 takes its address and port set from DHCPv4-over-DHCPv6 (a lw4o6 container
// without a V4V6BIND, and option 88; RFC 7596 §5.1, RFC 8539): what the 4o6 client needs.
struct Dhcp4o6Parameters {
    std::vector<net::Ipv6Address> servers;  // option 88's list; empty: multicast (RFC 7341 §5)
    net::Ipv6Address softwire_source;       // sent as OPTION_DHCP4O6_S46_SADDR (RFC 8539)
    friend bool operator==(const Dhcp4o6Parameters&, const Dhcp4o6Parameters&) = default;
};

struct Evaluation {
    select::Decision decision;
    // Set when decision.mode != none, except for lw4o6 via DHCP 4o6 before the exchange has
    // produced a binding (dhcp4o6 set, PlanContext::dhcp4o6_binding not yet).
    std::optional<Plan> plan;
    std::optional<Dhcp4o6Parameters> dhcp4o6;      // set when the decision is lw4o6 via DHCP 4o6
    std::vector<select::Candidate> candidates;     // one per mode, in kAllModes order
    std::vector<provision::Rejection> rejected;    // codec rejections + offered but unusable configurations
};

Evaluation evaluate(const provision::S46OptionSet& options, const PlanContext& ctx, const select::Policy& policy);

// Builds one mode's plan (no selection): what a CPE pinned to that mode runs.
Result<Plan> build_plan(select::Mode mode, const provision::S46OptionSet& options, const PlanContext& ctx);

}  // namespace s46::modes
