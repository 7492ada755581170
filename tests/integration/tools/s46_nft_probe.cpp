// Test driver for the kernel NAPT44 (tests/integration/nft_napt_test.py): computes the ranges and
// slots with core/napt and installs them with platform/nft, as s46d's data plane would.
//
//   s46_nft_probe probe
//   s46_nft_probe apply    --tunnel IF --addr A [--offset a --psid-len k --psid p] [--mss N]
//                          [--forward tcp|udp:EXT:LANADDR:LANPORT]... [--no-napt]
//   s46_nft_probe rebind   --old-addr A (apply's options: the new binding)   apply, then flush stale conntrack
//   s46_nft_probe feedback (apply's options)   re-plan the slots from conntrack occupancy: map refilled,
//                                              snat rule replaced (NftNapt::replan), counters kept
//   s46_nft_probe update   (apply's options)   replace the slot map's elements only (same slot count)
//   s46_nft_probe counter  NAME
//   s46_nft_probe conntrack                    one line per entry: proto remote:port -> nat:port
//   s46_nft_probe delete
#include <linux/netlink.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "core/map/port_set.hpp"
#include "core/napt/conntrack_view.hpp"
#include "core/napt/port_slots.hpp"
#include "platform/net/netlink_session.hpp"
#include "platform/nft/nft_napt.hpp"

using namespace s46;
using namespace s46::platform;
using namespace s46::platform::nft;

namespace {

int die(const std::string& msg) {
    std::fprintf(stderr, "s46_nft_probe: %s\n", msg.c_str());
    return 1;
}

struct Options {
    NaptRuleset rs;
    unsigned offset = 0, psid_len = 0, psid = 0;
    net::Ipv4Address old_addr;
    bool has_old = false;
};

Result<Options> parse(int argc, char** argv) {
    Options o;
    o.rs.mss = 0;
    for (int i = 2; i < argc; ++i) {
        const std::string a = argv[i];
        auto next = [&]() -> std::string { return i + 1 < argc ? argv[++i] : std::string(); };
        if (a == "--tunnel") o.rs.tunnel = next();
        else if (a == "--addr" || a == "--old-addr") {
            auto v = net::Ipv4Address::parse(next());
            if (!v) return fail(a + ": " + v.error());
            if (a == "--addr") o.rs.nat_address = *v;
            else o.old_addr = *v, o.has_old = true;
        } else if (a == "--offset") o.offset = std::stoul(next());
        else if (a == "--psid-len") o.psid_len = std::stoul(next());
        else if (a == "--psid") o.psid = std::stoul(next());
        else if (a == "--mss") o.rs.mss = static_cast<std::uint16_t>(std::stoul(next()));
        else if (a == "--no-napt") o.rs.napt = false;
        else if (a == "--forward") {
            // tcp:EXT:LANADDR:LANPORT
            const std::string v = next();
            const auto p1 = v.find(':'), p2 = v.find(':', p1 + 1), p3 = v.rfind(':');
            if (p1 == std::string::npos || p2 == std::string::npos || p3 == p2) return fail("--forward " + v + ": want proto:ext:lanaddr:lanport");
            StaticForward f;
            f.proto = v.substr(0, p1) == "udp" ? ForwardProto::udp : ForwardProto::tcp;
            f.external_port = static_cast<std::uint16_t>(std::stoul(v.substr(p1 + 1, p2 - p1 - 1)));
            auto lan = net::Ipv4Address::parse(v.substr(p2 + 1, p3 - p2 - 1));
            if (!lan) return fail("--forward: " + lan.error());
            f.lan_address = *lan;
            f.lan_port = static_cast<std::uint16_t>(std::stoul(v.substr(p3 + 1)));
            o.rs.forwards.push_back(f);
        } else return fail("unknown option " + a);
    }
    return o;
}

// Ranges and slots for the options' port set, static forwards reserved; `occupancy` optional.
Result<map::PortSet> plan(Options& o, const std::vector<std::uint32_t>& occupancy) {
    auto set = map::PortSet::make(o.offset, o.psid_len, o.psid);
    if (!set) return fail(set.error());
    std::vector<std::uint16_t> reserved;
    for (const auto& f : o.rs.forwards) {
        if (!set->contains(f.external_port)) return fail("forward port " + std::to_string(f.external_port) + " is not in the port set");
        reserved.push_back(f.external_port);
    }
    o.rs.ranges = napt::dynamic_ranges(*set, reserved);
    auto slots = napt::plan_slots(o.rs.ranges, occupancy);
    if (!slots) return fail(slots.error());
    o.rs.slots = slots->slots;
    std::printf("ranges %zu slots %zu\n", o.rs.ranges.size(), o.rs.slots.size());
    return *set;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2) return die("usage: see the source");
    const std::string cmd = argv[1];
    auto session = NetlinkSession::open(NETLINK_NETFILTER, std::chrono::seconds(5));
    if (!session) return die(session.error());
    NftNapt napt(**session);

