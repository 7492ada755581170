// kernel_dataplane_bench (installed in the guest as s46-dp-bench): the kernel data plane's
// benchmarks inside the QEMU guest (docs/performance.md, "Kernel data plane"; driven by
// bench/kernel/kernel_dataplane.sh through tests/kernel/run). Runs in the `cpe` namespace of
//   lan: eth0 192.168.1.2 == lan0 192.168.1.1  cpe  wan0 2001:db8:1::2 == v-br 2001:db8:1::1  br
// where br decapsulates (an ip6tnl per softwire source) and is the internet host 203.0.113.1.
//
//   s46-dp-bench latency [--reps N] [--modes dslite,lw4o6,mape] [--store DIR]
//       Plan ready -> traffic: per mode, times KernelDataPlane::apply() and then the first UDP
//       datagram of a new LAN flow (192.168.1.2 -> 203.0.113.1:9, a fresh source port each
//       time) that arrives at 203.0.113.1 in br; the baseline, in the same run and alternating
//       with it, is a shell doing the same change with iproute2 and `nft -f` (the table text is
//       what s46d's apply left in the kernel, as `nft list table ip s46d` prints it), and s46d
//       without its SQLite store (what the records cost). Prints one JSON line per measurement.
//   s46-dp-bench host --dataplane kernel|userspace [--mode lw4o6] [--ready FILE] [--store DIR]
//                     [--flowtable 1]
//       Brings up lw4o6 (192.0.2.7, offset 6, PSID length 8, PSID 52: 63 blocks of 4 ports) on
//       the chosen s46d data plane, ticks it once a second as s46d does, writes FILE when up and
//       tears down on SIGTERM/SIGINT. The traffic comes from bench/tools (udp_blast, ipip_reflector).
//       --store: the kernel backend's store directory (default /tmp/dp-bench-host; one per
//       concurrent host). --flowtable 1: the kernel backend with --flowtable on lan0.
//   s46-dp-bench napt-memory
//       core/napt's bytes_per_session() at s46d's default capacity, shared and full address.
// Root only (namespaces, rtnetlink, nftables).
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <iterator>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <asio.hpp>

#include "core/napt/napt.hpp"
#include "core/net/ipv4.hpp"
#include "core/net/ipv6.hpp"
#include "platform/dataplane/kernel_dataplane.hpp"
#include "platform/dataplane/userspace_dataplane.hpp"
#include "platform/store/sqlite_store.hpp"

namespace {

using namespace s46;
using Clock = std::chrono::steady_clock;

[[noreturn]] void die(const std::string& why) {
    std::cerr << "s46-dp-bench: " << why << "\n";
    std::exit(1);
}

double ms_between(Clock::time_point a, Clock::time_point b) { return std::chrono::duration<double, std::milli>(b - a).count(); }

net::Ipv6Address v6(const char* text) {
    auto r = net::Ipv6Address::parse(text);
    if (!r) die(std::string("bad address ") + text);
    return *r;
}
net::Ipv4Prefix v4(const char* text) {
    auto r = net::Ipv4Prefix::parse(text);
    if (!r) die(std::string("bad prefix ") + text);
    return *r;
}

// The softwire source of each mode; br has an ip6tnl for each (bench/kernel/kernel_dataplane.sh).
struct ModeSpec {
    const char* name;
    const char* local;
    const char* ipv4;
};
constexpr ModeSpec kModes[] = {
    {"dslite", "2001:db8:1::2", "192.0.0.2/32"},  // wan0's own address is the B4 address
    {"lw4o6", "2001:db8:1::c000:207", "192.0.2.7/32"},
    {"mape", "2001:db8:1::c000:208", "192.0.2.8/32"},
};
constexpr const char* kRemote = "2001:db8:1::1";

const ModeSpec& spec_of(const std::string& name) {
    for (const auto& m : kModes)
        if (name == m.name) return m;
    die("unknown mode " + name);
}

modes::Plan plan_for(const ModeSpec& m) {
    modes::Plan plan;
    for (const auto mode : select::kAllModes)
        if (select::to_string(mode) == m.name) plan.mode = mode;
    plan.tunnel_local = v6(m.local);
    plan.tunnel_remote = v6(kRemote);
    plan.ipv4 = v4(m.ipv4);
    plan.napt = plan.mode != select::Mode::dslite;
    if (plan.napt) {
        plan.ports.offset = 6;  // 63 blocks of 4 ports (RFC 7597 §5.1)
        plan.ports.psid_len = 8;
        plan.ports.psid = plan.mode == select::Mode::lw4o6 ? 52 : 53;
    }
    if (plan.mode == select::Mode::mape) {
        // One FMR, as a MAP-E plan usually carries: s46d asks the kernel whether it keeps FMRs.
        map::Rule fmr;
        fmr.ipv6_prefix = net::Ipv6Prefix(v6("2001:db8:100::"), 40);
        fmr.ipv4_prefix = v4("192.0.2.0/24");
        fmr.ea_len = 16;
        fmr.psid_offset = 6;
        fmr.forwarding = true;
        plan.fmrs.push_back(fmr);
    }
    plan.forwarding.push_back({net::Ipv4Prefix(net::Ipv4Address(0), 0), std::nullopt});
    return plan;
}

int open_ns(const std::string& name) {
    const std::string path = name == "self" ? "/proc/self/ns/net" : "/run/netns/" + name;
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) die("open " + path + ": " + std::strerror(errno));
    return fd;
}

