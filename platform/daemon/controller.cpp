#include "platform/daemon/controller.hpp"

#include <chrono>
#include <random>

#include "core/util/hex.hpp"
#include "dhcp/s46_codec.hpp"
#include "platform/report/plan_json.hpp"
#include "platform/time/clock.hpp"

namespace s46::daemon {

using nlohmann::json;

namespace {

// TODO(boot clock): the controller's clock (now_) is still the wall clock, so the store is
// handed a reading whose boot clock is now_: the lease round-trips on the clock it was made on.
// Once now_ is the boot clock this becomes time::read_clocks() unchanged.
time::ClockReading store_clocks(std::int64_t now_seconds) {
    time::ClockReading r = time::read_clocks();
    r.boot_ms = now_seconds * 1000;
    return r;
}

std::string binding_ranges(const modes::Plan& p) {
    if (p.ports.psid_len == 0) return {};
    std::string out;
    for (const auto& r : report::port_ranges_json(p.ports)) out += (out.empty() ? "" : ",") + r.get<std::string>();
    return out;
}

}  // namespace

Controller::Controller(ControllerConfig config, store::StateStore* store, dns::AftrResolver* resolver, DataPlane* dataplane,
                       WallClock wall_clock)
    : config_(std::move(config)), store_(store), resolver_(resolver), dataplane_(dataplane), now_(std::move(wall_clock)) {}

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
    return c;
}

select::Transition Controller::on_provisioning(const provision::Lease& lease, store::EventKind kind, Source source) {
    source_ = source;
    lease_ = lease;
    options_ = dhcp::decode_reply_options(lease.options);
    evaluation_ = modes::evaluate(options_, context_for(lease), config_.policy);
    std::string detail = std::string(source == Source::external ? "external provisioning" : "DHCPv6") + ": " +
                         std::to_string(lease.addresses.size()) + " address(es), " + std::to_string(lease.prefixes.size()) +
                         " prefix(es), " + std::to_string(options_.rejected.size()) + " option(s) ignored";
    if (store_) {
        if (auto s = store_->save_lease(lease, store_clocks(now_())); !s) log_error(s.error());
        if (auto s = store_->append({0, now_(), kind, select::Mode::none, select::Mode::none, detail}); !s) log_error(s.error());
        for (const auto& r : evaluation_.rejected) {
            store::Event e{0, now_(), store::EventKind::provisioning_error, select::Mode::none, select::Mode::none,
                           "option " + std::to_string(r.option) + ": " + r.why};
            if (auto s = store_->append(e); !s) log_error(s.error());
        }
    }
    auto t = machine_.on_reply(now_(), evaluation_.decision, evaluation_.plan, lease.valid_until());
    return apply(t, detail);
}

select::Transition Controller::on_information(const std::vector<std::uint8_t>& raw_options) {
    provision::Lease info;
    info.obtained_at = now_();
    info.options = raw_options;
    lease_ = info;
    options_ = dhcp::decode_reply_options(raw_options);
    evaluation_ = modes::evaluate(options_, context_for(info), config_.policy);
    auto t = machine_.on_reply(now_(), evaluation_.decision, evaluation_.plan, INT64_MAX);
    return apply(t, "information-request reply");
}

bool Controller::restore() {
    if (!store_) return false;
    auto stored = store_->load_lease(store_clocks(now_()));
    if (!stored) {
        log_error(stored.error());
        return false;
    }
    if (!stored->lease) {
        // Expired or untrusted (lease_time.hpp): the client Solicits afresh.
        if (stored->found) {
            log_error("stored lease: " + stored->note);
            if (auto s = store_->clear_lease(); !s) log_error(s.error());
        }
        return false;
    }
    const provision::Lease& lease = *stored->lease;
    // The same path as a fresh Reply: the stored raw options are re-evaluated, so a restart
    // with a changed policy or a newer s46d decides afresh.
    on_provisioning(lease, store::EventKind::lease_obtained, Source::dhcp_client);
    return machine_.active_mode() != select::Mode::none;
}

select::Transition Controller::on_lease_expired() {
    auto t = machine_.tick(INT64_MAX - 1);
    lease_.reset();
    if (store_) {
        if (auto s = store_->clear_lease(); !s) log_error(s.error());
        if (auto s = store_->append({0, now_(), store::EventKind::lease_expired, select::Mode::none, select::Mode::none, "lease expired"}); !s)
            log_error(s.error());
    }
    return apply(t, "lease expired");
}

