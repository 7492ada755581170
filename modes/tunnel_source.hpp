// Small helpers shared by the plan builders.
#pragma once

#include "core/result.hpp"
#include "modes/plan.hpp"

namespace s46::modes {

// The IPv6 address a B4 sources its softwire from: the IA_NA address when there is one,
// otherwise <first delegated prefix>::1 (a CE with only a delegated prefix numbers its own
// WAN-facing softwire address from it; documented in docs/modes.md).
Result<net::Ipv6Address> b4_tunnel_source(const PlanContext& ctx);

// RFC 2473 §6.7: tunnel MTU = path MTU to the exit point − the 40-byte IPv6 header.
std::uint16_t tunnel_mtu(const PlanContext& ctx);

}  // namespace s46::modes
