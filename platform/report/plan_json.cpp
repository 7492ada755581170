#include "platform/report/plan_json.hpp"

#include "core/map/port_set.hpp"

namespace s46::report {

using nlohmann::json;

std::string ipv4_text(const net::Ipv4Prefix& p) { return p.length == 32 ? p.address.to_string() : p.to_string(); }

json rule_json(const map::Rule& r) {
    // Unset optional fields are null rather than absent, so every consumer sees the same keys.
    return {{"ipv6_prefix", r.ipv6_prefix.to_string()},
            {"ipv4_prefix", r.ipv4_prefix.to_string()},
            {"ea_len", r.ea_len},
            {"psid_offset", r.psid_offset ? json(*r.psid_offset) : json(nullptr)},
            {"psid_len", r.explicit_psid ? json(r.explicit_psid->len) : json(nullptr)},
            {"psid", r.explicit_psid ? json(r.explicit_psid->value) : json(nullptr)},
            {"fmr", r.forwarding}};
}

json port_ranges_json(const modes::PortSetParams& p) {
    json out = json::array();
    auto set = p.psid_len ? map::PortSet::make(p.offset, p.psid_len, p.psid) : Result<map::PortSet>(map::PortSet::all());
    if (!set) return out;  // plans only carry validated port sets
    set->for_each_range([&](map::PortRange r) { out.push_back(std::to_string(r.first) + "-" + std::to_string(r.last)); });
    return out;
}

json plan_json(const modes::Plan& p) {
    json j;
    switch (p.mode) {
        case select::Mode::dslite:
            j["aftr_name"] = p.remote_name;
            j["b4_ipv4"] = p.ipv4.address.to_string();
            j["tunnel_source"] = p.tunnel_local.to_string();
            if (p.tunnel_remote) j["aftr"] = p.tunnel_remote->to_string();
            break;
        case select::Mode::lw4o6:
        case select::Mode::mape: {
            j["br"] = p.tunnel_remote ? p.tunnel_remote->to_string() : "";
            j["ipv4"] = ipv4_text(p.ipv4);
            j["psid_offset"] = p.ports.offset;
            j["psid_len"] = p.ports.psid_len;
            j["psid"] = p.ports.psid;
            j["port_ranges"] = port_ranges_json(p.ports);
            j["napt"] = p.napt;
            if (p.mode == select::Mode::mape) {
                j["map_ipv6"] = p.tunnel_local.to_string();
                json fmrs = json::array();
                for (const auto& r : p.fmrs) fmrs.push_back(rule_json(r));
                j["fmrs"] = fmrs;
                j["legacy_iid"] = p.legacy_iid;
            } else {
                j["tunnel_source"] = p.tunnel_local.to_string();
                if (p.lan_routed_prefix) j["lan_routed_prefix"] = p.lan_routed_prefix->to_string();
            }
            break;
        }
        case select::Mode::none: return nullptr;
    }
    j["tunnel_mtu"] = p.tunnel_mtu;
    return j;
}

json evaluation_json(const modes::Evaluation& ev) {
    json rejected = json::array();
    for (const auto& r : ev.rejected) rejected.push_back({{"option", r.option}, {"why", r.why}});
    return {{"mode", std::string(select::to_string(ev.decision.mode))},
            {"reason", ev.decision.reason},
            {"rejected", rejected},
            {"plan", ev.plan ? plan_json(*ev.plan) : json(nullptr)}};
}

}  // namespace s46::report