// A UDP socket made in another namespace (a socket keeps the namespace it was made in).
int udp_socket_in(int ns_fd, int home_fd) {
    if (::setns(ns_fd, CLONE_NEWNET) != 0) die(std::string("setns: ") + std::strerror(errno));
    const int s = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    const int e = errno;
    if (::setns(home_fd, CLONE_NEWNET) != 0) die(std::string("setns back: ") + std::strerror(errno));
    if (s < 0) die(std::string("socket: ") + std::strerror(e));
    return s;
}

sockaddr_in sin_of(const char* ip, int port) {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<std::uint16_t>(port));
    ::inet_pton(AF_INET, ip, &a.sin_addr);
    return a;
}

void drain(int s) {
    char buf[2048];
    while (::recv(s, buf, sizeof buf, 0) > 0) {}
}

// Sends datagrams carrying `tag` from `tx` (a fresh LAN socket) until one with that tag arrives
// on `rx` (bound to 203.0.113.1:9 in br), one every half millisecond; the time it arrived.
std::optional<Clock::time_point> first_arrival(int tx, int rx, std::uint32_t tag) {
    const auto dst = sin_of("203.0.113.1", 9);
    const auto deadline = Clock::now() + std::chrono::seconds(10);
    while (Clock::now() < deadline) {
        ::sendto(tx, &tag, sizeof tag, 0, reinterpret_cast<const sockaddr*>(&dst), sizeof dst);  // errors expected before the route
        pollfd p{rx, POLLIN, 0};
        if (::poll(&p, 1, 0) <= 0) {
            ::usleep(500);
            if (::poll(&p, 1, 0) <= 0) continue;
        }
        std::uint32_t got = 0;
        while (::recv(rx, &got, sizeof got, 0) == static_cast<ssize_t>(sizeof got))
            if (got == tag) return Clock::now();
    }
    return std::nullopt;
}

// Full paths: Debian's busybox sh runs its own `ip` applet for `ip`, and that one cannot make an ip6tnl.
constexpr const char* kIp = "/usr/sbin/ip";
constexpr const char* kNft = "/usr/sbin/nft";

int sh(const std::string& cmd) { return std::system(cmd.c_str()); }

// `nft list` prints the slot map's key type as "type 0" (the kernel keeps no name for a numgen
// key), which `nft -f` refuses; "typeof" names the same key and data, and makes the same map.
void loadable(const std::string& file) {
    std::ifstream in(file);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const std::string from = "type 0 : interval ipv4_addr . inet_service";
    const auto at = text.find(from);
    if (at == std::string::npos) return;  // DS-Lite: no NAT, no map
    const auto mod = text.find("numgen inc mod ");
    if (mod == std::string::npos) die(file + ": a slot map but no numgen");
    const auto end = text.find_first_not_of("0123456789", mod + 15);
    text.replace(at, from.size(), "typeof numgen inc mod " + text.substr(mod + 15, end - mod - 15) + " : interval ip saddr . th dport");
    std::ofstream(file) << text;
}

std::string shell_up(const ModeSpec& m, const std::string& nft_file) {
    const bool own = std::string(m.name) != "dslite";
    std::string c = std::string(kIp) + " link add s46tnl0 mtu 1460 type ip6tnl mode ipip6 local " + std::string(m.local) + " remote " + kRemote +
                    " encaplimit none hoplimit 64 dev wan0";
    if (own) c += std::string(" && ") + kIp + " addr add " + std::string(m.local) + "/128 dev wan0 nodad";
    c += std::string(" && ") + kIp + " addr add " + m.ipv4 + " dev s46tnl0 && " + kIp + " link set s46tnl0 up";
    c += std::string(" && ") + kIp + " route add default dev s46tnl0 && " + kNft + " -f " + nft_file;
    return c;
}

