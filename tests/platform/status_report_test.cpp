// platform/report's operator views of the daemon's status: the table of `s46ctl status` and the
// standard-named object of `s46ctl status --json`, for a status object of each mode.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "platform/report/plan_json.hpp"
#include "platform/report/standard_status.hpp"
#include "platform/report/status_table.hpp"

using namespace s46;
using nlohmann::json;

namespace {

constexpr std::int64_t kNow = 1'000'000;

bool has(const std::string& text, const std::string& needle) {
    if (text.find(needle) != std::string::npos) return true;
    UNSCOPED_INFO("missing: [" << needle << "]\nin:\n" << text);
    return false;
}

json lease_at(std::int64_t obtained_at) {
    return {{"addresses", json::array({{{"address", "2001:db8:1::5"}, {"preferred_lifetime", 3600}, {"valid_lifetime", 7200}}})},
            {"prefixes", json::array({{{"prefix", "2001:db8:12:3400::/56"}, {"preferred_lifetime", 3600}, {"valid_lifetime", 7200}}})},
            {"t1", 1800},
            {"t2", 2880},
            {"server_duid", "00010203"},
            {"obtained_at", obtained_at},
            {"valid_until", obtained_at + 7200}};
}

// As Daemon::status builds it: Controller::status_json plus counters, dhcp_state, timings.
json base_status(const char* mode, json plan) {
    return {{"mode", mode},
            {"reason", "RFC 8026: option 111 lists it first"},
            {"rejected", json::array({{{"option", 64}, {"why", "AFTR-Name is not a valid FQDN"}}})},
            {"plan", std::move(plan)},
            {"source", "dhcpv6"},
            {"dataplane", "userspace"},
            {"transitions", 1},
            {"events", {{"no_binding_reports", 0}, {"reprovisions", 0}, {"aftr_failovers", 0}, {"reprovision_on_no_binding", true}}},
            {"lease", lease_at(kNow - 185)},
            {"counters",
             {{"dhcp_ignored_wrong_transaction", 0},
              {"dhcp_send_errors", 0},
              {"drop_no_route", 3},
              {"napt_port_exhausted", 12},
              {"napt_filtered", 3},
              {"napt_truncated", 0},
              {"napt_sessions", 5},
              {"napt_sessions_max", 16384},
              {"napt_sessions_free", 16379},
              {"tunnel_send_errors", 2},
              {"tun_write_errors", 0},
              {"tunnel_packets_sent", 900}}},
            {"dhcp_state", "bound"},
            {"wan_interface", "wan0"},
            {"timings", {{"start_to_mode_ms", 812}, {"reply_to_plan_us", 56902.78}}}};
}

// RFC 7597 App. A Ex. 1 as the controller's plan_json gives it (the BMR also an FMR).
json mape_status() {
    modes::Plan p;
    p.mode = select::Mode::mape;
    p.tunnel_local = *net::Ipv6Address::parse("2001:db8:12:3400:0:c000:212:34");
    p.tunnel_remote = *net::Ipv6Address::parse("2001:db8:ffff::1");
    p.ipv4 = *net::Ipv4Prefix::parse("192.0.2.18/32");
    p.ports = {6, 8, 52};
    p.napt = true;
    map::Rule r;
    r.ipv6_prefix = *net::Ipv6Prefix::parse("2001:db8::/40");
    r.ipv4_prefix = *net::Ipv4Prefix::parse("192.0.2.0/24");
    r.ea_len = 16;
    r.forwarding = true;
    p.fmrs.push_back(r);
    return base_status("mape", report::plan_json(p));
}

// lw4o6 with a 64-port set at offset 0 (RFC 7596: one contiguous range).
json lw4o6_status() {
    modes::Plan p;
    p.mode = select::Mode::lw4o6;
    p.tunnel_local = *net::Ipv6Address::parse("2001:db8:12:3400::1");
    p.tunnel_remote = *net::Ipv6Address::parse("2001:db8:ffff::2");
    p.ipv4 = *net::Ipv4Prefix::parse("192.0.2.18/32");
    p.ports = {0, 10, 52};
    p.napt = true;
    return base_status("lw4o6", report::plan_json(p));
}

json dslite_status() {
    modes::Plan p;
    p.mode = select::Mode::dslite;
    p.tunnel_local = *net::Ipv6Address::parse("2001:db8:1::5");
    p.tunnel_remote = *net::Ipv6Address::parse("2001:db8:aa::1");
    p.remote_name = "aftr.example.net";
    p.ipv4 = *net::Ipv4Prefix::parse("192.0.0.2/32");
    json plan = report::plan_json(p);
    plan["aftr_status"] = "aftr resolved: aftr.example.net -> 2001:db8:aa::1 (ttl 300s)";
    return base_status("dslite", plan);
}

json none_status() {
    json s = base_status("none", nullptr);
    s["reason"] = "no softwire configuration in the Reply";
    s["lease"] = nullptr;
    s["counters"] = {{"dhcp_send_errors", 0}};
    return s;
}

}  // namespace

