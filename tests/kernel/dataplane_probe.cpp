// s46-dataplane-probe: brings up s46d's kernel data plane (platform/dataplane/kernel_dataplane.hpp:
// the ip6tnl link, the WAN /128, the IPv4 address and default route, the nftables NAPT44 and MSS
// table) for one plan, runs the guest scenario's checks while it is up, then tears it down the
// way s46d does at exit. tests/kernel/dataplane_scenario.sh drives it inside a QEMU guest, where
// ip6_tunnel exists; the objects are checked with iproute2 and nft, the traffic with ping.
//
//   s46-dataplane-probe --store DIR --wan IF --mode dslite|lw4o6|mape --local V6 --remote V6
//       --ipv4 A/LEN [--offset N --psid-len N --psid N] [--mtu N] [--table N --metric N]
//       [--check COMMAND]... [--crash]
//   s46-dataplane-probe --store DIR --wan IF --reconcile
// --check    a shell command run while the data plane is up; each failing one counts
// --crash    after the checks, leave without any teardown (as a killed s46d would)
// --reconcile  only start the data plane: it removes what the store says an earlier run left
// The store (DIR/state.db) is s46d's SQLite store: it remembers every kernel object before it is
// created. Exit status: the number of failed checks, 1 when bring-up failed, 2 on bad usage.
#include <unistd.h>

#include <charconv>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/net/ipv4.hpp"
#include "core/net/ipv6.hpp"
#include "platform/dataplane/kernel_dataplane.hpp"
#include "platform/store/sqlite_store.hpp"

namespace {

using namespace s46;
constexpr int kUsage = 2;

[[noreturn]] void usage_error(const std::string& why) {
    std::cerr << "s46-dataplane-probe: " << why << " (see the comment at the top of tests/kernel/dataplane_probe.cpp)\n";
    std::exit(kUsage);
}

std::uint32_t number(const std::string& text, const char* what) {
    std::uint32_t value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc{} || end != text.data() + text.size()) usage_error(std::string(what) + " '" + text + "' is not a number");
    return value;
}

template <class T>
T parsed(Result<T> r, const std::string& text) {
    if (!r) usage_error("'" + text + "': " + r.error());
    return std::move(r).value();
}

select::Mode mode_named(const std::string& name) {
    for (const auto m : select::kAllModes)
        if (select::to_string(m) == name) return m;
    usage_error("unknown mode " + name);
}

}  // namespace

int main(int argc, char** argv) {
    std::map<std::string, std::string> opt;
    std::vector<std::string> checks;
    bool crash = false, reconcile_only = false;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "--crash") {
            crash = true;
        } else if (a == "--reconcile") {
            reconcile_only = true;
        } else if (a.starts_with("--") && i + 1 < argc) {
            if (a == "--check") checks.emplace_back(argv[++i]);
            else opt[a.substr(2)] = argv[++i];
        } else {
            usage_error("unexpected argument " + a);
        }
    }
    const auto need = [&](const char* key) -> const std::string& {
        const auto it = opt.find(key);
        if (it == opt.end()) usage_error(std::string("--") + key + " is required");
        return it->second;
    };

    store::SqliteStoreOptions so;
    std::error_code ec;
    std::filesystem::create_directories(need("store"), ec);
    so.path = need("store") + "/state.db";
    auto opened = store::SqliteStore::open(so);
    if (!opened) {
        std::cerr << "s46-dataplane-probe: store: " << opened.error() << "\n";
        return 1;
    }
    auto& store = opened->store;
    // A store that fell back to memory would remember nothing across a crash.
    if (!store->persistent()) {
        std::cerr << "s46-dataplane-probe: store " << so.path << " is not on disk\n";
        return 1;
    }

    daemon::KernelConfig config;
    config.wan_interface = need("wan");
    if (opt.count("table")) config.route_table = number(opt["table"], "table");
    if (opt.count("metric")) config.route_metric = number(opt["metric"], "metric");
    auto dp = daemon::KernelDataPlane::create(config, store.get());
    if (!dp) {
        std::cerr << "s46-dataplane-probe: start: " << dp.error() << "\n";
        return 1;
    }
    if (reconcile_only) {
        std::cout << "reconciled\n";
        return 0;
    }

    modes::Plan plan;
    plan.mode = mode_named(need("mode"));
    plan.tunnel_local = parsed(net::Ipv6Address::parse(need("local")), need("local"));
    plan.tunnel_remote = parsed(net::Ipv6Address::parse(need("remote")), need("remote"));
    const std::string& ipv4 = need("ipv4");
    plan.ipv4 = parsed(net::Ipv4Prefix::parse(ipv4), ipv4);  // DS-Lite: 192.0.0.2/32, as modes/dslite plans it
    plan.napt = plan.mode != select::Mode::dslite;
    if (opt.count("offset")) plan.ports.offset = static_cast<std::uint8_t>(number(opt["offset"], "offset"));
    if (opt.count("psid-len")) plan.ports.psid_len = static_cast<std::uint8_t>(number(opt["psid-len"], "PSID length"));
    if (opt.count("psid")) plan.ports.psid = static_cast<std::uint16_t>(number(opt["psid"], "PSID"));
    if (opt.count("mtu")) plan.tunnel_mtu = static_cast<std::uint16_t>(number(opt["mtu"], "MTU"));
    plan.forwarding.push_back({net::Ipv4Prefix(net::Ipv4Address(0), 0), std::nullopt});  // default via the remote

    const auto up = (*dp)->apply({select::TransitionKind::activate, select::Mode::none, plan.mode, "kernel test"}, &plan);
    if (!up) {
        std::cerr << "s46-dataplane-probe: bring-up: " << up.error() << "\n";
        std::cerr << "counters: " << (*dp)->counters().dump() << "\n";
        return 1;
    }
    std::cout << "up: " << (*dp)->counters().dump() << "\n" << std::flush;

    int failed = 0;
    for (const auto& c : checks) {
        if (std::system(c.c_str()) != 0) ++failed;
    }
    std::cout << "after the checks: " << (*dp)->counters().dump() << "\n" << std::flush;
    if (crash) {
        std::cout << "leaving without teardown\n" << std::flush;
        std::_Exit(failed);
    }
    const auto down = (*dp)->apply({select::TransitionKind::teardown, plan.mode, select::Mode::none, "kernel test"}, nullptr);
    if (!down) {
        std::cerr << "s46-dataplane-probe: teardown: " << down.error() << "\n";
        return 1;
    }
    return failed;
}
