// s46d.conf: every group reaches its settings through the same parsers the flags use, bad input is
// refused with the key's path, flags override the file, and the shipped file parses.
#include <catch2/catch.hpp>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "platform/config/config_file.hpp"
#include "platform/config/settings.hpp"
#include "platform/daemon/daemon_options.hpp"

using namespace s46;
using config::parse_config_text;
using select::Mode;

namespace {

daemon::DaemonOptions parse_ok(const std::string& text, daemon::DaemonOptions base = {}) {
    auto r = parse_config_text(text, std::move(base));
    INFO((r.ok() ? std::string() : r.error()));
    REQUIRE(r.ok());
    return *r;
}

std::string parse_error(const std::string& text) {
    auto r = parse_config_text(text, {});
    REQUIRE_FALSE(r.ok());
    return r.error();
}

// A file in the temporary directory, removed at the end of the test.
struct TempFile {
    std::string path;
    explicit TempFile(const std::string& text) {
        char name[] = "/tmp/s46d-conf-XXXXXX";
        int fd = ::mkstemp(name);
        REQUIRE(fd >= 0);
        ::close(fd);
        path = name;
        std::ofstream(path) << text;
    }
    ~TempFile() { std::remove(path.c_str()); }
};

}  // namespace

TEST_CASE("config: every group reaches its settings", "[daemon][config]") {
    auto o = parse_ok(R"({
        // comments are allowed
        "interfaces": {"wan": "wan0", "lan": "lan0"},
        "selection": {"mode": "lw4o6", "enabled": ["lw4o6", "dslite"], "order": ["dslite", "lw4o6"],
                      "no_match": "none", "legacy_iid": true, "gi4over6": true, "gi4over6_prefix": "192.0.2.16/28"},
        "dataplane": {"backend": "userspace", "source_check": "ea-bits", "mss_clamp": false},
        "tunnel": {"mtu": 1460, "hop_limit": 32, "encapsulation_limit": 4, "tclass_inbound": "ignore"},
        "napt": {"host_share": "all", "sessions": 4096},
        "icmp": {"rate": 0, "not_our_binding": true, "napt_refusal": false},
        "tunnel_events": {"on_no_binding": "reprovision", "no_binding_holddown": 60, "aftr_failover": false,
                          "aftr_failover_holddown": 20},
        "dhcpv6": {"client": false, "prefix_hint": 60, "request_address": false, "information_only": true, "rapid_commit": false,
                   "solicit_delay": 0.5, "client_port": 10546, "dns_port": 5353},
        "state": {"directory": "/tmp/s46"},
        "control": {"socket": "/tmp/s46/control.sock", "group": "s46"},
        "log": {"level": "debug", "target": "syslog", "facility": "local3"},
        "privileges": {"user": "s46d", "group": "s46d"}
    })");
    CHECK(o.wan_interface == "wan0");
    CHECK(o.lan_interface == "lan0");
    CHECK(o.controller.policy.configured == Mode::lw4o6);
    CHECK(o.controller.policy.enabled == std::vector{Mode::lw4o6, Mode::dslite});
    CHECK(o.controller.policy.default_order == std::vector{Mode::dslite, Mode::lw4o6});
    CHECK(o.controller.policy.no_match == select::NoMatchPolicy::none);
    CHECK(o.controller.legacy_iid);
    CHECK(o.controller.gi4over6);
    CHECK(o.controller.gi4over6_prefix == *net::Ipv4Prefix::parse("192.0.2.16/28"));
    CHECK(o.dataplane == daemon::DataPlaneKind::userspace);
    CHECK(o.packet.source_check == map::SourceCheckMode::ea_bits);
    CHECK_FALSE(o.packet.clamp_mss);
    CHECK(o.controller.wan_mtu == 1460);
    CHECK(o.packet.hop_limit == 32);
    CHECK(o.packet.encapsulation_limit == std::optional<std::uint8_t>(4));
    CHECK_FALSE(o.packet.copy_traffic_class_inbound);
    CHECK(o.napt_host_share == UINT32_MAX);
    CHECK(o.napt_max_sessions == 4096);
    CHECK(o.packet.icmp_rate_per_second == 0);
    CHECK(o.packet.answer_not_our_binding);
    CHECK_FALSE(o.packet.answer_napt_refusal);
    CHECK(o.controller.reprovision_on_no_binding);
    CHECK(o.controller.no_binding_holddown == std::chrono::seconds(60));
    CHECK_FALSE(o.controller.aftr_failover);
    CHECK(o.controller.aftr_failover_holddown == std::chrono::seconds(20));
    CHECK_FALSE(o.dhcp_client);
    CHECK(o.prefix_hint == 60);
    CHECK_FALSE(o.request_address);
    CHECK(o.information_only);
    CHECK_FALSE(o.rapid_commit);
    CHECK(o.solicit_max_delay == 0.5);
    CHECK(o.client_port == 10546);
    CHECK(o.dns_port == 5353);
    CHECK(o.state_dir == "/tmp/s46");
    CHECK(o.control_socket == "/tmp/s46/control.sock");
    CHECK(o.control_group == "s46");
    CHECK(o.log_level == log::Level::debug);
    CHECK(o.verbose);
    CHECK(o.log_target == log::Target::syslog);
    CHECK(o.log_facility == "local3");
    CHECK(o.user == "s46d");
    CHECK(o.group == "s46d");
}

