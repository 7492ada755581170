#include "platform/s46ctl/daemon_cmds.hpp"

#include <chrono>
#include <cstdlib>
#include <iostream>

#include "core/util/hex.hpp"
#include "platform/control/control_client.hpp"
#include "platform/report/standard_status.hpp"
#include "platform/report/status_table.hpp"
#include "platform/s46ctl/command.hpp"
#include "platform/s46ctl/odhcp6c_env.hpp"

namespace s46::ctl {

using nlohmann::json;

const char* const kStatusUsage = "usage: s46ctl [--control-socket PATH] status [--json]\n"
                                 "  The running s46d's mode, reason, plan, lease and counters.\n";
const char* const kRenewUsage = "usage: s46ctl [--control-socket PATH] renew\n  Starts a DHCPv6 Renew at once.\n";
const char* const kProvisionUsage =
    "usage: s46ctl [--control-socket PATH] provision --options-hex HEX [--delegated-prefix P[,preferred,valid]]...\n"
    "                                                [--wan-address A[,preferred,valid]]\n"
    "       s46ctl [--control-socket PATH] provision --odhcp6c-env\n"
    "  Feeds s46d the softwire provisioning of an external DHCPv6 client: the raw options of its Reply,\n"
    "  or odhcp6c's script environment (AFTR, MAPE, MAPT, LW4O6, PREFIXES, ADDRESSES, RDNSS, OPTION_111).\n"
    "  Lifetimes default to 3600/7200 seconds.\n";
const char* const kEventsUsage =
    "usage: s46ctl [--control-socket PATH] events [--kind K,K...] [--since DURATION|EPOCH] [--limit N] [--json]\n"
    "  The journal (mode transitions, lease events, provisioning errors, tunnel events) and, without\n"
    "  --kind, the binding log. --since 90s, 10m, 2h, 1d (that long ago) or epoch seconds; --limit 1..10000\n"
    "  (default 50). Kinds: mode_changed, lease_obtained, lease_renewed, lease_rebound, lease_expired,\n"
    "  lease_released, provisioning_error, tunnel_event, port_forward, dhcp4o6_client. `journal` is another name for `events`.\n";
const char* const kJournalUsage = kEventsUsage;
const char* const kModeUsage = "usage: s46ctl [--control-socket PATH] mode set auto|dslite|lw4o6|mape\n"
                               "  Pins s46d to one mode, or back to automatic selection.\n";
const char* const kReloadUsage = "usage: s46ctl [--control-socket PATH] reload\n  Makes s46d re-read its configuration.\n";
const char* const kPortmapUsage =
    "usage: s46ctl [--control-socket PATH] portmap [list] [--json]\n"
    "       s46ctl [--control-socket PATH] portmap add tcp|udp EXTERNAL_PORT LAN_ADDR[:PORT]\n"
    "       s46ctl [--control-socket PATH] portmap del tcp|udp EXTERNAL_PORT\n"
    "  The active IPv4 address, PSID and port ranges, the NAPT sessions in use and the static port\n"
    "  forwards; `list` shows the forwards only. `add` forwards EXTERNAL_PORT, which must be in this\n"
    "  CPE's port set, to a LAN host (LAN port: the external port unless given); a forward whose port\n"
    "  a later port set lacks stays configured but disabled. Refusals exit with status 2.\n";

std::string& control_socket_path() {
    static std::string path = control::kDefaultControlSocket;
    return path;
}

namespace {

// Calls s46d; prints the error line and returns nullopt when it is unreachable or refuses.
template <class Reply>
std::optional<Reply> call(const char* cmd, const control::Request& request) {
    auto r = control::call<Reply>(control_socket_path(), request);
    if (!r) {
        std::cerr << "s46ctl " << cmd << ": " << r.error() << '\n';
        return std::nullopt;
    }
    return std::move(*r);
}

// Runs a request s46ctl built through the daemon's own validation, so bad input is caught here
// (exit 2) with the same message the daemon would give.
template <class R>
Result<R> validated(const R& request) {
    auto parsed = control::parse_request(control::request_line(request));
    if (!parsed) return fail(parsed.error());
    return std::get<R>(*parsed);
}

// "2001:db8::/56[,preferred,valid]"
Result<std::pair<std::string, std::pair<std::uint32_t, std::uint32_t>>> lease_item(const std::string& flag, const std::string& v) {
    std::vector<std::string> parts;
    std::size_t start = 0;
    while (true) {
        auto c = v.find(',', start);
        parts.push_back(v.substr(start, c == std::string::npos ? std::string::npos : c - start));
        if (c == std::string::npos) break;
        start = c + 1;
    }
    if (parts.size() != 1 && parts.size() != 3) return fail(flag + ": expected VALUE or VALUE,preferred,valid, got '" + v + "'");
    std::pair<std::uint32_t, std::uint32_t> lifetimes{control::kDefaultPreferredLifetime, control::kDefaultValidLifetime};
    if (parts.size() == 3) {
        auto number = [&](const std::string& t) -> Result<std::uint32_t> {
            if (t.empty() || t.size() > 10 || t.find_first_not_of("0123456789") != std::string::npos || std::stoull(t) > 0xffffffffu)
                return fail(flag + ": lifetime '" + t + "' in '" + v + "' is not a number of seconds (0..4294967295)");
            return static_cast<std::uint32_t>(std::stoull(t));
        };
        auto p = number(parts[1]);
        if (!p) return fail(p.error());
        auto q = number(parts[2]);
        if (!q) return fail(q.error());
        lifetimes = {*p, *q};
    }
    return std::make_pair(parts[0], lifetimes);
}

bool all_digits(const std::string& s) { return !s.empty() && s.size() <= 18 && s.find_first_not_of("0123456789") == std::string::npos; }

Result<std::uint16_t> port_arg(const std::string& what, const std::string& v) {
    if (!all_digits(v) || std::stoll(v) < 1 || std::stoll(v) > 65535) return fail(what + " '" + v + "' is not a port number in 1..65535");
    return static_cast<std::uint16_t>(std::stoll(v));
}

}  // namespace

Result<control::PortmapRequest> portmap_request(const std::vector<std::string>& args, bool* as_json) {
    control::PortmapRequest req;
    std::vector<std::string> words;
    for (const auto& a : args) {
        if (a == "--json") {
            if (as_json) *as_json = true;
        } else {
            words.push_back(a);
        }
    }
    if (words.empty()) return req;
    const std::string& action = words[0];
    if (action == "list") {
        if (words.size() != 1) return fail("unknown argument '" + words[1] + "'");
        req.action = control::PortmapAction::list;
        return req;
    }
    if (action != "add" && action != "del") return fail("unknown argument '" + action + "'");
    const bool add = action == "add";
    const std::size_t want = add ? 4 : 3;
    if (words.size() != want)
        return fail(add ? "expected 'portmap add tcp|udp EXTERNAL_PORT LAN_ADDR[:PORT]'" : "expected 'portmap del tcp|udp EXTERNAL_PORT'");
    req.action = add ? control::PortmapAction::add : control::PortmapAction::del;
    auto proto = napt::forward_protocol_named(words[1]);
    if (!proto) return fail("protocol '" + words[1] + "' is not tcp or udp");
    req.protocol = *proto;
    auto port = port_arg("external port", words[2]);
    if (!port) return fail(port.error());
    req.external_port = *port;
    if (add) {
        const std::string& target = words[3];
        const auto colon = target.find(':');
        auto address = net::Ipv4Address::parse(target.substr(0, colon));
        if (!address) return fail("LAN address '" + target.substr(0, colon) + "': " + address.error());
        req.lan_address = *address;
        if (colon != std::string::npos) {
            auto lan_port = port_arg("LAN port", target.substr(colon + 1));
            if (!lan_port) return fail(lan_port.error());
            req.lan_port = *lan_port;
        }
    }
    return validated(req);
}

Result<control::ProvisionRequest> provision_request(const std::vector<std::string>& args) {
    control::ProvisionRequest req;
    bool env_mode = false, have_hex = false;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string& a = args[i];
        auto value = [&]() -> Result<std::string> {
            if (i + 1 >= args.size()) return fail(a + " needs a value");
            return args[++i];
        };
        if (a == "--odhcp6c-env") {
            env_mode = true;
        } else if (a == "--options-hex") {
            auto v = value();
            if (!v) return fail(v.error());
            auto bytes = util::parse_hex(*v);
            if (!bytes) return fail("--options-hex: " + bytes.error());
            req.options = std::move(*bytes);
            have_hex = true;
        } else if (a == "--delegated-prefix" || a == "--wan-address") {
            auto v = value();
            if (!v) return fail(v.error());
            auto item = lease_item(a, *v);
            if (!item) return fail(item.error());
            const auto& [text, life] = *item;
            if (a == "--delegated-prefix") {
                auto p = net::Ipv6Prefix::parse(text);
                if (!p) return fail(a + ": " + p.error());
                req.prefixes.push_back({*p, life.first, life.second});
            } else {
                auto addr = net::Ipv6Address::parse(text);
                if (!addr) return fail(a + ": " + addr.error());
                req.addresses.push_back({*addr, life.first, life.second});
            }
        } else {
            return fail("unknown argument '" + a + "'");
        }
    }
    if (env_mode == have_hex) return fail("give exactly one of --options-hex and --odhcp6c-env");
    if (env_mode) {
        auto ext = from_odhcp6c_env([](const std::string& name) -> std::optional<std::string> {
            const char* v = std::getenv(name.c_str());
            return v ? std::optional<std::string>(v) : std::nullopt;
        });
        if (!ext) return fail(ext.error());
        req.options = ext->options;
        req.prefixes.insert(req.prefixes.end(), ext->prefixes.begin(), ext->prefixes.end());
        req.addresses.insert(req.addresses.end(), ext->addresses.begin(), ext->addresses.end());
    }
    return validated(req);
}

