// What s46d keeps across restarts, as an interface the daemon codes against. The store holds
// the raw lease (not a derived plan): a restart re-evaluates the stored options through the same
// path as a fresh Reply. The selection and plan JSON are kept only for operators, and the
// journal and binding log are the history they ask for ("who had which port set when").
// No SQLite type appears here, so a fake or another backend can stand in.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/net/ipv4.hpp"
#include "core/net/ipv6.hpp"
#include "core/napt/static_forward.hpp"
#include "core/provision/lease.hpp"
#include "core/result.hpp"
#include "core/select/mode.hpp"
#include "platform/store/dhcp4o6_lease.hpp"
#include "platform/store/lease_time.hpp"
#include "platform/time/clock.hpp"

namespace s46::store {

using s46::Seconds;

// The mode in force, why, and the plan as operators read it (JSON text, not re-parsed here).
struct Selection {
    select::Mode mode = select::Mode::none;
    std::string reason;
    std::string plan_json;
    friend bool operator==(const Selection&, const Selection&) = default;
};

enum class EventKind : std::uint8_t {
    mode_changed,
    lease_obtained,
    lease_renewed,
    lease_rebound,
    lease_expired,
    lease_released,
    provisioning_error,
    tunnel_event,  // what the packet path reported and the daemon did (no binding, AFTR failover)
    port_forward,  // a static port forward added, deleted, disabled or enabled again by a plan change
    dhcp4o6_client,  // the DHCPv4-over-DHCPv6 client (RFC 7341) started, stopped, or told its new source (RFC 8539)
};

constexpr std::string_view to_string(EventKind k) {
    switch (k) {
        case EventKind::mode_changed: return "mode_changed";
        case EventKind::lease_obtained: return "lease_obtained";
        case EventKind::lease_renewed: return "lease_renewed";
        case EventKind::lease_rebound: return "lease_rebound";
        case EventKind::lease_expired: return "lease_expired";
        case EventKind::lease_released: return "lease_released";
        case EventKind::provisioning_error: return "provisioning_error";
        case EventKind::tunnel_event: return "tunnel_event";
        case EventKind::port_forward: return "port_forward";
        case EventKind::dhcp4o6_client: return "dhcp4o6_client";
    }
    return "?";
}

inline constexpr std::array kEventKinds{EventKind::mode_changed,       EventKind::lease_obtained, EventKind::lease_renewed,
                                        EventKind::lease_rebound,      EventKind::lease_expired,  EventKind::lease_released,
                                        EventKind::provisioning_error, EventKind::tunnel_event,   EventKind::port_forward,
                                        EventKind::dhcp4o6_client};

constexpr std::optional<EventKind> event_kind_from_string(std::string_view s) {
    for (auto k : kEventKinds)
        if (to_string(k) == s) return k;
    return std::nullopt;
}

// One journal row. `from`/`to` matter for mode_changed only; `detail` carries the reason,
// the error message or a lease summary.
struct Event {
    std::int64_t seq = 0;  // assigned by the store, increasing; ignored on append
    Seconds at = 0;        // wall-clock seconds, supplied by the caller
    EventKind kind = EventKind::provisioning_error;
    select::Mode from = select::Mode::none;
    select::Mode to = select::Mode::none;
    std::string detail;
    friend bool operator==(const Event&, const Event&) = default;
};

// One binding-log row: the addresses and port set a mode activated, for abuse and
// lawful-intercept look-ups. A full IPv4 address (DS-Lite, lw4o6 without sharing) has
// psid_length 0 and empty port_ranges.
struct Binding {
    std::int64_t seq = 0;  // assigned by the store; ignored on record
    Seconds at = 0;
    select::Mode mode = select::Mode::none;
    net::Ipv6Address tunnel_address;        // the B4 / lwB4 / MAP CE IPv6 source
    std::optional<net::Ipv4Address> ipv4;   // absent for DS-Lite (the AFTR does the NAT)
    std::uint8_t psid_offset = 0;
    std::uint8_t psid_length = 0;
    std::uint16_t psid = 0;
    std::string port_ranges;                // e.g. "4096-4111,8192-8207"
    friend bool operator==(const Binding&, const Binding&) = default;

