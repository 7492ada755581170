// s46d's command line: every flag reaches its setting, and bad values are refused with a
// message naming the flag.
#include <catch2/catch.hpp>

#include "platform/daemon/daemon_options.hpp"

using namespace s46;
using daemon::parse_daemon_options;

namespace {

daemon::DaemonOptions parse_ok(std::vector<std::string> args) {
    args.insert(args.begin(), {"--wan-interface", "wan0"});
    auto r = parse_daemon_options(args);
    INFO((r.ok() ? std::string() : r.error()));
    REQUIRE(r.ok());
    return *r;
}

std::string parse_error(std::vector<std::string> args) {
    args.insert(args.begin(), {"--wan-interface", "wan0"});
    auto r = parse_daemon_options(args);
    REQUIRE_FALSE(r.ok());
    return r.error();
}

}  // namespace

TEST_CASE("daemon options: defaults follow the RFCs", "[daemon][options]") {
    const auto o = parse_ok({});
    CHECK(o.wan_interface == "wan0");
    CHECK(o.dataplane == daemon::DataPlaneKind::none);
    CHECK_FALSE(o.controller.reprovision_on_no_binding);   // RFC 7596 §5.1 MAY: opt-in
    CHECK(o.controller.aftr_failover);
    CHECK_FALSE(o.packet.encapsulation_limit.has_value());  // RFC 2473 §4.1.1: off unless configured
    CHECK(o.packet.clamp_mss);
    CHECK(o.packet.copy_traffic_class_inbound);               // RFC 6333 §7.1
    CHECK_FALSE(o.packet.answer_not_our_binding);
    CHECK(o.packet.answer_napt_refusal);
    CHECK(o.packet.source_check == map::SourceCheckMode::full_address);
    CHECK(parse_error({"--wan-interface"}) == "--wan-interface needs a value");
    CHECK(parse_daemon_options({}).error() == "--wan-interface is required");
}

TEST_CASE("daemon options: tunnel event policies", "[daemon][options]") {
    CHECK(parse_ok({"--on-no-binding", "reprovision"}).controller.reprovision_on_no_binding);
    CHECK_FALSE(parse_ok({"--on-no-binding", "ignore"}).controller.reprovision_on_no_binding);
    CHECK_FALSE(parse_ok({"--no-aftr-failover"}).controller.aftr_failover);
    CHECK(parse_error({"--on-no-binding", "maybe"}) == "--on-no-binding: 'maybe' is not ignore or reprovision");
    CHECK(parse_error({"--on-no-binding"}) == "--on-no-binding needs a value");
}

TEST_CASE("daemon options: packet path knobs", "[daemon][options]") {
    auto o = parse_ok({"--hop-limit", "32", "--encapsulation-limit", "0", "--no-mss-clamp", "--tclass-inbound", "ignore",
                       "--icmp-rate", "0", "--icmp-not-our-binding", "--no-icmp-napt-refusal", "--source-check", "ea-bits"});
    CHECK(o.packet.hop_limit == 32);
    REQUIRE(o.packet.encapsulation_limit.has_value());
    CHECK(*o.packet.encapsulation_limit == 0);
    CHECK_FALSE(o.packet.clamp_mss);
    CHECK_FALSE(o.packet.copy_traffic_class_inbound);
    CHECK(o.packet.icmp_rate_per_second == 0);
    CHECK(o.packet.answer_not_our_binding);
    CHECK_FALSE(o.packet.answer_napt_refusal);
    CHECK(o.packet.source_check == map::SourceCheckMode::ea_bits);

    CHECK(parse_error({"--hop-limit", "0"}) == "--hop-limit: 0 is outside 1..255");
    CHECK(parse_error({"--encapsulation-limit", "256"}) == "--encapsulation-limit: 256 is outside 0..255");
    CHECK(parse_error({"--icmp-rate", "fast"}) == "--icmp-rate: 'fast' is not a number");
    CHECK(parse_error({"--tclass-inbound", "swap"}) == "--tclass-inbound: 'swap' is not copy or ignore");
    CHECK(parse_error({"--source-check", "none"}) == "--source-check: 'none' is not full or ea-bits");
}

TEST_CASE("daemon options: other flags and bad values", "[daemon][options]") {
    auto o = parse_ok({"--dataplane", "userspace", "--napt-host-share", "all", "--napt-sessions", "4096", "--gi4over6=192.0.2.16/28",
                       "--solicit-delay", "0"});
    CHECK(o.dataplane == daemon::DataPlaneKind::userspace);
    CHECK(o.napt_host_share == UINT32_MAX);
    CHECK(o.napt_max_sessions == 4096);
    CHECK(o.controller.gi4over6);
    CHECK(o.solicit_max_delay == 0);
    CHECK(parse_error({"--napt-sessions", "8"}) == "--napt-sessions: 8 is outside 16..16777216");
    CHECK(parse_error({"--frobnicate"}) == "unknown argument '--frobnicate'");
    CHECK(parse_error({"--solicit-delay", "x"}) == "--solicit-delay: 'x' is not a number of seconds in 0..10");
}

