#include "platform/daemon/controller.hpp"

#include <map>

#include "core/provision/static_provisioning.hpp"
#include "core/util/hex.hpp"
#include "dhcp/s46_codec.hpp"
#include "platform/report/plan_json.hpp"

namespace s46::daemon {

using nlohmann::json;

struct Controller::Step {
    Effects effects;
    Time now;
    template <class E>
    void operator()(E&& e) {
        effects.emplace_back(std::forward<E>(e));
    }
    void log(effect::Level level, std::string text, std::string key = {}) {
        effects.emplace_back(effect::Log{level, std::move(text), std::move(key)});
    }
    void journal(store::EventKind kind, std::string detail, select::Mode from = select::Mode::none,
                 select::Mode to = select::Mode::none) {
        effects.emplace_back(effect::Journal{kind, from, to, std::move(detail)});
    }
    s46::Seconds seconds() const { return std::chrono::duration_cast<std::chrono::seconds>(now).count(); }
};

namespace {

std::string binding_ranges(const modes::Plan& p) {
    if (p.ports.psid_len == 0) return {};
    std::string out;
    for (const auto& r : report::port_ranges_json(p.ports)) out += (out.empty() ? "" : ",") + r.get<std::string>();
    return out;
}

store::Binding binding_of(const modes::Plan& plan) {
    store::Binding b;
    b.mode = plan.mode;
    b.tunnel_address = plan.tunnel_local;
    if (plan.mode != select::Mode::dslite) b.ipv4 = plan.ipv4.address;
    b.psid_offset = plan.ports.offset;
    b.psid_length = plan.ports.psid_len;
    b.psid = plan.ports.psid;
    b.port_ranges = binding_ranges(plan);
    return b;
}

// Seconds from `now` until `at` (negative once passed); both on the boot clock.
std::int64_t seconds_until(s46::Seconds at, s46::Seconds now) { return at == INT64_MAX ? INT64_MAX : at - now; }

}  // namespace

std::vector<std::uint16_t> extra_option_request(const select::Policy& policy) {
    if (!policy.is_enabled(select::Mode::lw4o6)) return {};
    return {provision::kOptionDhcp4o6Server, provision::kOptionS46BindIpv6Prefix};
}

Controller::Controller(ControllerConfig config, Random random) : config_(std::move(config)), random_(std::move(random)) {}

Effects Controller::handle(const Event& event, Time now) {
    Step s{{}, now};
    const bool shutdown = std::holds_alternative<event::Released>(event);
    std::visit(
        [&](const auto& e) {
            using E = std::decay_t<decltype(e)>;
            if constexpr (std::is_same_v<E, event::Provisioned>) {
                on_provisioned(s, e.lease, e.kind, e.source,
                               e.source == Source::external ? "external provisioning" : "DHCPv6");
            } else if constexpr (std::is_same_v<E, event::Restored>) {
                on_provisioned(s, e.lease, store::EventKind::lease_obtained, Source::dhcp_client, "restored from the store");
            } else if constexpr (std::is_same_v<E, event::Informed>) {
                on_informed(s, e.raw_options);
            } else if constexpr (std::is_same_v<E, event::LeaseExpired>) {
                on_lease_gone(s, store::EventKind::lease_expired, "lease expired", machine_.tick(INT64_MAX - 1));
            } else if constexpr (std::is_same_v<E, event::Released>) {
                on_lease_gone(s, store::EventKind::lease_released, "lease released (orderly shutdown)",
                              machine_.on_release("lease released (orderly shutdown)"));
            } else if constexpr (std::is_same_v<E, event::Link>) {
                on_link(s, e.up);
            } else if constexpr (std::is_same_v<E, event::DnsAnswer>) {
                on_dns_answer(s, e);
            } else if constexpr (std::is_same_v<E, event::Tick>) {
                on_tick(s, e);
            } else if constexpr (std::is_same_v<E, event::SetMode>) {
                on_set_mode(s, e.configured);
            } else if constexpr (std::is_same_v<E, event::Started>) {
                on_started(s);
            } else if constexpr (std::is_same_v<E, event::Dhcp4o6Bound>) {
                on_dhcp4o6_bound(s, e);
            } else if constexpr (std::is_same_v<E, event::Dhcp4o6Lost>) {
                on_dhcp4o6_lost(s, e.why);
            }
        },
        event);
    sync_dhcp4o6(s, shutdown ? "orderly shutdown" : "");
    return std::move(s.effects);
}

modes::PlanContext Controller::context_for(const provision::Lease& lease) const {
    modes::PlanContext c;
    for (const auto& p : lease.prefixes)
        if (p.valid_lifetime > 0) c.delegated_prefixes.push_back(p.prefix);
    for (const auto& a : lease.addresses)
        if (a.valid_lifetime > 0) {
            c.wan_address = a.address;
            break;
        }
    c.wan_mtu = config_.wan_mtu;
    c.legacy_iid = config_.legacy_iid;
    c.gi4over6 = config_.gi4over6;
    c.gi4over6_prefix = config_.gi4over6_prefix;
    if (dhcp4o6_lease_) c.dhcp4o6_binding = dhcp4o6_lease_->binding;
    return c;
}

// The draft's "one mode configured locally" rule (draft-ietf-softwire-unified-cpe §3.2): with a
// static section, its values win and DHCPv6 supplies only what is missing for that mode.
void Controller::evaluate(const provision::Lease& lease) {
    options_ = dhcp::decode_reply_options(lease.options);
    if (config_.static_provisioning) options_ = provision::merge_static(options_, *config_.static_provisioning);
    evaluation_ = modes::evaluate(options_, context_for(lease), config_.policy);
}

// A static provisioning that needs nothing from DHCPv6 (a DS-Lite AFTR, a whole lw4o6 binding)
// runs from the start and whenever no lease is in hand; MAP-E waits for the delegated prefix.
void Controller::on_started(Step& s) {
    if (!config_.static_provisioning || lease_) return;
    fall_back_to_static(s);
}

void Controller::fall_back_to_static(Step& s) {
    if (!config_.static_provisioning) return;
    provision::Lease none;
    none.obtained_at = s.seconds();
    evaluate(none);
    if (!evaluation_.plan) {
        s.log(effect::Level::info, "static provisioning waits for DHCPv6: " + evaluation_.decision.reason);
        return;
    }
    static_only_ = true;
    source_ = Source::dhcp_client;
    apply(s, machine_.on_reply(s.seconds(), decision_for_machine(), evaluation_.plan, INT64_MAX));
}

void Controller::on_provisioned(Step& s, const provision::Lease& lease, store::EventKind kind, Source source,
                                std::string origin) {
    source_ = source;
    static_only_ = false;
    lease_ = lease;
    lease_valid_until_ = lease.valid_until();
    evaluate(lease);
    std::string detail = origin + ": " + std::to_string(lease.addresses.size()) + " address(es), " +
                         std::to_string(lease.prefixes.size()) + " prefix(es), " +
                         std::to_string(options_.rejected.size()) + " option(s) ignored";
    s(effect::SaveLease{lease});
    s.journal(kind, detail);
    s.log(effect::Level::info, std::string(store::to_string(kind)) + ": " + detail);
    // One journal row and one log line per distinct rejection, with its count: a hostile server
    // that repeats an option 1000 times in a Reply gets one row, not 1000 (which would also push
    // the history out of the bounded journal). The logger rate-limits across Replies.
    std::map<std::string, std::size_t> rejections;
    for (const auto& r : evaluation_.rejected) ++rejections["option " + std::to_string(r.option) + ": " + r.why];
    for (const auto& [why, count] : rejections) {
        std::string line = why + (count > 1 ? " (" + std::to_string(count) + " times in this Reply)" : "");
        s.journal(store::EventKind::provisioning_error, line);
        s.log(effect::Level::warning, "rejected " + line, "rejected " + why);
    }
    apply(s, machine_.on_reply(s.seconds(), decision_for_machine(), evaluation_.plan, *lease_valid_until_));
}

void Controller::on_informed(Step& s, const std::vector<std::uint8_t>& raw_options) {
    provision::Lease info;
    info.obtained_at = s.seconds();
    info.options = raw_options;
    lease_ = info;
    lease_valid_until_ = INT64_MAX;
    source_ = Source::dhcp_client;
    evaluate(info);
    s.log(effect::Level::info, "information-request reply: " + std::to_string(options_.rejected.size()) + " option(s) ignored");
    apply(s, machine_.on_reply(s.seconds(), decision_for_machine(), evaluation_.plan, INT64_MAX));
}

void Controller::on_lease_gone(Step& s, store::EventKind kind, const std::string& why, select::Transition t) {
    const bool had_lease = lease_.has_value();
    lease_.reset();
    lease_valid_until_.reset();
    s(effect::ClearLease{});
    if (had_lease || t.kind != select::TransitionKind::none) {
        s.journal(kind, why);
        s.log(effect::Level::info, why);
    }
    apply(s, t);
    // What the configuration gives alone stays up without a lease (not on an orderly shutdown).
    if (kind == store::EventKind::lease_expired) fall_back_to_static(s);
}

void Controller::on_link(Step& s, bool up) {
    s.log(effect::Level::info, std::string("WAN link ") + (up ? "up" : "down"));
    apply(s, up ? machine_.on_link_up(s.seconds()) : machine_.on_link_down());
}

void Controller::on_tick(Step& s, const event::Tick& tick) {
    auto t = machine_.tick(s.seconds());
    if (t.kind != select::TransitionKind::none) on_lease_gone(s, store::EventKind::lease_expired, "lease expired", t);

    const select::Mode mode = machine_.active_mode();
    const DataPlaneEvents& e = tick.dataplane;
    if (e.no_binding && mode == select::Mode::lw4o6) on_no_binding(s);
    // Errors while replies still arrive are about some packets, not a dead AFTR (a router
    // between may be rate-limiting or filtering one flow); only silence plus errors counts.
    if (aftr_ && e.inbound_traffic) aftr_->on_tunnel_up();
    if (e.remote_unreachable && !e.inbound_traffic && mode == select::Mode::dslite) on_aftr_unreachable(s);
    if (aftr_ && query_ == 0 && aftr_->resolve_due(s.now)) resolve_aftr(s);
}

void Controller::on_set_mode(Step& s, select::Mode configured) {
    if (config_.policy.configured == configured) return;
    config_.policy.configured = configured;
    const std::string name = configured == select::Mode::none ? "auto" : std::string(select::to_string(configured));
    s.log(effect::Level::info, "configured mode set to " + name + " by the operator");
    reevaluate(s, "configured mode set to " + name);
}

Effects Controller::reconfigure(ControllerConfig config, Time now) {
    Step s{{}, now};
    if (config == config_) return {};
    config_ = std::move(config);
    reevaluate(s, "configuration reloaded");
    sync_dhcp4o6(s, "");
    return std::move(s.effects);
}

// The lease in hand, decided again under the current policy: the same path as a fresh Reply, so
// a changed policy cannot leave a plan that a Reply would not produce.
void Controller::reevaluate(Step& s, const std::string& why) {
    if (!lease_) {
        if (static_only_ || machine_.active_mode() == select::Mode::none) {
            if (!config_.static_provisioning && static_only_) {
                static_only_ = false;
                apply(s, machine_.on_release(why + ": no static provisioning any more"));
                return;
            }
            fall_back_to_static(s);
        }
        return;
    }
    evaluate(*lease_);
    auto t = machine_.on_reply(s.seconds(), decision_for_machine(), evaluation_.plan, lease_valid_until_.value_or(INT64_MAX));
    if (t.kind != select::TransitionKind::none) t.reason = why + ": " + t.reason;
    apply(s, t);
}

// ---------------------------------------------------------------------------------------------
// DHCP 4o6 (RFC 7596 §5.1, RFC 7341, RFC 8539). Like the AFTR name of DS-Lite, the binding is
// something the plan needs and only an exchange can give: the evaluation names the parameters,
// an effect starts the client, and its lease comes back as an event that is decided again.

namespace {

std::string ports_text(const std::optional<provision::PortParams>& p) {
    if (!p || p->psid_len == 0) return "the full address";
    return "PSID " + std::to_string(p->psid) + "/" + std::to_string(p->psid_len) + " offset " + std::to_string(p->offset);
}

std::string servers_text(const std::vector<net::Ipv6Address>& servers) {
    if (servers.empty()) return "ff02::1:2 (option 88 empty)";
    std::string out;
    for (const auto& a : servers) out += (out.empty() ? "" : ", ") + a.to_string();
    return out;
}

}  // namespace

select::Decision Controller::decision_for_machine() const {
    select::Decision d = evaluation_.decision;
    if (evaluation_.dhcp4o6 && !evaluation_.plan) {
        // select::StateMachine has no "pending" mode: without a plan it deactivates, so lw4o6 is
        // not active until the binding arrives, and the reason says what it waits for.
        d.reason += dhcp4o6_lease_ ? "; the DHCP 4o6 lease is for another softwire source, renewing with the new one"
                                   : "; waiting for a DHCP 4o6 lease";
    }
    return d;
}

void Controller::on_dhcp4o6_bound(Step& s, const event::Dhcp4o6Bound& bound) {
    if (!dhcp4o6_running_) {
        // The client is stopped before the controller forgets it, so this is a late report.
        s.log(effect::Level::debug, "DHCP 4o6 lease ignored: the client is not running");
        return;
    }
    const store::Dhcp4o6Lease& l = bound.lease;
    dhcp4o6_lease_ = l;
    s(effect::SaveDhcp4o6Lease{l});
    const std::string detail = "DHCP 4o6: " + l.binding.ipv4.to_string() + " with " + ports_text(l.binding.port_params) +
                               " from server " + l.server_id.to_string() + ", lease " + std::to_string(l.lease_time) +
                               " s, softwire source " + l.binding.softwire_source.to_string();
    s.journal(bound.kind, detail);
    s.log(effect::Level::info, std::string(store::to_string(bound.kind)) + ": " + detail);
    reevaluate(s, "DHCP 4o6 lease");
}

void Controller::on_dhcp4o6_lost(Step& s, const std::string& why) {
    if (!dhcp4o6_lease_) return;
    dhcp4o6_lease_.reset();
    s(effect::ClearDhcp4o6Lease{});
    const std::string detail = "DHCP 4o6 lease lost: " + why;
    s.journal(store::EventKind::lease_expired, detail);
    s.log(effect::Level::warning, detail);
    // Without the binding the lw4o6 plan cannot be built: the mode is torn down and waits for the
    // client's next lease (it is already DISCOVERing).
    reevaluate(s, detail);
}

void Controller::stop_dhcp4o6(Step& s, const std::string& why) {
    if (!dhcp4o6_running_) return;
    dhcp4o6_running_.reset();
    s(effect::StopDhcp4o6{why});
    if (dhcp4o6_lease_) {
        dhcp4o6_lease_.reset();
        s(effect::ClearDhcp4o6Lease{});
    }
    s.journal(store::EventKind::dhcp4o6_client, "DHCP 4o6 client stopped: " + why);
    s.log(effect::Level::info, "DHCP 4o6 client stopped: " + why);
}

void Controller::sync_dhcp4o6(Step& s, const std::string& why) {
    const bool provisioned = lease_.has_value() || static_only_;
    const std::optional<modes::Dhcp4o6Parameters> wanted = provisioned ? evaluation_.dhcp4o6 : std::nullopt;
    if (!wanted || !why.empty()) {
        if (!why.empty()) stop_dhcp4o6(s, why);
        else if (!provisioned) stop_dhcp4o6(s, "no DHCPv6 lease");
        else stop_dhcp4o6(s, "the decision is no longer lw4o6 via DHCP 4o6 (" + evaluation_.decision.reason + ")");
        return;
    }
    if (dhcp4o6_running_ && dhcp4o6_running_->servers != wanted->servers) {
        // The engine has no way to move its lease to other servers: release and start over, and
        // the plan built on the old lease goes with it.
        stop_dhcp4o6(s, "option 88 changed to " + servers_text(wanted->servers));
        reevaluate(s, "option 88 changed");
    }
    if (!dhcp4o6_running_) {
        dhcp4o6_running_ = wanted;
        s(effect::StartDhcp4o6{wanted->servers, wanted->softwire_source});
        const std::string detail = "DHCP 4o6 client started: servers " + servers_text(wanted->servers) +
                                   ", softwire source " + wanted->softwire_source.to_string();
        s.journal(store::EventKind::dhcp4o6_client, detail);
        s.log(effect::Level::info, detail);
        return;
    }
    if (dhcp4o6_running_->softwire_source != wanted->softwire_source) {
        // RFC 8539: the server must learn the new source; the lease stays until it answers, but
        // the plan waits (modes::evaluate builds none for a binding of another source).
        const std::string detail = "DHCP 4o6 softwire source " + dhcp4o6_running_->softwire_source.to_string() + " -> " +
                                   wanted->softwire_source.to_string() + ": telling the server";
        dhcp4o6_running_->softwire_source = wanted->softwire_source;
        s(effect::Dhcp4o6SourceChanged{wanted->softwire_source});
        s.journal(store::EventKind::dhcp4o6_client, detail);
        s.log(effect::Level::info, detail);
    }
}

// RFC 7596 §5.1: "no binding" from the (already source-checked) lwAFTR.
void Controller::on_no_binding(Step& s) {
    ++no_binding_reports_;
    if (!config_.reprovision_on_no_binding) {
        s.journal(store::EventKind::tunnel_event, "lwAFTR reports no binding for us (ICMPv6 1/5); re-provisioning is off",
                  select::Mode::lw4o6, select::Mode::lw4o6);
        return;
    }
    if (last_reprovision_at_ && s.now - *last_reprovision_at_ < config_.no_binding_holddown) return;
    last_reprovision_at_ = s.now;
    // Only a lease from our own client can be renewed; an external client's is its business.
    const bool renew = lease_ && source_ == Source::dhcp_client && lease_valid_until_ != INT64_MAX;
    if (renew) {
        ++reprovisions_;
        s(effect::Renew{"lwAFTR reports no binding (ICMPv6 1/5)"});
    }
    std::string detail = std::string("lwAFTR reports no binding for us (ICMPv6 1/5); ") +
                         (renew ? "renewing the lease" : "no lease to renew");
    s.journal(store::EventKind::tunnel_event, detail, select::Mode::lw4o6, select::Mode::lw4o6);
    s.log(effect::Level::warning, detail);
}

void Controller::on_aftr_unreachable(Step& s) {
    if (!aftr_ || !config_.aftr_failover) return;
    if (last_failover_at_ && s.now - *last_failover_at_ < config_.aftr_failover_holddown) return;
    last_failover_at_ = s.now;
    const auto before = aftr_->current();
    aftr_->on_tunnel_failed(s.now);
    const auto after = aftr_->current();
    if (!before) return;
    std::string detail;
    if (after && after != before) {
        ++aftr_failovers_;
        s(effect::SetRemote{*after});
        detail = "AFTR " + before->to_string() + " unreachable (ICMPv6); moved to " + after->to_string();
    } else {
        detail = "AFTR " + before->to_string() + " unreachable (ICMPv6); no other address, asking DNS again";
    }
    s.journal(store::EventKind::tunnel_event, detail, select::Mode::dslite, select::Mode::dslite);
    s.log(effect::Level::warning, detail);
}

void Controller::apply(Step& s, const select::Transition& t) {
    if (t.kind == select::TransitionKind::none) return;
    ++transitions_;
    const modes::Plan* plan = machine_.active_plan();
    s(effect::ApplyPlan{t, plan ? std::optional<modes::Plan>(*plan) : std::nullopt});
    s.journal(store::EventKind::mode_changed, std::string(select::to_string(t.kind)) + ": " + t.reason, t.from, t.to);
    s.log(effect::Level::info, std::string(select::to_string(t.kind)) + " " + std::string(select::to_string(t.from)) +
                                   " -> " + std::string(select::to_string(t.to)) + ": " + t.reason);
    s(effect::SaveSelection{store::Selection{machine_.active_mode(), machine_.reason(),
                                             plan ? report::plan_json(*plan).dump(-1, ' ', false, json::error_handler_t::replace) : "null"}});
    if (plan) s(effect::RecordBinding{binding_of(*plan)});
    if (aftr_ || query_) s(effect::CancelResolve{});
    aftr_.reset();
    query_ = 0;
    if (plan && plan->mode == select::Mode::dslite) start_aftr(s, *plan);
}

void Controller::start_aftr(Step& s, const modes::Plan& plan) {
    aftr_ = std::make_unique<dns::AftrTracker>(plan.remote_name, random_);
    resolve_aftr(s);
}

bool Controller::aftr_is_literal() const { return aftr_ && provision::is_aftr_address_literal(aftr_->name()); }

void Controller::resolve_aftr(Step& s) {
    if (!aftr_) return;
    // A configured AFTR address (the static section) needs no DNS: it answers for itself.
    if (aftr_is_literal()) {
        const auto before = aftr_->current();
        auto address = net::Ipv6Address::parse(aftr_->name());
        if (!address) return;
        aftr_->on_resolved(dns::AftrAnswer{{*address}, std::chrono::hours(24)}, s.now);
        if (aftr_->current() != before) s(effect::SetRemote{*address});
        return;
    }
    if (options_.dns_servers.empty()) {
        aftr_->on_resolve_failed("no DNS server from DHCPv6 (option 23)", s.now);
        return;
    }
    query_ = ++last_query_;
    s(effect::Resolve{query_, aftr_->name(), options_.dns_servers});
}

void Controller::on_dns_answer(Step& s, const event::DnsAnswer& answer) {
    if (!aftr_ || answer.query != query_) return;  // superseded: a newer plan or query owns the tracker
    query_ = 0;
    const auto before = aftr_->current();
    if (answer.result) aftr_->on_resolved(*answer.result, s.now);
    else aftr_->on_resolve_failed(answer.result.error(), s.now);
    const auto after = aftr_->current();
    if (after && after != before) {
        s(effect::SetRemote{*after});
        s.log(effect::Level::info, "AFTR " + aftr_->name() + " -> " + after->to_string());
    } else if (!answer.result) {
        s.log(effect::Level::warning, "AFTR " + aftr_->name() + " not resolved: " + answer.result.error());
    }
}

json Controller::dhcp4o6_status_json(s46::Seconds now_s) const {
    if (!dhcp4o6_running_) return nullptr;
    json servers = json::array();
    for (const auto& a : dhcp4o6_running_->servers) servers.push_back(a.to_string());
    json j = {{"servers", servers}, {"softwire_source", dhcp4o6_running_->softwire_source.to_string()}};
    if (!dhcp4o6_lease_) {
        j["lease"] = nullptr;
        return j;
    }
    const store::Dhcp4o6Lease& l = *dhcp4o6_lease_;
    // 0xffffffff is an infinite lease (RFC 2131 §3.3): no timer runs out.
    const auto until = [&](std::uint32_t t) { return t == 0xffffffffu ? json(nullptr) : json(l.obtained_at + t - now_s); };
    json ports = nullptr;
    if (l.binding.port_params)
        ports = {{"psid_offset", l.binding.port_params->offset},
                 {"psid_length", l.binding.port_params->psid_len},
                 {"psid", l.binding.port_params->psid}};
    j["lease"] = {{"address", l.binding.ipv4.to_string()},
                  {"port_params", ports},
                  {"softwire_source", l.binding.softwire_source.to_string()},
                  {"server_id", l.server_id.to_string()},
                  {"lease_time", l.lease_time},
                  {"t1", l.t1},
                  {"t2", l.t2},
                  {"age_seconds", now_s - l.obtained_at},
                  {"t1_in_seconds", until(l.t1)},
                  {"t2_in_seconds", until(l.t2)},
                  {"valid_for_seconds", until(l.lease_time)}};
    return j;
}

json Controller::status_json(Time now) const {
    const s46::Seconds now_s = std::chrono::duration_cast<std::chrono::seconds>(now).count();
    json j = report::evaluation_json(evaluation_);
    j["mode"] = std::string(select::to_string(machine_.active_mode()));
    j["configured_mode"] = config_.policy.configured == select::Mode::none
                               ? std::string("auto")
                               : std::string(select::to_string(config_.policy.configured));
    j["reason"] = machine_.reason();
    const modes::Plan* plan = machine_.active_plan();
    j["plan"] = plan ? report::plan_json(*plan) : json(nullptr);
    if (plan && aftr_) {
        j["plan"]["aftr_status"] = aftr_->status(now);
        if (auto a = aftr_->current()) j["plan"]["aftr"] = a->to_string();
    }
    j["source"] = static_only_ ? "static" : source_ == Source::external ? "external" : "dhcpv6";
    // Where the lw4o6 binding (IPv4 address and port set) came from.
    if (plan && plan->mode == select::Mode::lw4o6)
        j["binding_origin"] = evaluation_.dhcp4o6                                                   ? "DHCP 4o6"
                              : config_.static_provisioning && config_.static_provisioning->lw4o6.ipv4 ? "static configuration"
                                                                                                     : "DHCPv6 V4V6BIND";
    else
        j["binding_origin"] = nullptr;
    j["dhcp4o6"] = dhcp4o6_status_json(now_s);
    j["transitions"] = transitions_;
    j["events"] = {{"no_binding_reports", no_binding_reports_},
                   {"reprovisions", reprovisions_},
                   {"aftr_failovers", aftr_failovers_},
                   {"reprovision_on_no_binding", config_.reprovision_on_no_binding}};
    if (lease_) {
        json addrs = json::array(), prefixes = json::array();
        for (const auto& a : lease_->addresses)
            addrs.push_back({{"address", a.address.to_string()}, {"preferred_lifetime", a.preferred_lifetime}, {"valid_lifetime", a.valid_lifetime}});
        for (const auto& p : lease_->prefixes)
            prefixes.push_back({{"prefix", p.prefix.to_string()}, {"preferred_lifetime", p.preferred_lifetime}, {"valid_lifetime", p.valid_lifetime}});
        // Relative times only: the controller's clock is the boot clock, which means nothing to
        // people; the daemon adds wall-clock equivalents (obtained_at, valid_until).
        json lease = {{"addresses", addrs},
                      {"prefixes", prefixes},
                      {"t1", lease_->t1},
                      {"t2", lease_->t2},
                      {"server_duid", util::to_hex(lease_->server_duid)},
                      {"age_seconds", now_s - lease_->obtained_at}};
        // Relative times: the controller's clock is the boot clock, which means nothing to people
        // (the daemon adds wall-clock obtained_at/valid_until). null: no such timer (T1/T2 0 =
        // client's choice, 0xffffffff = infinity, RFC 8415 §7.7, §21.4) or an infinite lifetime.
        const auto until = [&](std::uint32_t t) {
            return t == 0 || t == 0xffffffffu ? json(nullptr) : json(lease_->obtained_at + t - now_s);
        };
        lease["t1_in_seconds"] = until(lease_->t1);
        lease["t2_in_seconds"] = until(lease_->t2);
        const std::int64_t valid_for = seconds_until(*lease_valid_until_, now_s);
        lease["valid_for_seconds"] = valid_for == INT64_MAX ? json(nullptr) : json(valid_for);
        if (lease_->server_address) lease["server_address"] = lease_->server_address->to_string();
        j["lease"] = lease;
    } else {
        j["lease"] = nullptr;
    }
    return j;
}

}  // namespace s46::daemon
