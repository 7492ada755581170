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
const char* const kJournalUsage = "usage: s46ctl [--control-socket PATH] journal [--limit N] [--json]\n"
                                  "  Mode transitions, lease events, provisioning errors and the binding log.\n";

std::string& control_socket_path() {
    static std::string path = control::kDefaultControlSocket;
    return path;
}

namespace {

// Calls s46d; prints the error line and returns nullopt on failure.
std::optional<json> call(const char* cmd, const json& request) {
    auto r = control::call(control_socket_path(), request);
    if (!r) {
        std::cerr << "s46ctl " << cmd << ": " << r.error() << '\n';
        return std::nullopt;
    }
    if (!r->value("ok", false)) {
        std::cerr << "s46ctl " << cmd << ": s46d refused: " << r->value("error", std::string("(no reason given)")) << '\n';
        return std::nullopt;
    }
    return *r;
}

// "2001:db8::/56[,preferred,valid]"
Result<json> lease_item(const std::string& flag, const std::string& v, const char* key) {
    std::vector<std::string> parts;
    std::size_t start = 0;
    while (true) {
        auto c = v.find(',', start);
        parts.push_back(v.substr(start, c == std::string::npos ? std::string::npos : c - start));
        if (c == std::string::npos) break;
        start = c + 1;
    }
    if (parts.size() != 1 && parts.size() != 3) return fail(flag + ": expected VALUE or VALUE,preferred,valid, got '" + v + "'");
    json j = {{key, parts[0]}, {"preferred_lifetime", 3600}, {"valid_lifetime", 7200}};
    if (parts.size() == 3) {
        try {
            j["preferred_lifetime"] = std::stoul(parts[1]);
            j["valid_lifetime"] = std::stoul(parts[2]);
        } catch (const std::exception&) {
            return fail(flag + ": lifetimes in '" + v + "' are not numbers");
        }
    }
    return j;
}

}  // namespace

Result<json> provision_request(const std::vector<std::string>& args) {
    json req = {{"command", "provision"}, {"prefixes", json::array()}, {"addresses", json::array()}};
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
            req["options_hex"] = util::to_hex(*bytes);
            have_hex = true;
        } else if (a == "--delegated-prefix" || a == "--wan-address") {
            auto v = value();
            if (!v) return fail(v.error());
            bool pd = a == "--delegated-prefix";
            auto item = lease_item(a, *v, pd ? "prefix" : "address");
            if (!item) return fail(item.error());
            std::string text = (*item)[pd ? "prefix" : "address"];
            if (pd && !net::Ipv6Prefix::parse(text)) return fail(a + ": " + net::Ipv6Prefix::parse(text).error());
            if (!pd && !net::Ipv6Address::parse(text)) return fail(a + ": " + net::Ipv6Address::parse(text).error());
            req[pd ? "prefixes" : "addresses"].push_back(*item);
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
        req["options_hex"] = util::to_hex(ext->options);
        for (const auto& p : ext->prefixes)
            req["prefixes"].push_back({{"prefix", p.prefix.to_string()}, {"preferred_lifetime", p.preferred_lifetime}, {"valid_lifetime", p.valid_lifetime}});
        for (const auto& a : ext->addresses)
            req["addresses"].push_back({{"address", a.address.to_string()}, {"preferred_lifetime", a.preferred_lifetime}, {"valid_lifetime", a.valid_lifetime}});
    }
    return req;
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
    auto r = call("status", {{"command", "status"}});
    if (!r) return 1;
    if (as_json) std::cout << report::standard_status_json((*r)["status"]).dump(1) << '\n';
    else std::cout << status_text((*r)["status"]);
    return 0;
}

int renew_main(const std::vector<std::string>& args) {
    if (!args.empty()) {
        std::cerr << "s46ctl renew: unknown argument '" << args[0] << "'\n";
        return kExitUsage;
    }
    auto r = call("renew", {{"command", "renew"}});
    if (!r) return 1;
    std::cout << r->value("message", std::string("renew started")) << '\n';
    return 0;
}

int provision_main(const std::vector<std::string>& args) {
    auto req = provision_request(args);
    if (!req) {
        std::cerr << "s46ctl provision: " << req.error() << '\n';
        return kExitUsage;
    }
    auto r = call("provision", *req);
    if (!r) return 1;
    std::cout << "mode: " << (*r)["status"].value("mode", std::string("?")) << " (" << (*r)["status"].value("reason", std::string()) << ")\n";
    return 0;
}

int journal_main(const std::vector<std::string>& args) {
    bool as_json = false;
    int limit = 50;
    for (std::size_t i = 0; i < args.size(); ++i) {
        if (args[i] == "--json") as_json = true;
        else if (args[i] == "--limit" && i + 1 < args.size()) {
            try {
                limit = std::stoi(args[++i]);
                if (limit <= 0) throw std::invalid_argument("");
            } catch (const std::exception&) {
                std::cerr << "s46ctl journal: --limit '" << args[i] << "' is not a positive number\n";
                return kExitUsage;
            }
        } else {
            std::cerr << "s46ctl journal: unknown argument '" << args[i] << "'\n";
            return kExitUsage;
        }
    }
    auto r = call("journal", {{"command", "journal"}, {"limit", limit}});
    if (!r) return 1;
    if (as_json) {
        std::cout << json{{"events", (*r)["events"]}, {"bindings", (*r)["bindings"]}}.dump(1) << '\n';
        return 0;
    }
    for (const auto& e : (*r)["events"])
        std::cout << e["at"].dump() << "  " << e["kind"].get<std::string>() << "  " << e["detail"].get<std::string>() << '\n';
    for (const auto& b : (*r)["bindings"])
        std::cout << b["at"].dump() << "  binding " << b["mode"].get<std::string>() << " " << b["tunnel_address"].get<std::string>() << " "
                  << b.value("ipv4", std::string("-")) << " " << b["port_ranges"].get<std::string>() << '\n';
    return 0;
}

}  // namespace s46::ctl
