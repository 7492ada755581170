// The daemon's policy, sans-IO: provisioning in (a DHCPv6 Reply from the client engine, a lease
// restored from the store, external provisioning from s46ctl), one mode out. Every input goes
// through the same path: decode -> modes::evaluate -> select::StateMachine -> effects.
//
// handle(event, now) returns the effects the event loop carries out, in order (controller_io.hpp).
// `now` is boot-clock time and randomness is injected, so unit tests drive the controller with a
// fake clock and replay any schedule (tests/platform/controller_test.cpp).
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
#include "core/provision/static_provisioning.hpp"
#include "core/select/policy.hpp"
#include "core/select/state_machine.hpp"
#include "modes/evaluate.hpp"
#include "platform/daemon/controller_io.hpp"
#include "platform/dns/aftr_tracker.hpp"

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
    // The configuration file's "static" section (docs/configuration.md). When set, policy.configured
    // is its mode, and every option set must pass through provision::merge_static() before
    // modes::evaluate() (draft-ietf-softwire-unified-cpe §3.2).
    std::optional<provision::StaticProvisioning> static_provisioning;
    friend bool operator==(const ControllerConfig&, const ControllerConfig&) = default;
};

// Options the DHCPv6 client requests beyond its defaults: with lw4o6 enabled, 88 (the 4o6
// servers, RFC 7341 §5) and 137 (where the 4o6 softwire source comes from, RFC 8539).
std::vector<std::uint16_t> extra_option_request(const select::Policy& policy);

class Controller {
public:
    // Uniform in [0, 1): the AFTR re-resolution jitter.
    using Random = std::function<double()>;

    Controller(ControllerConfig config, Random random);

    Effects handle(const Event& event, Time now);
    // SIGHUP with a changed configuration: the new policy and plan context apply to the lease in
    // hand at once, and a changed mode or binding becomes one `replace` (atomic on the data plane).
    Effects reconfigure(ControllerConfig config, Time now);

    nlohmann::json status_json(Time now) const;
    nlohmann::json dhcp4o6_status_json(s46::Seconds now_s) const;
    const provision::Lease* lease() const { return lease_ ? &*lease_ : nullptr; }
    select::Mode active_mode() const { return machine_.active_mode(); }
    const std::string& reason() const { return machine_.reason(); }
    const modes::Plan* active_plan() const { return machine_.active_plan(); }  // `s46ctl portmap`
    // What the running DHCP 4o6 client was started with (nullopt: not running), and its lease.
    const std::optional<modes::Dhcp4o6Parameters>& dhcp4o6_running() const { return dhcp4o6_running_; }
    const std::optional<store::Dhcp4o6Lease>& dhcp4o6_lease() const { return dhcp4o6_lease_; }
    std::uint64_t transitions() const { return transitions_; }
    const ControllerConfig& config() const { return config_; }

private:
    struct Step;  // the effects of one event, collected in order

    void on_provisioned(Step& s, const provision::Lease& lease, store::EventKind kind, Source source, std::string origin);
    void on_informed(Step& s, const std::vector<std::uint8_t>& raw_options);
    void on_lease_gone(Step& s, store::EventKind kind, const std::string& why, select::Transition t);
    void on_link(Step& s, bool up);
    void on_dns_answer(Step& s, const event::DnsAnswer& answer);
    void on_tick(Step& s, const event::Tick& tick);
    void on_set_mode(Step& s, select::Mode configured);
    void on_started(Step& s);
    void on_dhcp4o6_bound(Step& s, const event::Dhcp4o6Bound& bound);
    void on_dhcp4o6_lost(Step& s, const std::string& why);
    // Starts, re-sources or stops the DHCP 4o6 client so it matches evaluation_.dhcp4o6.
    void sync_dhcp4o6(Step& s, const std::string& why);
    void stop_dhcp4o6(Step& s, const std::string& why);
    // The decision handed to the state machine: a lw4o6 waiting for its 4o6 binding says so.
    select::Decision decision_for_machine() const;
    void fall_back_to_static(Step& s);
    void reevaluate(Step& s, const std::string& why);

    void evaluate(const provision::Lease& lease);
    bool aftr_is_literal() const;
    modes::PlanContext context_for(const provision::Lease& lease) const;
    void apply(Step& s, const select::Transition& t);
    void start_aftr(Step& s, const modes::Plan& plan);
    void resolve_aftr(Step& s);
    void on_no_binding(Step& s);
    void on_aftr_unreachable(Step& s);

    ControllerConfig config_;
    Random random_;

    select::StateMachine<modes::Plan> machine_;
    std::optional<provision::Lease> lease_;
    std::optional<s46::Seconds> lease_valid_until_;  // INT64_MAX for stateless options
    provision::S46OptionSet options_;
    modes::Evaluation evaluation_;
    Source source_ = Source::dhcp_client;
    bool static_only_ = false;  // the active provisioning is the configuration's alone
    // DHCP 4o6 (RFC 7596 §5.1): the client's parameters while it runs, and its lease. The lease's
    // binding goes into every plan context, so the ordinary lw4o6 plan is built from it.
    std::optional<modes::Dhcp4o6Parameters> dhcp4o6_running_;
    std::optional<store::Dhcp4o6Lease> dhcp4o6_lease_;
    std::unique_ptr<dns::AftrTracker> aftr_;
    std::uint64_t query_ = 0;           // the DNS query in flight (0: none)
    std::uint64_t last_query_ = 0;      // every Resolve gets a new number
    std::uint64_t transitions_ = 0;
    std::optional<Time> last_reprovision_at_, last_failover_at_;
    // What the policies did, for `s46ctl status` (the data plane counts the raw events).
    std::uint64_t no_binding_reports_ = 0, reprovisions_ = 0, aftr_failovers_ = 0;
};

}  // namespace s46::daemon