TEST_CASE("config: an empty object keeps the base", "[daemon][config]") {
    daemon::DaemonOptions base;
    base.wan_interface = "wan9";
    base.packet.hop_limit = 9;
    auto o = parse_ok("{}", base);
    CHECK(o.wan_interface == "wan9");
    CHECK(o.packet.hop_limit == 9);
    CHECK_FALSE(o.controller.static_provisioning);
}

TEST_CASE("config: bad values and keys are refused with the key's path", "[daemon][config]") {
    CHECK(parse_error(R"({"tunnel": {"encapsulation_limit": 300}})") == "s46d.conf: tunnel.encapsulation_limit: 300 is outside 0..255");
    CHECK(parse_error(R"({"selection": {"mdoe": "auto"}})") == "s46d.conf: selection.mdoe: unknown key (did you mean mode?)");
    CHECK(parse_error(R"({"tunel": {}})") == "s46d.conf: tunel: unknown key (did you mean tunnel?)");
    CHECK(parse_error(R"({"tunnel": {"frobnicate": 1}})") == "s46d.conf: tunnel.frobnicate: unknown key");
    CHECK(parse_error(R"({"tunnel": {"hop_limit": "64"}})") == "s46d.conf: tunnel.hop_limit: expected an integer, got \"64\"");
    CHECK(parse_error(R"({"tunnel": {"hop_limit": 0}})") == "s46d.conf: tunnel.hop_limit: 0 is outside 1..255");
    CHECK(parse_error(R"({"tunnel": {"hop_limit": -1}})") == "s46d.conf: tunnel.hop_limit: -1 is outside 1..255");
    CHECK(parse_error(R"({"tunnel": {"mtu": 1.5}})") == "s46d.conf: tunnel.mtu: expected an integer, got 1.5");
    CHECK(parse_error(R"({"tunnel": 5})") == "s46d.conf: tunnel: expected an object, got 5");
    CHECK(parse_error(R"({"dataplane": {"backend": "ip6tnl"}})") ==
          "s46d.conf: dataplane.backend: expected none, userspace or kernel, got 'ip6tnl'");
    CHECK(parse_error(R"({"tunnel": {"route_table": 0}})") == "s46d.conf: tunnel.route_table: 0 is outside 1..4294967295");
    CHECK(parse_ok(R"({"interfaces": {"lan": "br-lan"}, "dataplane": {"backend": "kernel", "flowtable": true}})").flowtable);
    CHECK(parse_error(R"({"dataplane": {"flowtable": 1}})") == "s46d.conf: dataplane.flowtable: expected true or false, got 1");
    CHECK(parse_error(R"({"dataplane": {"mss_clamp": "yes"}})") == "s46d.conf: dataplane.mss_clamp: expected true or false, got \"yes\"");
    CHECK(parse_error(R"({"selection": {"enabled": ["mape", 4]}})") ==
          "s46d.conf: selection.enabled: expected a list of strings, got a list holding 4");
    CHECK(parse_error(R"({"selection": {"order": ["mape", "mapt"]}})") ==
          "s46d.conf: selection.order: invalid mode list 'mape,mapt': unknown mode 'mapt' (expected mape, lw4o6 or dslite)");
    CHECK(parse_error(R"({"selection": {"gi4over6_prefix": "192.0.2.16/28"}})") ==
          "s46d.conf: selection.gi4over6_prefix: set, but selection.gi4over6 is false");
    CHECK(parse_error(R"({"napt": {"host_share": "most"}})") == "s46d.conf: napt.host_share: 'most' is not a number");
    CHECK(parse_error(R"({"dhcpv6": {"solicit_delay": 11}})") == "s46d.conf: dhcpv6.solicit_delay: '11' is not a number of seconds in 0..10");
    CHECK(parse_error(R"({"tunnel_events": {"no_binding_holddown": 0}})") == "s46d.conf: tunnel_events.no_binding_holddown: 0 is outside 1..3600");
    CHECK(parse_error(R"({"log": {"level": "verbose"}})") == "s46d.conf: log.level: 'verbose' is not error, warning, info or debug");
    CHECK(parse_error(R"({"log": {"facility": "kern"}})") == "s46d.conf: log.facility: 'kern' is not daemon, user or local0..local7");
    CHECK(parse_error(R"({"privileges": {"user": "root:root"}})") == "s46d.conf: privileges.user: 'root:root' is not a user or group name");
    CHECK(parse_error(R"({"state": {"directory": ""}})") == "s46d.conf: state.directory: empty path");
    CHECK(parse_error(R"({"tunnel": {"mtu": 1400, "mtu": 1500}})") == "s46d.conf: tunnel.mtu: duplicate key");
    CHECK(parse_error("[1, 2]") == "s46d.conf: expected a JSON object of groups, got a list");
    CHECK(parse_error("{\"tunnel\": {\"mtu\": 1400,}}").rfind("s46d.conf: parse error at line 1, column ", 0) == 0);
    // A number no double holds is nlohmann's out_of_range, not a parse_error: refused all the same
    // (it used to escape and abort s46d on SIGHUP).
    CHECK(parse_error(R"({"tunnel": {"mtu": 1e999}})") == "s46d.conf: number overflow parsing '1e999'");
    CHECK(parse_error("{\"tunnel\": {\"mtu\": 1" + std::string(400, '0') + "}}").rfind("s46d.conf: number overflow parsing", 0) == 0);
}

