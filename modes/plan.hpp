// A mode plan (core/plan/plan.hpp) and the context every plan builder reads. Built by a pure
// function per mode (modes/<mode>/plan.hpp) from validated provisioning.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "core/net/ipv4.hpp"
#include "core/net/ipv6.hpp"
#include "core/plan/plan.hpp"
#include "core/provision/dhcp4o6_binding.hpp"

namespace s46::modes {

// The plan types live in core/plan (the data path below modes/ consumes them).
using plan::ForwardingEntry;
using plan::Plan;
using plan::PortSetParams;

// Inputs every plan builder reads, besides the option set.
struct PlanContext {
    std::vector<net::Ipv6Prefix> delegated_prefixes;  // IA_PD prefixes currently valid
    std::optional<net::Ipv6Address> wan_address;      // IA_NA address, if any
    std::uint16_t wan_mtu = 1500;                     // IPv6 MTU of the WAN link
    bool legacy_iid = false;                          // MAP-E draft-03 IID layout (explicit opt-in)
    // GI-4over6 (operator-configured): NAPT off, the binding's address or this prefix routed to the LAN.
    bool gi4over6 = false;
    std::optional<net::Ipv4Prefix> gi4over6_prefix;
    // lw4o6 via DHCPv4-over-DHCPv6: the binding the 4o6 exchange produced, once it has.
    std::optional<provision::Dhcp4o6Binding> dhcp4o6_binding;
};

}  // namespace s46::modes