    if (cmd == "probe") {
        auto r = napt.probe();
        if (!r) return die(r.error());
        std::printf("kernel NAPT44: nat, numgen, MSS clamping and conntrack netlink available\n");
        return 0;
    }
    if (cmd == "delete") {
        auto r = napt.remove();
        return r ? 0 : die(r.error());
    }
    if (cmd == "counter") {
        if (argc < 3) return die("counter NAME");
        auto r = napt.counter_packets(argv[2]);
        if (!r) return die(r.error());
        std::printf("%llu\n", static_cast<unsigned long long>(*r));
        return 0;
    }
    if (cmd == "conntrack") {
        auto r = napt.conntrack();
        if (!r) return die(r.error());
        for (const auto& e : *r) {
            const auto f = e.nat_flow();
            std::printf("%u %s:%u -> %s:%u\n", f.proto, f.remote.to_string().c_str(), f.remote_port, f.nat_address.to_string().c_str(), f.nat_port);
        }
        return 0;
    }
    auto o = parse(argc, argv);
    if (!o) return die(o.error());
    std::vector<std::uint32_t> occupancy;
    if (cmd == "feedback") {
        auto set = map::PortSet::make(o->offset, o->psid_len, o->psid);
        if (!set) return die(set.error());
        auto entries = napt.conntrack();
        if (!entries) return die(entries.error());
        std::vector<napt::NatFlow> flows;
        for (const auto& e : *entries) flows.push_back(e.nat_flow());
        std::vector<std::uint16_t> reserved;
        for (const auto& f : o->rs.forwards) reserved.push_back(f.external_port);
        const auto ranges = napt::dynamic_ranges(*set, reserved);
        occupancy = napt::busiest_occupancy(flows, o->rs.nat_address, ranges);
        std::size_t full = 0;
        for (std::size_t i = 0; i < ranges.size(); ++i) full += occupancy[i] >= napt::range_size(ranges[i]);
        std::printf("occupancy: %zu of %zu ranges full\n", full, ranges.size());
    } else if (cmd != "apply" && cmd != "rebind" && cmd != "update") {
        return die("unknown command " + cmd);
    }
    if (o->rs.napt) {
        auto set = plan(*o, occupancy);
        if (!set) return die(set.error());
        auto r = cmd == "update"                                  ? napt.update_slots(o->rs.nat_address, o->rs.ranges, o->rs.slots)
                 : cmd == "feedback" && o->rs.ranges.size() > 1 ? napt.replan(o->rs)
                                                                  : napt.apply(o->rs);
        if (!r) return die(r.error());
        if (cmd == "rebind") {
            if (!o->has_old) return die("rebind needs --old-addr");
            auto n = napt.flush_stale(o->old_addr, o->rs.nat_address, *set);
            if (!n) return die(n.error());
            std::printf("conntrack entries deleted %zu\n", *n);
        }
        return 0;
    }
    auto r = napt.apply(o->rs);
    return r ? 0 : die(r.error());
}
