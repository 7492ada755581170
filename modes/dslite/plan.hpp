// DS-Lite B4 plan (RFC 6333, RFC 6334): a tunnel to the AFTR, no NAT on the CPE.
#pragma once

#include "core/provision/s46_options.hpp"
#include "core/result.hpp"
#include "modes/plan.hpp"

namespace s46::modes::dslite {

// The B4's IPv4 address, RFC 6333 §5.7 (192.0.0.0/29 is reserved for DS-Lite; .2 is the B4).
inline constexpr net::Ipv4Address kB4Address{192, 0, 0, 2};

// Needs a validated AFTR-Name (option 64) and an IPv6 address to source the tunnel from.
// The AFTR address stays unset: the name is resolved later (platform DNS), RFC 6334 §5.
Result<Plan> build_plan(const provision::S46OptionSet& options, const PlanContext& ctx);

}  // namespace s46::modes::dslite