TEST_CASE("config: null switches an optional setting off", "[daemon][config]") {
    daemon::DaemonOptions base;
    base.packet.encapsulation_limit = 4;
    auto o = parse_ok(R"({"tunnel": {"encapsulation_limit": null}, "napt": {"host_share": "auto"}})", base);
    CHECK_FALSE(o.packet.encapsulation_limit);
    CHECK(o.napt_host_share == 0);
}

TEST_CASE("config: the static section", "[daemon][config][static]") {
    auto o = parse_ok(R"({"static": {"mape": {"rules": [{"ipv6_prefix": "2001:db8::/40", "ipv4_prefix": "192.0.2.0/24",
                                                          "ea_len": 16, "psid_offset": 6, "forwarding": true}],
                                               "br": "2001:db8:ffff::1"}}})");
    REQUIRE(o.controller.static_provisioning);
    const auto& s = *o.controller.static_provisioning;
    CHECK(s.mode == Mode::mape);
    REQUIRE(s.mape.rules.size() == 1);
    CHECK(s.mape.rules[0].ea_len == 16);
    CHECK(s.mape.rules[0].forwarding);
    CHECK(s.mape.rules[0].port_params == provision::PortParams{6, 0, 0});
    CHECK(s.mape.br == *net::Ipv6Address::parse("2001:db8:ffff::1"));
    CHECK(o.controller.policy.configured == Mode::mape);  // the section pins its mode

    auto lw = parse_ok(R"({"static": {"lw4o6": {"ipv4_address": "192.0.2.18", "psid_length": 8, "psid": 52,
                                                 "aftr": "2001:db8:ffff::2"}}})");
    REQUIRE(lw.controller.static_provisioning);
    CHECK(lw.controller.static_provisioning->lw4o6.port_params == provision::PortParams{0, 8, 52});
    CHECK_FALSE(lw.controller.static_provisioning->lw4o6.bind_prefix);

    auto ds = parse_ok(R"({"static": {"dslite": {"aftr_name": "aftr.example.net"}}})");
    CHECK(ds.controller.static_provisioning->dslite.aftr_name == "aftr.example.net");
    CHECK(ds.controller.policy.configured == Mode::dslite);

    CHECK(parse_error(R"({"static": {"dslite": {"aftr_name": "a"}, "mape": {"br": "2001:db8::1"}}})") ==
          "s46d.conf: static: configure one mode only (the CPE runs the mode it is configured for)");
    CHECK(parse_error(R"({"static": {"mapt": {}}})") == "s46d.conf: static.mapt: unknown key (did you mean mape?)");
    CHECK(parse_error(R"({"static": "dslite"})") == "s46d.conf: static: expected an object, got \"dslite\"");
    CHECK(parse_error(R"({"static": {"mape": {"rules": []}}})") ==
          "s46d.conf: static.mape.rules: expected a list of one or more rules, got a list");
    CHECK(parse_error(R"({"static": {"mape": {"bmr": "x"}}})") == "s46d.conf: static.mape.bmr: unknown key (did you mean br?)");
    CHECK(parse_error(R"({"static": {"mape": {"br": 5}}})") == "s46d.conf: static.mape.br: expected a string, got 5");
    CHECK(parse_error(R"({"static": {"mape": {"rules": [{"ipv4_prefix": "192.0.2.0/24", "ea_len": 8}]}}})") ==
          "s46d.conf: static.mape.rules[0]: needs ipv6_prefix");
    CHECK(parse_error(R"({"static": {"mape": {"rules": [{"ipv6_prefix": "2001:db8::/40", "ipv4_prefix": "192.0.2.0/24"}]}}})") ==
          "s46d.conf: static.mape.rules[0]: needs ea_len");
    CHECK(parse_error(R"({"static": {"mape": {"rules": [{"ipv6_prefix": "2001:db8::/40", "ipv4_prefix": "192.0.2.0/24",
                                                          "ea_len": 16, "forwarding": 1}]}}})") ==
          "s46d.conf: static.mape.rules[0].forwarding: expected true or false, got 1");
    CHECK(parse_error(R"({"static": {"dslite": {}}})") == "s46d.conf: static.dslite: needs aftr_name or aftr_address");
    CHECK(parse_error(R"({"static": {"dslite": {"aftr_address": "aftr.example.net"}}})").rfind(
              "s46d.conf: static.dslite.aftr_address: ", 0) == 0);
    CHECK(parse_error(R"({"static": {"lw4o6": {"ipv4_address": "192.0.2.18", "psid_length": 8, "psid": 300}}})") ==
          "s46d.conf: static.lw4o6.psid: 300 does not fit psid_length 8");
    CHECK(parse_error(R"({"static": {"lw4o6": {"psid_length": 17}}})") == "s46d.conf: static.lw4o6.psid_length: 17 is outside 0..16");
    CHECK(parse_error(R"({"static": {"lw4o6": {"ipv4": "192.0.2.18"}}})") ==
          "s46d.conf: static.lw4o6.ipv4: unknown key (did you mean ipv4_address?)");
    CHECK(parse_error(R"({"static": {"mape": {"rules": [{"ipv6_prefix": "2001:db8::/40", "ipv4_prefix": "192.0.2.0/24",
                                                          "ea_len": 49}]}}})") ==
          "s46d.conf: static.mape.rules[0].ea_len: 49 is outside 0..48");
    CHECK(parse_error(R"({"static": {"mape": {"rules": [{"ipv6_prefix": "2001:db8::/40", "ea_len": 8}]}}})") ==
          "s46d.conf: static.mape.rules[0]: needs ipv4_prefix");
    CHECK(parse_error(R"({"static": {"mape": {"rules": [{"ipv6_prefix": "2001:db8::/40", "ipv4_prefix": "192.0.2.0/24",
                                                          "ea_len": 16, "psid_offset": 12}]}}})") ==
          "s46d.conf: static.mape.rules[0]: offset 12 + PSID-len 8 (from ea-len and prefix4-len) exceeds the 16 port bits (RFC 7597 §5.1)");
    CHECK(parse_error(R"({"selection": {"mode": "lw4o6"}, "static": {"dslite": {"aftr_name": "a.example"}}})") ==
          "s46d.conf: static.dslite: the static section pins the mode to dslite, but selection.mode (--mode) is lw4o6");
    CHECK(parse_error(R"({"selection": {"enabled": ["mape"]}, "static": {"dslite": {"aftr_name": "a.example"}}})") ==
          "s46d.conf: static.dslite: mode dslite is not in selection.enabled (--enable)");
}

