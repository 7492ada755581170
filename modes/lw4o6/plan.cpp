#include "modes/lw4o6/plan.hpp"

#include "core/map/map_address.hpp"
#include "core/map/port_set.hpp"
#include "core/map/rule.hpp"
#include "modes/tunnel_source.hpp"

namespace s46::modes::lw4o6 {

namespace {

Result<Plan> plan_for(const provision::LwContainer& c, const PlanContext& ctx) {
    if (!c.bind) return fail("no V4V6BIND in the lw4o6 container (DHCPv4-over-DHCPv6 is not implemented)");
    const provision::V4v6Bind& bind = *c.bind;
    // The BIND's own PORTPARAMS applies; a container-level one is the fallback (RFC 7598 §4.4-§4.5).
    auto pp = bind.port_params ? bind.port_params : c.port_params;
    // RFC 7596 §5.1: the offset SHOULD be 0 for lw4o6 (one contiguous range) when none is given.
    unsigned offset = pp ? pp->offset : map::kLw4o6DefaultPsidOffset;
    unsigned k = pp ? pp->psid_len : 0;
    auto ports = map::PortSet::make(offset, k, pp ? pp->psid : 0);
    if (!ports) return fail("lw4o6 PORTPARAMS: " + ports.error());
    std::uint16_t psid = k ? ports->psid() : 0;

    std::vector<net::Ipv6Prefix> active = ctx.delegated_prefixes;
    if (ctx.wan_address) active.emplace_back(*ctx.wan_address, 128);
    auto source = map::lw4o6_tunnel_source(bind.bind_prefix, active, bind.ipv4, psid);
    if (!source) return fail(source.error());

    Plan p;
    p.mode = select::Mode::lw4o6;
    p.tunnel_local = *source;
    p.tunnel_remote = c.brs.front();
    p.ipv4 = net::Ipv4Prefix(bind.ipv4, 32);
    p.ports = {static_cast<std::uint8_t>(offset), static_cast<std::uint8_t>(k), psid};
    // RFC 7596 §5.2: NAPT44 onto the public address and its port set. A full address (k = 0) is
    // still shared among the LAN hosts by NAPT44, unless the operator runs GI-4over6.
    p.napt = true;
    if (ctx.gi4over6) {
        if (k != 0) return fail("GI-4over6 needs a full IPv4 address, but the binding has PSID length " + std::to_string(k));
        net::Ipv4Prefix lan = ctx.gi4over6_prefix.value_or(net::Ipv4Prefix(bind.ipv4, 32));
        if (!lan.contains(bind.ipv4))
            return fail("GI-4over6 prefix " + lan.to_string() + " does not cover the binding address " + bind.ipv4.to_string());
        p.napt = false;
        p.ipv4 = lan;
        p.lan_routed_prefix = lan;
    }
    // RFC 7596 §5.2: all IPv4 goes to the lwAFTR; there is no lwB4-to-lwB4 path.
    p.forwarding.push_back({net::Ipv4Prefix(net::Ipv4Address(0), 0), std::nullopt});
    p.tunnel_mtu = tunnel_mtu(ctx);
    return p;
}

}  // namespace

Result<Plan> build_plan(const provision::S46OptionSet& options, const PlanContext& ctx) {
    if (options.lw.empty()) return fail("no valid lw4o6 container (option 96)");
    // RFC 7596 §5.1: only one lw4o6 softwire is in scope; the first usable container is taken.
    std::string first_error;
    for (const auto& c : options.lw) {
        auto p = plan_for(c, ctx);
        if (p) return p;
        if (first_error.empty()) first_error = p.error();
    }
    return fail(first_error);
}

}  // namespace s46::modes::lw4o6
