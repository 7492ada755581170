#include "platform/config/settings.hpp"

#include <charconv>
#include <cstdlib>

#include "core/select/policy.hpp"
#include "platform/daemon/daemon_options.hpp"

namespace s46::config {

namespace {

using daemon::DaemonOptions;
using R = Result<void>;

Result<long long> number(std::string_view v, long long lo, long long hi) {
    long long n = 0;
    auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
    if (v.empty() || ec != std::errc{} || p != v.data() + v.size()) return fail("'" + std::string(v) + "' is not a number");
    if (n < lo || n > hi) return fail(std::string(v) + " is outside " + std::to_string(lo) + ".." + std::to_string(hi));
    return n;
}

Result<bool> boolean(std::string_view v) {
    if (v == "true") return true;
    if (v == "false") return false;
    return fail("'" + std::string(v) + "' is not true or false");
}

// Stores a bounded integer into `field` (any integer type wide enough for `hi`).
template <class T>
R store_number(T& field, std::string_view v, long long lo, long long hi) {
    auto n = number(v, lo, hi);
    if (!n) return fail(n.error());
    field = static_cast<T>(*n);
    return ok();
}

// Stores what `parse` makes of `v`, or passes its error on: one helper for every setting whose
// value has a parser of its own (modes, mode lists, log levels).
template <class T, class Parse>
R store_parsed(T& field, std::string_view v, Parse parse) {
    auto parsed = parse(v);
    if (!parsed) return fail(parsed.error());
    field = *parsed;
    return ok();
}

R store_bool(bool& field, std::string_view v) { return store_parsed(field, v, boolean); }

R store_seconds(std::chrono::seconds& field, std::string_view v) {
    // A hold-down of 0 would let every event act (a Renew or failover storm); an hour is long
    // enough for any operator who wants the policy but rarely.
    auto n = number(v, 1, 3600);
    if (!n) return fail(n.error());
    field = std::chrono::seconds(*n);
    return ok();
}

// User and group names as useradd(8) on Debian accepts them (NAME_REGEX, relaxed), or numeric IDs.
// Resolved only when privileges are dropped; here we refuse what could never be a name.
R store_account_name(std::string& field, std::string_view v) {
    for (char c : v) {
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.';
        if (!ok) return fail("'" + std::string(v) + "' is not a user or group name");
    }
    if (!v.empty() && v.front() == '-') return fail("'" + std::string(v) + "' is not a user or group name");
    field = std::string(v);
    return ok();
}

R store_text(std::string& field, std::string_view v) {
    field = std::string(v);
    return ok();
}

R store_path(std::string& field, std::string_view v) {
    if (v.empty()) return fail("empty path");
    field = std::string(v);
    return ok();
}

const Setting kSettings[] = {
    // ---- interfaces ----
    {"interfaces.wan", "--wan-interface", kString, +[](DaemonOptions& o, std::string_view v) { return store_text(o.wan_interface, v); }},
    {"interfaces.lan", "--lan-interface", kString, +[](DaemonOptions& o, std::string_view v) { return store_text(o.lan_interface, v); }},

    // ---- selection (docs/selection.md) ----
    {"selection.mode", "--mode", kString, +[](DaemonOptions& o, std::string_view v) {
         return store_parsed(o.controller.policy.configured, v, select::parse_configured_mode);
     }},
    {"selection.enabled", "--enable", kStringList, +[](DaemonOptions& o, std::string_view v) {
         return store_parsed(o.controller.policy.enabled, v, select::parse_mode_list);
     }},
    {"selection.order", "--order", kStringList, +[](DaemonOptions& o, std::string_view v) {
         return store_parsed(o.controller.policy.default_order, v, select::parse_mode_list);
     }},
    {"selection.no_match", "--no-match", kString, +[](DaemonOptions& o, std::string_view v) -> R {
         if (v == "default-order") o.controller.policy.no_match = select::NoMatchPolicy::default_order;
         else if (v == "none") o.controller.policy.no_match = select::NoMatchPolicy::none;
         else return fail("expected default-order or none, got '" + std::string(v) + "'");
         return ok();
     }},
    {"selection.legacy_iid", "", kBool, +[](DaemonOptions& o, std::string_view v) { return store_bool(o.controller.legacy_iid, v); }},
    {"selection.gi4over6", "", kBool, +[](DaemonOptions& o, std::string_view v) { return store_bool(o.controller.gi4over6, v); }},
    {"selection.gi4over6_prefix", "", kString | kNull, +[](DaemonOptions& o, std::string_view v) -> R {
         if (v == "off") {
             o.controller.gi4over6_prefix.reset();
             return ok();
         }
         auto p = net::Ipv4Prefix::parse(v);
         if (!p) return fail(p.error());
         o.controller.gi4over6_prefix = *p;
         return ok();
     }},

    // ---- data plane (docs/dataplane.md) ----
    {"dataplane.backend", "--dataplane", kString, +[](DaemonOptions& o, std::string_view v) -> R {
         if (v == "none") o.dataplane = daemon::DataPlaneKind::none;
         else if (v == "userspace") o.dataplane = daemon::DataPlaneKind::userspace;
         else if (v == "kernel") o.dataplane = daemon::DataPlaneKind::kernel;
         else return fail("expected none, userspace or kernel, got '" + std::string(v) + "'");
         return ok();
     }},
    {"dataplane.source_check", "--source-check", kString, +[](DaemonOptions& o, std::string_view v) -> R {
         if (v == "full") o.packet.source_check = map::SourceCheckMode::full_address;
         else if (v == "ea-bits") o.packet.source_check = map::SourceCheckMode::ea_bits;
         else return fail("'" + std::string(v) + "' is not full or ea-bits");
         return ok();
     }},
    {"dataplane.mss_clamp", "", kBool, +[](DaemonOptions& o, std::string_view v) { return store_bool(o.packet.clamp_mss, v); }},
    {"dataplane.flowtable", "", kBool, +[](DaemonOptions& o, std::string_view v) { return store_bool(o.flowtable, v); }},

    // ---- tunnel (RFC 2473) ----
    {"tunnel.mtu", "--wan-mtu", kInteger, +[](DaemonOptions& o, std::string_view v) {
         return store_number(o.controller.wan_mtu, v, 1280, 65535);  // RFC 8200 §5: IPv6 minimum link MTU
     }},
    {"tunnel.hop_limit", "--hop-limit", kInteger, +[](DaemonOptions& o, std::string_view v) {
         return store_number(o.packet.hop_limit, v, 1, 255);  // RFC 2473 §6.3: 0 would never leave the link
     }},
    {"tunnel.encapsulation_limit", "--encapsulation-limit", kInteger | kNull, +[](DaemonOptions& o, std::string_view v) -> R {
         if (v == "off") {
             o.packet.encapsulation_limit.reset();
             return ok();
         }
         std::uint8_t n = 0;
         if (auto r = store_number(n, v, 0, 255); !r) return r;  // RFC 2473 §4.1.1
         o.packet.encapsulation_limit = n;
         return ok();
     }},
    {"tunnel.device", "--tunnel-device", kString | kNull, +[](DaemonOptions& o, std::string_view v) -> R {
         if (v == "off") {  // null: the backend's default name
             o.tunnel_device.clear();
             return ok();
         }
         // IFNAMSIZ - 1 characters; '/' and whitespace are not allowed in Linux interface names.
         if (v.empty() || v.size() > 15 || v.find_first_of("/ \t\n:") != std::string_view::npos || v == "." || v == "..")
             return fail("'" + std::string(v) + "' is not an interface name (1-15 characters, no '/', ':' or spaces)");
         o.tunnel_device = std::string(v);
         return ok();
     }},
    {"tunnel.route_table", "--route-table", kInteger, +[](DaemonOptions& o, std::string_view v) {
         return store_number(o.route_table, v, 1, 0xffffffffLL);  // 0 is RT_TABLE_UNSPEC, not a table
     }},
    {"tunnel.route_metric", "--route-metric", kInteger, +[](DaemonOptions& o, std::string_view v) {
         return store_number(o.route_metric, v, 0, 0xffffffffLL);
     }},
    {"tunnel.tclass_inbound", "--tclass-inbound", kString, +[](DaemonOptions& o, std::string_view v) -> R {
         if (v == "copy") o.packet.copy_traffic_class_inbound = true;
         else if (v == "ignore") o.packet.copy_traffic_class_inbound = false;
         else return fail("'" + std::string(v) + "' is not copy or ignore");
         return ok();
     }},

    // ---- NAPT44 (docs/napt.md) ----
    {"napt.host_share", "--napt-host-share", kInteger | kString, +[](DaemonOptions& o, std::string_view v) -> R {
         if (v == "all") o.napt_host_share = UINT32_MAX;
         else if (v == "auto") o.napt_host_share = 0;  // a quarter of the port set
         else return store_number(o.napt_host_share, v, 1, 65536);
         return ok();
     }},
    {"napt.sessions", "--napt-sessions", kInteger, +[](DaemonOptions& o, std::string_view v) {
         return store_number(o.napt_max_sessions, v, 16, 1 << 24);
     }},

    // ---- ICMP ----
    {"icmp.rate", "--icmp-rate", kInteger, +[](DaemonOptions& o, std::string_view v) {
         return store_number(o.packet.icmp_rate_per_second, v, 0, 1000000);  // RFC 1812 §4.3.2.8
     }},
    {"icmp.not_our_binding", "", kBool, +[](DaemonOptions& o, std::string_view v) { return store_bool(o.packet.answer_not_our_binding, v); }},
    {"icmp.napt_refusal", "", kBool, +[](DaemonOptions& o, std::string_view v) { return store_bool(o.packet.answer_napt_refusal, v); }},

    // ---- tunnel events (docs/tunnel-events.md) ----
    {"tunnel_events.on_no_binding", "--on-no-binding", kString, +[](DaemonOptions& o, std::string_view v) -> R {
         if (v == "ignore") o.controller.reprovision_on_no_binding = false;
         else if (v == "reprovision") o.controller.reprovision_on_no_binding = true;
         else return fail("'" + std::string(v) + "' is not ignore or reprovision");
         return ok();
     }},
    {"tunnel_events.no_binding_holddown", "--no-binding-holddown", kInteger, +[](DaemonOptions& o, std::string_view v) {
         return store_seconds(o.controller.no_binding_holddown, v);
     }},
    {"tunnel_events.aftr_failover", "", kBool, +[](DaemonOptions& o, std::string_view v) { return store_bool(o.controller.aftr_failover, v); }},
    {"tunnel_events.aftr_failover_holddown", "--aftr-failover-holddown", kInteger, +[](DaemonOptions& o, std::string_view v) {
         return store_seconds(o.controller.aftr_failover_holddown, v);
     }},

    // ---- DHCPv6 client (docs/dhcpv6-client.md) ----
    // false: no DHCPv6 of s46d's own; another client (OpenWrt's odhcp6c) feeds it with s46ctl provision.
    {"dhcpv6.client", "", kBool, +[](DaemonOptions& o, std::string_view v) { return store_bool(o.dhcp_client, v); }},
    {"dhcpv6.prefix_hint", "--prefix-hint", kInteger, +[](DaemonOptions& o, std::string_view v) {
         return store_number(o.prefix_hint, v, 0, 128);
     }},
    {"dhcpv6.request_address", "", kBool, +[](DaemonOptions& o, std::string_view v) { return store_bool(o.request_address, v); }},
    {"dhcpv6.information_only", "", kBool, +[](DaemonOptions& o, std::string_view v) { return store_bool(o.information_only, v); }},
    {"dhcpv6.rapid_commit", "", kBool, +[](DaemonOptions& o, std::string_view v) { return store_bool(o.rapid_commit, v); }},
    {"dhcpv6.solicit_delay", "--solicit-delay", kInteger | kReal, +[](DaemonOptions& o, std::string_view v) -> R {
         // RFC 8415 §7.6 SOL_MAX_DELAY is 1 s; 10 s is ample for a staggered restart of many CPEs.
         std::string text(v);
         char* end = nullptr;
         double d = text.empty() ? -1 : std::strtod(text.c_str(), &end);
         if (text.empty() || end != text.c_str() + text.size() || !(d >= 0 && d <= 10))
             return fail("'" + text + "' is not a number of seconds in 0..10");
         o.solicit_max_delay = d;
         return ok();
     }},
    {"dhcpv6.client_port", "--client-port", kInteger, +[](DaemonOptions& o, std::string_view v) {
         return store_number(o.client_port, v, 1, 65535);
     }},
    {"dhcpv6.dns_port", "--dns-port", kInteger, +[](DaemonOptions& o, std::string_view v) {
         return store_number(o.dns_port, v, 1, 65535);
     }},

    // ---- state, control socket ----
    {"state.directory", "--state-dir", kString, +[](DaemonOptions& o, std::string_view v) { return store_path(o.state_dir, v); }},
    {"control.socket", "--control-socket", kString, +[](DaemonOptions& o, std::string_view v) { return store_path(o.control_socket, v); }},
    {"control.group", "--control-group", kString, +[](DaemonOptions& o, std::string_view v) { return store_account_name(o.control_group, v); }},

    // ---- log (platform/log/logger.hpp) ----
    {"log.level", "--log-level", kString, +[](DaemonOptions& o, std::string_view v) -> R {
         auto l = log::parse_level(v);
         if (!l) return fail(l.error());
         o.log_level = *l;
         o.verbose = *l == log::Level::debug;  // what --verbose has always meant
         return ok();
     }},
    {"log.target", "--log-target", kString, +[](DaemonOptions& o, std::string_view v) -> R {
         return store_parsed(o.log_target, v, log::parse_target);
     }},
    {"log.facility", "--log-facility", kString, +[](DaemonOptions& o, std::string_view v) -> R {
         auto f = log::parse_facility(v);
         if (!f) return fail(f.error());
         o.log_facility = std::string(v);
         return ok();
     }},

    // ---- vendor hooks (docs/integration.md) ----
    {"hooks.directory", "--hooks-dir", kString, +[](DaemonOptions& o, std::string_view v) { return store_path(o.hooks_directory, v); }},
    {"hooks.timeout", "--hook-timeout", kInteger, +[](DaemonOptions& o, std::string_view v) -> R {
         unsigned seconds = 0;
         if (auto r = store_number(seconds, v, 1, 300); !r) return r;
         o.hooks_timeout = std::chrono::seconds(seconds);
         return ok();
     }},

    // ---- privileges ----
    {"privileges.user", "--user", kString, +[](DaemonOptions& o, std::string_view v) { return store_account_name(o.user, v); }},
    {"privileges.group", "--group", kString, +[](DaemonOptions& o, std::string_view v) { return store_account_name(o.group, v); }},
};

const Switch kSwitches[] = {
    {"--verbose", "log.level", "debug"},
    {"-v", "log.level", "debug"},
    {"--no-dhcp-client", "dhcpv6.client", "false"},
    {"--no-address", "dhcpv6.request_address", "false"},
    {"--information-only", "dhcpv6.information_only", "true"},
    {"--no-rapid-commit", "dhcpv6.rapid_commit", "false"},
    {"--legacy-iid", "selection.legacy_iid", "true"},
    {"--gi4over6", "selection.gi4over6", "true"},
    {"--no-aftr-failover", "tunnel_events.aftr_failover", "false"},
    {"--no-mss-clamp", "dataplane.mss_clamp", "false"},
    {"--flowtable", "dataplane.flowtable", "true"},
    {"--icmp-not-our-binding", "icmp.not_our_binding", "true"},
    {"--no-icmp-napt-refusal", "icmp.napt_refusal", "false"},
};

}  // namespace

std::span<const Setting> settings() { return kSettings; }
std::span<const Switch> switches() { return kSwitches; }

const Setting* find_setting(std::string_view path) {
    for (const auto& s : kSettings)
        if (s.path == path) return &s;
    return nullptr;
}

const Setting* find_flag(std::string_view flag) {
    for (const auto& s : kSettings)
        if (!s.flag.empty() && s.flag == flag) return &s;
    return nullptr;
}

const Switch* find_switch(std::string_view flag) {
    for (const auto& s : kSwitches)
        if (s.flag == flag) return &s;
    return nullptr;
}

std::string describe_types(unsigned types) {
    std::string out;
    auto add = [&](unsigned bit, const char* name) {
        if (!(types & bit)) return;
        if (!out.empty()) out += " or ";
        out += name;
    };
    add(kInteger, (types & kReal) ? "a number" : "an integer");
    if (!(types & kInteger)) add(kReal, "a number");
    add(kBool, "true or false");
    add(kString, "a string");
    add(kStringList, "a list of strings");
    add(kNull, "null");
    return out;
}

}  // namespace s46::config
