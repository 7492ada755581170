// KernelDataPlane on any kernel, ip6_tunnel or not (the full bring-up is proven in QEMU,
// tests/kernel): leftovers of a crashed run that the store remembers are removed at start and
// forgotten; an interface of our name that s46d did not create is refused, never taken over; a
// bring-up the kernel refuses (no ip6_tunnel here) fails with the kernel's reason and leaves no
// link, no address and no store record behind. Runs in a private network namespace of its own
// (unshare(CLONE_NEWNET)); needs root, else exits 77 (ctest: skipped).
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include <net/if.h>
#include <stdlib.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <string>

#include "platform/dataplane/kernel_dataplane.hpp"
#include "platform/store/sqlite_store.hpp"
#include "private_netns.hpp"

using namespace s46;

namespace {

int sh(const std::string& command) { return std::system(command.c_str()); }

bool exists(const char* ifname) { return if_nametoindex(ifname) != 0; }

bool wan_has(const std::string& address) {
    return sh("ip -6 addr show dev wan0 | grep -q 'inet6 " + address + "/128'") == 0;
}

struct TempStore {
    std::string dir;
    std::unique_ptr<store::SqliteStore> store;
    TempStore() {
        char tmpl[] = "/tmp/s46kdp.XXXXXX";
        dir = ::mkdtemp(tmpl);
        store::SqliteStoreOptions options;
        options.path = dir + "/state.db";
        auto opened = store::SqliteStore::open(options);
        REQUIRE(opened.ok());
        store = std::move(opened->store);
    }
    ~TempStore() { std::filesystem::remove_all(dir); }
};

modes::Plan lw4o6_plan() {
    modes::Plan p;
    p.mode = select::Mode::lw4o6;
    p.tunnel_local = *net::Ipv6Address::parse("2001:db8:1::2");
    p.tunnel_remote = *net::Ipv6Address::parse("2001:db8:ffff::1");
    p.ipv4 = net::Ipv4Prefix(*net::Ipv4Address::parse("192.0.2.7"), 32);
    p.napt = true;
    return p;
}

daemon::KernelConfig config() {
    daemon::KernelConfig c;
    c.wan_interface = "wan0";
    c.device = "s46tnl0";
    return c;
}

}  // namespace

TEST_CASE("leftovers of an earlier run are removed and forgotten at start") {
    TempStore ts;
    // What a crashed run would have left: "its" link (a veth pair stands in for the ip6tnl:
    // deleting a link is the same message whatever its kind) and its /128 on the WAN side.
    REQUIRE(sh("ip link add s46tnl0 type veth peer name s46peer0") == 0);
    REQUIRE(sh("ip -6 addr add 2001:db8:1::99/128 dev wan0 nodad") == 0);
    REQUIRE(ts.store->remember_kernel_object({"link", "s46tnl0"}).ok());
    REQUIRE(ts.store->remember_kernel_object({"address6", "wan0 2001:db8:1::99"}).ok());
    // And its nftables table (NAPT44, MSS clamping); another table must survive.
    REQUIRE(sh("nft add table ip s46d && nft add chain ip s46d c && nft add table ip other") == 0);
    REQUIRE(ts.store->remember_kernel_object({"nft_table", "ip s46d"}).ok());
    // An address of someone else on the same interface, not in the store.
    REQUIRE(sh("ip -6 addr add 2001:db8:1::5/128 dev wan0 nodad") == 0);

    auto dp = daemon::KernelDataPlane::create(config(), ts.store.get());
    REQUIRE(dp.ok());
    CHECK_FALSE(exists("s46tnl0"));
    CHECK_FALSE(exists("s46peer0"));  // the pair goes with it
    CHECK_FALSE(wan_has("2001:db8:1::99"));
    CHECK(wan_has("2001:db8:1::5"));
    CHECK(sh("nft list table ip s46d >/dev/null 2>&1") != 0);
    CHECK(sh("nft list table ip other >/dev/null 2>&1") == 0);
    sh("nft delete table ip other");
    auto left = ts.store->kernel_objects();
    REQUIRE(left.ok());
    CHECK(left->empty());
    sh("ip -6 addr del 2001:db8:1::5/128 dev wan0");
}