TEST_CASE("config: a static lw4o6 binding under GI-4over6", "[daemon][config][static]") {
    auto o = parse_ok(R"({"selection": {"gi4over6": true, "gi4over6_prefix": "192.0.2.16/28"},
                          "static": {"lw4o6": {"ipv4_address": "192.0.2.18", "aftr": "2001:db8:ffff::2"}}})");
    CHECK(o.controller.static_provisioning->lw4o6.ipv4 == net::Ipv4Address(192, 0, 2, 18));
    CHECK(parse_error(R"({"selection": {"gi4over6": true},
                          "static": {"lw4o6": {"ipv4_address": "192.0.2.18", "psid_length": 8, "psid": 1}}})") ==
          "s46d.conf: static.lw4o6.psid_length: GI-4over6 needs a full IPv4 address, but psid_length is 8");
    CHECK(parse_error(R"({"selection": {"gi4over6": true, "gi4over6_prefix": "192.0.2.32/28"},
                          "static": {"lw4o6": {"ipv4_address": "192.0.2.18"}}})") ==
          "s46d.conf: selection.gi4over6_prefix: 192.0.2.32/28 does not cover static.lw4o6.ipv4_address 192.0.2.18");
}

TEST_CASE("config: --config loads the file, flags override it, --check-config", "[daemon][config]") {
    TempFile f(R"({"interfaces": {"wan": "wan1"}, "tunnel": {"hop_limit": 10, "mtu": 1400}, "log": {"level": "warning"}})");
    auto o = daemon::parse_daemon_options({"--hop-limit", "20", "--config", f.path, "--verbose"});
    REQUIRE(o.ok());
    CHECK(o->wan_interface == "wan1");
    CHECK(o->packet.hop_limit == 20);        // the flag wins, wherever it stands
    CHECK(o->controller.wan_mtu == 1400);    // the file's value where no flag speaks
    CHECK(o->log_level == log::Level::debug);
    CHECK(o->config_file == f.path);
    CHECK_FALSE(o->check_config);

    auto check = daemon::parse_daemon_options({"--check-config", f.path});
    REQUIRE(check.ok());
    CHECK(check->check_config);
    CHECK(check->config_file == f.path);

    // SIGHUP: the file is read again, the flags still win.
    std::ofstream(f.path) << R"({"interfaces": {"wan": "wan1"}, "tunnel": {"hop_limit": 11, "mtu": 1300}})";
    auto reloaded = daemon::reload_options({"--hop-limit", "20", "--config", f.path});
    REQUIRE(reloaded.ok());
    CHECK(reloaded->packet.hop_limit == 20);
    CHECK(reloaded->controller.wan_mtu == 1300);

    std::ofstream(f.path) << R"({"tunnel": {"hop_limit": 0}})";
    auto bad = daemon::parse_daemon_options({"--check-config", f.path});
    REQUIRE_FALSE(bad.ok());
    CHECK(bad.error() == f.path + ": tunnel.hop_limit: 0 is outside 1..255");

    std::ofstream(f.path) << "{}";
    CHECK(daemon::parse_daemon_options({"--config", f.path}).error() ==
          "--wan-interface is required (or interfaces.wan in " + f.path + ")");
    CHECK(daemon::parse_daemon_options({"--config", f.path, "--wan-interface", "wan2"})->wan_interface == "wan2");

    CHECK(daemon::parse_daemon_options({"--config"}).error() == "--config needs a value");
    CHECK(daemon::parse_daemon_options({"--config", "/nonexistent/s46d.conf"}).error() ==
          "/nonexistent/s46d.conf: cannot read: No such file or directory");
    CHECK(daemon::parse_daemon_options({"--config", f.path, "--check-config", "/other.conf"}).error() ==
          "--check-config: '/other.conf' differs from the file named before, '" + f.path + "'");
}

