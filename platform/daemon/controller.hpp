// The daemon's brain, minus I/O: provisioning in (a DHCPv6 Reply from the client engine, or
// external provisioning from s46ctl), one mode out. Every input goes through the same path:
// decode -> modes::evaluate -> select::StateMachine -> data plane + store + journal.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "core/provision/lease.hpp"
#include "core/provision/s46_options.hpp"
#include "core/select/policy.hpp"
#include "core/select/state_machine.hpp"
#include "modes/evaluate.hpp"
#include "platform/daemon/dataplane.hpp"
#include "platform/dns/aftr_tracker.hpp"
#include "platform/dns/resolver.hpp"
#include "platform/store/state_store.hpp"

namespace s46::daemon {

struct ControllerConfig {
    select::Policy policy;
    std::uint16_t wan_mtu = 1500;
    bool legacy_iid = false;
    bool gi4over6 = false;
    std::optional<net::Ipv4Prefix> gi4over6_prefix;
    // ICMPv6 1/5 from the lwAFTR means it holds no binding for us; RFC 7596 §5.1 lets the
    // lwB4 restart provisioning, as a configurable policy. Off by default: the error can be
    // provoked by anyone on the path who can spoof the lwAFTR's address, and a Renew storm
    // helps nobody. When on, at most one restart per `no_binding_holddown`.
    bool reprovision_on_no_binding = false;
    std::chrono::seconds no_binding_holddown{30};
    // DS-Lite: move to the AFTR name's next AAAA record when the current AFTR is judged
    // unreachable (docs/tunnel-events.md). On by default: RFC 6334 §3 lets the name carry
    // several addresses, and staying on a dead one is an outage.
    bool aftr_failover = true;
    std::chrono::seconds aftr_failover_holddown{10};  // a new AFTR gets this long to answer
};

// Where a provisioning came from: the built-in client, or an external client via s46ctl.
enum class Source { dhcp_client, external };

class Controller {
public:
    using WallClock = std::function<std::int64_t()>;  // seconds since the epoch
    // Asks the DHCPv6 client to refresh the lease (a Renew); returns false when there is no
    // lease to renew. Set by the daemon; without it re-provisioning is reported as impossible.
    using Reprovision = std::function<bool(const std::string& why)>;

    Controller(ControllerConfig config, store::StateStore* store, dns::AftrResolver* resolver, DataPlane* dataplane,
               WallClock wall_clock);

    // A Reply's lease and raw options (Request/Renew/Rebind/Information-request, or external).
    // `kind` names the lease event for the journal. Returns the transition made.
    select::Transition on_provisioning(const provision::Lease& lease, store::EventKind kind, Source source);
    // Stateless provisioning (RFC 8415 §18.2.6): options without an IA. They stay in force until
    // the next Information-request replaces them, so they never expire on their own.
    select::Transition on_information(const std::vector<std::uint8_t>& raw_options);
    // Restores the stored lease at start-up; returns true when a mode was restored.
    bool restore();
    select::Transition on_lease_expired();
    select::Transition on_released();
    select::Transition on_link(bool up);
    // Periodic (about once a second): lease expiry, AFTR re-resolution, and the data plane's
    // events (no binding, AFTR unreachable) with their policies.
    void tick();
    void set_reprovision(Reprovision r) { reprovision_ = std::move(r); }

    nlohmann::json status_json() const;
    const provision::Lease* lease() const { return lease_ ? &*lease_ : nullptr; }
    select::Mode active_mode() const { return machine_.active_mode(); }
    const modes::Plan* active_plan() const { return machine_.active_plan(); }  // `s46ctl portmap`
    std::uint64_t transitions() const { return transitions_; }

private:
    modes::PlanContext context_for(const provision::Lease& lease) const;
    select::Transition apply(const select::Transition& t, const std::string& lease_event_detail);
    void start_aftr(const modes::Plan& plan);
    void resolve_aftr();
    void log_error(const std::string& what);
    void handle_events(const DataPlaneEvents& e);
    void on_no_binding();
    void on_aftr_unreachable();
    void journal(const std::string& detail);

    ControllerConfig config_;
    store::StateStore* store_;
    dns::AftrResolver* resolver_;
    DataPlane* dataplane_;
    WallClock now_;

    select::StateMachine<modes::Plan> machine_;
    std::optional<provision::Lease> lease_;
    provision::S46OptionSet options_;
    modes::Evaluation evaluation_;
    Source source_ = Source::dhcp_client;
    std::unique_ptr<dns::AftrTracker> aftr_;
    bool aftr_in_flight_ = false;
    std::uint64_t transitions_ = 0;
    std::string last_error_;
    Reprovision reprovision_;
    std::optional<std::int64_t> last_reprovision_at_, last_failover_at_;
    // What the policies did, for `s46ctl status` (the data plane counts the raw events).
    std::uint64_t no_binding_reports_ = 0, reprovisions_ = 0, aftr_failovers_ = 0;
};

}  // namespace s46::daemon
