// Decisions over the kernel's NAT connection tracking entries (platform/nft reads them over
// ctnetlink): which entries a rebinding leaves stale, and how full each port range is. Pure:
// the platform layer turns conntrack messages into NatFlow values and acts on the answers.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "core/map/port_set.hpp"
#include "core/net/ipv4.hpp"

namespace s46::napt {

// What the reply direction of one tracked flow says about its NAT binding: replies come from
// (remote, remote_port) to (nat_address, nat_port). For ICMP echo the ports are the identifier.
struct NatFlow {
    std::uint8_t proto = 0;  // IPPROTO_TCP / UDP / ICMP (other protocols carry no port)
    net::Ipv4Address remote;
    std::uint16_t remote_port = 0;
    net::Ipv4Address nat_address;
    std::uint16_t nat_port = 0;
};

// After a binding change (new address or new port set), a flow is stale when its replies go to
// the old address, or to the current address on a port outside the new set: the softwire peer
// no longer routes those to us (RFC 7597 §5.1 / RFC 7596 §5.1), and conntrack would keep
// rewriting new packets of the flow to the old binding, since the nat hook sees only a flow's
// first packet. Such entries must be deleted so the next packet starts a fresh, correct mapping.
bool stale_after_rebinding(const NatFlow& flow, net::Ipv4Address old_address, net::Ipv4Address new_address,
                           const map::PortSet& new_set);

// For each range, the number of its ports in use towards the busiest (protocol, remote,
// remote port): the input `occupancy` of plan_slots (core/napt/port_slots.hpp). Flows on other
// addresses or outside every range are ignored.
std::vector<std::uint32_t> busiest_occupancy(std::span<const NatFlow> flows, net::Ipv4Address nat_address,
                                             std::span<const map::PortRange> ranges);

}  // namespace s46::napt
