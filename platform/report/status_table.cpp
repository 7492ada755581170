#include "platform/report/status_table.hpp"

#include <algorithm>
#include <cstdio>
#include <limits>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

#include "core/napt/drop_reason.hpp"

namespace s46::report {

using nlohmann::json;

namespace {

constexpr std::size_t kLabelWidth = 12;
// RFC 8415 §7.7: 0xffffffff is infinity for T1/T2 and lifetimes.
constexpr std::int64_t kInfinity = 0xffffffffll;

std::string str(const json& j, const char* key, const std::string& fallback = "") {
    if (!j.is_object()) return fallback;
    auto it = j.find(key);
    if (it == j.end() || it->is_null()) return fallback;
    return it->is_string() ? it->get<std::string>() : it->dump();
}

std::optional<std::int64_t> num(const json& j, const char* key) {
    if (!j.is_object()) return std::nullopt;
    auto it = j.find(key);
    if (it == j.end() || !it->is_number()) return std::nullopt;
    if (it->is_number_unsigned()) {
        const auto u = it->get<std::uint64_t>();
        return u > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()) ? std::numeric_limits<std::int64_t>::max()
                                                                                         : static_cast<std::int64_t>(u);
    }
    return it->get<std::int64_t>();
}

class Table {
public:
    void row(std::string_view label, const std::string& value) {
        std::string l(label);
        l.resize(std::max(kLabelWidth, l.size() + 1), ' ');
        out_ += l + value + '\n';
    }
    // Several values under one label; the label only on the first line.
    void rows(std::string_view label, const std::vector<std::string>& values) {
        for (std::size_t i = 0; i < values.size(); ++i) row(i == 0 ? label : "", values[i]);
    }
    std::string take() { return std::move(out_); }

private:
    std::string out_;
};

// "1232-1235" -> number of ports; 0 for anything else (the plan only carries "lo-hi" strings).
std::uint64_t range_size(const std::string& r) {
    const auto dash = r.find('-');
    if (dash == std::string::npos) return 0;
    try {
        const auto lo = std::stoul(r.substr(0, dash)), hi = std::stoul(r.substr(dash + 1));
        return hi >= lo ? hi - lo + 1 : 0;
    } catch (const std::exception&) {
        return 0;
    }
}

void port_rows(Table& t, const json& plan) {
    const json ranges = plan.value("port_ranges", json::array());
    if (!ranges.is_array() || ranges.empty()) return;
    std::uint64_t count = 0;
    for (const auto& r : ranges)
        if (r.is_string()) count += range_size(r.get<std::string>());
    t.row("ports", std::to_string(count) + " in " + std::to_string(ranges.size()) + (ranges.size() == 1 ? " range" : " ranges"));
    // Every range, explicitly: the operator compares them with the provider's binding (RFC 7597
    // §5.1 / RFC 7596 §5.1), so an ellipsis would hide exactly what is checked. Six per line.
    for (std::size_t i = 0; i < ranges.size(); i += 6) {
        std::string line;
        for (std::size_t j = i; j < ranges.size() && j < i + 6; ++j) line += (j == i ? "" : " ") + (ranges[j].is_string() ? ranges[j].get<std::string>() : ranges[j].dump());
        t.row("", line);
    }
}

void plan_rows(Table& t, const std::string& mode, const json& plan) {
    if (!plan.is_object()) return;
    const std::string remote = str(plan, mode == "dslite" ? "aftr" : "br", "");
    if (mode == "dslite") {
        t.row("tunnel", str(plan, "tunnel_source", "?") + " -> " + (remote.empty() ? "(AFTR not resolved yet)" : remote));
        // RFC 6334: the AFTR arrives as a name; the address is s46d's own resolution of it.
        std::string aftr = str(plan, "aftr_name", "?") + (remote.empty() ? "" : " = " + remote);
        t.row("AFTR", aftr);
        if (plan.contains("aftr_status")) t.row("", str(plan, "aftr_status"));
        t.row("IPv4", str(plan, "b4_ipv4", "192.0.0.2") + " (B4 address, RFC 6333 §5.7; NAPT at the AFTR)");
    } else {
        const std::string local = str(plan, mode == "mape" ? "map_ipv6" : "tunnel_source", "?");
        t.row("tunnel", local + " -> " + (remote.empty() ? "?" : remote) + (mode == "mape" ? " (BR)" : " (lwAFTR)"));
        std::string v4 = str(plan, "ipv4", "?");
        v4 += plan.value("napt", false) ? " (NAPT44 into the port set)" : " (no NAPT)";
        t.row("IPv4", v4);
        if (plan.contains("lan_routed_prefix")) t.row("", "routed to the LAN: " + str(plan, "lan_routed_prefix"));
        const auto len = num(plan, "psid_len").value_or(0);
        if (len == 0) t.row("PSID", "none (psid-len 0: the whole port range)");
        else
            t.row("PSID", std::to_string(num(plan, "psid").value_or(0)) + " (offset " + std::to_string(num(plan, "psid_offset").value_or(0)) +
                              ", length " + std::to_string(len) + ")");
        port_rows(t, plan);
        if (mode == "mape") {
            std::vector<std::string> fmrs;
            for (const auto& r : plan.value("fmrs", json::array()))
                fmrs.push_back(str(r, "ipv6_prefix") + " " + str(r, "ipv4_prefix") + " ea-len " + str(r, "ea_len"));
            if (!fmrs.empty()) t.rows("FMRs", fmrs);
            if (plan.value("legacy_iid", false)) t.row("", "MAP address uses the draft-03 interface identifier");
        }
    }
    if (auto mtu = num(plan, "tunnel_mtu")) t.row("tunnel MTU", std::to_string(*mtu) + " (IPv4 inside the tunnel)");
}

// "T1 in 12m 3s" / "T1 passed 3m ago"; nothing for a timer the server left to the client or set to
// infinity (RFC 8415 §21.4).
std::optional<std::string> timer_text(const char* name, std::optional<std::int64_t> in) {
    if (!in) return std::nullopt;
    if (*in > 0) return std::string(name) + " in " + human_duration(*in);
    return std::string(name) + " passed " + human_duration(-*in) + " ago";
}

void lease_rows(Table& t, const json& lease, std::int64_t now) {
    if (!lease.is_object()) {
        t.row("lease", "none");
        return;
    }
    const auto obtained = num(lease, "obtained_at");
    // Relative fields first: the daemon's clock may not be the wall clock (boot-clock seconds),
    // and then only it can say how far away T1/T2 and the end of the lease are.
    auto relative = [&](const char* rel_key, const char* timer_key) -> std::optional<std::int64_t> {
        if (lease.contains(rel_key)) return num(lease, rel_key);  // null: no such timer
        const auto v = num(lease, timer_key);
        if (!v || !obtained || *v == 0 || *v >= kInfinity) return std::nullopt;
        return *obtained + *v - now;
    };
    std::vector<std::string> parts;
    std::optional<std::int64_t> age;
    if (lease.contains("age_seconds")) {
        age = num(lease, "age_seconds");
    } else if (obtained) {
        age = now - *obtained;
    }
    if (age) parts.push_back("obtained " + human_duration(*age) + " ago");
    if (auto s = timer_text("T1", relative("t1_in_seconds", "t1"))) parts.push_back(*s);
    if (auto s = timer_text("T2", relative("t2_in_seconds", "t2"))) parts.push_back(*s);
    std::optional<std::int64_t> valid_for;
    bool forever = false;
    if (lease.contains("valid_for_seconds")) {
        valid_for = num(lease, "valid_for_seconds");
        forever = !valid_for;  // null: an infinite valid lifetime
    } else if (auto until = num(lease, "valid_until")) {
        forever = *until >= std::numeric_limits<std::int64_t>::max() - kInfinity;
        if (!forever) valid_for = *until - now;
    }
    if (forever) parts.push_back("valid forever");
    else if (valid_for) parts.push_back(*valid_for > 0 ? "valid for " + human_duration(*valid_for) : "expired");
    std::string line;
    for (const auto& p : parts) line += (line.empty() ? "" : ", ") + p;
    t.row("lease", line.empty() ? "held" : line);
    for (const auto& a : lease.value("addresses", json::array())) t.row("", "address " + str(a, "address"));
    for (const auto& p : lease.value("prefixes", json::array())) t.row("", "prefix  " + str(p, "prefix"));
    std::string server = str(lease, "server_duid");
    if (lease.contains("server_address")) server += " at " + str(lease, "server_address");
    if (!server.empty()) t.row("", "server  " + server);
}

bool is_napt_drop(std::string_view name) {
    static const std::vector<std::string_view> kReasons = {
#define S46_NAPT_X(name, text) #name,
        S46_NAPT_DROP_REASONS(S46_NAPT_X)
#undef S46_NAPT_X
    };
    if (name.substr(0, 5) != "napt_") return false;
    return std::find(kReasons.begin(), kReasons.end(), name.substr(5)) != kReasons.end();
}

// Per-reason drops: the pipeline's drop_<reason>, the NAPT's napt_<reason> and the DHCPv6
// client's dhcp_ignored_<reason>. Only non-zero ones, largest first (ties by name), because the
// operator looks for what is eating traffic.
void drop_rows(Table& t, const json& counters) {
    if (!counters.is_object()) return;
    std::vector<std::pair<std::string, std::uint64_t>> drops;
    std::vector<std::string> errors;
    for (const auto& [name, value] : counters.items()) {
        if (!value.is_number_unsigned() && !value.is_number_integer()) continue;
        const auto n = value.get<std::int64_t>();
        if (n <= 0) continue;
        if (name.rfind("drop_", 0) == 0 || name.rfind("dhcp_ignored_", 0) == 0 || is_napt_drop(name))
            drops.emplace_back(name, static_cast<std::uint64_t>(n));
        else if (name.size() > 7 && name.compare(name.size() - 7, 7, "_errors") == 0)
            errors.push_back(name + " " + std::to_string(n));
    }
    std::sort(drops.begin(), drops.end(), [](const auto& a, const auto& b) { return a.second != b.second ? a.second > b.second : a.first < b.first; });
    std::vector<std::string> lines;
    for (const auto& [name, n] : drops) lines.push_back(name + " " + std::to_string(n));
    t.rows("drops", lines.empty() ? std::vector<std::string>{"none"} : lines);
    if (!errors.empty()) t.rows("errors", errors);
}

void napt_row(Table& t, const json& counters) {
    const auto in_use = num(counters, "napt_sessions");
    if (!in_use) return;
    std::string s = std::to_string(*in_use) + " sessions in use";
    if (auto free = num(counters, "napt_sessions_free")) {
        s += ", " + std::to_string(*free) + " free";
        if (auto max = num(counters, "napt_sessions_max")) s += " (of " + std::to_string(*max) + ")";
    }
    t.row("NAPT", s);
}

}  // namespace