select::Transition Controller::on_released() {
    auto t = machine_.on_release("lease released (orderly shutdown)");
    if (store_) {
        if (auto s = store_->clear_lease(); !s) log_error(s.error());
        if (auto s = store_->append({0, now_(), store::EventKind::lease_released, select::Mode::none, select::Mode::none, "released"}); !s)
            log_error(s.error());
    }
    lease_.reset();
    return apply(t, "released");
}

select::Transition Controller::on_link(bool up) {
    auto t = up ? machine_.on_link_up(now_()) : machine_.on_link_down();
    return apply(t, up ? "link up" : "link down");
}

void Controller::tick() {
    auto t = machine_.tick(now_());
    if (t.kind != select::TransitionKind::none) {
        lease_.reset();
        if (store_) store_->clear_lease();
        apply(t, "lease expired");
    }
    handle_events(dataplane_->take_events());
    if (aftr_ && !aftr_in_flight_ && aftr_->resolve_due(std::chrono::steady_clock::now())) resolve_aftr();
}

void Controller::handle_events(const DataPlaneEvents& e) {
    const select::Mode mode = machine_.active_mode();
    if (e.no_binding && mode == select::Mode::lw4o6) on_no_binding();
    // Errors while replies still arrive are about some packets, not a dead AFTR (a router
    // between may be rate-limiting or filtering one flow); only silence plus errors counts.
    if (aftr_ && e.inbound_traffic) aftr_->on_tunnel_up();
    if (e.remote_unreachable && !e.inbound_traffic && mode == select::Mode::dslite) on_aftr_unreachable();
}

// RFC 7596 §5.1: "no binding" from the (already source-checked) lwAFTR.
void Controller::on_no_binding() {
    ++no_binding_reports_;
    if (!config_.reprovision_on_no_binding) {
        journal("lwAFTR reports no binding for us (ICMPv6 1/5); re-provisioning is off");
        return;
    }
    const std::int64_t now = now_();
    if (last_reprovision_at_ && now - *last_reprovision_at_ < config_.no_binding_holddown.count()) return;
    last_reprovision_at_ = now;
    const bool started = reprovision_ && reprovision_("lwAFTR reports no binding (ICMPv6 1/5)");
    if (started) ++reprovisions_;
    journal(std::string("lwAFTR reports no binding for us (ICMPv6 1/5); ") +
            (started ? "renewing the lease" : "no lease to renew"));
}

void Controller::on_aftr_unreachable() {
    if (!aftr_ || !config_.aftr_failover) return;
    const std::int64_t now = now_();
    if (last_failover_at_ && now - *last_failover_at_ < config_.aftr_failover_holddown.count()) return;
    last_failover_at_ = now;
    const auto before = aftr_->current();
    aftr_->on_tunnel_failed(std::chrono::steady_clock::now());
    const auto after = aftr_->current();
    if (!before) return;
    if (after && after != before) {
        ++aftr_failovers_;
        if (auto s = dataplane_->set_remote(*after); !s) log_error("data plane: " + s.error());
        journal("AFTR " + before->to_string() + " unreachable (ICMPv6); moved to " + after->to_string());
    } else {
        journal("AFTR " + before->to_string() + " unreachable (ICMPv6); no other address, asking DNS again");
    }
}

void Controller::journal(const std::string& detail) {
    if (!store_) return;
    const select::Mode m = machine_.active_mode();
    if (auto s = store_->append({0, now_(), store::EventKind::tunnel_event, m, m, detail}); !s) log_error(s.error());
}