    // Same binding apart from when it was recorded: a restart that re-activates it is no change.
    bool same_as(const Binding& o) const {
        return mode == o.mode && tunnel_address == o.tunnel_address && ipv4 == o.ipv4 &&
               psid_offset == o.psid_offset && psid_length == o.psid_length && psid == o.psid &&
               port_ranges == o.port_ranges;
    }
};

// A kernel object the kernel data plane created (a link, an address, a route, an nftables
// table), recorded so a restart after a crash can remove what the last run left behind.
struct KernelObject {
    std::string kind;  // "link", "address6", "route4", "nft_table", ...
    std::string key;   // what identifies it to its owner (a name, "ifname address", ...)
    friend bool operator==(const KernelObject&, const KernelObject&) = default;
};

// Every call returns a value or an error naming what failed; none throws. Writes that would
// store what is already stored are skipped (flash wear).
class StateStore {
public:
    virtual ~StateStore() = default;

    // The lease's obtained_at is boot-clock seconds in memory; `now` is read by the caller
    // (time::read_clocks()) so the store stays free of clocks and tests can pass any reading.
    // A lease that cannot be trusted or has expired comes back without a lease and with the
    // reason in `note`; it stays stored until the caller clears it.
    virtual Result<LeaseRestore> load_lease(const time::ClockReading& now) = 0;
    virtual Result<void> save_lease(const provision::Lease& boot_lease, const time::ClockReading& now) = 0;
    virtual Result<void> clear_lease() = 0;  // released or expired: nothing to restore; the DHCP 4o6 lease too

    // The DHCP 4o6 lease (RFC 7341), under the same time trust rule as the DHCPv6 lease.
    virtual Result<Dhcp4o6LeaseRestore> load_dhcp4o6_lease(const time::ClockReading& now) = 0;
    virtual Result<void> save_dhcp4o6_lease(const Dhcp4o6Lease& boot_lease, const time::ClockReading& now) = 0;
    virtual Result<void> clear_dhcp4o6_lease() = 0;

    virtual Result<std::optional<Selection>> load_selection() = 0;
    virtual Result<void> save_selection(const Selection& selection) = 0;

    // Appends one row; the oldest rows beyond the store's bound are dropped.
    virtual Result<void> append(const Event& event) = 0;
    // The newest `limit` events with at >= since, oldest first.
    virtual Result<std::vector<Event>> journal(std::size_t limit, Seconds since = 0) = 0;

    // Appends a row unless the binding equals the latest one (same_as).
    virtual Result<void> record_binding(const Binding& binding) = 0;
    // The newest `limit` bindings, oldest first.
    virtual Result<std::vector<Binding>> bindings(std::size_t limit) = 0;

    // Write-ahead record of the kernel objects s46d creates: remember before creating, forget
    // after deleting. Remembering twice or forgetting the unknown is not an error.
    virtual Result<void> remember_kernel_object(const KernelObject& object) = 0;
    virtual Result<void> forget_kernel_object(const KernelObject& object) = 0;
    virtual Result<std::vector<KernelObject>> kernel_objects() = 0;  // in the order remembered

    // The operator's static port forwards, keyed by (protocol, external port): saving one with
    // the key of a stored one replaces it; deleting an unknown one is not an error.
    virtual Result<void> save_static_forward(const napt::StaticForward& forward) = 0;
    virtual Result<void> delete_static_forward(napt::Protocol protocol, std::uint16_t external_port) = 0;
    virtual Result<std::vector<napt::StaticForward>> static_forwards() = 0;  // in the order added
};

}  // namespace s46::store