std::string human_duration(std::int64_t seconds) {
    std::uint64_t s = seconds < 0 ? 0 - static_cast<std::uint64_t>(seconds) : static_cast<std::uint64_t>(seconds);
    static constexpr std::pair<std::uint64_t, const char*> kUnits[] = {{86400, "d"}, {3600, "h"}, {60, "m"}, {1, "s"}};
    std::string out;
    int shown = 0;
    for (const auto& [size, suffix] : kUnits) {
        const std::uint64_t n = s / size;
        s %= size;
        if (n == 0 && shown == 0) continue;
        if (n != 0) out += (out.empty() ? "" : " ") + std::to_string(n) + suffix;
        if (++shown == 2) break;  // the next unit is noise next to these two
    }
    return out.empty() ? "0s" : out;
}

// The DHCPv4-over-DHCPv6 client (docs/dhcp4o6-client.md "Daemon wiring"): absent unless it runs.
void dhcp4o6_rows(Table& t, const json& s) {
    if (s.contains("binding_origin") && s["binding_origin"].is_string()) t.row("binding", "from " + str(s, "binding_origin"));
    const json d = s.value("dhcp4o6", json(nullptr));
    if (!d.is_object()) return;
    t.row("DHCP 4o6", str(d, "state", "?") + " from " + str(d, "softwire_source", "?"));
    const json l = d.value("lease", json(nullptr));
    if (!l.is_object()) return;
    std::string ports = "full address";
    if (const json p = l.value("port_params", json(nullptr)); p.is_object())
        ports = "PSID " + str(p, "psid") + "/" + str(p, "psid_length") + " offset " + str(p, "psid_offset");
    t.row("", l.value("address", std::string("?")) + ", " + ports + ", server " + str(l, "server_id", "?"));
    std::string times;
    for (const auto& [key, label] : {std::pair{"t1_in_seconds", "T1 in "}, {"t2_in_seconds", "T2 in "}, {"valid_for_seconds", "expires in "}}) {
        if (auto v = num(l, key)) times += (times.empty() ? "" : ", ") + std::string(label) + human_duration(*v);
    }
    t.row("", times.empty() ? "infinite lease" : times);
}