select::Transition Controller::apply(const select::Transition& t, const std::string&) {
    if (t.kind == select::TransitionKind::none) return t;
    ++transitions_;
    const modes::Plan* plan = machine_.active_plan();
    if (auto r = dataplane_->apply(t, plan); !r) log_error("data plane " + dataplane_->name() + ": " + r.error());
    if (store_) {
        store::Event e{0, now_(), store::EventKind::mode_changed, t.from, t.to, std::string(select::to_string(t.kind)) + ": " + t.reason};
        if (auto s = store_->append(e); !s) log_error(s.error());
        store::Selection sel{machine_.active_mode(), machine_.reason(), plan ? report::plan_json(*plan).dump() : "null"};
        if (auto s = store_->save_selection(sel); !s) log_error(s.error());
        if (plan) {
            store::Binding b;
            b.at = now_();
            b.mode = plan->mode;
            b.tunnel_address = plan->tunnel_local;
            if (plan->mode != select::Mode::dslite) b.ipv4 = plan->ipv4.address;
            b.psid_offset = plan->ports.offset;
            b.psid_length = plan->ports.psid_len;
            b.psid = plan->ports.psid;
            b.port_ranges = binding_ranges(*plan);
            if (auto s = store_->record_binding(b); !s) log_error(s.error());
        }
    }
    aftr_.reset();
    if (resolver_) resolver_->cancel();
    aftr_in_flight_ = false;
    if (plan && plan->mode == select::Mode::dslite) start_aftr(*plan);
    return t;
}

void Controller::start_aftr(const modes::Plan& plan) {
    static std::mt19937_64 rng{std::random_device{}()};
    aftr_ = std::make_unique<dns::AftrTracker>(plan.remote_name, [] { return std::uniform_real_distribution<double>(0, 1)(rng); });
    resolve_aftr();
}

void Controller::resolve_aftr() {
    if (!aftr_ || !resolver_) return;
    if (options_.dns_servers.empty()) {
        aftr_->on_resolve_failed("no DNS server from DHCPv6 (option 23)", std::chrono::steady_clock::now());
        return;
    }
    aftr_in_flight_ = true;
    resolver_->resolve(aftr_->name(), options_.dns_servers, [this](dns::AftrResult r) {
        aftr_in_flight_ = false;
        if (!aftr_) return;
        auto now = std::chrono::steady_clock::now();
        auto before = aftr_->current();
        if (r) aftr_->on_resolved(*r, now);
        else aftr_->on_resolve_failed(r.error(), now);
        auto after = aftr_->current();
        if (after && after != before)
            if (auto s = dataplane_->set_remote(*after); !s) log_error("data plane: " + s.error());
    });
}

void Controller::log_error(const std::string& what) { last_error_ = what; }

json Controller::status_json() const {
    json j = report::evaluation_json(evaluation_);
    j["mode"] = std::string(select::to_string(machine_.active_mode()));
    j["reason"] = machine_.reason();
    const modes::Plan* plan = machine_.active_plan();
    j["plan"] = plan ? report::plan_json(*plan) : json(nullptr);
    if (plan && aftr_) {
        j["plan"]["aftr_status"] = aftr_->status(std::chrono::steady_clock::now());
        if (auto a = aftr_->current()) j["plan"]["aftr"] = a->to_string();
    }
    j["source"] = source_ == Source::external ? "external" : "dhcpv6";
    j["dataplane"] = dataplane_->name();
    j["transitions"] = transitions_;
    j["events"] = {{"no_binding_reports", no_binding_reports_},
                   {"reprovisions", reprovisions_},
                   {"aftr_failovers", aftr_failovers_},
                   {"reprovision_on_no_binding", config_.reprovision_on_no_binding}};
    if (!last_error_.empty()) j["last_error"] = last_error_;
    if (lease_) {
        json addrs = json::array(), prefixes = json::array();
        for (const auto& a : lease_->addresses)
            addrs.push_back({{"address", a.address.to_string()}, {"preferred_lifetime", a.preferred_lifetime}, {"valid_lifetime", a.valid_lifetime}});
        for (const auto& p : lease_->prefixes)
            prefixes.push_back({{"prefix", p.prefix.to_string()}, {"preferred_lifetime", p.preferred_lifetime}, {"valid_lifetime", p.valid_lifetime}});
        j["lease"] = {{"addresses", addrs},
                      {"prefixes", prefixes},
                      {"t1", lease_->t1},
                      {"t2", lease_->t2},
                      {"server_duid", util::to_hex(lease_->server_duid)},
                      {"obtained_at", lease_->obtained_at},
                      {"valid_until", lease_->valid_until()}};
        if (lease_->server_address) j["lease"]["server_address"] = lease_->server_address->to_string();
    } else {
        j["lease"] = nullptr;
    }
    return j;
}

}  // namespace s46::daemon