TEST_CASE("human_duration: the two largest units", "[report][status]") {
    CHECK(report::human_duration(0) == "0s");
    CHECK(report::human_duration(45) == "45s");
    CHECK(report::human_duration(723) == "12m 3s");
    CHECK(report::human_duration(7140) == "1h 59m");
    CHECK(report::human_duration(7199) == "1h 59m");  // seconds dropped next to hours
    CHECK(report::human_duration(3600) == "1h");
    CHECK(report::human_duration(3605) == "1h");  // the unit after the largest is 0m: not "1h 5s"
    CHECK(report::human_duration(97200) == "1d 3h");
    CHECK(report::human_duration(-90) == "1m 30s");
}

TEST_CASE("status table: MAP-E shows the mode, tunnel, PSID, every port range, NAPT and drops", "[report][status]") {
    const auto t = report::status_table(mape_status(), kNow);
    CHECK(has(t, "mode        mape (provisioned by dhcpv6)\n"));
    CHECK(has(t, "why         RFC 8026: option 111 lists it first\n"));
    CHECK(has(t, "rejected    option 64: AFTR-Name is not a valid FQDN\n"));
    CHECK(has(t, "tunnel      2001:db8:12:3400:0:c000:212:34 -> 2001:db8:ffff::1 (BR)\n"));
    CHECK(has(t, "IPv4        192.0.2.18 (NAPT44 into the port set)\n"));
    CHECK(has(t, "PSID        52 (offset 6, length 8)\n"));
    // RFC 7597 App. A Ex. 1: 252 ports in 63 ranges, all of them listed.
    CHECK(has(t, "ports       252 in 63 ranges\n"));
    CHECK(has(t, "            1232-1235 2256-2259 3280-3283 4304-4307 5328-5331 6352-6355\n"));
    CHECK(has(t, " 64720-64723\n"));
    CHECK(t.find("...") == std::string::npos);
    CHECK(has(t, "FMRs        2001:db8::/40 192.0.2.0/24 ea-len 16\n"));
    CHECK(has(t, "NAPT        5 sessions in use, 16379 free (of 16384)\n"));
    // Obtained 185 s ago: T1 (1800) in 26m 55s, T2 (2880) in 44m 55s, valid (7200) for 1h 56m.
    CHECK(has(t, "lease       obtained 3m 5s ago, T1 in 26m 55s, T2 in 44m 55s, valid for 1h 56m\n"));
    CHECK(has(t, "            prefix  2001:db8:12:3400::/56\n"));
    CHECK(has(t, "DHCPv6      bound on wan0\n"));
    // Non-zero drops only, largest first, ties by name.
    CHECK(has(t, "drops       napt_port_exhausted 12\n            drop_no_route 3\n            napt_filtered 3\n"));
    CHECK(t.find("napt_truncated") == std::string::npos);
    CHECK(t.find("dhcp_ignored_wrong_transaction") == std::string::npos);
    CHECK(has(t, "errors      tunnel_send_errors 2\n"));
    CHECK(t.find("tun_write_errors") == std::string::npos);
    CHECK(has(t, "timings     reply_to_plan 56902.8 us\n            start_to_mode 812.0 ms\n"));
}