TEST_CASE("an interface of our name that s46d did not create is refused, not taken over") {
    TempStore ts;
    REQUIRE(sh("ip link add s46tnl0 type veth peer name s46peer0") == 0);
    auto dp = daemon::KernelDataPlane::create(config(), ts.store.get());
    REQUIRE_FALSE(dp.ok());
    CHECK(dp.error() == "a network interface named s46tnl0 already exists and was not created by s46d; choose another name (tunnel.device)");
    CHECK(exists("s46tnl0"));
    sh("ip link del s46tnl0");
}

TEST_CASE("a bring-up the kernel refuses leaves nothing behind") {
    if (sh("ip link add s46probe0 type ip6tnl mode ipip6 local 2001:db8::1 remote 2001:db8::2 2>/dev/null") == 0) {
        sh("ip link del s46probe0");
        WARN("this kernel has ip6_tunnel: the refusal path is not reachable here (tests/kernel covers the bring-up)");
        return;
    }
    TempStore ts;
    auto dp = daemon::KernelDataPlane::create(config(), ts.store.get());
    REQUIRE(dp.ok());
    const auto plan = lw4o6_plan();
    auto r = (*dp)->apply({select::TransitionKind::activate, select::Mode::none, select::Mode::lw4o6, "test"}, &plan);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().rfind("create ip6tnl s46tnl0: ", 0) == 0);
    INFO(r.error());
    CHECK_FALSE(exists("s46tnl0"));
    CHECK_FALSE(wan_has("2001:db8:1::2"));
    auto counters = (*dp)->counters();
    CHECK(counters["netlink_failures"] == 1);
    CHECK(counters["last_error"] == r.error());
    // Nothing was created, so nothing stays remembered.
    auto left = ts.store->kernel_objects();
    REQUIRE(left.ok());
    CHECK(left->empty());
}

TEST_CASE("--flowtable: refused at start, naming nf_flow_table, where the kernel has none; else probed and accepted") {
    // What the kernel says, asked with nft itself (shares no code with s46d): a flowtable on lo.
    const bool has_flowtable =
        sh("nft -f - >/dev/null 2>&1 <<'EOF'\ntable ip s46d_t { flowtable f { hook ingress priority 0; devices = { lo }; } }\nEOF") == 0;
    sh("nft delete table ip s46d_t >/dev/null 2>&1");
    REQUIRE(sh("ip link add lan0 type veth peer name lan0peer") == 0);
    TempStore ts;
    auto c = config();
    c.flowtable = true;
    c.lan_interface = "lan0";
    auto dp = daemon::KernelDataPlane::create(c, ts.store.get());
    if (has_flowtable) {
        CHECK(dp.ok());
        WARN("this kernel has nf_flow_table: only the probe's success is checked here (tests/kernel covers the flowtable)");
    } else {
        REQUIRE_FALSE(dp.ok());
        INFO(dp.error());
        CHECK(dp.error().rfind("kernel lacks nf_flow_table: --flowtable needs CONFIG_NF_FLOW_TABLE", 0) == 0);
        CHECK(dp.error().find("(the kernel: ") != std::string::npos);
        // The probe leaves nothing behind.
        CHECK(sh("nft list table ip s46d_probe >/dev/null 2>&1") != 0);
    }
    // Without a LAN interface there is nothing to hook.
    c.lan_interface.clear();
    auto no_lan = daemon::KernelDataPlane::create(c, ts.store.get());
    REQUIRE_FALSE(no_lan.ok());
    CHECK(no_lan.error() == "--flowtable needs the LAN interface (--lan-interface)");
    sh("ip link del lan0");
}

int main(int argc, char** argv) {
    if (!private_netns::enter()) return private_netns::kSkip;
    // The WAN side: one end of a veth pair, up.
    if (sh("ip link set lo up && ip link add wan0 type veth peer name wan0peer && ip link set wan0 up && ip link set wan0peer up") != 0)
        return 1;
    return Catch::Session().run(argc, argv);
}