std::string shell_down(const ModeSpec& m) {
    std::string c = std::string(kIp) + " link del s46tnl0; " + kNft + " delete table ip s46d";
    if (std::string(m.name) != "dslite") c += std::string("; ") + kIp + " addr del " + std::string(m.local) + "/128 dev wan0";
    return c + " 2>/dev/null";
}

int latency(std::map<std::string, std::string>& opt) {
    const int reps = opt.count("reps") ? std::atoi(opt["reps"].c_str()) : 7;
    const std::string modes_arg = opt.count("modes") ? opt["modes"] : "dslite,lw4o6,mape";
    const std::string store_dir = opt.count("store") ? opt["store"] : "/tmp/dp-bench-store";
    std::filesystem::create_directories(store_dir);

    store::SqliteStoreOptions so;
    so.path = store_dir + "/state.db";
    auto opened = store::SqliteStore::open(so);
    if (!opened) die("store: " + opened.error());
    auto& store = opened->store;

    const int home = open_ns("self"), lan = open_ns("lan"), br = open_ns("br");
    const int rx = udp_socket_in(br, home);
    const auto bind_addr = sin_of("203.0.113.1", 9);
    if (::bind(rx, reinterpret_cast<const sockaddr*>(&bind_addr), sizeof bind_addr) != 0) die(std::string("bind: ") + std::strerror(errno));
    std::uint32_t tag = 1;

    std::vector<std::string> modes;
    for (std::size_t pos = 0; pos <= modes_arg.size();) {
        const auto comma = std::min(modes_arg.find(',', pos), modes_arg.size());
        modes.push_back(modes_arg.substr(pos, comma - pos));
        pos = comma + 1;
    }
    for (const auto& name : modes) {
        const ModeSpec& m = spec_of(name);
        const modes::Plan plan = plan_for(m);
        daemon::KernelConfig config;
        config.wan_interface = "wan0";
        auto dp = daemon::KernelDataPlane::create(config, store.get());
        if (!dp) die("start: " + dp.error());
        // The same without a store: what the SQLite records (one per object, before it is made)
        // add to apply().
        auto bare = daemon::KernelDataPlane::create(config, nullptr);
        if (!bare) die("start: " + bare.error());
        const select::Transition up{select::TransitionKind::activate, select::Mode::none, plan.mode, "bench"};
        const select::Transition down{select::TransitionKind::teardown, plan.mode, select::Mode::none, "bench"};
        const std::string nft_file = "/tmp/dp-bench-" + name + ".nft";

        // Warm-up (caches, neighbour entries, modules), and the table text for the shell.
        if (auto r = (*dp)->apply(up, &plan); !r) die(name + ": bring-up: " + r.error());
        if (sh(std::string(kNft) + " list table ip s46d > " + nft_file) != 0) die("nft list table ip s46d");
        loadable(nft_file);
        {
            const int tx = udp_socket_in(lan, home);
            if (!first_arrival(tx, rx, ++tag)) die(name + ": no traffic through s46d's kernel path");
            ::close(tx);
        }
        if (auto r = (*dp)->apply(down, nullptr); !r) die(name + ": teardown: " + r.error());
        if (sh(shell_up(m, nft_file)) != 0) {
            sh("{ " + std::string(kIp) + " -d link show; " + kIp + " addr show; " + kIp + " route show; } >&2");
            die(name + ": the shell baseline failed: " + shell_up(m, nft_file));
        }
        {
            const int tx = udp_socket_in(lan, home);
            if (!first_arrival(tx, rx, ++tag)) die(name + ": no traffic through the shell-made path");
            ::close(tx);
        }
        sh(shell_down(m));

        // s46d, the shell and s46d without a store, in an order that rotates with the rep.
        const char* const kHow[] = {"s46d", "shell", "s46d-nostore"};
        for (int rep = 0; rep < reps; ++rep) {
            for (int j = 0; j < 3; ++j) {
                const int how = (rep + j) % 3;
                daemon::KernelDataPlane* k = how == 0 ? dp->get() : how == 2 ? bare->get() : nullptr;
                drain(rx);
                const int tx = udp_socket_in(lan, home);
                ::usleep(20000);
                const auto t0 = Clock::now();
                if (k) {
                    if (auto r = k->apply(up, &plan); !r) die(name + ": bring-up: " + r.error());
                } else if (sh(shell_up(m, nft_file)) != 0) {
                    die(name + ": shell bring-up failed");
                }
                const auto t1 = Clock::now();
                const auto t2 = first_arrival(tx, rx, ++tag);
                ::close(tx);
                std::printf("{\"bench\":\"latency\",\"mode\":\"%s\",\"how\":\"%s\",\"rep\":%d,\"apply_ms\":%.3f,\"first_packet_ms\":%.3f}\n",
                            name.c_str(), kHow[how], rep, ms_between(t0, t1), t2 ? ms_between(t0, *t2) : -1.0);
                std::fflush(stdout);
                if (k) {
                    if (auto r = k->apply(down, nullptr); !r) die(name + ": teardown: " + r.error());
                } else {
                    sh(shell_down(m));
                }
            }
        }
    }
    return 0;
}

