// What a vendor hook is told (docs/integration.md): the event, the plan as JSON on standard
// input and its main fields in the environment. Pure: built from the data plane transition and
// the plan; platform/hooks/hook_runner.hpp runs it.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/select/state_machine.hpp"
#include "modes/plan.hpp"

namespace s46::hooks {

enum class HookEvent { up, change, down };

const char* to_string(HookEvent e);

// activate -> up, replace -> change, teardown -> down; none -> nothing to tell.
std::optional<HookEvent> hook_event(select::TransitionKind kind);

// Where the plan runs, besides the plan itself.
struct HookContext {
    std::string dataplane;      // "kernel", "userspace", "none"
    std::string device;         // the softwire interface ("" for none)
    std::string wan_interface;
};

struct HookCall {
    HookEvent event = HookEvent::up;
    std::string input;              // one JSON object and a newline: {"event", "mode", "dataplane", "device", "wan_interface", "plan"}
    std::vector<std::string> env;   // NAME=value; the whole environment the hook gets
};

// `plan` is null for down (nothing runs any more); the previous plan's fields are then absent.
HookCall make_hook_call(HookEvent event, const modes::Plan* plan, const HookContext& context);

}  // namespace s46::hooks
