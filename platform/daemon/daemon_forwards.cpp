// Static port forwards in the daemon (docs/napt.md "Static port forwards"): the list the store
// keeps, checked and re-evaluated by core/napt/static_forward.hpp's pure policy, handed to the
// data plane, and `s46ctl portmap add|del`. Every refusal is a reply; nothing here stops s46d.
#include <algorithm>

#include "platform/daemon/daemon.hpp"
#include "platform/time/clock.hpp"

namespace s46::daemon {

void Daemon::load_forwards() {
    auto stored = store_->static_forwards();
    if (!stored) {
        log(effect::Level::error, "store: " + stored.error() + "; starting without static port forwards");
        return;
    }
    forwards_ = std::move(*stored);
    // They were accepted as enabled: the first plan reports those its set does not hold.
    planned_states_.clear();
    for (const auto& f : forwards_) planned_states_.push_back({f, true, {}});
    if (!forwards_.empty()) log(effect::Level::info, "restored " + std::to_string(forwards_.size()) + " static port forward(s)");
    sync_forwards(true);
}

void Daemon::journal_forward(const std::string& detail) {
    store::Event e{0, time::wall_now_seconds(), store::EventKind::port_forward, select::Mode::none, select::Mode::none, detail};
    if (auto a = store_->append(e); !a) log(effect::Level::error, "store: " + a.error());
}

void Daemon::sync_forwards(bool force) {
    const modes::Plan* plan = controller_ ? controller_->active_plan() : nullptr;
    forward_states_ = napt::evaluate_forwards(plan, forwards_);
    // Changes are told between plans with a mode: losing the lease for a while disables every
    // forward, and telling that twice per outage would bury the one change that matters -- a
    // new port set without the port.
    if (plan) {
        for (const auto& line : napt::forward_changes(planned_states_, forward_states_)) {
            const bool disabled = line.find(" disabled: ") != std::string::npos;
            log(disabled ? effect::Level::warning : effect::Level::info, line);
            journal_forward(line);
        }
        planned_states_ = forward_states_;
    }
    const std::vector<napt::StaticForward> enabled = napt::enabled_forwards(forward_states_);
    if (!force && forwards_sent_ && *forwards_sent_ == enabled) return;
    if (auto r = dataplane_->set_static_forwards(enabled); !r) {
        last_error_ = "data plane " + dataplane_->name() + ": static forwards: " + r.error();
        log(effect::Level::error, last_error_);
        forwards_sent_.reset();  // try again on the next change
        return;
    }
    forwards_sent_ = enabled;
}

Result<std::string> Daemon::add_forward(const control::PortmapRequest& r) {
    if (stopping_) return fail("s46d is shutting down");
    auto checked = napt::validate_new_forward(controller_->active_plan(), forwards_,
                                              napt::StaticForward{r.protocol, r.external_port, r.lan_address, r.lan_port});
    if (!checked) return fail(checked.error());
    // Stored first: a forward the next start would not know is not worth promising.
    if (auto s = store_->save_static_forward(*checked); !s) return fail("store: " + s.error());
    forwards_.push_back(*checked);
    planned_states_.push_back({*checked, true, {}});
    sync_forwards(false);
    const std::string what = "static forward " + napt::describe(*checked) + " added";
    log(effect::Level::info, what);
    journal_forward(what);
    return "forwarding " + napt::describe(*checked);
}

Result<std::string> Daemon::delete_forward(const control::PortmapRequest& r) {
    if (stopping_) return fail("s46d is shutting down");
    auto same = [&](const napt::StaticForward& f) { return f.protocol == r.protocol && f.external_port == r.external_port; };
    auto it = std::find_if(forwards_.begin(), forwards_.end(), same);
    if (it == forwards_.end())
        return fail("no " + std::string(napt::protocol_name(r.protocol)) + " forward on port " + std::to_string(r.external_port) +
                    " (s46ctl portmap list shows them)");
    const napt::StaticForward gone = *it;
    if (auto s = store_->delete_static_forward(r.protocol, r.external_port); !s) return fail("store: " + s.error());
    forwards_.erase(it);
    std::erase_if(planned_states_, [&](const napt::ForwardState& s) { return same(s.forward); });
    sync_forwards(false);
    const std::string what = "static forward " + napt::describe(gone) + " deleted";
    log(effect::Level::info, what);
    journal_forward(what);
    return "deleted " + napt::describe(gone);
}

}  // namespace s46::daemon
