// /etc/config/s46d: the UCI reader and its translation to s46d.conf's JSON. Errors must name the
// line and the option, including the ones only s46d's own parser finds (ranges, words).
#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "platform/config/config_file.hpp"
#include "platform/config/uci_config.hpp"
#include "platform/config/uci_parse.hpp"

using namespace s46;
using config::parse_uci;
using config::uci_to_json;
using nlohmann::json;

namespace {

json translate_ok(const std::string& text) {
    auto r = uci_to_json(text, "s46d");
    INFO((r.ok() ? std::string() : r.error()));
    REQUIRE(r.ok());
    return json::parse(*r);
}

std::string translate_error(const std::string& text) {
    auto r = uci_to_json(text, "s46d");
    REQUIRE_FALSE(r.ok());
    return r.error();
}

}  // namespace

TEST_CASE("uci: words, quotes, comments and lists", "[config][uci]") {
    auto r = parse_uci(
        "# a comment\n"
        "package s46d\n"
        "\n"
        "config tunnel 'main'   # trailing comment\n"
        "\toption device \"s46\\\"x\"\n"
        "\toption hook 'a b'c\"d\"\n"
        "config selection\n"
        "\tlist order 'mape'\n"
        "\tlist order lw4o6\n");
    INFO((r.ok() ? std::string() : r.error()));
    REQUIRE(r.ok());
    REQUIRE(r->size() == 2);
    CHECK((*r)[0].type == "tunnel");
    CHECK((*r)[0].name == "main");
    CHECK((*r)[0].line == 4);
    REQUIRE((*r)[0].options.size() == 2);
    CHECK((*r)[0].options[0].values.front() == "s46\"x");
    CHECK((*r)[0].options[1].values.front() == "a bcd");
    CHECK((*r)[0].options[1].line == 6);
    CHECK((*r)[1].name.empty());
    REQUIRE((*r)[1].options.size() == 1);
    CHECK((*r)[1].options[0].is_list);
    CHECK((*r)[1].options[0].values == std::vector<std::string>{"mape", "lw4o6"});
}

TEST_CASE("uci: malformed files are refused with the line", "[config][uci]") {
    auto error = [](const char* text) {
        auto r = parse_uci(text);
        REQUIRE_FALSE(r.ok());
        return r.error();
    };
    CHECK(error("config tunnel\n option mtu '1500\n") == "line 2: unterminated ' quote");
    CHECK(error("option mtu 1500\n") == "line 1: option 'mtu' before any config section");
    CHECK(error("config tunnel\n option mtu 1500\n option mtu 1460\n") == "line 3: option 'mtu' is already set in this section (line 2)");
    CHECK(error("config tunnel\n list x a\n option x b\n") == "line 3: option 'x' is already set in this section (line 2)");
    CHECK(error("config tunnel\n option mtu\n") == "line 2: option takes a name and one value (quote a value with blanks)");
    CHECK(error("config 'a b'\n") == "line 1: config: 'a b' is not a valid section type");
    CHECK(error("confg tunnel\n") == "line 1: 'confg' is not config, option, list or package");
    CHECK(error("config tunnel\n option device s46\\\n") ==
          "line 2: a backslash at the end of the line (continued lines are not supported)");
}

TEST_CASE("uci: every kind of key becomes its JSON type", "[config][uci]") {
    const json j = translate_ok(
        "config interfaces\n option wan 'eth1'\n"
        "config selection\n option mode 'auto'\n list enabled mape\n list enabled dslite\n option order 'mape dslite'\n"
        " option legacy_iid '1'\n option gi4over6_prefix ''\n"
        "config tunnel\n option mtu '1460'\n option encapsulation_limit 'off'\n option device 's46-wan'\n"
        "config napt\n option host_share 'all'\n option sessions 4096\n"
        "config dhcpv6\n option client 'no'\n option solicit_delay '0.5'\n"
        "config s46d 'service'\n option enabled '1'\n");
    CHECK(j["interfaces"]["wan"] == "eth1");
    CHECK(j["selection"]["enabled"] == json::array({"mape", "dslite"}));
    CHECK(j["selection"]["order"] == json::array({"mape", "dslite"}));
    CHECK(j["selection"]["legacy_iid"] == true);
    CHECK(j["selection"]["gi4over6_prefix"].is_null());
    CHECK(j["tunnel"]["mtu"] == 1460);
    CHECK(j["tunnel"]["encapsulation_limit"].is_null());
    CHECK(j["tunnel"]["device"] == "s46-wan");
    CHECK(j["napt"]["host_share"] == "all");
    CHECK(j["napt"]["sessions"] == 4096);
    CHECK(j["dhcpv6"]["client"] == false);
    CHECK(j["dhcpv6"]["solicit_delay"] == 0.5);
    CHECK_FALSE(j.contains("s46d"));  // the init script's, not s46d's
}

