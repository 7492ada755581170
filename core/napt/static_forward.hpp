// Static port forwards ("port mapping") into the LAN, and the pure policy around them.
//
// A subscriber behind a shared IPv4 address can only be reached on ports of its own port set
// (draft-ietf-softwire-lw4over6-deployment §6.2; RFC 7597 §8: every other port belongs to another
// CE), so a forward is accepted only for an external port the NAPT may use. A forward outlives
// re-provisioning: when a new plan's set no longer holds the port it stays configured but is
// disabled, and comes back when a later set holds it again.
//
// This file decides; it neither stores nor translates. The NAPT engine reserves the enabled
// forwards' ports (Napt::set_static_forwards), the daemon keeps the list and reports changes.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/napt/protocol.hpp"
#include "core/net/ipv4.hpp"
#include "core/plan/plan.hpp"
#include "core/result.hpp"

namespace s46::napt {

struct StaticForward {
    Protocol protocol = Protocol::tcp;  // tcp or udp: ICMP has no ports to forward
    std::uint16_t external_port = 0;    // in the CE's port set
    net::Ipv4Address lan_address;       // a unicast LAN host
    std::uint16_t lan_port = 0;         // 1..65535
    friend bool operator==(const StaticForward&, const StaticForward&) = default;
};

// "tcp", "udp" ("icmp" for completeness); protocol_named() takes "tcp" and "udp" only.
std::string_view protocol_name(Protocol p);
std::optional<Protocol> forward_protocol_named(std::string_view name);

// "tcp 1232 -> 192.168.1.10:22", for messages and logs.
std::string describe(const StaticForward& f);

// Why `a` cannot be a LAN host (0.0.0.0/8, loopback, multicast, class E, broadcast), or nullopt.
std::optional<std::string> lan_address_problem(net::Ipv4Address a);

// Why `plan` gives no NAPT to forward through (no active mode, DS-Lite, GI-4over6), or nullopt.
std::optional<std::string> no_napt_reason(const plan::Plan* plan);

// The port set as an operator reads it in an error:
// "192.0.2.52, PSID 52 of 8 bits, offset 6: 1232-1235, 2256-2259, ... 63 ranges".
std::string describe_port_set(const plan::Plan& plan);

// Why `port` cannot be forwarded under `plan` (a NAPT plan), or nullopt: outside the port set,
// or one of the set's ports below 1024 that the NAPT keeps out of use (port_index.hpp).
std::optional<std::string> port_problem(const plan::Plan& plan, std::uint16_t port);

// Checks a new forward against the active plan and those already configured; a lan_port of 0
// means "the external port". Returns the forward to store, or the one-line reason it is refused.
Result<StaticForward> validate_new_forward(const plan::Plan* plan, std::span<const StaticForward> existing,
                                           StaticForward wanted);

// One configured forward under the current plan.
struct ForwardState {
    StaticForward forward;
    bool enabled = false;
    std::string why_disabled;  // empty when enabled
    friend bool operator==(const ForwardState&, const ForwardState&) = default;
};

// Every configured forward, in order, enabled exactly when the plan has a NAPT and its set
// holds the port. `plan` is null without an active mode.
std::vector<ForwardState> evaluate_forwards(const plan::Plan* plan, std::span<const StaticForward> forwards);

// The enabled ones, for the data plane.
std::vector<StaticForward> enabled_forwards(std::span<const ForwardState> states);

// One line per forward whose state changed from `before` to `after` (matched by protocol and
// external port; added or deleted forwards are not changes): "static forward tcp 1232 ->
// 192.168.1.10:22 disabled: port 1232 is not in ..." or "... enabled again (port in the new port set)".
std::vector<std::string> forward_changes(std::span<const ForwardState> before, std::span<const ForwardState> after);

}  // namespace s46::napt
