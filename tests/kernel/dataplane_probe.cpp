// s46-dataplane-probe: brings up s46d's kernel data plane (platform/dataplane/kernel_dataplane.hpp:
// the ip6tnl link, the WAN /128, the IPv4 address and default route, the nftables NAPT44 and MSS
// table) for one plan, runs the guest scenario's checks while it is up, then tears it down the
// way s46d does at exit. tests/kernel/dataplane_scenario.sh and mape_scenario.sh drive it inside
// a QEMU guest, where ip6_tunnel exists; the objects are checked with iproute2 and nft, the
// traffic with ping and s46-flowgen.
//
//   s46-dataplane-probe --store DIR --wan IF --mode dslite|lw4o6|mape --local V6 --remote V6
//       --ipv4 A/LEN [--offset N --psid-len N --psid N] [--mtu N] [--table N --metric N]
//       [--fmr V6PREFIX,V4PREFIX,EALEN]... [--lan IF --gi A/LEN]
//       [--forward tcp|udp:EXT:LANADDR:LANPORT]... [--expect KEY=VALUE|KEY>N]... [--check COMMAND]...
//       [--expect-after KEY=VALUE|KEY>N]...
//       [--rebind-psid N --rebind-local V6 [--expect-rebound ...]... [--check-rebound COMMAND]...]
//       [--crash] [--flowtable]
//   s46-dataplane-probe --store DIR --wan IF --reconcile
// --fmr      a MAP-E forwarding mapping rule (RFC 7597 §5) in the plan
// --lan, --gi  GI-4over6: no NAPT, the prefix on the tunnel and routed to the LAN interface
// --forward  static forwards, given to set_static_forwards() before the bring-up
// --expect   after the bring-up: counters()[KEY] as text equals VALUE, or as a number exceeds N
// --check    a shell command run while the data plane is up; each failing one counts
// --expect-after  as --expect, after the checks (what their traffic left in the counters)
// --rebind-psid, --rebind-local  after the checks, the same plan with another PSID and tunnel
//            source (a new binding, as a DHCPv6 Reply would bring), applied while the checks'
//            traffic may still run; then --expect-rebound and --check-rebound
// --crash    after the checks, leave without any teardown (as a killed s46d would)
// --flowtable  KernelConfig::flowtable: the nftables flowtable on --lan and the tunnel
// --reconcile  only start the data plane: it removes what the store says an earlier run left
// The store (DIR/state.db) is s46d's SQLite store: it remembers every kernel object before it is
// created; after a normal teardown it must remember none (a failed check otherwise).
// Exit status: the number of failed checks, 1 when bring-up failed, 2 on bad usage.
#include <unistd.h>

#include <charconv>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <map>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "core/net/ipv4.hpp"
#include "core/net/ipv6.hpp"
#include "core/napt/static_forward.hpp"
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

// KEY=VALUE: the counter as text (a JSON string's contents, anything else dumped) equals VALUE;
// KEY>N: the counter is a number greater than N.
bool expectation_holds(const nlohmann::json& counters, const std::string& e) {
    const auto gt = e.find('>'), eq = e.find('=');
    const bool numeric = gt != std::string::npos && (eq == std::string::npos || gt < eq);
    const std::string key = e.substr(0, numeric ? gt : eq);
    bool ok = false;
    std::string seen = "absent";
    if (counters.contains(key)) {
        const auto& v = counters[key];
        seen = v.is_string() ? v.get<std::string>() : v.dump();
        if (numeric) ok = v.is_number() && v.get<double>() > std::stod(e.substr(gt + 1));
        else if (eq != std::string::npos) ok = seen == e.substr(eq + 1);
    }
    std::cout << (ok ? "PASS" : "FAIL") << ": counters: " << e << " (is " << seen << ")\n" << std::flush;
    return ok;
}

select::Mode mode_named(const std::string& name) {
    for (const auto m : select::kAllModes)
        if (select::to_string(m) == name) return m;
    usage_error("unknown mode " + name);
}

}  // namespace

