#include "core/dataplane/forwarder.hpp"

#include <map>

#include "core/dataplane/fmr_rules.hpp"
#include "core/lpm/lpm_builder.hpp"
#include "core/map/forwarding.hpp"

namespace s46::dataplane {

Result<PlanForwarder> PlanForwarder::build(const plan::Plan& plan, std::vector<std::string>& notes) {
    PlanForwarder f;
    f.remote_ = plan.tunnel_remote;
    f.legacy_iid_ = plan.legacy_iid;

    // Each plan FMR, prepared for the packet path (unusable ones noted once and left out).
    const PacketPathRules prepared = PacketPathRules::prepare(plan.fmrs, notes);

    // Group the entries by prefix, keeping plan order inside a prefix (ties go to the first
    // rule, as in map::select_fmr). Ipv4Prefix orders by (address, length).
    struct Group {
        std::vector<std::size_t> fmrs;
        bool remote = false;
    };
    std::map<net::Ipv4Prefix, Group> groups;
    for (const auto& e : plan.forwarding) {
        Group& g = groups[e.prefix];
        if (!e.fmr) {
            g.remote = true;
            continue;
        }
        if (*e.fmr >= plan.fmrs.size())
            return fail("forwarding entry " + e.prefix.to_string() + " names FMR " + std::to_string(*e.fmr) + " of " +
                        std::to_string(plan.fmrs.size()));
        if (auto i = prepared.kept()[*e.fmr]) g.fmrs.push_back(*i);
    }

    lpm::LpmBuilder builder;
    std::vector<net::Ipv4Prefix> prefixes;
    std::vector<std::size_t> order;  // prepared rules, grouped by prefix
    for (const auto& [prefix, g] : groups) {
        Hop hop;
        hop.first_rule = static_cast<std::uint32_t>(order.size());
        for (std::size_t i : g.fmrs) {
            order.push_back(i);
            f.uses_ports_ = f.uses_ports_ || map::routes_by_port(prepared.rules()[i]);
        }
        hop.rule_count = static_cast<std::uint32_t>(order.size() - hop.first_rule);
        hop.remote = g.remote;
        builder.insert(prefix, static_cast<lpm::NextHopId>(f.hops_.size()));
        f.hops_.push_back(hop);
        prefixes.push_back(prefix);
    }
    // Fallback: the longest other prefix that strictly contains this one. A destination inside
    // this prefix whose port no FMR here takes belongs to that shorter route.
    for (std::size_t i = 0; i < prefixes.size(); ++i) {
        std::optional<std::size_t> best;
        for (std::size_t j = 0; j < prefixes.size(); ++j) {
            if (prefixes[j].length >= prefixes[i].length || !prefixes[j].contains(prefixes[i])) continue;
            if (!best || prefixes[j].length > prefixes[*best].length) best = j;
        }
        if (best) f.hops_[i].fallback = static_cast<lpm::NextHopId>(*best);
    }
    f.rules_ = prepared.pick(order);
    f.table_ = builder.build();
    f.only_default_ = groups.size() == 1 && groups.begin()->first.length == 0 && f.hops_[0].remote && f.rules_.empty();
    return f;
}

NextHop PlanForwarder::lookup(net::Ipv4Address dst, std::uint16_t port) const {
    lpm::NextHopId id = table_.lookup(dst);
    while (id != lpm::kNoRoute) {
        const Hop& h = hops_[id];
        if (h.rule_count != 0) {
            auto rules = rules_.rules().subspan(h.first_rule, h.rule_count);
            if (auto i = map::select_fmr(rules, dst, port, kDefaultPsidOffset)) {
                auto a = rules_.peer_ce_address(h.first_rule + *i, dst, port, legacy_iid_);  // prepared: never allocates
                return a ? NextHop{NextHop::Via::fmr, *a} : NextHop{};
            }
        }
        if (h.remote) return remote_ ? NextHop{NextHop::Via::remote, *remote_} : NextHop{};
        id = h.fallback;
    }
    return {};
}

}  // namespace s46::dataplane