int host(std::map<std::string, std::string>& opt) {
    const std::string kind = opt.count("dataplane") ? opt["dataplane"] : "kernel";
    const ModeSpec& m = spec_of(opt.count("mode") ? opt["mode"] : "lw4o6");
    const modes::Plan plan = plan_for(m);
    asio::io_context io;
    std::unique_ptr<daemon::DataPlane> dp;
    std::unique_ptr<store::StateStore> keep_store;
    if (kind == "kernel") {
        store::SqliteStoreOptions so;
        const std::string dir = opt.count("store") ? opt["store"] : "/tmp/dp-bench-host";
        std::filesystem::create_directories(dir);
        so.path = dir + "/state.db";
        auto opened = store::SqliteStore::open(so);
        if (!opened) die("store: " + opened.error());
        keep_store = std::move(opened->store);
        daemon::KernelConfig config;
        config.wan_interface = "wan0";
        if (opt.count("flowtable") && opt["flowtable"] == "1") {
            config.flowtable = true;
            config.lan_interface = "lan0";
        }
        auto k = daemon::KernelDataPlane::create(config, keep_store.get());
        if (!k) die("kernel: " + k.error());
        dp = std::move(*k);
    } else if (kind == "userspace") {
        daemon::UserspaceConfig config;
        config.wan_interface = "wan0";
        auto u = daemon::UserspaceDataPlane::create(io, config);
        if (!u) die("userspace: " + u.error());
        dp = std::move(*u);
    } else {
        die("--dataplane kernel|userspace");
    }
    if (auto r = dp->apply({select::TransitionKind::activate, select::Mode::none, plan.mode, "bench"}, &plan); !r)
        die("bring-up: " + r.error());
    if (opt.count("ready")) std::ofstream(opt["ready"]) << "up\n";
    std::cerr << "s46-dp-bench: " << kind << " up\n";

    asio::signal_set signals(io, SIGINT, SIGTERM);
    signals.async_wait([&](const std::error_code&, int) { io.stop(); });
    asio::steady_timer timer(io);
    std::function<void()> tick = [&] {
        timer.expires_after(std::chrono::seconds(1));
        timer.async_wait([&](const std::error_code& ec) {
            if (ec) return;
            dp->tick();
            tick();
        });
    };
    tick();
    io.run();
    std::cerr << "s46-dp-bench: counters " << dp->counters().dump() << "\n";
    if (auto r = dp->apply({select::TransitionKind::teardown, plan.mode, select::Mode::none, "bench"}, nullptr); !r)
        die("teardown: " + r.error());
    return 0;
}

// core/napt's all-in cost per session at s46d's default capacity (--napt-sessions 65536), for the
// benchmark's port set and for a full address: what the userspace backend holds per session.
int napt_memory() {
    for (const bool shared : {true, false}) {
        napt::Config c;
        c.external = net::Ipv4Address(0xc0000207u);
        c.max_sessions = 65536;
        if (shared) c.ports = *map::PortSet::make(6, 8, 52);
        auto n = napt::Napt::create(c);
        if (!n) die("napt: " + n.error());
        std::printf("{\"bench\":\"napt_memory\",\"ports\":\"%s\",\"max_sessions\":%u,\"memory_bytes\":%zu,\"bytes_per_session\":%.1f}\n",
                    shared ? "offset 6, PSID length 8 (252 ports)" : "full address", c.max_sessions, n->memory_bytes(),
                    n->bytes_per_session());
    }
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2) die("usage: latency|host ... (see bench/kernel_dataplane_bench.cpp)");
    const std::string cmd = argv[1];
    std::map<std::string, std::string> opt;
    for (int i = 2; i + 1 < argc; i += 2) {
        const std::string a = argv[i];
        if (!a.starts_with("--")) die("unexpected argument " + a);
        opt[a.substr(2)] = argv[i + 1];
    }
    if (cmd == "latency") return latency(opt);
    if (cmd == "host") return host(opt);
    if (cmd == "napt-memory") return napt_memory();
    die("unknown command " + cmd);
}
