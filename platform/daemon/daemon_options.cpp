#include "platform/daemon/daemon_options.hpp"

#include "platform/config/config_file.hpp"
#include "platform/config/settings.hpp"

namespace s46::daemon {

const char* const kDaemonUsage =
    "usage: s46d --wan-interface IF [--lan-interface IF] [--state-dir DIR] [--control-socket PATH]\n"
    "            [--dataplane none|userspace|kernel] [--mode auto|dslite|lw4o6|mape] [--order LIST]\n"
    "            [--enable LIST] [--no-match default-order|none] [--prefix-hint LEN] [--no-address]\n"
    "            [--no-dhcp-client] [--information-only] [--no-rapid-commit] [--solicit-delay SECONDS] [--wan-mtu N]\n"
    "            [--legacy-iid] [--gi4over6[=PREFIX]] [--napt-host-share N|all|auto] [--napt-sessions N]\n"
    "            [--on-no-binding ignore|reprovision] [--no-aftr-failover]\n"
    "            [--hop-limit N] [--encapsulation-limit N|off] [--no-mss-clamp] [--tclass-inbound copy|ignore]\n"
    "            [--icmp-rate N] [--icmp-not-our-binding] [--no-icmp-napt-refusal]\n"
    "            [--source-check full|ea-bits] [--tunnel-device NAME] [--route-table N] [--route-metric N]\n"
    "            [--flowtable]\n"
    "            [--no-binding-holddown S] [--aftr-failover-holddown S]\n"
    "            [--client-port N] [--dns-port N] [--verbose] [--log-level LEVEL] [--log-target stderr|syslog]\n"
    "            [--log-facility NAME] [--control-group GROUP] [--user USER] [--group GROUP]\n"
    "            [--hooks-dir DIR] [--hook-timeout SECONDS]\n"
    "            [--config FILE]\n"
    "       s46d --check-config FILE [flags]\n"
    "       s46d --help | --version\n"
    "  Provisions DS-Lite, lw4o6 or MAP-E from DHCPv6 on the WAN interface and runs exactly one.\n"
    "  --config FILE reads s46d.conf (docs/configuration.md) first; flags override it.\n";

Result<DaemonOptions> apply_flags(const std::vector<std::string>& args, DaemonOptions o) {
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string& a = args[i];
        if (a == "--help" || a == "-h") {
            o.help = true;
            continue;
        }
        if (a == "--version") {
            o.version = true;
            continue;
        }
        if (a == "--config" || a == "--check-config") {
            if (i + 1 >= args.size()) return fail(a + " needs a value");
            ++i;  // parse_daemon_options has read the file already
            continue;
        }
        if (a.rfind("--gi4over6=", 0) == 0) {
            auto p = config::find_setting("selection.gi4over6_prefix")->apply(o, std::string_view(a).substr(11));
            if (!p) return fail("--gi4over6: " + p.error());
            o.controller.gi4over6 = true;
            continue;
        }
        if (const config::Switch* sw = config::find_switch(a)) {
            // Fixed values of our own table: cannot fail.
            (void)config::find_setting(sw->path)->apply(o, sw->value);
            continue;
        }
        const config::Setting* setting = config::find_flag(a);
        if (!setting) return fail("unknown argument '" + a + "'");
        if (i + 1 >= args.size()) return fail(a + " needs a value");
        if (auto r = setting->apply(o, args[++i]); !r) return fail(a + ": " + r.error());
    }
    return o;
}

Result<DaemonOptions> finish_options(DaemonOptions o) {
    select::Policy& policy = o.controller.policy;
    if (const auto& s = o.controller.static_provisioning; s && s->mode != select::Mode::none) {
        // draft-ietf-softwire-unified-cpe §3.2: static parameters are for the mode the CPE is
        // configured for, so the section pins that mode ("auto" becomes it).
        const std::string m(select::to_string(s->mode));
        if (!policy.is_enabled(s->mode)) return fail("static." + m + ": mode " + m + " is not in selection.enabled (--enable)");
        if (policy.configured == select::Mode::none) policy.configured = s->mode;
        else if (policy.configured != s->mode)
            return fail("static." + m + ": the static section pins the mode to " + m + ", but selection.mode (--mode) is " +
                        std::string(select::to_string(policy.configured)));
    }
    // The flowtable is the kernel's (nf_flow_table) and hooks the LAN device's ingress: asked for
    // without either, it would silently do nothing, so it is refused (docs/dataplane.md "Flowtable").
    if (o.flowtable && o.dataplane != DataPlaneKind::kernel)
        return fail("dataplane.flowtable (--flowtable): only the kernel data plane has a flowtable; set dataplane.backend "
                    "(--dataplane) to kernel or drop the flowtable");
    if (o.flowtable && o.lan_interface.empty())
        return fail("dataplane.flowtable (--flowtable) needs interfaces.lan (--lan-interface): the flowtable forwards "
                    "established flows from the LAN device's ingress and the tunnel's");
    if (o.controller.gi4over6_prefix && !o.controller.gi4over6)
        return fail("selection.gi4over6_prefix: set, but selection.gi4over6 is false");
    // A static lw4o6 binding under GI-4over6 is checked now rather than failing every plan later
    // (the same rules as modes/lw4o6: RFC 7040 routes a whole address, no port set).
    if (const auto& s = o.controller.static_provisioning; s && s->mode == select::Mode::lw4o6 && o.controller.gi4over6) {
        if (s->lw4o6.port_params && s->lw4o6.port_params->psid_len != 0)
            return fail("static.lw4o6.psid_length: GI-4over6 needs a full IPv4 address, but psid_length is " +
                        std::to_string(s->lw4o6.port_params->psid_len));
        if (s->lw4o6.ipv4 && o.controller.gi4over6_prefix && !o.controller.gi4over6_prefix->contains(*s->lw4o6.ipv4))
            return fail("selection.gi4over6_prefix: " + o.controller.gi4over6_prefix->to_string() +
                        " does not cover static.lw4o6.ipv4_address " + s->lw4o6.ipv4->to_string());
    }
    return o;
}

Result<DaemonOptions> parse_daemon_options(const std::vector<std::string>& args) {
    // First pass: the file, so that every flag (in any position) overrides it.
    std::string file;
    bool check = false;
    for (std::size_t i = 0; i < args.size(); ++i) {
        if (args[i] != "--config" && args[i] != "--check-config") continue;
        if (i + 1 >= args.size()) return fail(args[i] + " needs a value");
        const std::string& v = args[i + 1];
        if (!file.empty() && file != v) return fail(args[i] + ": '" + v + "' differs from the file named before, '" + file + "'");
        file = v;
        check = check || args[i] == "--check-config";
        ++i;
    }
    DaemonOptions base;
    if (!file.empty()) {
        auto loaded = config::load_config(file);
        if (!loaded) return fail(loaded.error());
        base = std::move(*loaded);
    }
    base.config_file = file;
    base.check_config = check;

    auto o = apply_flags(args, std::move(base));
    if (!o) return o;
    if (o->help || o->version) return o;
    auto finished = finish_options(std::move(*o));
    if (!finished) return finished;
    if (finished->wan_interface.empty())
        return fail(file.empty() ? "--wan-interface is required" : "--wan-interface is required (or interfaces.wan in " + file + ")");
    return finished;
}

Result<DaemonOptions> reload_options(const std::vector<std::string>& original_args) {
    // The file is read again by the same path; the flags win over it as they did at start-up.
    return parse_daemon_options(original_args);
}

}  // namespace s46::daemon
