// The daemon's brain, minus I/O: provisioning in (a DHCPv6 Reply from the client engine, or
// external provisioning from s46ctl), one mode out. Every input goes through the same path:
// decode -> modes::evaluate -> select::StateMachine -> data plane + store + journal.
#pragma once

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
};

// Where a provisioning came from: the built-in client, or an external client via s46ctl.
enum class Source { dhcp_client, external };

class Controller {
public:
    using WallClock = std::function<std::int64_t()>;  // seconds since the epoch

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
    // Periodic: lease expiry and AFTR re-resolution.
    void tick();

    nlohmann::json status_json() const;
    const provision::Lease* lease() const { return lease_ ? &*lease_ : nullptr; }
    select::Mode active_mode() const { return machine_.active_mode(); }
    std::uint64_t transitions() const { return transitions_; }

private:
    modes::PlanContext context_for(const provision::Lease& lease) const;
    select::Transition apply(const select::Transition& t, const std::string& lease_event_detail);
    void start_aftr(const modes::Plan& plan);
    void resolve_aftr();
    void log_error(const std::string& what);

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
};

}  // namespace s46::daemon