TEST_CASE("daemon options: log, privileges, control group, hold-downs", "[daemon][options]") {
    auto o = parse_ok({"--log-level", "warning", "--log-target", "syslog", "--log-facility", "local7", "--user", "s46d",
                       "--group", "s46d", "--control-group", "netadmin", "--no-binding-holddown", "120",
                       "--aftr-failover-holddown", "5", "--encapsulation-limit", "4", "--encapsulation-limit", "off"});
    CHECK(o.log_level == log::Level::warning);
    CHECK_FALSE(o.verbose);
    CHECK(o.log_target == log::Target::syslog);
    CHECK(o.log_facility == "local7");
    CHECK(o.user == "s46d");
    CHECK(o.group == "s46d");
    CHECK(o.control_group == "netadmin");
    CHECK(o.controller.no_binding_holddown == std::chrono::seconds(120));
    CHECK(o.controller.aftr_failover_holddown == std::chrono::seconds(5));
    CHECK_FALSE(o.packet.encapsulation_limit.has_value());  // "off" undoes a limit (e.g. one from the file)
    CHECK(parse_ok({"--verbose"}).log_level == log::Level::debug);
    CHECK(parse_ok({"--verbose"}).verbose);

    CHECK(parse_error({"--log-level", "loud"}) == "--log-level: 'loud' is not error, warning, info or debug");
    CHECK(parse_error({"--log-target", "file"}) == "--log-target: 'file' is not stderr or syslog");
    CHECK(parse_error({"--log-facility", "mail"}) == "--log-facility: 'mail' is not daemon, user or local0..local7");
    CHECK(parse_error({"--user", "-x"}) == "--user: '-x' is not a user or group name");
    CHECK(parse_error({"--control-group", "a b"}) == "--control-group: 'a b' is not a user or group name");
    CHECK(parse_error({"--no-binding-holddown", "0"}) == "--no-binding-holddown: 0 is outside 1..3600");
    CHECK(parse_error({"--aftr-failover-holddown", "3601"}) == "--aftr-failover-holddown: 3601 is outside 1..3600");
    CHECK(parse_error({"--dataplane", "ip6tnl"}) == "--dataplane: expected none, userspace or kernel, got 'ip6tnl'");
    CHECK(parse_error({"--tunnel-device", "a/b"}) == "--tunnel-device: 'a/b' is not an interface name (1-15 characters, no '/', ':' or spaces)");
    CHECK(parse_error({"--tunnel-device", "sixteen-chars-xx"}) ==
          "--tunnel-device: 'sixteen-chars-xx' is not an interface name (1-15 characters, no '/', ':' or spaces)");
    CHECK(parse_error({"--route-table", "0"}) == "--route-table: 0 is outside 1..4294967295");
    CHECK(parse_error({"--route-metric", "-1"}) == "--route-metric: -1 is outside 0..4294967295");
    {
        const auto k = parse_ok({"--dataplane", "kernel", "--tunnel-device", "wan6", "--route-table", "1000", "--route-metric", "20"});
        CHECK(k.dataplane == s46::daemon::DataPlaneKind::kernel);
        CHECK(k.tunnel_device == "wan6");
        CHECK(k.route_table == 1000);
        CHECK(k.route_metric == 20);
        const auto d = parse_ok({});
        CHECK(d.tunnel_device.empty());  // the backend's own default name
        CHECK(d.route_table == 254);
        CHECK(d.route_metric == 0);
    }
    {
        // --flowtable (docs/dataplane.md "Flowtable"): the kernel backend's, on the LAN interface.
        CHECK_FALSE(parse_ok({}).flowtable);
        CHECK(parse_ok({"--dataplane", "kernel", "--lan-interface", "br-lan", "--flowtable"}).flowtable);
        CHECK(parse_error({"--dataplane", "userspace", "--lan-interface", "br-lan", "--flowtable"}) ==
              "dataplane.flowtable (--flowtable): only the kernel data plane has a flowtable; set dataplane.backend "
              "(--dataplane) to kernel or drop the flowtable");
        CHECK(parse_error({"--flowtable"}).rfind("dataplane.flowtable (--flowtable): only the kernel data plane", 0) == 0);
        CHECK(parse_error({"--dataplane", "kernel", "--flowtable"}) ==
              "dataplane.flowtable (--flowtable) needs interfaces.lan (--lan-interface): the flowtable forwards "
              "established flows from the LAN device's ingress and the tunnel's");
    }
    CHECK(parse_error({"--mode", "mapt"}) == "--mode: invalid mode 'mapt' (expected auto, dslite, lw4o6 or mape)");
    CHECK(parse_error({"--no-match", "any"}) == "--no-match: expected default-order or none, got 'any'");
    CHECK(parse_error({"--gi4over6=192.0.2.0/33"}).rfind("--gi4over6: ", 0) == 0);
    CHECK(parse_error({"--state-dir", ""}) == "--state-dir: empty path");
    CHECK(parse_error({"--hop-limit", "-1"}) == "--hop-limit: -1 is outside 1..255");
}

TEST_CASE("daemon options: the DHCPv6 client can be left to an external one", "[daemon][options]") {
    CHECK(parse_ok({}).dhcp_client);
    CHECK_FALSE(parse_ok({"--no-dhcp-client"}).dhcp_client);
}

TEST_CASE("daemon options: --version needs no WAN interface, and bad flags next to it still fail", "[daemon][options]") {
    auto v = parse_daemon_options({"--version"});
    REQUIRE(v.ok());
    CHECK(v->version);
    CHECK_FALSE(v->help);
    CHECK_FALSE(parse_ok({}).version);
    auto bad = parse_daemon_options({"--version", "--hop-limit", "0"});
    REQUIRE_FALSE(bad.ok());
    CHECK(bad.error() == "--hop-limit: 0 is outside 1..255");
}