TEST_CASE("status table: lw4o6 and DS-Lite endpoints, none", "[report][status]") {
    const auto lw = report::status_table(lw4o6_status(), kNow);
    CHECK(has(lw, "tunnel      2001:db8:12:3400::1 -> 2001:db8:ffff::2 (lwAFTR)\n"));
    CHECK(has(lw, "PSID        52 (offset 0, length 10)\n"));
    // Offset 0, psid-len 10: one contiguous range of 64 ports, 52 * 64 = 3328.
    CHECK(has(lw, "ports       64 in 1 range\n            3328-3391\n"));

    const auto ds = report::status_table(dslite_status(), kNow);
    CHECK(has(ds, "tunnel      2001:db8:1::5 -> 2001:db8:aa::1\n"));
    CHECK(has(ds, "AFTR        aftr.example.net = 2001:db8:aa::1\n"));
    CHECK(has(ds, "IPv4        192.0.0.2 (B4 address"));
    CHECK(ds.find("PSID") == std::string::npos);

    auto unresolved = dslite_status();
    unresolved["plan"].erase("aftr");
    CHECK(has(report::status_table(unresolved, kNow), "tunnel      2001:db8:1::5 -> (AFTR not resolved yet)\n"));

    const auto none = report::status_table(none_status(), kNow);
    CHECK(has(none, "mode        none (provisioned by dhcpv6)\n"));
    CHECK(has(none, "why         no softwire configuration in the Reply\n"));
    CHECK(has(none, "lease       none\n"));
    CHECK(has(none, "drops       none\n"));
    CHECK(none.find("tunnel") == std::string::npos);
}

TEST_CASE("status table: lease times prefer the daemon's relative fields", "[report][status]") {
    auto s = mape_status();
    // A daemon on the boot clock: obtained_at means nothing against the wall clock.
    s["lease"]["obtained_at"] = 50;
    s["lease"]["valid_until"] = 50 + 7200;
    s["lease"]["age_seconds"] = 4000;
    s["lease"]["t1_in_seconds"] = -2200;
    s["lease"]["t2_in_seconds"] = nullptr;  // no T2 timer
    s["lease"]["valid_for_seconds"] = 3200;
    CHECK(has(report::status_table(s, kNow), "lease       obtained 1h 6m ago, T1 passed 36m 40s ago, valid for 53m 20s\n"));

    s["lease"]["valid_for_seconds"] = -5;
    CHECK(has(report::status_table(s, kNow), ", expired\n"));
    s["lease"]["valid_for_seconds"] = nullptr;
    CHECK(has(report::status_table(s, kNow), ", valid forever\n"));

    // Without relative fields, against the clock given: past the end is "expired".
    auto old = mape_status();
    CHECK(has(report::status_table(old, kNow + 7000), ", valid for 15s\n"));
    CHECK(has(report::status_table(old, kNow + 8000), "obtained 2h 16m ago, T1 passed 1h 46m ago, T2 passed 1h 28m ago, expired\n"));
}

TEST_CASE("status table: the tunnel-event line appears once something happened", "[report][status]") {
    auto s = mape_status();
    CHECK(report::status_table(s, kNow).find("events") == std::string::npos);
    s["events"]["no_binding_reports"] = 3;
    s["events"]["reprovisions"] = 1;
    CHECK(has(report::status_table(s, kNow), "events      3 no-binding report(s), 1 re-provisioning(s), 0 AFTR failover(s)\n"));
}

