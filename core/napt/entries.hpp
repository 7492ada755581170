// The three kinds of table entry, 16 bytes each (docs/napt.md "Memory" does the sums).
//
//   mapping  (protocol, internal address, internal port) -> external port
//            endpoint-independent (RFC 4787 REQ-1): one per internal endpoint, whatever
//            the destinations; lives while any of its sessions lives.
//   session  (protocol, external port, remote address, remote port) -> expiry, TCP flags
//            one per remote the mapping talks to: what filtering (RFC 4787 §5) and idle
//            timeouts are decided on. The remote port is 0 for ICMP and under
//            address-dependent filtering, whose unit is the remote address.
//   host     internal address -> how many sessions and ports it holds (the fair share)
//
// Sessions are keyed by the external port, not by the mapping, so one key serves both
// directions: outbound knows the port after the mapping lookup, inbound has it in the
// packet. Expiry is in whole seconds: alive while now < expiry.
#pragma once

#include <cstdint>

namespace s46::napt {

struct MappingEntry {
    std::uint32_t internal_address = 0;
    std::uint32_t expiry = 0;  // >= each session's; equal to it when there is one (mapping_expiry())
    std::uint16_t internal_port = 0;
    std::uint16_t external_port = 0;
    std::uint16_t sessions = 0;  // sessions referencing it; the mapping goes when this reaches 0
    std::uint8_t protocol = 0;   // Protocol
    std::uint8_t dist = 0;       // RobinHoodTable: 0 = empty
};

struct SessionEntry {
    std::uint32_t remote_address = 0;
    std::uint32_t expiry = 0;
    std::uint16_t remote_port = 0;  // 0 when the filtering unit is the address
    std::uint16_t external_port = 0;
    std::uint8_t protocol = 0;
    std::uint8_t tcp = 0;  // tcp_track flags
    std::uint8_t dist = 0;
    std::uint8_t reserved = 0;
};

struct HostEntry {
    std::uint32_t address = 0;
    std::uint32_t sessions = 0;
    std::uint16_t ports[3] = {0, 0, 0};  // mappings per Protocol
    std::uint8_t dist = 0;
    std::uint8_t reserved = 0;
};

static_assert(sizeof(MappingEntry) == 16);
static_assert(sizeof(SessionEntry) == 16);
static_assert(sizeof(HostEntry) == 16);

}  // namespace s46::napt
