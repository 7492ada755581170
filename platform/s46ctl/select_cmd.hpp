// `s46ctl select`: offline mode selection for a DHCPv6 Reply's options. The conformance runner
// calls run_select() directly, so the matrix tests exactly what operators run.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/result.hpp"
#include "core/select/policy.hpp"
#include "modes/plan.hpp"

namespace s46::ctl {

struct SelectArgs {
    std::vector<std::uint8_t> options;  // concatenated Reply options (code, length, value)...
    modes::PlanContext context;         // delegated prefixes, WAN address, MTU, legacy IID, GI-4over6
    select::Policy policy;
    bool json = false;
};

// Parses the arguments after "select". Errors name the argument and what is wrong.
Result<SelectArgs> parse_select_args(const std::vector<std::string>& args);

// Decode (dhcp/), evaluate (modes/), report: {"mode", "reason", "rejected", "plan"}, plus
// "dhcp4o6" {servers, softwire_source, binding} when the decision is lw4o6 via DHCP 4o6.
nlohmann::json run_select(const SelectArgs& args);

// Human-readable rendering of run_select()'s object.
std::string select_text(const nlohmann::json& report);

// The subcommand: prints, returns the exit status (0 decided, 2 unusable arguments).
int select_main(const std::vector<std::string>& args);

extern const char* const kSelectUsage;

}  // namespace s46::ctl