TEST_CASE("standard status: MAP-E under TR-181 Device.MAP.Domain", "[report][status][tr181]") {
    const auto j = report::standard_status_json(mape_status());
    CHECK(j["version"] == 1);
    const auto& d = j["Device.MAP.Domain.1."];
    CHECK(d["Enable"] == true);
    CHECK(d["Status"] == "Enabled");
    CHECK(d["TransportMode"] == "Encapsulation");
    CHECK(d["WANInterface"] == "wan0");
    CHECK(d["IPv6Prefix"] == "2001:db8:12:3400::/56");  // the delegated prefix holding the MAP address
    CHECK(d["BRIPv6Prefix"] == "2001:db8:ffff::1/128");
    CHECK(d["DSCPMarkPolicy"] == -1);
    CHECK(d["PSIDOffset"] == 6);
    CHECK(d["PSIDLength"] == 8);
    CHECK(d["PSID"] == 0x3400);  // 52 left-aligned in 16 bits (TR-181, RFC 7598 §4.5)
    CHECK(d["IncludeSystemPorts"] == false);
    const auto& r = j["Device.MAP.Domain.1.Rule.1."];
    CHECK(r["IPv6Prefix"] == "2001:db8::/40");
    CHECK(r["IPv4Prefix"] == "192.0.2.0/24");
    CHECK(r["EABitsLength"] == 16);
    CHECK(r["IsFMR"] == true);
    CHECK(r["Origin"] == "DHCPv6");
    CHECK(r["PSIDOffset"] == 6);   // RFC 7597 §5.1 default: the rule had no S46_PORTPARAMS
    CHECK(r["PSIDLength"] == 0);   // PSID from the EA bits, none configured
    CHECK(r["PSID"] == 0);
    CHECK_FALSE(j.contains("Device.MAP.Domain.1.Rule.2."));
    CHECK_FALSE(j.contains("Device.DSLite.InterfaceSetting.1."));
    CHECK_FALSE(j.contains("ietf-softwire-ce:binding"));
    // s46d's own: the daemon's status unchanged (reasoning, counters, timings, whole plan).
    const auto& own = j["s46d"];
    CHECK(own == mape_status());
    CHECK(own["mode"] == "mape");
    CHECK(own["reason"] == "RFC 8026: option 111 lists it first");
    CHECK(own["rejected"][0]["option"] == 64);
    CHECK(own["counters"]["napt_sessions_free"] == 16379);
    CHECK(own["timings"]["start_to_mode_ms"] == 812);
    CHECK(own["plan"]["map_ipv6"] == "2001:db8:12:3400:0:c000:212:34");
    CHECK(own["plan"]["port_ranges"].size() == 63);
}

TEST_CASE("standard status: a rule with S46_PORTPARAMS keeps its PSID, left-aligned", "[report][status][tr181]") {
    auto s = mape_status();
    s["plan"]["fmrs"][0]["psid_offset"] = 4;
    s["plan"]["fmrs"][0]["psid_len"] = 4;
    s["plan"]["fmrs"][0]["psid"] = 3;
    const auto r = report::standard_status_json(s)["Device.MAP.Domain.1.Rule.1."];
    CHECK(r["PSIDOffset"] == 4);
    CHECK(r["PSIDLength"] == 4);
    CHECK(r["PSID"] == 0x3000);
}

TEST_CASE("standard status: lw4o6 under RFC 8676 ietf-softwire-ce binding names", "[report][status][rfc8676]") {
    const auto j = report::standard_status_json(lw4o6_status());
    const auto& b = j["ietf-softwire-ce:binding"];
    CHECK(b["br-ipv6-addr"] == "2001:db8:ffff::2");
    CHECK(b["binding-ipv6info"] == "2001:db8:12:3400::1");
    CHECK(b["binding-ipv4-addr"] == "192.0.2.18");
    CHECK(b["port-set"]["psid-offset"] == 0);
    CHECK(b["port-set"]["psid-len"] == 10);
    CHECK(b["port-set"]["psid"] == 52);  // the plain integer here, not TR-181's left-aligned form
    CHECK_FALSE(j.contains("Device.MAP.Domain.1."));
    CHECK(j["s46d"]["plan"]["port_ranges"][0] == "3328-3391");
    CHECK(j["s46d"]["plan"]["ipv4"] == "192.0.2.18");
}

TEST_CASE("standard status: DS-Lite under TR-181 Device.DSLite.InterfaceSetting; none has no object", "[report][status][tr181]") {
    const auto j = report::standard_status_json(dslite_status());
    const auto& i = j["Device.DSLite.InterfaceSetting.1."];
    CHECK(i["Enable"] == true);
    CHECK(i["Status"] == "Enabled");
    CHECK(i["EndpointAssignmentPrecedence"] == "DHCPv6");
    CHECK(i["EndpointAddressTypePrecedence"] == "FQDN");
    CHECK(i["EndpointName"] == "aftr.example.net");
    CHECK(i["EndpointAddress"] == "");
    CHECK(i["EndpointAddressInUse"] == "2001:db8:aa::1");
    CHECK(i["Origin"] == "DHCPv6");
    CHECK(j["s46d"]["plan"]["b4_ipv4"] == "192.0.0.2");
    CHECK(j["s46d"]["plan"]["tunnel_source"] == "2001:db8:1::5");

    auto unresolved = dslite_status();
    unresolved["plan"].erase("aftr");
    const auto u = report::standard_status_json(unresolved)["Device.DSLite.InterfaceSetting.1."];
    CHECK(u["Status"] == "Error");
    CHECK(u["EndpointAddressInUse"] == "");

    const auto n = report::standard_status_json(none_status());
    CHECK(n["version"] == 1);
    CHECK(n.size() == 2);  // version and s46d only
    CHECK(n["s46d"]["mode"] == "none");
    CHECK(n["s46d"]["lease"].is_null());
}