TEST_CASE("config: a flag contradicting the static section is refused", "[daemon][config][static]") {
    TempFile f(R"({"interfaces": {"wan": "wan1"}, "static": {"dslite": {"aftr_address": "2001:db8::1"}}})");
    auto o = daemon::parse_daemon_options({"--config", f.path, "--mode", "auto"});
    REQUIRE(o.ok());
    CHECK(o->controller.policy.configured == Mode::dslite);
    CHECK(daemon::parse_daemon_options({"--config", f.path, "--mode", "mape"}).error() ==
          "static.dslite: the static section pins the mode to dslite, but selection.mode (--mode) is mape");
}

TEST_CASE("config: every setting has a flag or a switch, and the shipped file names it", "[daemon][config]") {
    std::ifstream in(S46_PACKAGED_CONFIG);
    REQUIRE(in);
    auto shipped = nlohmann::json::parse(in, nullptr, true, /*ignore_comments=*/true);
    for (const auto& s : config::settings()) {
        INFO(s.path);
        bool has_switch = false;
        for (const auto& sw : config::switches()) has_switch = has_switch || sw.path == s.path;
        CHECK((!s.flag.empty() || has_switch || s.path == "selection.gi4over6_prefix"));  // --gi4over6=PREFIX
        auto dot = s.path.find('.');
        CHECK(shipped[std::string(s.path.substr(0, dot))].contains(std::string(s.path.substr(dot + 1))));
    }
}

