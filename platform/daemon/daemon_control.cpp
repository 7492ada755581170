// Daemon's side of the control socket (control::Service): what s46ctl's requests do. The
// requests arrive parsed and validated (platform/control/protocol.hpp); this file only acts.
#include <algorithm>

#include "core/map/port_set.hpp"
#include "dhcp/client/state.hpp"
#include "platform/daemon/daemon.hpp"
#include "platform/time/clock.hpp"
#include "platform/report/plan_json.hpp"

namespace s46::daemon {

using nlohmann::json;
namespace client = dhcp::client;


json Daemon::status() {
    const Time at = now();
    json s = controller_->status_json(at);
    // Wall-clock equivalents for people: the controller only knows the boot clock.
    if (controller_->lease() && s["lease"].is_object()) {
        const std::int64_t wall = time::wall_now_seconds();
        s["lease"]["obtained_at"] = wall - s["lease"]["age_seconds"].get<std::int64_t>();
        if (s["lease"]["valid_for_seconds"].is_number())
            s["lease"]["valid_until"] = wall + s["lease"]["valid_for_seconds"].get<std::int64_t>();
    }
    json counters = json::object();
    if (client_)
        for (const auto& [reason, n] : client_->counters()) counters["dhcp_ignored_" + std::string(client::to_string(reason))] = n;
    counters["dhcp_send_errors"] = send_errors_;
    if (client4o6_)
        for (const auto& [reason, n] : client4o6_->counters())
            counters["dhcp4o6_ignored_" + std::string(dhcp::client4o6::to_string(reason))] = n;
    counters["dhcp4o6_send_errors"] = dhcp4o6_send_errors_;
    counters["dhcp4o6_unexpected"] = dhcp4o6_unexpected_;
    counters["mode_transitions"] = controller_->transitions();
    counters["reloads"] = reloads_;
    counters["reload_failures"] = reload_failures_;
    const json dp = dataplane_->counters();
    for (const auto& [name, value] : dp.items()) counters[name] = value;
    s["counters"] = counters;
    s["dataplane"] = dataplane_->name();
    s["dhcp_state"] = !options_.dhcp_client ? std::string("external") : client_ ? std::string(client::to_string(client_->state())) : std::string("waiting for the WAN interface");
    if (s["dhcp4o6"].is_object()) {
        s["dhcp4o6"]["state"] = client4o6_ ? std::string(dhcp::client4o6::to_string(client4o6_->state())) : std::string("stopped");
        if (s["dhcp4o6"]["lease"].is_object()) {
            const std::int64_t wall = time::wall_now_seconds();
            s["dhcp4o6"]["lease"]["obtained_at"] = wall - s["dhcp4o6"]["lease"]["age_seconds"].get<std::int64_t>();
        }
    }
    s["wan_interface"] = options_.wan_interface;
    if (!last_error_.empty()) s["last_error"] = last_error_;
    json timings = json::object();
    if (start_to_mode_ms_) timings["start_to_mode_ms"] = *start_to_mode_ms_;
    if (reply_to_plan_us_) timings["reply_to_plan_us"] = *reply_to_plan_us_;
    if (first_send_to_reply_ms_) timings["first_send_to_reply_ms"] = *first_send_to_reply_ms_;
    if (reply_to_dhcp4o6_ack_ms_) timings["reply_to_dhcp4o6_ack_ms"] = *reply_to_dhcp4o6_ack_ms_;
    if (dhcp4o6_first_query_to_ack_ms_) timings["dhcp4o6_first_query_to_ack_ms"] = *dhcp4o6_first_query_to_ack_ms_;
    if (dhcp4o6_ack_to_plan_us_) timings["dhcp4o6_ack_to_plan_us"] = *dhcp4o6_ack_to_plan_us_;
    s["timings"] = timings;
    return s;
}

Result<control::StatusReply> Daemon::status(const control::StatusRequest&) { return control::StatusReply{status()}; }

Result<control::EventsReply> Daemon::events(const control::EventsRequest& r) {
    const std::int64_t since = r.since.value_or(0);
    // The store's limit counts every kind; with a kind filter, read all it keeps (at most
    // kMaxEventsLimit rows) and keep the newest `limit` that match.
    auto rows = store_->journal(r.kinds.empty() ? r.limit : control::kMaxEventsLimit, since);
    if (!rows) return fail("reading the journal: " + rows.error());
    control::EventsReply out;
    for (auto& e : *rows)
        if (r.kinds.empty() || std::find(r.kinds.begin(), r.kinds.end(), e.kind) != r.kinds.end()) out.events.push_back(std::move(e));
    if (out.events.size() > r.limit) out.events.erase(out.events.begin(), out.events.end() - r.limit);
    // Bindings are no event kind: a kind filter asks for events only.
    if (r.kinds.empty()) {
        auto bindings = store_->bindings(r.limit);
        if (!bindings) return fail("reading the binding log: " + bindings.error());
        for (auto& b : *bindings)
            if (b.at >= since) out.bindings.push_back(std::move(b));
    }
    return out;
}

Result<control::MessageReply> Daemon::renew(const control::RenewRequest&) {
    if (stopping_) return fail("s46d is shutting down (the lease has been released)");
    if (!options_.dhcp_client) return fail("s46d's DHCPv6 client is off (dhcpv6.client false): renew with the external client");
    if (!client_) return fail("no lease to renew (waiting for the WAN interface " + options_.wan_interface + ")");
    if (!client_->renew_now(now()))
        return fail("no lease to renew (DHCPv6 state " + std::string(client::to_string(client_->state())) + ")");
    drain();
    return control::MessageReply{"renew started"};
}

Result<control::StatusReply> Daemon::provision(const control::ProvisionRequest& r) {
    if (stopping_) return fail("s46d is shutting down (the lease has been released)");
    provision::Lease lease;
    lease.obtained_at = std::chrono::duration_cast<std::chrono::seconds>(now()).count();  // boot clock, as every lease
    lease.options = r.options;
    lease.prefixes = r.prefixes;
    lease.addresses = r.addresses;
    carry_out(controller_->handle(event::Provisioned{lease, store::EventKind::lease_obtained, Source::external}, now()));
    return control::StatusReply{status()};
}

Result<control::MessageReply> Daemon::mode(const control::ModeRequest& r) {
    if (stopping_) return fail("s46d is shutting down (the lease has been released)");
    auto done = set_mode(r.mode);
    if (!done) return fail(done.error());
    return control::MessageReply{*done};
}

Result<control::MessageReply> Daemon::reload(const control::ReloadRequest&) {
    if (stopping_) return fail("s46d is shutting down (the lease has been released)");
    auto done = reload();
    if (!done) return fail(done.error());
    return control::MessageReply{*done};
}

Result<control::PortmapReply> Daemon::portmap(const control::PortmapRequest& request) {
    const modes::Plan* plan = controller_->active_plan();
    control::PortmapReply r;
    if (request.action == control::PortmapAction::add || request.action == control::PortmapAction::del) {
        auto done = request.action == control::PortmapAction::add ? add_forward(request) : delete_forward(request);
        if (!done) return fail(done.error());
        r.message = *done;
    }
    r.forwards = forward_states_;
    // The forwards are configuration: listing (or changing) them needs no active mode.
    if (!plan && request.action != control::PortmapAction::show) return r;
    if (!plan) return fail("no active mode, so no port set (s46ctl status says why)");
    r.mode = plan->mode;
    r.ipv4 = report::ipv4_text(plan->ipv4);
    r.psid_offset = plan->ports.offset;
    r.psid_len = plan->ports.psid_len;
    r.psid = plan->ports.psid;
    for (const auto& range : report::port_ranges_json(plan->ports)) r.port_ranges.push_back(range.get<std::string>());
    auto set = plan->ports.psid_len ? map::PortSet::make(plan->ports.offset, plan->ports.psid_len, plan->ports.psid)
                                    : Result<map::PortSet>(map::PortSet::all());
    if (set) r.port_count = set->port_count();
    r.napt = plan->napt;
    const json counters = dataplane_->counters();
    if (counters.contains("napt_sessions") && counters["napt_sessions"].is_number_unsigned()) {
        r.napt_sessions = counters["napt_sessions"].get<std::uint64_t>();
        r.napt_max_sessions = options_.napt_max_sessions;
    }
    return r;
}

Result<std::string> Daemon::set_mode(select::Mode mode) {
    if (mode != select::Mode::none && !controller_->config().policy.is_enabled(mode))
        return fail(std::string(select::to_string(mode)) + " is not enabled in this configuration (selection.enabled)");
    carry_out(controller_->handle(event::SetMode{mode}, now()));
    const std::string name = mode == select::Mode::none ? "auto" : std::string(select::to_string(mode));
    return "configured mode " + name + "; active mode " + std::string(select::to_string(controller_->active_mode())) +
           " (" + controller_->reason() + ")";
}

}  // namespace s46::daemon