Result<control::EventsRequest> events_request(const std::vector<std::string>& args, std::int64_t now, bool* as_json) {
    control::EventsRequest req;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string& a = args[i];
        if (a == "--json") {
            if (as_json) *as_json = true;
            continue;
        }
        if (a != "--kind" && a != "--since" && a != "--limit") return fail("unknown argument '" + a + "'");
        if (i + 1 >= args.size()) return fail(a + " needs a value");
        const std::string& v = args[++i];
        if (a == "--limit") {
            if (!all_digits(v) || std::stoll(v) < 1 || std::stoll(v) > control::kMaxEventsLimit)
                return fail("--limit '" + v + "' is not a number in 1.." + std::to_string(control::kMaxEventsLimit));
            req.limit = static_cast<std::uint32_t>(std::stoll(v));
        } else if (a == "--kind") {
            std::size_t start = 0;
            while (start <= v.size()) {
                auto c = v.find(',', start);
                std::string name = v.substr(start, c == std::string::npos ? std::string::npos : c - start);
                auto k = store::event_kind_from_string(name);
                if (!k) return fail("--kind: unknown event kind '" + name + "' (s46ctl events --help lists them)");
                req.kinds.push_back(*k);
                if (c == std::string::npos) break;
                start = c + 1;
            }
        } else {  // --since: epoch seconds, or a duration back from now
            const char unit = v.empty() ? '\0' : v.back();
            const std::int64_t scale = unit == 's' ? 1 : unit == 'm' ? 60 : unit == 'h' ? 3600 : unit == 'd' ? 86400 : 0;
            const std::string digits = scale ? v.substr(0, v.size() - 1) : v;
            if (!all_digits(digits) || (scale && std::stoll(digits) > 100LL * 365 * 86400 / scale))
                return fail("--since '" + v + "' is neither epoch seconds nor a duration like 90s, 10m, 2h, 1d");
            req.since = scale ? std::max<std::int64_t>(0, now - std::stoll(digits) * scale) : std::stoll(digits);
        }
    }
    return validated(req);
}

