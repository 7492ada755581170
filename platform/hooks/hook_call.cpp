#include "platform/hooks/hook_call.hpp"

#include <nlohmann/json.hpp>

#include "platform/report/plan_json.hpp"

namespace s46::hooks {

const char* to_string(HookEvent e) {
    switch (e) {
        case HookEvent::up: return "up";
        case HookEvent::change: return "change";
        case HookEvent::down: return "down";
    }
    return "?";
}

std::optional<HookEvent> hook_event(select::TransitionKind kind) {
    switch (kind) {
        case select::TransitionKind::activate: return HookEvent::up;
        case select::TransitionKind::replace: return HookEvent::change;
        case select::TransitionKind::teardown: return HookEvent::down;
        default: return std::nullopt;
    }
}

HookCall make_hook_call(HookEvent event, const modes::Plan* plan, const HookContext& context) {
    HookCall call;
    call.event = event;
    nlohmann::json in = {{"event", to_string(event)},
                         {"mode", select::to_string(plan ? plan->mode : select::Mode::none)},
                         {"dataplane", context.dataplane},
                         {"device", context.device},
                         {"wan_interface", context.wan_interface},
                         {"plan", plan ? report::plan_json(*plan) : nlohmann::json(nullptr)}};
    call.input = in.dump() + "\n";

    // A fixed, minimal environment: hooks behave the same whatever s46d was started from.
    auto& env = call.env;
    env.push_back("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
    env.push_back(std::string("S46_EVENT=") + to_string(event));
    env.push_back("S46_DATAPLANE=" + context.dataplane);
    env.push_back("S46_DEVICE=" + context.device);
    env.push_back("S46_WAN_INTERFACE=" + context.wan_interface);
    env.push_back("S46_MODE=" + std::string(select::to_string(plan ? plan->mode : select::Mode::none)));
    if (!plan) return call;
    env.push_back("S46_LOCAL=" + plan->tunnel_local.to_string());
    env.push_back("S46_REMOTE=" + (plan->tunnel_remote ? plan->tunnel_remote->to_string() : std::string()));
    env.push_back("S46_IPV4=" + report::ipv4_text(plan->ipv4));
    env.push_back(std::string("S46_NAPT=") + (plan->napt ? "1" : "0"));
    env.push_back("S46_PSID_OFFSET=" + std::to_string(plan->ports.offset));
    env.push_back("S46_PSID_LEN=" + std::to_string(plan->ports.psid_len));
    env.push_back("S46_PSID=" + std::to_string(plan->ports.psid));
    std::string ranges;
    for (const auto& r : report::port_ranges_json(plan->ports)) ranges += (ranges.empty() ? "" : " ") + r.get<std::string>();
    env.push_back("S46_PORTS=" + ranges);
    env.push_back("S46_MTU=" + std::to_string(plan->tunnel_mtu));
    env.push_back("S46_FMRS=" + std::to_string(plan->fmrs.size()));
    return call;
}

}  // namespace s46::hooks
