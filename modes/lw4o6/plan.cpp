#include "modes/lw4o6/plan.hpp"

#include "core/map/map_address.hpp"
#include "core/map/port_set.hpp"
#include "core/map/rule.hpp"
#include "modes/tunnel_source.hpp"

namespace s46::modes::lw4o6 {

namespace {

// The lwB4's own IPv4 side, wherever it came from (a V4V6BIND or a DHCP 4o6 binding).
struct Binding {
    net::Ipv4Address ipv4;
    std::optional<provision::PortParams> port_params;
};

Result<map::PortSet> port_set(const std::optional<provision::PortParams>& pp) {
    // RFC 7596 §5.1: the offset SHOULD be 0 for lw4o6 (one contiguous range) when none is given.
    unsigned offset = pp ? pp->offset : map::kLw4o6DefaultPsidOffset;
    return map::PortSet::make(offset, pp ? pp->psid_len : 0, pp ? pp->psid : 0);
}

// The plan once the address, port set and tunnel endpoints are known: the same for both sources,
// so the data planes do not care where the binding came from.
Result<Plan> plan_from(const Binding& b, const map::PortSet& ports, const net::Ipv6Address& tunnel_local,
                       const net::Ipv6Address& br, const PlanContext& ctx) {
    unsigned k = b.port_params ? b.port_params->psid_len : 0;
    unsigned offset = b.port_params ? b.port_params->offset : map::kLw4o6DefaultPsidOffset;
    Plan p;
    p.mode = select::Mode::lw4o6;
    p.tunnel_local = tunnel_local;
    p.tunnel_remote = br;
    p.ipv4 = net::Ipv4Prefix(b.ipv4, 32);
    p.ports = {static_cast<std::uint8_t>(offset), static_cast<std::uint8_t>(k), static_cast<std::uint16_t>(k ? ports.psid() : 0)};
    // RFC 7596 §5.2: NAPT44 onto the public address and its port set. A full address (k = 0) is
    // still shared among the LAN hosts by NAPT44, unless the operator runs GI-4over6.
    p.napt = true;
    if (ctx.gi4over6) {
        if (k != 0) return fail("GI-4over6 needs a full IPv4 address, but the binding has PSID length " + std::to_string(k));
        net::Ipv4Prefix lan = ctx.gi4over6_prefix.value_or(net::Ipv4Prefix(b.ipv4, 32));
        if (!lan.contains(b.ipv4))
            return fail("GI-4over6 prefix " + lan.to_string() + " does not cover the binding address " + b.ipv4.to_string());
        p.napt = false;
        p.ipv4 = lan;
        p.lan_routed_prefix = lan;
    }
    // RFC 7596 §5.2: all IPv4 goes to the lwAFTR; there is no lwB4-to-lwB4 path.
    p.forwarding.push_back({net::Ipv4Prefix(net::Ipv4Address(0), 0), std::nullopt});
    p.tunnel_mtu = tunnel_mtu(ctx);
    return p;
}

// A container with a V4V6BIND.
Result<Plan> plan_from_bind(const provision::LwContainer& c, const PlanContext& ctx) {
    const provision::V4v6Bind& bind = *c.bind;
    // The BIND's own PORTPARAMS applies; a container-level one is the fallback (RFC 7598 §4.4-§4.5).
    Binding b{bind.ipv4, bind.port_params ? bind.port_params : c.port_params};
    auto ports = port_set(b.port_params);
    if (!ports) return fail("lw4o6 PORTPARAMS: " + ports.error());
    std::uint16_t psid = b.port_params && b.port_params->psid_len ? ports->psid() : 0;

    std::vector<net::Ipv6Prefix> active = ctx.delegated_prefixes;
    if (ctx.wan_address) active.emplace_back(*ctx.wan_address, 128);
    auto source = map::lw4o6_tunnel_source(bind.bind_prefix, active, bind.ipv4, psid);
    if (!source) return fail(source.error());
    return plan_from(b, *ports, *source, c.brs.front(), ctx);
}

// A container without a V4V6BIND, with option 88 (RFC 7596 §5.1: the address and port set come
// from DHCPv4-over-DHCPv6).
Result<Provisioning> via_dhcp4o6(const provision::LwContainer& c, const provision::S46OptionSet& options,
                                 const PlanContext& ctx) {
    auto source = dhcp4o6_softwire_source(options.bind_ipv6_prefix, ctx);
    if (!source) return fail("lw4o6 via DHCP 4o6: " + source.error());
    Provisioning out;
    out.dhcp4o6 = Dhcp4o6Parameters{*options.dhcp4o6_servers, *source};
    const auto& got = ctx.dhcp4o6_binding;
    if (!got || got->softwire_source != *source) return out;  // pending (a new) exchange
    Binding b{got->ipv4, got->port_params};
    auto ports = port_set(b.port_params);
    if (!ports) return fail("lw4o6 via DHCP 4o6: OPTION_V4_PORTPARAMS: " + ports.error());
    auto plan = plan_from(b, *ports, *source, c.brs.front(), ctx);
    if (!plan) return fail("lw4o6 via DHCP 4o6: " + plan.error());
    out.plan = std::move(*plan);
    return out;
}

}  // namespace

Result<Provisioning> provision(const provision::S46OptionSet& options, const PlanContext& ctx) {
    if (options.lw.empty()) return fail("no valid lw4o6 container (option 96)");
    // RFC 7596 §5.1: only one lw4o6 softwire is in scope. A container with a V4V6BIND comes
    // first (the operator gave the binding in DHCPv6, no exchange needed), then the first one
    // usable through DHCP 4o6; the first error explains an unusable configuration.
    std::string first_error;
    auto note = [&](const std::string& e) {
        if (first_error.empty()) first_error = e;
    };
    for (const auto& c : options.lw) {
        if (!c.bind) continue;
        auto p = plan_from_bind(c, ctx);
        if (p) return Provisioning{std::move(*p), std::nullopt};
        note(p.error());
    }
    for (const auto& c : options.lw) {
        if (c.bind) continue;
        if (!options.dhcp4o6_servers) {
            note("no V4V6BIND and no DHCPv4-over-DHCPv6 server (option 88) for lw4o6 via DHCP 4o6");
            continue;
        }
        auto p = via_dhcp4o6(c, options, ctx);
        if (p) return p;
        note(p.error());
    }
    return fail(first_error);
}

Result<Plan> build_plan(const provision::S46OptionSet& options, const PlanContext& ctx) {
    auto p = provision(options, ctx);
    if (!p) return fail(p.error());
    if (p->plan) return std::move(*p->plan);
    const std::string source = p->dhcp4o6->softwire_source.to_string();
    if (ctx.dhcp4o6_binding)
        return fail("lw4o6 via DHCP 4o6: the binding is for softwire source " + ctx.dhcp4o6_binding->softwire_source.to_string() +
                    ", now " + source + "; binding pending a new DHCP 4o6 exchange");
    return fail("lw4o6 via DHCP 4o6: binding pending the DHCP 4o6 exchange (softwire source " + source + ")");
}

}  // namespace s46::modes::lw4o6