Result<control::ModeRequest> mode_request(const std::vector<std::string>& args) {
    if (args.size() != 2 || args[0] != "set") return fail("expected 'mode set auto|dslite|lw4o6|mape'");
    if (args[1] == "auto") return control::ModeRequest{select::Mode::none};
    auto m = select::mode_from_string(args[1]);
    if (!m || *m == select::Mode::none) return fail("mode '" + args[1] + "' is not auto, dslite, lw4o6 or mape");
    return control::ModeRequest{*m};
}

std::string events_text(const control::EventsReply& r) {
    std::string out;
    for (const auto& e : r.events) out += std::to_string(e.at) + "  " + std::string(store::to_string(e.kind)) + "  " + e.detail + "\n";
    for (const auto& b : r.bindings)
        out += std::to_string(b.at) + "  binding " + std::string(select::to_string(b.mode)) + " " + b.tunnel_address.to_string() + " " +
               (b.ipv4 ? b.ipv4->to_string() : std::string("-")) + " " + b.port_ranges + "\n";
    return out;
}

std::string forwards_text(const control::PortmapReply& r) {
    if (r.forwards.empty()) return "forwards:    none\n";
    std::string out = "forwards:    " + std::to_string(r.forwards.size()) + "\n";
    for (const auto& f : r.forwards)
        out += "  " + napt::describe(f.forward) + (f.enabled ? std::string() : "  (disabled: " + f.why_disabled + ")") + "\n";
    return out;
}

