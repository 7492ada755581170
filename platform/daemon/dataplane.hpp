// What the controller drives when the active mode changes. `--dataplane none` provisions and
// selects only (NullDataPlane); the userspace TUN backend implements the same interface.
#pragma once

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include <vector>

#include "core/napt/static_forward.hpp"
#include "core/net/ipv6.hpp"
#include "core/result.hpp"
#include "core/select/state_machine.hpp"
#include "modes/plan.hpp"

namespace s46::daemon {

// What the packet path saw since the controller last asked (about once a second). Flags, not
// counts: the counters are in counters(); the controller only needs "did it happen".
struct DataPlaneEvents {
    bool no_binding = false;          // ICMPv6 1/5 from the lwAFTR (RFC 7596 §5.1)
    bool remote_unreachable = false;  // ICMPv6 errors saying the AFTR/lwAFTR/BR cannot be reached
    bool inbound_traffic = false;     // packets decapsulated and delivered to the LAN
};

class DataPlane {
public:
    virtual ~DataPlane() = default;
    // Carries out one transition. `plan` is the new plan (activate/replace), null on teardown.
    // A replace swaps everything in one step: old state that no longer holds (NAPT entries for an
    // old address or PSID, RFC 7596 §5.1) is flushed by the implementation.
    virtual Result<void> apply(const select::Transition& t, const modes::Plan* plan) = 0;
    // DS-Lite: the AFTR name resolved (or moved to another AAAA record).
    virtual Result<void> set_remote(const net::Ipv6Address& remote) = 0;
    virtual std::string name() const = 0;
    // The enabled static port forwards (core/napt/static_forward.hpp), the whole list each time
    // it changes, after every plan change and at start: their external ports must never go to
    // a dynamic flow, and inbound traffic to them goes to their LAN endpoint. The default has
    // no NAPT to tell (NullDataPlane; the kernel backend until nftables carries them).
    virtual Result<void> set_static_forwards(const std::vector<napt::StaticForward>& enabled) {
        (void)enabled;
        return ok();
    }
    // The softwire's interface name for the vendor hooks ("" without a packet path).
    virtual std::string device() const { return {}; }
    // About once a second: timeouts (reassembly, NAPT sessions, path MTU).
    virtual void tick() {}
    // Events since the last call; taking them clears them.
    virtual DataPlaneEvents take_events() { return {}; }
    // Packet and drop counters for `s46ctl status` (empty when there is no packet path).
    virtual nlohmann::json counters() const { return nlohmann::json::object(); }
};

class NullDataPlane final : public DataPlane {
public:
    Result<void> apply(const select::Transition&, const modes::Plan*) override { return ok(); }
    Result<void> set_remote(const net::Ipv6Address&) override { return ok(); }
    std::string name() const override { return "none"; }
};

}  // namespace s46::daemon