std::string status_table(const json& s, std::int64_t wall_now_seconds) {
    Table t;
    const std::string mode = str(s, "mode", "?");
    std::string source = str(s, "source");
    t.row("mode", mode + (source.empty() ? "" : " (provisioned by " + (source == "external" ? std::string("an external DHCPv6 client") : source) + ")"));
    t.row("why", str(s, "reason", "(no reason given)"));
    std::vector<std::string> rejected;
    for (const auto& r : s.value("rejected", json::array())) rejected.push_back("option " + str(r, "option", "?") + ": " + str(r, "why"));
    if (!rejected.empty()) t.rows("rejected", rejected);
    plan_rows(t, mode, s.value("plan", json(nullptr)));
    dhcp4o6_rows(t, s);
    const json counters = s.value("counters", json::object());
    napt_row(t, counters);
    lease_rows(t, s.value("lease", json(nullptr)), wall_now_seconds);
    if (s.contains("dhcp_state")) t.row("DHCPv6", str(s, "dhcp_state") + (s.contains("wan_interface") ? " on " + str(s, "wan_interface") : ""));
    if (s.contains("dataplane")) {
        std::string dp = str(s, "dataplane");
        // The kernel backend names its device and where its default route lives.
        if (counters.contains("device") && counters["device"].is_string())
            dp += " (" + counters["device"].get<std::string>() + ", route table " + std::to_string(num(counters, "route_table").value_or(254)) +
                  " metric " + std::to_string(num(counters, "route_metric").value_or(0)) + ")";
        t.row("data plane", dp);
    }
    // MAP-E forwarding rules on the kernel backend: whether CE-to-CE traffic goes direct.
    if (mode == "mape" && counters.contains("fmr") && counters["fmr"].is_string()) t.row("fmr", counters["fmr"].get<std::string>());
    // The kernel backend's flowtable (--flowtable), with the flows it forwards now.
    if (counters.contains("flowtable") && counters["flowtable"].is_string() && counters["flowtable"] != "off") {
        std::string ft = counters["flowtable"].get<std::string>();
        if (auto n = num(counters, "flows_offloaded")) ft += ", " + std::to_string(*n) + " flow(s) offloaded";
        t.row("flowtable", ft);
    }
    if (counters.contains("last_error") && counters["last_error"].is_string()) t.row("last error", counters["last_error"].get<std::string>());
    // What the tunnel-event policies did (docs/tunnel-events.md); quiet until something happened.
    if (const json e = s.value("events", json::object()); e.is_object()) {
        const auto n = [&](const char* k) { return num(e, k).value_or(0); };
        if (n("no_binding_reports") || n("reprovisions") || n("aftr_failovers"))
            t.row("events", std::to_string(n("no_binding_reports")) + " no-binding report(s), " + std::to_string(n("reprovisions")) +
                                " re-provisioning(s), " + std::to_string(n("aftr_failovers")) + " AFTR failover(s)");
    }
    drop_rows(t, counters);
    if (const json tm = s.value("timings", json::object()); tm.is_object() && !tm.empty()) {
        std::vector<std::string> lines;
        for (const auto& [k, v] : tm.items()) {
            // "start_to_mode_ms": 302.37088 -> "start_to_mode 302.4 ms"
            const bool unit = k.size() > 3 && (k.ends_with("_ms") || k.ends_with("_us"));
            if (!unit || !v.is_number()) {
                lines.push_back(k + " " + v.dump());
                continue;
            }
            char value[32];
            std::snprintf(value, sizeof value, "%.1f", v.get<double>());
            lines.push_back(k.substr(0, k.size() - 3) + " " + value + " " + k.substr(k.size() - 2));
        }
        t.rows("timings", lines);
    }
    if (s.contains("last_error")) t.row("last error", str(s, "last_error"));
    return t.take();
}

}  // namespace s46::report
