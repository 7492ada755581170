// core/napt/conntrack_view: stale entries after a rebinding, and range occupancy per destination.
#include <catch2/catch.hpp>

#include <vector>

#include "core/map/port_set.hpp"
#include "core/napt/conntrack_view.hpp"
#include "core/napt/port_slots.hpp"

using namespace s46;
using namespace s46::napt;

namespace {
const net::Ipv4Address kOld(192, 0, 2, 1), kNew(192, 0, 2, 7), kRemote(203, 0, 113, 5);
map::PortSet psid(unsigned p) { return *map::PortSet::make(6, 8, p); }
}  // namespace

TEST_CASE("rebinding: old address, or a port outside the new set, is stale", "[napt][conntrack][rfc7597]") {
    // PSID 52 owns 1232-1235, 2256-2259, ...; PSID 53 owns 1236-1239, 2260-2263, ...
    const NatFlow on_52{6, kRemote, 80, kOld, 1233};
    const NatFlow on_53{17, kRemote, 53, kOld, 2261};
    // Same address, PSID 52 -> 53.
    CHECK(stale_after_rebinding(on_52, kOld, kOld, psid(53)));
    CHECK_FALSE(stale_after_rebinding(on_53, kOld, kOld, psid(53)));
    // ICMP echo: the identifier is the port.
    CHECK(stale_after_rebinding({1, kRemote, 1234, kOld, 1234}, kOld, kOld, psid(53)));
    CHECK_FALSE(stale_after_rebinding({1, kRemote, 1237, kOld, 1237}, kOld, kOld, psid(53)));
    // New address: everything on the old one goes, whatever its port.
    CHECK(stale_after_rebinding(on_53, kOld, kNew, psid(53)));
    CHECK_FALSE(stale_after_rebinding({6, kRemote, 80, kNew, 2262}, kOld, kNew, psid(53)));
    // Flows whose replies go elsewhere (static forwards: replies go to the remote; LAN-only
    // traffic) are not the binding's.
    CHECK_FALSE(stale_after_rebinding({6, kRemote, 80, net::Ipv4Address(192, 168, 1, 10), 22}, kOld, kNew, psid(53)));
    // A protocol without ports on the current address cannot be judged by port: kept.
    CHECK_FALSE(stale_after_rebinding({47, kRemote, 0, kOld, 0}, kOld, kOld, psid(53)));
}

TEST_CASE("occupancy: ports per range towards the busiest destination", "[napt][conntrack]") {
    const auto ranges = dynamic_ranges(psid(52), {});
    std::vector<NatFlow> flows;
    // 4 flows to remote:53/udp in block 0 (full), 2 in block 1.
    for (std::uint16_t p : {1232, 1233, 1234, 1235, 2256, 2257}) flows.push_back({17, kRemote, 53, kOld, p});
    // 3 flows to another destination in block 1: block 1's busiest is 3.
    for (std::uint16_t p : {2256, 2257, 2258}) flows.push_back({17, kRemote, 54, kOld, p});
    // Ignored: another address, a port outside the set, TCP to the same remote counted apart.
    flows.push_back({17, kRemote, 53, kNew, 3280});
    flows.push_back({17, kRemote, 53, kOld, 3290});
    flows.push_back({6, kRemote, 53, kOld, 3280});
    const auto occ = busiest_occupancy(flows, kOld, ranges);
    REQUIRE(occ.size() == 63);
    CHECK(occ[0] == 4);
    CHECK(occ[1] == 3);
    CHECK(occ[2] == 1);
    for (std::size_t i = 3; i < occ.size(); ++i) CHECK(occ[i] == 0);
    // Fed back: the full block gets no slot.
    auto plan = plan_slots(ranges, occ);
    REQUIRE(plan);
    CHECK(plan->weight[0] == 0);
    CHECK(plan->weight[1] == 1);
    CHECK(plan->weight[2] == 3);
}