int main(int argc, char** argv) {
    std::map<std::string, std::string> opt;
    std::map<std::string, std::vector<std::string>> many;  // the options that may repeat
    bool crash = false, reconcile_only = false, flowtable = false;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "--crash") {
            crash = true;
        } else if (a == "--flowtable") {
            flowtable = true;
        } else if (a == "--reconcile") {
            reconcile_only = true;
        } else if (a.starts_with("--") && i + 1 < argc) {
            const std::string key = a.substr(2);
            if (key == "check" || key == "check-rebound" || key == "expect" || key == "expect-rebound" || key == "expect-after" ||
                key == "forward" || key == "fmr")
                many[key].emplace_back(argv[++i]);
            else
                opt[key] = argv[++i];
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
    if (opt.count("lan")) config.lan_interface = opt["lan"];
    if (opt.count("table")) config.route_table = number(opt["table"], "table");
    if (opt.count("metric")) config.route_metric = number(opt["metric"], "metric");
    config.flowtable = flowtable;
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
    if (opt.count("gi")) {
        // GI-4over6 as modes/lw4o6/plan.cpp plans it: the prefix on the tunnel and routed to
        // the LAN, no NAPT44 (RFC 7040 §4: the CPE forwards the public addresses unchanged).
        plan.ipv4 = parsed(net::Ipv4Prefix::parse(opt["gi"]), opt["gi"]);
        plan.lan_routed_prefix = plan.ipv4;
        plan.napt = false;
    } else {
        const std::string& ipv4 = need("ipv4");
        plan.ipv4 = parsed(net::Ipv4Prefix::parse(ipv4), ipv4);  // DS-Lite: 192.0.0.2/32, as modes/dslite plans it
        plan.napt = plan.mode != select::Mode::dslite;
    }
    if (opt.count("offset")) plan.ports.offset = static_cast<std::uint8_t>(number(opt["offset"], "offset"));
    if (opt.count("psid-len")) plan.ports.psid_len = static_cast<std::uint8_t>(number(opt["psid-len"], "PSID length"));
    if (opt.count("psid")) plan.ports.psid = static_cast<std::uint16_t>(number(opt["psid"], "PSID"));
    if (opt.count("mtu")) plan.tunnel_mtu = static_cast<std::uint16_t>(number(opt["mtu"], "MTU"));
    plan.forwarding.push_back({net::Ipv4Prefix(net::Ipv4Address(0), 0), std::nullopt});  // default via the remote
    for (const auto& f : many["fmr"]) {
        std::istringstream in(f);
        std::string v6, v4, ea;
        std::getline(in, v6, ',');
        std::getline(in, v4, ',');
        std::getline(in, ea);
        map::Rule r;
        r.ipv6_prefix = parsed(net::Ipv6Prefix::parse(v6), v6);
        r.ipv4_prefix = parsed(net::Ipv4Prefix::parse(v4), v4);
        r.ea_len = static_cast<std::uint8_t>(number(ea, "EA length"));
        r.psid_offset = plan.ports.offset;
        r.forwarding = true;
        plan.fmrs.push_back(r);
    }

    std::vector<napt::StaticForward> forwards;
    for (const auto& f : many["forward"]) {
        std::istringstream in(f);
        std::string proto, ext, lan, lan_port;
        std::getline(in, proto, ':');
        std::getline(in, ext, ':');
        std::getline(in, lan, ':');
        std::getline(in, lan_port);
        napt::StaticForward sf;
        sf.protocol = proto == "udp" ? napt::Protocol::udp : napt::Protocol::tcp;
        sf.external_port = static_cast<std::uint16_t>(number(ext, "external port"));
        sf.lan_address = parsed(net::Ipv4Address::parse(lan), lan);
        sf.lan_port = static_cast<std::uint16_t>(number(lan_port, "LAN port"));
        forwards.push_back(sf);
    }
    if (!forwards.empty())
        if (auto r = (*dp)->set_static_forwards(forwards); !r) {
            std::cerr << "s46-dataplane-probe: static forwards: " << r.error() << "\n";
            return 1;
        }

    const auto up = (*dp)->apply({select::TransitionKind::activate, select::Mode::none, plan.mode, "kernel test"}, &plan);
    if (!up) {
        std::cerr << "s46-dataplane-probe: bring-up: " << up.error() << "\n";
        std::cerr << "counters: " << (*dp)->counters().dump() << "\n";
        return 1;
    }
    std::cout << "up: " << (*dp)->counters().dump() << "\n" << std::flush;

    int failed = 0;
    for (const auto& e : many["expect"]) failed += !expectation_holds((*dp)->counters(), e);
    for (const auto& c : many["check"]) {
        if (std::system(c.c_str()) != 0) ++failed;
    }
    std::cout << "after the checks: " << (*dp)->counters().dump() << "\n" << std::flush;
    for (const auto& e : many["expect-after"]) failed += !expectation_holds((*dp)->counters(), e);
    if (opt.count("rebind-psid")) {
        modes::Plan next = plan;
        next.ports.psid = static_cast<std::uint16_t>(number(opt["rebind-psid"], "PSID"));
        next.tunnel_local = parsed(net::Ipv6Address::parse(need("rebind-local")), need("rebind-local"));
        const auto again = (*dp)->apply({select::TransitionKind::replace, plan.mode, plan.mode, "kernel test: new binding"}, &next);
        if (!again) {
            std::cerr << "s46-dataplane-probe: rebinding: " << again.error() << "\n";
            ++failed;
        }
        std::cout << "rebound: " << (*dp)->counters().dump() << "\n" << std::flush;
        for (const auto& e : many["expect-rebound"]) failed += !expectation_holds((*dp)->counters(), e);
        for (const auto& c : many["check-rebound"]) {
            if (std::system(c.c_str()) != 0) ++failed;
        }
    }
    if (crash) {
        std::cout << "leaving without teardown\n" << std::flush;
        std::_Exit(failed);
    }
    const auto down = (*dp)->apply({select::TransitionKind::teardown, plan.mode, select::Mode::none, "kernel test"}, nullptr);
    if (!down) {
        std::cerr << "s46-dataplane-probe: teardown: " << down.error() << "\n";
        return 1;
    }
    // The write-ahead record: after a normal teardown nothing is left for a later reconcile.
    auto left = store->kernel_objects();
    if (!left || !left->empty()) {
        std::cout << "FAIL: the store still remembers kernel objects after teardown:";
        if (left)
            for (const auto& o : *left) std::cout << " [" << o.kind << " " << o.key << "]";
        else
            std::cout << " " << left.error();
        std::cout << "\n";
        ++failed;
    } else {
        std::cout << "PASS: the store remembers no kernel object after teardown\n";
    }
    std::cout << "after teardown: " << (*dp)->counters().dump() << "\n" << std::flush;
    return failed;
}
