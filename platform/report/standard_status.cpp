#include "platform/report/standard_status.hpp"

#include <cstdint>
#include <string>

#include "core/net/ipv6.hpp"

namespace s46::report {

using nlohmann::json;

namespace {

std::string str(const json& j, const char* key) {
    if (!j.is_object()) return "";
    auto it = j.find(key);
    return it != j.end() && it->is_string() ? it->get<std::string>() : "";
}

unsigned uint_or(const json& j, const char* key, unsigned fallback) {
    if (!j.is_object()) return fallback;
    auto it = j.find(key);
    if (it == j.end() || !it->is_number_integer() || it->get<std::int64_t>() < 0) return fallback;
    return it->get<unsigned>();
}

// TR-181 PSID (Domain and Rule) is left-aligned in 16 bits: "only the high order PSIDLength bits
// of the PSID value are used", as in RFC 7598 §4.5's S46_PORTPARAMS. s46d carries the PSID
// right-aligned (RFC 7597 §5.1's integer), so it is shifted here; 0 when PSIDLength is 0.
unsigned tr181_psid(unsigned psid, unsigned len) { return len == 0 || len > 16 ? 0 : (psid << (16 - len)) & 0xffffu; }

// The End-user IPv6 prefix of TR-181 Domain.IPv6Prefix: the delegated prefix that holds the MAP
// address (RFC 7597 §5: the BMR matches it; §6: the MAP address is built inside it).
std::string end_user_prefix(const json& lease, const std::string& map_address) {
    auto addr = net::Ipv6Address::parse(map_address);
    if (!addr || !lease.is_object()) return "";
    for (const auto& p : lease.value("prefixes", json::array())) {
        auto prefix = net::Ipv6Prefix::parse(str(p, "prefix"));
        if (prefix && prefix->contains(*addr)) return prefix->to_string();
    }
    return "";
}

// Does the port set reach below 1024? TR-181 IncludeSystemPorts (RFC 7597 §5.1's N = 0 versus
// N = 1024); read from the ranges so it is true of what the data plane really uses.
bool includes_system_ports(const json& plan) {
    for (const auto& r : plan.value("port_ranges", json::array())) {
        if (!r.is_string()) continue;
        try {
            if (std::stoul(r.get<std::string>()) < 1024) return true;
        } catch (const std::exception&) {
        }
    }
    return false;
}

// Device.DSLite.InterfaceSetting.{i}. (TR-181 Issue 2, DSLite: RFC 6333 B4, RFC 6334 AFTR-Name).
json dslite_setting(const json& plan) {
    const std::string aftr = str(plan, "aftr");
    return {
        {"Enable", true},
        // Enabled / Disabled / Error: without an AFTR address the softwire cannot carry anything.
        {"Status", aftr.empty() ? "Error" : "Enabled"},
        // The AFTR came from DHCPv6 (OPTION_AFTR_NAME, RFC 6334), through s46d's own client or an
        // external one; s46d has no static AFTR setting.
        {"EndpointAssignmentPrecedence", "DHCPv6"},
        {"EndpointAddressTypePrecedence", "FQDN"},
        {"EndpointName", str(plan, "aftr_name")},
        // EndpointAddress is the statically configured address, which s46d never has; the address
        // in use is s46d's resolution of EndpointName.
        {"EndpointAddress", ""},
        {"EndpointAddressInUse", aftr},
        {"Origin", "DHCPv6"},
        // TunnelInterface / TunneledInterface are references to Device.IP.Interface.{i}. objects,
        // which s46d does not model: left out rather than filled with a made-up path.
    };
}

// Device.MAP.Domain.{i}.Rule.{i}. for one of the plan's FMRs (RFC 7597 §5, RFC 7598 §4.1).
json map_rule(const json& r) {
    const unsigned len = uint_or(r, "psid_len", 0);
    return {
        {"Enable", true},
        {"Status", "Enabled"},
        {"Origin", "DHCPv6"},
        {"IPv6Prefix", str(r, "ipv6_prefix")},
        {"IPv4Prefix", str(r, "ipv4_prefix")},
        {"EABitsLength", uint_or(r, "ea_len", 0)},
        {"IsFMR", r.value("fmr", false)},
        // A rule without S46_PORTPARAMS uses the default offset 6 (RFC 7597 §5.1) and takes its
        // PSID from the EA bits: TR-181's PSIDLength 0 ("no PSID configured").
        {"PSIDOffset", uint_or(r, "psid_offset", 6)},
        {"PSIDLength", len},
        {"PSID", tr181_psid(uint_or(r, "psid", 0), len)},
    };
}

}  // namespace

json standard_status_json(const json& s) {
    json out = {{"version", kStandardStatusVersion}};
    const std::string mode = str(s, "mode");
    const json plan = s.value("plan", json(nullptr));

    if (mode == "dslite" && plan.is_object()) {
        out["Device.DSLite.InterfaceSetting.1."] = dslite_setting(plan);
    } else if (mode == "mape" && plan.is_object()) {
        const unsigned len = uint_or(plan, "psid_len", 0);
        const std::string br = str(plan, "br");
        out["Device.MAP.Domain.1."] = {
            {"Enable", true},
            {"Status", br.empty() ? "Error_Misconfigured" : "Enabled"},
            {"TransportMode", "Encapsulation"},  // MAP-E (RFC 7597), not MAP-T
            // A Linux interface name, not a Device.IP.Interface.{i}. reference (s46d has no such tree).
            {"WANInterface", str(s, "wan_interface")},
            {"IPv6Prefix", end_user_prefix(s.value("lease", json(nullptr)), str(plan, "map_ipv6"))},
            // MAP-E: the BR address as a /128 (TR-181; RFC 7598 §4.2 OPTION_S46_BR).
            {"BRIPv6Prefix", br.empty() ? "" : br + "/128"},
            // -1: copy from the incoming packet. s46d's outer traffic class is the inner TOS
            // (RFC 6333 §7.1, RFC 6040 §4.1), i.e. DSCP copied.
            {"DSCPMarkPolicy", -1},
            // The PSID in force (BMR EA bits or S46_PORTPARAMS), not only a configured override.
            {"PSIDOffset", uint_or(plan, "psid_offset", 6)},
            {"PSIDLength", len},
            {"PSID", tr181_psid(uint_or(plan, "psid", 0), len)},
            {"IncludeSystemPorts", includes_system_ports(plan)},
        };
        // The FMRs the plan carries (the BMR appears only if it is also an FMR: the plan does not
        // keep the BMR itself).
        unsigned i = 1;
        for (const auto& r : plan.value("fmrs", json::array()))
            out["Device.MAP.Domain.1.Rule." + std::to_string(i++) + "."] = map_rule(r);
    } else if (mode == "lw4o6" && plan.is_object()) {
        // RFC 8676 ietf-softwire-ce, binding mode (lw4o6, RFC 7596): the lwB4's binding. The PSID
        // here is the plain integer (ietf-softwire-common port-set psid), not TR-181's left-aligned form.
        std::string ipv4 = str(plan, "ipv4");
        if (auto slash = ipv4.find('/'); slash != std::string::npos) ipv4.resize(slash);  // binding-ipv4-addr is an address
        out["ietf-softwire-ce:binding"] = {
            {"br-ipv6-addr", str(plan, "br")},
            {"binding-ipv6info", str(plan, "tunnel_source")},
            {"binding-ipv4-addr", ipv4},
            {"port-set",
             {{"psid-offset", uint_or(plan, "psid_offset", 0)}, {"psid-len", uint_or(plan, "psid_len", 0)}, {"psid", uint_or(plan, "psid", 0)}}},
        };
    }

    // The daemon's whole status under s46d's names: the fields with no standard name (selection
    // reasoning, counters, timings, lease timers, s46d-only plan fields) and the mapped ones too,
    // so scripts that read s46d's names (tests/lab, tests/integration, bench) have one place to look.
    out["s46d"] = s;
    return out;
}

}  // namespace s46::report
