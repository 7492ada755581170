#include "core/napt/static_forward.hpp"

#include <algorithm>

#include "core/map/port_set.hpp"
#include "core/napt/port_index.hpp"

namespace s46::napt {

namespace {

// Plans only carry validated port sets; nullopt would be a bug upstream, and holds no port.
std::optional<map::PortSet> set_of(const plan::Plan& plan) {
    if (plan.ports.psid_len == 0) return map::PortSet::all();
    auto s = map::PortSet::make(plan.ports.offset, plan.ports.psid_len, plan.ports.psid);
    if (!s) return std::nullopt;
    return *s;
}

std::string range_text(map::PortRange r) { return std::to_string(r.first) + "-" + std::to_string(r.last); }

}  // namespace

std::string_view protocol_name(Protocol p) {
    switch (p) {
        case Protocol::tcp: return "tcp";
        case Protocol::udp: return "udp";
        case Protocol::icmp: return "icmp";
    }
    return "?";
}

std::optional<Protocol> forward_protocol_named(std::string_view name) {
    if (name == "tcp") return Protocol::tcp;
    if (name == "udp") return Protocol::udp;
    return std::nullopt;
}

std::string describe(const StaticForward& f) {
    return std::string(protocol_name(f.protocol)) + " " + std::to_string(f.external_port) + " -> " + f.lan_address.to_string() +
           ":" + std::to_string(f.lan_port);
}

// RFC 1122 §3.2.1.3 and RFC 6890 (special-purpose registry): "this network", loopback,
// multicast (RFC 5771), the reserved class E block and limited broadcast never name one host.
std::optional<std::string> lan_address_problem(net::Ipv4Address a) {
    const std::uint32_t v = a.value;
    const std::string text = a.to_string();
    if (v == 0xffffffffu) return text + " is the broadcast address, not a LAN host";
    if ((v >> 24) == 0) return text + " is in 0.0.0.0/8 (\"this network\"), not a LAN host";
    if ((v >> 24) == 127) return text + " is a loopback address, not a LAN host";
    if ((v >> 28) == 0xe) return text + " is a multicast address, not a LAN host";
    if ((v >> 28) == 0xf) return text + " is in the reserved 240.0.0.0/4, not a LAN host";
    return std::nullopt;
}

std::optional<std::string> no_napt_reason(const plan::Plan* plan) {
    if (!plan || plan->mode == select::Mode::none) return "no active mode, so no port set to forward from (s46ctl status says why)";
    if (plan->napt) return std::nullopt;
    // RFC 6333 §6.6: the AFTR holds the NAT state; a B4 has no external port to give away.
    if (plan->mode == select::Mode::dslite)
        return "the active mode is dslite: the AFTR translates, so ports are forwarded there, not on this CPE";
    // GI-4over6: the public address is routed to the LAN untranslated.
    return "the active mode " + std::string(select::to_string(plan->mode)) + " routes " + plan->ipv4.to_string() +
           " to the LAN without NAPT44: there is nothing to forward";
}

std::string describe_port_set(const plan::Plan& plan) {
    const std::string address = plan.ipv4.address.to_string();
    if (plan.ports.psid_len == 0) return address + ", every port";
    const auto set = set_of(plan);
    if (!set) return address + ", an invalid port set";
    std::string out = address + ", PSID " + std::to_string(plan.ports.psid) + " of " + std::to_string(plan.ports.psid_len) +
                      " bits, offset " + std::to_string(plan.ports.offset) + ": ";
    const std::vector<map::PortRange> ranges = set->ranges();
    // Two ranges and the count: a set of 63 ranges does not fit one readable line.
    constexpr std::size_t kShown = 2;
    for (std::size_t i = 0; i < ranges.size() && i < kShown; ++i) out += (i ? ", " : "") + range_text(ranges[i]);
    if (ranges.size() > kShown) out += ", ... " + std::to_string(ranges.size()) + " ranges";
    return out;
}

std::optional<std::string> port_problem(const plan::Plan& plan, std::uint16_t port) {
    const auto set = set_of(plan);
    const std::string p = "port " + std::to_string(port);
    if (port == 0) return p + " is not a port a host can be reached on";
    // RFC 7597 §8 / RFC 7596 §8.2: the other ports of a shared address belong to other CEs.
    if (!set || !set->contains(port)) return p + " is not in this CPE's port set (" + describe_port_set(plan) + ")";
    // The NAPT translates only its dynamic ports (port_index.hpp leaves out the set's ports
    // below 1024 when it has others); forwarding one would need it to translate it too.
    if (PortIndex(*set).slot_of(port) == PortIndex::npos)
        return p + " is in this CPE's port set but below 1024, which the NAPT keeps out of use (docs/napt.md)";
    return std::nullopt;
}

Result<StaticForward> validate_new_forward(const plan::Plan* plan, std::span<const StaticForward> existing,
                                           StaticForward f) {
    if (f.protocol != Protocol::tcp && f.protocol != Protocol::udp) return fail("only tcp and udp ports can be forwarded");
    if (f.lan_port == 0) f.lan_port = f.external_port;
    if (auto why = lan_address_problem(f.lan_address)) return fail(*why);
    if (auto why = no_napt_reason(plan)) return fail("cannot forward: " + *why);
    if (auto why = port_problem(*plan, f.external_port)) return fail(*why);
    for (const auto& e : existing) {
        if (e.protocol == f.protocol && e.external_port == f.external_port)
            return fail(std::string(protocol_name(f.protocol)) + " port " + std::to_string(f.external_port) +
                        " is already forwarded (" + describe(e) + "); delete it first");
        // Endpoint-independent mapping (RFC 4787 REQ-1, RFC 5382 REQ-1): one internal endpoint
        // has one external port, so it cannot also answer on a second one.
        if (e.protocol == f.protocol && e.lan_address == f.lan_address && e.lan_port == f.lan_port)
            return fail(f.lan_address.to_string() + ":" + std::to_string(f.lan_port) + " is already reached through " +
                        std::string(protocol_name(f.protocol)) + " port " + std::to_string(e.external_port) +
                        " (one external port per LAN endpoint, RFC 4787 REQ-1)");
    }
    return f;
}

std::vector<ForwardState> evaluate_forwards(const plan::Plan* plan, std::span<const StaticForward> forwards) {
    std::vector<ForwardState> out;
    out.reserve(forwards.size());
    const auto no_napt = no_napt_reason(plan);
    for (const auto& f : forwards) {
        ForwardState s{f, false, {}};
        if (no_napt) s.why_disabled = *no_napt;
        else if (auto why = port_problem(*plan, f.external_port)) s.why_disabled = *why;
        else s.enabled = true;
        out.push_back(std::move(s));
    }
    return out;
}

std::vector<StaticForward> enabled_forwards(std::span<const ForwardState> states) {
    std::vector<StaticForward> out;
    for (const auto& s : states)
        if (s.enabled) out.push_back(s.forward);
    return out;
}

std::vector<std::string> forward_changes(std::span<const ForwardState> before, std::span<const ForwardState> after) {
    std::vector<std::string> out;
    for (const auto& a : after) {
        const auto b = std::find_if(before.begin(), before.end(), [&](const ForwardState& s) {
            return s.forward.protocol == a.forward.protocol && s.forward.external_port == a.forward.external_port;
        });
        if (b == before.end() || b->enabled == a.enabled) continue;
        out.push_back("static forward " + describe(a.forward) +
                      (a.enabled ? std::string(" enabled again") : " disabled: " + a.why_disabled));
    }
    return out;
}

}  // namespace s46::napt