TEST_CASE("uci: static provisioning and MAP-E rules", "[config][uci]") {
    const json j = translate_ok(
        "config static_mape\n option br '2001:db8:ffff::1'\n"
        "config mape_rule\n option ipv6_prefix '2001:db8::/40'\n option ipv4_prefix '192.0.2.0/24'\n option ea_len 16\n"
        " option forwarding 1\n"
        "config mape_rule\n option ipv6_prefix '2001:db8:100::/40'\n option ipv4_prefix '198.51.100.0/24'\n option ea_len 16\n");
    CHECK(j["static"]["mape"]["br"] == "2001:db8:ffff::1");
    REQUIRE(j["static"]["mape"]["rules"].size() == 2);
    CHECK(j["static"]["mape"]["rules"][0]["forwarding"] == true);
    CHECK(j["static"]["mape"]["rules"][1]["ipv4_prefix"] == "198.51.100.0/24");
    // The translation is what s46d reads.
    auto o = config::parse_config_text(j.dump(), {});
    REQUIRE(o.ok());
    CHECK(o->controller.static_provisioning->mode == select::Mode::mape);
}

TEST_CASE("uci: bad options are refused naming the line and option", "[config][uci]") {
    CHECK(translate_error("config tunnel\n option mut 1500\n") ==
          "s46d:2: option mut (config tunnel): unknown option (docs/configuration.md lists the keys)");
    CHECK(translate_error("config tunel\n") ==
          "s46d:1: config tunel: unknown section type (interfaces, selection, dataplane, tunnel, napt, icmp, hooks, "
          "tunnel_events, dhcpv6, state, control, log, privileges, static_dslite, static_lw4o6, static_mape, mape_rule, s46d)");
    CHECK(translate_error("config selection 'a'\n option legacy_iid maybe\n") ==
          "s46d:2: option legacy_iid (config selection 'a'): 'maybe' is not a boolean (1/0, yes/no, on/off, true/false)");
    CHECK(translate_error("config tunnel\n option mtu 15x\n") == "s46d:2: option mtu (config tunnel): '15x' is not an integer");
    CHECK(translate_error("config tunnel\n option device 's46\xac'\n") ==
          "s46d:2: option device (config tunnel): the value is not valid UTF-8");
    CHECK(translate_ok("config tunnel\n option device 's46\xc3\xa9'\n")["tunnel"]["device"] == "s46\xc3\xa9");
    CHECK(translate_error("config tunnel\n option device '\xc0\xaf'\n").find("not valid UTF-8") != std::string::npos);
    CHECK(translate_error("config tunnel\n list mtu 1500\n") == "s46d:2: option mtu (config tunnel): takes one value: use option, not list");
    CHECK(translate_error("config tunnel\nconfig tunnel\n") ==
          "s46d:2: config tunnel: a second 'tunnel' section (the first is at line 1)");
    CHECK(translate_error("config static_dslite\n option aftr_name a.example\nconfig static_mape\n") ==
          "s46d:3: config static_mape: a second static section (static_dslite at line 1): the CPE is configured for one mode");
    CHECK(translate_error("config mape_rule\n option ea_len 16\n") ==
          "s46d:1: config mape_rule: mape_rule sections need a static_mape section");
    CHECK(translate_error("config s46d\n option enable 1\n") ==
          "s46d:2: option enable (config s46d): unknown option (config s46d has only enabled)");
    // Found by s46d's own parser, reported against the UCI line.
    CHECK(translate_error("config tunnel\n option hop_limit 1\n option mtu 99\n") ==
          "s46d:3: option mtu (config tunnel): 99 is outside 1280..65535 (tunnel.mtu)");
    CHECK(translate_error("config selection\n option mode 'mapee'\n").rfind("s46d:2: option mode (config selection): ", 0) == 0);
    CHECK(translate_error("config static_mape\n option br '2001:db8::1'\nconfig mape_rule\n option ipv4_prefix '192.0.2.0/24'\n"
                          " option ipv6_prefix '2001:db8::/40'\n option ea_len 99\n")
              .rfind("s46d:6: option ea_len (config mape_rule): ", 0) == 0);
}

TEST_CASE("uci: the shipped /etc/config/s46d translates to the packaged defaults", "[config][uci]") {
    std::ifstream in(S46_PACKAGED_UCI);
    REQUIRE(in);
    std::stringstream text;
    text << in.rdbuf();
    const json uci = translate_ok(text.str());
    auto from_uci = config::parse_config_text(uci.dump(), {});
    auto from_json = config::load_config(S46_PACKAGED_CONFIG);
    REQUIRE(from_uci.ok());
    REQUIRE(from_json.ok());
    // Every group of s46d.conf has its section; only the WAN interface differs (OpenWrt's "wan").
    for (const auto& group : {"interfaces", "selection", "dataplane", "tunnel", "napt", "icmp", "hooks", "tunnel_events",
                              "dhcpv6", "state", "control", "log", "privileges"})
        CHECK(uci.contains(group));
    CHECK(from_uci->controller.policy == from_json->controller.policy);
    CHECK(from_uci->packet == from_json->packet);
    CHECK(from_uci->napt_max_sessions == from_json->napt_max_sessions);
    CHECK(from_uci->hooks_directory == from_json->hooks_directory);
    CHECK(from_uci->state_dir == from_json->state_dir);
    CHECK(from_uci->dhcp_client == from_json->dhcp_client);
}
