// Outbound next hop: which tunnel exit an IPv4 packet goes to (draft-ietf-softwire-unified-cpe
// §3.4: longest-prefix match for every mode). DS-Lite and lw4o6 send everything to the AFTR or
// lwAFTR (RFC 6333 §5.2, RFC 7596 §5.2); MAP-E sends a destination inside an FMR's IPv4 prefix
// straight to the CE that owns address+port (mesh, RFC 7597 §5.3) and everything else to the BR
// (§5.4; with no FMRs that is hub-and-spoke).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/lpm/lpm_table.hpp"
#include "core/dataplane/fmr_rules.hpp"
#include "core/map/next_hop.hpp"
#include "core/map/rule.hpp"
#include "core/net/ipv4.hpp"
#include "core/net/ipv6.hpp"
#include "core/plan/plan.hpp"
#include "core/result.hpp"

namespace s46::dataplane {

using map::NextHop;

class Forwarder {
public:
    virtual ~Forwarder() = default;
    // `port` is the flow's destination port or ICMP identifier (flow_ports.hpp); only routes
    // that depend on it (uses_ports()) read it.
    virtual NextHop next_hop(net::Ipv4Address dst, std::uint16_t port) const = 0;
    // Whether some route depends on the destination port (MAP-E shared-address FMRs), so the
    // caller must pass a real one. False lets the caller skip finding it.
    virtual bool uses_ports() const = 0;
};

// The forwarder a plan::Plan describes. The prefix match is core/lpm's compiled table over
// Plan::forwarding; the CE address under an FMR is core/map's ce_address() (RFC 7597 §5.3).
// A prefix may carry several FMRs (RFC 7597 App. A Ex. 5 rules pin one CE's PSID each): the
// first whose port set takes the port wins (map::select_fmr); when none does, the next shorter
// prefix is tried, down to the default route to the remote endpoint.
class PlanForwarder final : public Forwarder {
public:
    PlanForwarder() = default;
    // Unusable FMRs (PacketPathRules) are left out with a note. Fails on an FMR index outside
    // plan.fmrs. With no tunnel_remote (DS-Lite AFTR unresolved) the default route has no hop.
    static Result<PlanForwarder> build(const plan::Plan& plan, std::vector<std::string>& notes);

    // The constant answer inline (a call and the 17-byte result copied through memory were
    // a tenth of the lw4o6 outbound path besides NAPT; bench/pipeline_bench.cpp).
    NextHop next_hop(net::Ipv4Address dst, std::uint16_t port) const override {
        if (only_default_) return remote_ ? NextHop{NextHop::Via::remote, *remote_} : NextHop{};
        return lookup(dst, port);
    }
    bool uses_ports() const override { return uses_ports_; }

private:
    NextHop lookup(net::Ipv4Address dst, std::uint16_t port) const;

    struct Hop {
        std::uint32_t first_rule = 0;  // rules_[first_rule, first_rule + rule_count): this prefix's FMRs
        std::uint32_t rule_count = 0;
        bool remote = false;           // after the FMRs: the tunnel's remote endpoint
        lpm::NextHopId fallback = lpm::kNoRoute;  // the next shorter covering prefix
    };

    // The plan is one default route to the remote endpoint (DS-Lite, lw4o6, MAP-E without FMRs):
    // the answer is constant, so the table is not consulted.
    bool only_default_ = false;
    lpm::LpmTable table_;
    std::vector<Hop> hops_;
    PacketPathRules rules_;
    std::optional<net::Ipv6Address> remote_;
    bool legacy_iid_ = false;
    bool uses_ports_ = false;
};

}  // namespace s46::dataplane
