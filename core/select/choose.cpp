#include "core/select/choose.hpp"

namespace s46::select {

namespace {

const Candidate* find(const std::vector<Candidate>& cs, Mode m) {
    for (const auto& c : cs)
        if (c.mode == m) return &c;
    return nullptr;
}

bool usable(const Policy& policy, const std::vector<Candidate>& cs, Mode m) {
    const Candidate* c = find(cs, m);
    return c && c->valid && policy.is_enabled(m);
}

std::string name(Mode m) { return std::string(to_string(m)); }

// A summary of why nothing could be selected, naming each offered-but-unusable mechanism.
std::string nothing_usable(const std::vector<Candidate>& cs) {
    std::string out;
    for (const auto& c : cs) {
        if (!c.offered || c.valid) continue;
        out += (out.empty() ? "" : "; ") + name(c.mode) + ": " + c.why_not;
    }
    return out.empty() ? "no softwire configuration in the Reply" : "no usable softwire configuration (" + out + ")";
}

Decision by_default_order(const Policy& policy, const std::vector<Candidate>& cs, const std::string& prefix) {
    for (Mode m : policy.default_order) {
        if (!usable(policy, cs, m)) continue;
        int count = 0;
        for (Mode o : kAllModes) count += usable(policy, cs, o) ? 1 : 0;
        if (count == 1) return {m, prefix + name(m) + " is the only valid softwire configuration"};
        return {m, prefix + name(m) + " comes first in the default order among the valid configurations"};
    }
    return {Mode::none, prefix + nothing_usable(cs)};
}

}  // namespace

Decision choose(const Policy& policy, const std::vector<Candidate>& cs,
                const std::optional<std::vector<std::uint16_t>>& priority) {
    // Draft §3.2: a CPE configured for one mode ignores everything else and reports what is missing.
    if (policy.configured != Mode::none) {
        Mode m = policy.configured;
        if (usable(policy, cs, m)) return {m, "configured for " + name(m) + " and the Reply provisions it"};
        const Candidate* c = find(cs, m);
        if (!policy.is_enabled(m)) return {Mode::none, "configured for " + name(m) + " but that mechanism is disabled"};
        if (c && c->offered) return {Mode::none, "configured for " + name(m) + " but its configuration is unusable: " + c->why_not};
        return {Mode::none, "configured for " + name(m) + " but the Reply carries no " + name(m) + " configuration (option " +
                                std::to_string(option_code(m)) + " missing)"};
    }
    // RFC 8026 §1.4: walk the priority list; the first code that is also a candidate MUST be configured.
    // Unknown codes and mechanisms this CPE does not implement (95, 88) are skipped.
    if (priority) {
        for (std::uint16_t code : *priority) {
            auto m = mode_for_code(code);
            if (m && usable(policy, cs, *m))
                return {*m, "option 111 prefers " + name(*m) + " (code " + std::to_string(code) +
                                ") and it is the first listed mechanism with a valid configuration"};
        }
        if (policy.no_match == NoMatchPolicy::none)
            return {Mode::none, "option 111 names no mechanism with a valid configuration, and policy is to configure none"};
        return by_default_order(policy, cs, "option 111 names no valid mechanism; ");
    }
    return by_default_order(policy, cs, "");
}

}  // namespace s46::select
