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

// The mechanism as reports name it: lw4o6 provisioned over DHCP 4o6 says so.
std::string label(const std::vector<Candidate>& cs, Mode m) {
    const Candidate* c = find(cs, m);
    return name(m) + (c && c->valid && c->via_dhcp4o6 ? " via DHCP 4o6" : "");
}

// The mode an option-111 code stands for here. RFC 8026 §4.1 registers 88 for
// DHCPv4-over-DHCPv6; the only mechanism this CPE runs with that provisioning is lw4o6 via DHCP
// 4o6, so 88 names lw4o6 exactly when the lw4o6 candidate is provisioned over 4o6. A lw4o6 from a
// V4V6BIND does not use DHCPv4-over-DHCPv6, so 88 does not name it (96 names both: the
// container is option 96 either way).
std::optional<Mode> mode_named(std::uint16_t code, const std::vector<Candidate>& cs) {
    if (code == kCodeDhcp4o6) {
        const Candidate* c = find(cs, Mode::lw4o6);
        if (c && c->via_dhcp4o6) return Mode::lw4o6;
        return std::nullopt;
    }
    return mode_for_code(code);
}

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
        if (count == 1) return {m, prefix + label(cs, m) + " is the only valid softwire configuration"};
        return {m, prefix + label(cs, m) + " comes first in the default order among the valid configurations"};
    }
    return {Mode::none, prefix + nothing_usable(cs)};
}

}  // namespace

Decision choose(const Policy& policy, const std::vector<Candidate>& cs,
                const std::optional<std::vector<std::uint16_t>>& priority) {
    // Draft §3.2: a CPE configured for one mode ignores everything else and reports what is missing.
    if (policy.configured != Mode::none) {
        Mode m = policy.configured;
        if (usable(policy, cs, m)) return {m, "configured for " + name(m) + " and the Reply provisions it" +
                                                  (label(cs, m) != name(m) ? " (" + label(cs, m) + ")" : "")};
        const Candidate* c = find(cs, m);
        if (!policy.is_enabled(m)) return {Mode::none, "configured for " + name(m) + " but that mechanism is disabled"};
        if (c && c->offered) return {Mode::none, "configured for " + name(m) + " but its configuration is unusable: " + c->why_not};
        return {Mode::none, "configured for " + name(m) + " but the Reply carries no " + name(m) + " configuration (option " +
                                std::to_string(option_code(m)) + " missing)"};
    }
    // RFC 8026 §1.4: walk the priority list; the first code that is also a candidate MUST be configured.
    // Unknown codes and mechanisms this CPE does not implement (95) are skipped; 88 counts only
    // for lw4o6 via DHCP 4o6 (mode_named).
    if (priority) {
        for (std::uint16_t code : *priority) {
            auto m = mode_named(code, cs);
            if (m && usable(policy, cs, *m))
                return {*m, "option 111 prefers " + label(cs, *m) + " (code " + std::to_string(code) +
                                ") and it is the first listed mechanism with a valid configuration"};
        }
        if (policy.no_match == NoMatchPolicy::none)
            return {Mode::none, "option 111 names no mechanism with a valid configuration, and policy is to configure none"};
        return by_default_order(policy, cs, "option 111 names no valid mechanism; ");
    }
    return by_default_order(policy, cs, "");
}

}  // namespace s46::select
