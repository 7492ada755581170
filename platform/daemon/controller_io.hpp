// What goes into the daemon's controller and what comes out of it. The controller is sans-IO,
// like the DHCPv6 client engine: it reads no clock, draws no random number by itself and touches
// no store, socket or device. Events carry what happened; Effects say what the event loop must
// do (write the store, change the data plane, ask DNS, renew the lease, log a line).
//
// Time is s46::Time on the boot clock (CLOCK_BOOTTIME, since boot): monotonic and counting
// suspend, so a wall-clock step changes no timer and no lifetime (docs/time.md). Wall time is
// added by the event loop where effects reach the store or people.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "core/net/ipv6.hpp"
#include "core/provision/lease.hpp"
#include "core/select/mode.hpp"
#include "core/select/state_machine.hpp"
#include "core/time.hpp"
#include "modes/plan.hpp"
#include "platform/daemon/dataplane.hpp"
#include "platform/dns/resolver.hpp"
#include "platform/store/state_store.hpp"

namespace s46::daemon {

// Where a provisioning came from: the built-in client, or an external client via s46ctl.
enum class Source { dhcp_client, external };

namespace event {
// A Reply's lease and raw options (Request/Renew/Rebind, or external provisioning).
struct Provisioned {
    provision::Lease lease;
    store::EventKind kind = store::EventKind::lease_obtained;
    Source source = Source::dhcp_client;
};
// Stateless provisioning (RFC 8415 §18.2.6): options without an IA. They stay in force until the
// next Information-request replaces them, so they never expire on their own.
struct Informed {
    std::vector<std::uint8_t> raw_options;
};
// The lease the store kept across a restart, already converted to the boot clock and judged
// trustworthy (platform/store/lease_time). Restores the mode before the server answers.
struct Restored {
    provision::Lease lease;
};
struct LeaseExpired {};
// Orderly shutdown: the mode is torn down and the lease dropped (a Release follows).
struct Released {};
struct Link {
    bool up = false;
};
// The answer to an effect::Resolve; answers to superseded queries are ignored.
struct DnsAnswer {
    std::uint64_t query = 0;
    dns::AftrResult result;
};
// About once a second: lease expiry, AFTR re-resolution, and what the packet path saw.
struct Tick {
    DataPlaneEvents dataplane;
};
// s46ctl mode set: pin a mode or return to auto, re-deciding from the lease in hand.
struct SetMode {
    select::Mode configured = select::Mode::none;  // none = auto
};
// The DHCP 4o6 client holds a lease (DHCPACK in REQUESTING, RENEWING or REBINDING, or a lease
// restored from the store): its binding goes into the plan context and the lease in hand is
// decided again (RFC 7596 §5.1).
struct Dhcp4o6Bound {
    store::Dhcp4o6Lease lease;  // obtained_at on the boot clock, in seconds
    store::EventKind kind = store::EventKind::lease_obtained;
};
// The DHCP 4o6 lease is gone (expired, NAK, declined): the address and port set must not be used
// any more (RFC 2131 §4.4.5); the engine is already looking for a new one.
struct Dhcp4o6Lost {
    std::string why;
};
// s46d is set up: a complete static provisioning (the configuration's "static" section) is
// brought up now, before DHCPv6 has answered.
struct Started {};
}  // namespace event

namespace effect {
enum class Level : std::uint8_t { error, warning, info, debug };

struct SaveLease {
    provision::Lease lease;
};
struct ClearLease {};
// A journal row; the loop stamps it with wall-clock time.
struct Journal {
    store::EventKind kind = store::EventKind::mode_changed;
    select::Mode from = select::Mode::none;
    select::Mode to = select::Mode::none;
    std::string detail;
};
struct SaveSelection {
    store::Selection selection;
};
// A binding-log row; the loop stamps it with wall-clock time.
struct RecordBinding {
    store::Binding binding;
};
// Carry out one transition on the data plane; `plan` is the new plan (none on teardown).
struct ApplyPlan {
    select::Transition transition;
    std::optional<modes::Plan> plan;
};
// DS-Lite: the tunnel's remote end moves (the AFTR name resolved, or failed over).
struct SetRemote {
    net::Ipv6Address remote;
};
// Look up `name`'s AAAA records with `servers`; answer with event::DnsAnswer{query}.
struct Resolve {
    std::uint64_t query = 0;
    std::string name;
    std::vector<net::Ipv6Address> servers;
};
struct CancelResolve {};
// Ask the DHCPv6 client for a Renew now (RFC 7596 §5.1 "restart provisioning").
struct Renew {
    std::string why;
};
// Start the DHCPv4-over-DHCPv6 client (RFC 7341 §5): send from `softwire_source` to `servers`
// (empty: ff02::1:2), carrying `softwire_source` in option 109 (RFC 8539). The loop answers with
// event::Dhcp4o6Bound / Dhcp4o6Lost.
struct StartDhcp4o6 {
    std::vector<net::Ipv6Address> servers;
    net::Ipv6Address softwire_source;
};
// The running client's softwire source changed (a new IA_NA or delegated prefix): the engine
// tells the server with a new DHCPREQUEST (RFC 8539; Client::source_address_changed).
struct Dhcp4o6SourceChanged {
    net::Ipv6Address softwire_source;
};
// Stop the client: DHCPRELEASE if it holds a lease (RFC 2131 §4.4.6), then nothing more is sent.
struct StopDhcp4o6 {
    std::string why;
};
struct SaveDhcp4o6Lease {
    store::Dhcp4o6Lease lease;
};
struct ClearDhcp4o6Lease {};
// One line per decision, with its reason. Lines with the same `key` (empty: the text) are
// rate-limited together, so network input cannot flood the log.
struct Log {
    Level level = Level::info;
    std::string text;
    std::string key;
};
}  // namespace effect

using Event = std::variant<event::Provisioned, event::Informed, event::Restored, event::LeaseExpired, event::Released,
                           event::Link, event::DnsAnswer, event::Tick, event::SetMode, event::Started,
                           event::Dhcp4o6Bound, event::Dhcp4o6Lost>;
using Effect = std::variant<effect::SaveLease, effect::ClearLease, effect::Journal, effect::SaveSelection,
                            effect::RecordBinding, effect::ApplyPlan, effect::SetRemote, effect::Resolve,
                            effect::CancelResolve, effect::Renew, effect::Log, effect::StartDhcp4o6,
                            effect::Dhcp4o6SourceChanged, effect::StopDhcp4o6, effect::SaveDhcp4o6Lease,
                            effect::ClearDhcp4o6Lease>;
using Effects = std::vector<Effect>;

}  // namespace s46::daemon