TEST_CASE("config: docs/configuration.md names every key and its flag", "[daemon][config]") {
    std::ifstream in(S46_CONFIG_DOC);
    REQUIRE(in);
    const std::string doc((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    for (const auto& s : config::settings()) {
        INFO(s.path);
        CHECK(doc.find("### " + std::string(s.path.substr(0, s.path.find('.')))) != std::string::npos);
        CHECK(doc.find("`" + std::string(s.path.substr(s.path.find('.') + 1)) + "`") != std::string::npos);
        if (!s.flag.empty()) CHECK(doc.find("`" + std::string(s.flag)) != std::string::npos);
    }
}

TEST_CASE("config: the shipped s46d.conf is valid and holds the defaults", "[daemon][config]") {
    auto r = daemon::parse_daemon_options({"--check-config", S46_PACKAGED_CONFIG});
    INFO((r.ok() ? std::string() : r.error()));
    REQUIRE(r.ok());
    CHECK(r->check_config);
    const daemon::DaemonOptions d;
    CHECK(r->wan_interface == "eth0");
    CHECK(r->packet == d.packet);
    CHECK(r->dataplane == d.dataplane);
    CHECK(r->controller.policy.enabled == d.controller.policy.enabled);
    CHECK(r->controller.policy.default_order == d.controller.policy.default_order);
    CHECK(r->controller.policy.configured == d.controller.policy.configured);
    CHECK(r->controller.wan_mtu == d.controller.wan_mtu);
    CHECK(r->controller.no_binding_holddown == d.controller.no_binding_holddown);
    CHECK(r->controller.aftr_failover_holddown == d.controller.aftr_failover_holddown);
    CHECK_FALSE(r->controller.gi4over6_prefix);
    CHECK_FALSE(r->controller.static_provisioning);
    CHECK(r->napt_host_share == d.napt_host_share);
    CHECK(r->napt_max_sessions == d.napt_max_sessions);
    CHECK(r->prefix_hint == d.prefix_hint);
    CHECK(r->solicit_max_delay == d.solicit_max_delay);
    CHECK(r->state_dir == d.state_dir);
    CHECK(r->control_socket == d.control_socket);
    CHECK(r->log_level == d.log_level);
    CHECK(r->log_target == d.log_target);
    CHECK(r->log_facility == d.log_facility);
    CHECK(r->user.empty());
}
