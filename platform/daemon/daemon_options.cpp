#include "platform/daemon/daemon_options.hpp"

#include <charconv>

namespace s46::daemon {

const char* const kDaemonUsage =
    "usage: s46d --wan-interface IF [--lan-interface IF] [--state-dir DIR] [--control-socket PATH]\n"
    "            [--dataplane none|userspace] [--mode auto|dslite|lw4o6|mape] [--order LIST]\n"
    "            [--enable LIST] [--no-match default-order|none] [--prefix-hint LEN] [--no-address]\n"
    "            [--information-only] [--no-rapid-commit] [--solicit-delay SECONDS] [--wan-mtu N]\n"
    "            [--legacy-iid] [--gi4over6[=PREFIX]] [--napt-host-share N|all] [--napt-sessions N]\n"
    "            [--on-no-binding ignore|reprovision] [--no-aftr-failover]\n"
    "            [--hop-limit N] [--encapsulation-limit N] [--no-mss-clamp] [--tclass-inbound copy|ignore]\n"
    "            [--icmp-rate N] [--icmp-not-our-binding] [--no-icmp-napt-refusal]\n"
    "            [--source-check full|ea-bits]\n"
    "            [--client-port N] [--dns-port N] [--verbose]\n"
    "  Provisions DS-Lite, lw4o6 or MAP-E from DHCPv6 on the WAN interface and runs exactly one.\n";

namespace {

Result<unsigned long> number(const std::string& flag, const std::string& v, unsigned long lo, unsigned long hi) {
    unsigned long n = 0;
    auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
    if (v.empty() || ec != std::errc{} || p != v.data() + v.size()) return fail(flag + ": '" + v + "' is not a number");
    if (n < lo || n > hi) return fail(flag + ": " + v + " is outside " + std::to_string(lo) + ".." + std::to_string(hi));
    return n;
}

}  // namespace

Result<DaemonOptions> parse_daemon_options(const std::vector<std::string>& args) {
    DaemonOptions o;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string& a = args[i];
        auto value = [&]() -> Result<std::string> {
            if (i + 1 >= args.size()) return fail(a + " needs a value");
            return args[++i];
        };
        auto take = [&](auto&& apply) -> Result<bool> {
            auto v = value();
            if (!v) return fail(v.error());
            return apply(*v);
        };
        Result<bool> r = true;
        if (a == "--help" || a == "-h") o.help = true;
        else if (a == "--verbose" || a == "-v") o.verbose = true;
        else if (a == "--no-address") o.request_address = false;
        else if (a == "--information-only") o.information_only = true;
        else if (a == "--no-rapid-commit") o.rapid_commit = false;
        else if (a == "--legacy-iid") o.controller.legacy_iid = true;
        else if (a == "--no-aftr-failover") o.controller.aftr_failover = false;
        else if (a == "--no-mss-clamp") o.packet.clamp_mss = false;
        else if (a == "--icmp-not-our-binding") o.packet.answer_not_our_binding = true;
        else if (a == "--no-icmp-napt-refusal") o.packet.answer_napt_refusal = false;
        else if (a == "--hop-limit" || a == "--encapsulation-limit") r = take([&](const std::string& v) -> Result<bool> {
            // RFC 2473 §6.3 hop limit (0 would never leave the link); §4.1.1 limit 0..255.
            auto n = number(a, v, a == "--hop-limit" ? 1 : 0, 255);
            if (!n) return fail(n.error());
            if (a == "--hop-limit") o.packet.hop_limit = static_cast<std::uint8_t>(*n);
            else o.packet.encapsulation_limit = static_cast<std::uint8_t>(*n);
            return true;
        });
        else if (a == "--icmp-rate") r = take([&](const std::string& v) -> Result<bool> {
            auto n = number(a, v, 0, 1000000);
            if (!n) return fail(n.error());
            o.packet.icmp_rate_per_second = static_cast<std::uint32_t>(*n);
            return true;
        });
        else if (a == "--tclass-inbound") r = take([&](const std::string& v) -> Result<bool> {
            if (v == "copy") o.packet.copy_traffic_class_inbound = true;
            else if (v == "ignore") o.packet.copy_traffic_class_inbound = false;
            else return fail("--tclass-inbound: '" + v + "' is not copy or ignore");
            return true;
        });
        else if (a == "--source-check") r = take([&](const std::string& v) -> Result<bool> {
            if (v == "full") o.packet.source_check = map::SourceCheckMode::FullAddress;
            else if (v == "ea-bits") o.packet.source_check = map::SourceCheckMode::EaBits;
            else return fail("--source-check: '" + v + "' is not full or ea-bits");
            return true;
        });
        else if (a == "--on-no-binding") r = take([&](const std::string& v) -> Result<bool> {
            if (v == "ignore") o.controller.reprovision_on_no_binding = false;
            else if (v == "reprovision") o.controller.reprovision_on_no_binding = true;
            else return fail("--on-no-binding: '" + v + "' is not ignore or reprovision");
            return true;
        });
        else if (a == "--gi4over6") o.controller.gi4over6 = true;
        else if (a.rfind("--gi4over6=", 0) == 0) {
            auto p = net::Ipv4Prefix::parse(a.substr(11));
            if (!p) return fail("--gi4over6: " + p.error());
            o.controller.gi4over6 = true;
            o.controller.gi4over6_prefix = *p;
        } else if (a == "--wan-interface") r = take([&](const std::string& v) -> Result<bool> { o.wan_interface = v; return true; });
        else if (a == "--lan-interface") r = take([&](const std::string& v) -> Result<bool> { o.lan_interface = v; return true; });
        else if (a == "--state-dir") r = take([&](const std::string& v) -> Result<bool> { o.state_dir = v; return true; });
        else if (a == "--control-socket") r = take([&](const std::string& v) -> Result<bool> { o.control_socket = v; return true; });
        else if (a == "--dataplane") r = take([&](const std::string& v) -> Result<bool> {
            if (v == "none") o.dataplane = DataPlaneKind::none;
            else if (v == "userspace") o.dataplane = DataPlaneKind::userspace;
            else return fail("--dataplane: expected none or userspace, got '" + v + "'");
            return true;
        });
        else if (a == "--mode") r = take([&](const std::string& v) -> Result<bool> {
            auto m = select::parse_configured_mode(v);
            if (!m) return fail("--mode: " + m.error());
            o.controller.policy.configured = *m;
            return true;
        });
        else if (a == "--order" || a == "--enable") r = take([&](const std::string& v) -> Result<bool> {
            auto l = select::parse_mode_list(v);
            if (!l) return fail(a + ": " + l.error());
            (a == "--order" ? o.controller.policy.default_order : o.controller.policy.enabled) = *l;
            return true;
        });
        else if (a == "--no-match") r = take([&](const std::string& v) -> Result<bool> {
            if (v == "default-order") o.controller.policy.no_match = select::NoMatchPolicy::default_order;
            else if (v == "none") o.controller.policy.no_match = select::NoMatchPolicy::none;
            else return fail("--no-match: expected default-order or none, got '" + v + "'");
            return true;
        });
        else if (a == "--prefix-hint") r = take([&](const std::string& v) -> Result<bool> {
            auto n = number(a, v, 0, 128);
            if (!n) return fail(n.error());
            o.prefix_hint = static_cast<std::uint8_t>(*n);
            return true;
        });
        else if (a == "--wan-mtu") r = take([&](const std::string& v) -> Result<bool> {
            auto n = number(a, v, 1280, 65535);
            if (!n) return fail(n.error());
            o.controller.wan_mtu = static_cast<std::uint16_t>(*n);
            return true;
        });
        else if (a == "--client-port" || a == "--dns-port") r = take([&](const std::string& v) -> Result<bool> {
            auto n = number(a, v, 1, 65535);
            if (!n) return fail(n.error());
            (a == "--client-port" ? o.client_port : o.dns_port) = static_cast<std::uint16_t>(*n);
            return true;
        });
        else if (a == "--napt-host-share") r = take([&](const std::string& v) -> Result<bool> {
            if (v == "all") {
                o.napt_host_share = UINT32_MAX;
                return true;
            }
            auto n = number(a, v, 1, 65536);
            if (!n) return fail(n.error());
            o.napt_host_share = static_cast<std::uint32_t>(*n);
            return true;
        });
        else if (a == "--napt-sessions") r = take([&](const std::string& v) -> Result<bool> {
            auto n = number(a, v, 16, 1u << 24);
            if (!n) return fail(n.error());
            o.napt_max_sessions = static_cast<std::uint32_t>(*n);
            return true;
        });
        else if (a == "--solicit-delay") r = take([&](const std::string& v) -> Result<bool> {
            try {
                std::size_t used = 0;
                double d = std::stod(v, &used);
                if (used != v.size() || d < 0 || d > 10) throw std::invalid_argument("range");
                o.solicit_max_delay = d;
            } catch (const std::exception&) {
                return fail("--solicit-delay: '" + v + "' is not a number of seconds in 0..10");
            }
            return true;
        });
        else return fail("unknown argument '" + a + "'");
        if (!r) return fail(r.error());
    }
    if (!o.help && o.wan_interface.empty()) return fail("--wan-interface is required");
    return o;
}

}  // namespace s46::daemon
