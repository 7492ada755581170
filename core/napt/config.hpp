// NAPT44 configuration: the external endpoint (address + port set), timeouts, the
// filtering behaviour, table sizes and the per-host fair share. See docs/napt.md.
#pragma once

#include <chrono>
#include <cstdint>

#include "core/map/port_set.hpp"
#include "core/net/ipv4.hpp"
#include "core/result.hpp"

namespace s46::napt {

// Inbound filtering (RFC 4787 §5; RFC 5382 §4.3 for TCP). Mapping is always
// endpoint-independent (RFC 4787 REQ-1, RFC 5382 REQ-1, RFC 5508 REQ-1a).
enum class Filtering : std::uint8_t {
    // Any remote may reach a live mapping. Best application transparency (RFC 4787
    // REQ-8 first half); anyone who learns the external port can send to the host.
    endpoint_independent,
    // Only remote addresses the mapping has sent to (RFC 4787 REQ-8 second half, the
    // "more stringent" recommendation, which a shared address calls for: RFC 6269 on how
    // address sharing makes ports easier to guess; docs/napt.md "Filtering default"). The default.
    address_dependent,
    // Only remote address:port pairs the mapping has sent to: what Linux conntrack NAT
    // does. Breaks some NAT traversal (RFC 4787 §5), blocks the most.
    address_and_port_dependent,
};

struct Timeouts {
    // RFC 4787 REQ-5: MUST NOT be less than 2 minutes; 5 minutes or more RECOMMENDED.
    std::chrono::seconds udp{300};
    // RFC 5382 REQ-5: established connection idle-timeout >= 2 h 4 min.
    std::chrono::seconds tcp_established{7440};
    // RFC 5382 REQ-5: transitory (opening, closing, reset) idle-timeout >= 4 min.
    std::chrono::seconds tcp_transitory{240};
    // RFC 5508 REQ-2: an ICMP Query session timer MUST NOT expire in less than 60 s.
    std::chrono::seconds icmp_query{60};
};

struct Config {
    net::Ipv4Address external;
    // map::PortSet::all() for a full (unshared) address: dynamic ports are then
    // 1024-65535. A shared set is used as given, except its ports below 1024 when it
    // has others (PortIndex, docs/napt.md "Well-known ports").
    map::PortSet ports = map::PortSet::all();
    Filtering filtering = Filtering::address_dependent;
    Timeouts timeouts;

    // Capacity, fixed at construction: nothing allocates on the packet path.
    std::uint32_t max_sessions = 16384;
    std::uint32_t max_hosts = 0;  // 0: clamp(max_sessions / 8, 16, 1024)

    // Fair share (RFC 6888 REQ-4/5 ask the same of a CGN): one LAN host may hold at most
    // this many external ports per protocol, and this many sessions. 0 picks a quarter of
    // the port set / of max_sessions (at least 1).
    std::uint32_t max_ports_per_host = 0;
    std::uint32_t max_sessions_per_host = 0;

    // Seeds port randomisation (RFC 6056 §3.3.1: random start, then the next free port)
    // and the table hashes. The daemon passes a random value; tests pass a constant.
    std::uint64_t seed = 0x5eed'4e41'5054'3434ull;

    // Expiry is a clock hand over the session table: each new session advances it this
    // many entries, and expire() advances it on the caller's timer (docs/napt.md).
    std::uint32_t sweep_per_new_session = 4;
    // When a new mapping or session finds no room, advance the hand this far and retry once.
    std::uint32_t reclaim_scan = 64;
};

// Timeouts must respect the RFC floors above and stay below 2^24 s; max_sessions must be
// 1..2^24; the port set must leave at least one usable port. Fills the 0 defaults.
Result<Config> resolve(const Config& requested, std::uint32_t usable_ports);

}  // namespace s46::napt
