// The pure mode choice: from which mechanisms hold a usable configuration, the priority
// option (RFC 8026) and local policy (the unified-CPE draft §3.2-§3.3), pick at most one mode.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/select/mode.hpp"
#include "core/select/policy.hpp"

namespace s46::select {

// Whether one mechanism is a candidate (RFC 8026 §1.4 step 1: "a valid configuration"), and if
// not, why. The mode layer decides validity: a valid container that yields a usable plan.
struct Candidate {
    Mode mode = Mode::none;
    bool offered = false;  // the Reply carried something for this mode (valid or not)
    bool valid = false;    // a usable configuration: a plan could be built
    std::string why_not;   // when offered && !valid: what is wrong or missing
    // lw4o6 only: valid through a container without a V4V6BIND, the address and port set coming
    // from DHCPv4-over-DHCPv6 (RFC 7596 §5.1), so option 111's code 88 names it too.
    bool via_dhcp4o6 = false;
};

struct Decision {
    Mode mode = Mode::none;
    std::string reason;  // one sentence, for status output and the journal
    friend bool operator==(const Decision&, const Decision&) = default;
};

// `priority` is a valid option 111 (codes in preference order), or nullopt when absent or
// invalid (RFC 8026 §1.3: the client MAY proceed as if it had not arrived).
Decision choose(const Policy& policy, const std::vector<Candidate>& candidates,
                const std::optional<std::vector<std::uint16_t>>& priority);

}  // namespace s46::select
