#include "modes/mape/plan.hpp"

#include <algorithm>

#include "core/map/bmr.hpp"
#include "core/map/map_address.hpp"
#include "core/map/rule.hpp"
#include "modes/tunnel_source.hpp"

namespace s46::modes::mape {

namespace {

Result<Plan> plan_for(const provision::MapEContainer& c, const PlanContext& ctx) {
    std::vector<map::Rule> rules;
    for (const auto& r : c.rules) {
        auto rule = map::from_provision(r, c.port_params);
        if (!rule) return fail("MAP-E rule " + r.ipv6_prefix.to_string() + ": " + rule.error());
        rules.push_back(*rule);
    }
    if (ctx.delegated_prefixes.empty()) return fail("no delegated prefix to derive a MAP-E binding from");
    std::string first_error;
    for (const auto& eup : ctx.delegated_prefixes) {
        auto bmr = map::select_bmr(rules, eup, map::kMapEDefaultPsidOffset);
        if (!bmr) {
            if (first_error.empty()) first_error = "no BMR for delegated prefix " + eup.to_string() + ": " + bmr.error();
            continue;
        }
        const map::CeBinding& b = bmr->binding;
        Plan p;
        p.mode = select::Mode::mape;
        p.legacy_iid = ctx.legacy_iid;
        p.tunnel_local = map::map_ipv6_address(eup, b, ctx.legacy_iid ? map::IidLayout::draft03 : map::IidLayout::rfc7597);
        p.tunnel_remote = c.brs.front();  // several BRs: RFC 7598 leaves their use open; the first is used
        p.ipv4 = b.ipv4;
        p.ports = {b.ports.offset(), b.ports.psid_len(), b.ports.psid()};
        // NAPT44 onto the BMR address (RFC 7597 §8); for an IPv4 prefix onto its first address.
        p.napt = true;
        // The FMRs (F = 1, the BMR included when flagged), longest IPv4 prefix first, so the
        // forwarding table and any first-match consumer agree with RFC 7597 §5.3 longest match.
        for (const auto& r : rules)
            if (r.forwarding) p.fmrs.push_back(r);
        std::stable_sort(p.fmrs.begin(), p.fmrs.end(), [](const map::Rule& x, const map::Rule& y) { return x.r() > y.r(); });
        p.forwarding.push_back({net::Ipv4Prefix(net::Ipv4Address(0), 0), std::nullopt});  // §5.4: the rest to the BR
        for (std::size_t i = 0; i < p.fmrs.size(); ++i) p.forwarding.push_back({p.fmrs[i].ipv4_prefix, i});
        p.tunnel_mtu = tunnel_mtu(ctx);
        return p;
    }
    return fail(first_error);
}

}  // namespace

Result<Plan> build_plan(const provision::S46OptionSet& options, const PlanContext& ctx) {
    if (options.mape.empty()) return fail("no valid MAP-E container (option 94)");
    std::string first_error;
    for (const auto& c : options.mape) {
        auto p = plan_for(c, ctx);
        if (p) return p;
        if (first_error.empty()) first_error = p.error();
    }
    return fail(first_error);
}

}  // namespace s46::modes::mape
