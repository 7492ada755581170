// The mode-selection state machine: turns provisioning events into transitions of the one
// active softwire mode. Pure: time is passed in; no I/O. Invariant: at most one mode is ever
// active (draft §3.2, RFC 6333 §5.6 "start only one technology").
//
// Events:
//   on_reply     a validated Reply (Solicit/Request/Renew/Rebind) was decided by select::choose()
//   tick         time passed: the lease may have expired (RFC 8415 §18.2.10: valid lifetime 0)
//   on_link_down the WAN link went down: the mode is torn down, the provisioning kept
//   on_link_up   the link is back: a still-valid provisioning is restored at once
//   on_release   orderly shutdown: the mode is torn down and the provisioning dropped
// Each returns the Transition the caller must carry out on the data plane.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>

#include "core/select/choose.hpp"
#include "core/select/mode.hpp"
#include "core/time.hpp"

namespace s46::select {

enum class TransitionKind : std::uint8_t {
    none,      // nothing changes on the data plane
    activate,  // bring up `to` (nothing was active)
    replace,   // tear down `from` and bring up `to` in one step (a new plan, possibly the same mode)
    teardown,  // tear down `from`; nothing active afterwards
};

constexpr std::string_view to_string(TransitionKind k) {
    switch (k) {
        case TransitionKind::activate: return "activate";
        case TransitionKind::replace: return "replace";
        case TransitionKind::teardown: return "teardown";
        case TransitionKind::none: break;
    }
    return "none";
}

struct Transition {
    TransitionKind kind = TransitionKind::none;
    Mode from = Mode::none;
    Mode to = Mode::none;
    std::string reason;
};

template <class Plan>
class StateMachine {
public:
    // Plan must be equality-comparable: a Renew that yields an equal plan changes nothing.
    Transition on_reply(Seconds now, Decision decision, std::optional<Plan> plan, Seconds valid_until) {
        if (decision.mode == Mode::none || !plan) {
            provisioned_.reset();
            std::string why = decision.reason.empty() ? "no mode selected" : decision.reason;
            reason_ = why;
            return deactivate(why);
        }
        provisioned_ = Provisioned{decision.mode, std::move(*plan), valid_until};
        reason_ = decision.reason;
        if (link_down_) return {};  // remembered; applied on link up
        if (valid_until <= now) {
            provisioned_.reset();
            reason_ = "lease already expired";
            return deactivate(reason_);
        }
        return apply(decision.reason);
    }

    Transition tick(Seconds now) {
        if (!provisioned_ || provisioned_->valid_until > now) return {};
        provisioned_.reset();
        reason_ = "lease expired";
        return deactivate(reason_);
    }

    Transition on_link_down() {
        link_down_ = true;
        return deactivate("WAN link down");
    }

    Transition on_link_up(Seconds now) {
        link_down_ = false;
        if (!provisioned_) return {};
        if (provisioned_->valid_until <= now) {
            provisioned_.reset();
            reason_ = "lease expired while the link was down";
            return {};
        }
        return apply("WAN link up; restoring the still-valid provisioning (" + reason_ + ")");
    }

    Transition on_release(const std::string& why) {
        provisioned_.reset();
        reason_ = why;
        return deactivate(why);
    }

    Mode active_mode() const { return active_ ? active_->mode : Mode::none; }
    const Plan* active_plan() const { return active_ ? &active_->plan : nullptr; }
    const std::string& reason() const { return reason_; }
    std::optional<Seconds> valid_until() const {
        return provisioned_ ? std::optional<Seconds>(provisioned_->valid_until) : std::nullopt;
    }

private:
    struct Provisioned {
        Mode mode;
        Plan plan;
        Seconds valid_until;
    };
    struct Active {
        Mode mode;
        Plan plan;
    };

    Transition apply(const std::string& why) {
        const Provisioned& p = *provisioned_;
        if (active_ && active_->mode == p.mode && active_->plan == p.plan) return {};
        Transition t;
        t.kind = active_ ? TransitionKind::replace : TransitionKind::activate;
        t.from = active_mode();
        t.to = p.mode;
        t.reason = why;
        active_ = Active{p.mode, p.plan};
        return t;
    }

    Transition deactivate(const std::string& why) {
        if (!active_) return {};
        Transition t{TransitionKind::teardown, active_->mode, Mode::none, why};
        active_.reset();
        return t;
    }

    std::optional<Provisioned> provisioned_;
    std::optional<Active> active_;
    std::string reason_ = "not provisioned yet";
    bool link_down_ = false;
};

}  // namespace s46::select