TEST_CASE("status table: the kernel backend names its device and route, and MAP-E's FMR state", "[report][status]") {
    auto s = mape_status();
    s["dataplane"] = "kernel";
    s["counters"]["device"] = "s46tnl0";
    s["counters"]["route_table"] = 100;
    s["counters"]["route_metric"] = 5;
    s["counters"]["fmr"] = "via BR, kernel lacks FMR support";
    const auto t = report::status_table(s, kNow);
    CHECK(has(t, "data plane  kernel (s46tnl0, route table 100 metric 5)\n"));
    CHECK(has(t, "fmr         via BR, kernel lacks FMR support\n"));
    CHECK_FALSE(has(t, "flowtable"));
    CHECK_FALSE(has(t, "last error"));
    s["counters"]["last_error"] = "create ip6tnl s46tnl0: Operation not supported";
    CHECK(has(report::status_table(s, kNow), "last error  create ip6tnl s46tnl0: Operation not supported\n"));
    // --flowtable: on, with the flows it forwards; off: no row.
    s["counters"]["flowtable"] = "off";
    CHECK_FALSE(has(report::status_table(s, kNow), "flowtable"));
    s["counters"]["flowtable"] = "on (s46tnl0, br-lan)";
    s["counters"]["flows_offloaded"] = 12;
    CHECK(has(report::status_table(s, kNow), "flowtable   on (s46tnl0, br-lan), 12 flow(s) offloaded\n"));
    // Not MAP-E: no FMR row.
    auto lw = lw4o6_status();
    lw["counters"]["fmr"] = "none in the plan";
    CHECK_FALSE(has(report::status_table(lw, kNow), "fmr "));
}

TEST_CASE("status table: the lw4o6 binding's origin and the DHCP 4o6 lease", "[report][status][dhcp4o6]") {
    auto s = lw4o6_status();
    s["binding_origin"] = "DHCP 4o6";
    s["dhcp4o6"] = {{"servers", {"2001:db8::547"}},
                    {"softwire_source", "2001:db8:12:3400::1"},
                    {"state", "Bound"},
                    {"lease",
                     {{"address", "192.0.2.100"},
                      {"port_params", {{"psid_offset", 0}, {"psid_length", 6}, {"psid", 5}}},
                      {"server_id", "192.0.2.1"},
                      {"t1_in_seconds", 1800},
                      {"t2_in_seconds", 3150},
                      {"valid_for_seconds", 3600}}}};
    const auto text = report::status_table(s, kNow);
    CHECK(has(text, "binding     from DHCP 4o6\n"));
    CHECK(has(text, "DHCP 4o6    Bound from 2001:db8:12:3400::1\n"));
    CHECK(has(text, "            192.0.2.100, PSID 5/6 offset 0, server 192.0.2.1\n"));
    CHECK(has(text, "            T1 in 30m, T2 in 52m 30s, expires in 1h\n"));

    // Waiting for a lease: the client's state, no lease lines; no client: no row at all.
    s["dhcp4o6"]["state"] = "Selecting";
    s["dhcp4o6"]["lease"] = nullptr;
    const auto waiting = report::status_table(s, kNow);
    CHECK(has(waiting, "DHCP 4o6    Selecting from 2001:db8:12:3400::1\n"));
    CHECK(waiting.find("192.0.2.100") == std::string::npos);
    CHECK(report::status_table(lw4o6_status(), kNow).find("DHCP 4o6") == std::string::npos);
}
