// The packet path's answer to "may this packet go on?": pass, or drop for one named reason.
// One type for every check that refuses a packet (a tunnel packet that does not decapsulate,
// an IPv4 header of the wrong shape, a NAPT lookup that finds no room), so that no successful
// result carries a reason it does not have. Reason is the layer's drop-reason enum
// (dataplane::DropReason, napt::DropReason); each refusal also bumps that reason's counter.
// Two bytes, returned in a register: the checks sit on the per-packet path.
#pragma once

#include <optional>

namespace s46 {

template <class Reason>
class Verdict {
public:
    static constexpr Verdict pass() { return Verdict(); }
    static constexpr Verdict drop(Reason why) { return Verdict(why); }

    constexpr bool passed() const { return !dropped_; }
    // Why the packet is dropped; empty when it passed.
    constexpr std::optional<Reason> reason() const { return dropped_ ? std::optional<Reason>(reason_) : std::nullopt; }

    friend constexpr bool operator==(const Verdict& a, const Verdict& b) { return a.reason() == b.reason(); }

private:
    constexpr Verdict() = default;
    constexpr explicit Verdict(Reason why) : dropped_(true), reason_(why) {}

    // A flag and a plain reason rather than std::optional: the same two bytes, and the checks
    // compile to one byte test (bench/napt_bench Inbound measured slower with the optional).
    bool dropped_ = false;
    Reason reason_{};  // read only through reason(), when dropped_
};

}  // namespace s46
