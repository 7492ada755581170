// Small helpers shared by the plan builders.
#pragma once

#include <optional>

#include "core/result.hpp"
#include "modes/plan.hpp"

namespace s46::modes {

// The IPv6 address a B4 sources its softwire from: the IA_NA address when there is one,
// otherwise <first delegated prefix>::1 (a CE with only a delegated prefix numbers its own
// WAN-facing softwire address from it; documented in docs/modes.md).
Result<net::Ipv6Address> b4_tunnel_source(const PlanContext& ctx);

// The address a lwB4 provisioned over DHCP 4o6 sources its softwire from and announces in
// OPTION_DHCP4O6_S46_SADDR (RFC 8539). The candidates are the IA_NA address (as a /128) and the
// delegated prefixes, in that order. Without option 137 it is b4_tunnel_source(). With 137
// (bind prefix B, RFC 8539 §5.1: the prefix the operator wants the IPv4 configuration bound to)
// the first candidate P that overlaps B is taken: P inside B gives the IA_NA address itself or
// P::1; B inside P (B more specific) gives B's address when B is a /128, else B::1. Fails, naming
// 137 and every candidate, when none overlaps.
Result<net::Ipv6Address> dhcp4o6_softwire_source(const std::optional<net::Ipv6Prefix>& bind_prefix,
                                                 const PlanContext& ctx);

// RFC 2473 §6.7: tunnel MTU = path MTU to the exit point − the 40-byte IPv6 header.
std::uint16_t tunnel_mtu(const PlanContext& ctx);

}  // namespace s46::modes