std::string portmap_text(const control::PortmapReply& r) {
    std::string out = "mode:        " + std::string(select::to_string(r.mode)) + "\n";
    if (r.ipv4) out += "ipv4:        " + *r.ipv4 + "\n";
    if (r.psid_len)
        out += "psid:        " + std::to_string(r.psid) + " (offset " + std::to_string(r.psid_offset) + ", length " + std::to_string(r.psid_len) + ")\n";
    out += "ports:       " + std::to_string(r.port_count) + " in " + std::to_string(r.port_ranges.size()) + " range(s)\n";
    for (const auto& range : r.port_ranges) out += "  " + range + "\n";
    out += std::string("napt:        ") + (r.napt ? "on" : "off");
    if (r.napt_sessions)
        out += ", " + std::to_string(*r.napt_sessions) + " session(s)" +
               (r.napt_max_sessions ? " of " + std::to_string(*r.napt_max_sessions) : std::string());
    return out + "\n" + forwards_text(r);
}

std::string status_text(const json& s) {
    // The table lives in platform/report (pure, tested there); the daemon's lease fields are
    // relative where it provides them, so the wall clock here is only a fallback.
    const auto now = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
    return report::status_table(s, now);
}

int status_main(const std::vector<std::string>& args) {
    bool as_json = false;
    for (const auto& a : args) {
        if (a == "--json") as_json = true;
        else {
            std::cerr << "s46ctl status: unknown argument '" << a << "'\n";
            return kExitUsage;
        }
    }
    auto r = call<control::StatusReply>("status", control::StatusRequest{});
    if (!r) return 1;
    if (as_json) std::cout << control::safe_dump(report::standard_status_json(r->status), 1) << '\n';
    else std::cout << status_text(r->status);
    return 0;
}

namespace {

// The subcommands without arguments beyond an optional --json.
bool no_args(const char* cmd, const std::vector<std::string>& args, bool* as_json) {
    for (const auto& a : args) {
        if (as_json && a == "--json") {
            *as_json = true;
            continue;
        }
        std::cerr << "s46ctl " << cmd << ": unknown argument '" << a << "'\n";
        return false;
    }
    return true;
}

int message_call(const char* cmd, const control::Request& request) {
    auto r = call<control::MessageReply>(cmd, request);
    if (!r) return 1;
    std::cout << r->message << '\n';
    return 0;
}

}  // namespace

int renew_main(const std::vector<std::string>& args) {
    if (!no_args("renew", args, nullptr)) return kExitUsage;
    return message_call("renew", control::RenewRequest{});
}

int reload_main(const std::vector<std::string>& args) {
    if (!no_args("reload", args, nullptr)) return kExitUsage;
    return message_call("reload", control::ReloadRequest{});
}

int mode_main(const std::vector<std::string>& args) {
    auto req = mode_request(args);
    if (!req) {
        std::cerr << "s46ctl mode: " << req.error() << '\n';
        return kExitUsage;
    }
    return message_call("mode", *req);
}

int provision_main(const std::vector<std::string>& args) {
    auto req = provision_request(args);
    if (!req) {
        std::cerr << "s46ctl provision: " << req.error() << '\n';
        return kExitUsage;
    }
    auto r = call<control::StatusReply>("provision", *req);
    if (!r) return 1;
    std::cout << "mode: " << r->status.value("mode", std::string("?")) << " (" << r->status.value("reason", std::string()) << ")\n";
    return 0;
}

int events_main(const std::vector<std::string>& args) {
    bool as_json = false;
    const auto now = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
    auto req = events_request(args, now, &as_json);
    if (!req) {
        std::cerr << "s46ctl events: " << req.error() << '\n';
        return kExitUsage;
    }
    auto r = call<control::EventsReply>("events", *req);
    if (!r) return 1;
    if (as_json) std::cout << control::safe_dump(json(*r), 1) << '\n';
    else std::cout << events_text(*r);
    return 0;
}

int portmap_main(const std::vector<std::string>& args) {
    bool as_json = false;
    auto req = portmap_request(args, &as_json);
    if (!req) {
        std::cerr << "s46ctl portmap: " << req.error() << '\n';
        return kExitUsage;
    }
    auto r = control::call<control::PortmapReply>(control_socket_path(), *req);
    if (!r) {
        std::cerr << "s46ctl portmap: " << r.error() << '\n';
        // A refused add or del is bad input the daemon could judge (a port outside the set, a
        // duplicate): status 2, like bad input s46ctl catches itself. Unreachable stays 1.
        const bool change = req->action == control::PortmapAction::add || req->action == control::PortmapAction::del;
        return change && r.error().rfind("s46d refused: ", 0) == 0 ? kExitUsage : 1;
    }
    if (as_json) std::cout << control::safe_dump(json(*r), 1) << '\n';
    else if (r->message) std::cout << *r->message << '\n';
    else if (req->action == control::PortmapAction::list) std::cout << forwards_text(*r);
    else std::cout << portmap_text(*r);
    return 0;
}

}  // namespace s46::ctl
