// The nftables batch builders (platform/nft/napt_ruleset.cpp) against what nft 1.0.6 sends.
//
// Reference: tests/platform/nft/*.nft, each loaded with `nft -f` in a throwaway network
// namespace under strace; tests/platform/nft/capture.sh turns the bytes nft wrote to its netfilter
// socket into one hex line per file (*.hex). nft numbers a -f batch from sequence 0 and asks for
// no ACK, so the builders run here with seq 0 and ack = false; with ack = true only the
// NLM_F_ACK bits differ (checked below). The comparison is whole batches, byte for byte; on a
// mismatch the failing message is named and both are printed with libnftnl.
#include <catch2/catch.hpp>

#include <linux/netfilter.h>
#include <linux/netfilter/nfnetlink.h>

#include <libmnl/libmnl.h>
#include <libnftnl/rule.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "core/map/port_set.hpp"
#include "core/napt/port_slots.hpp"
#include "platform/nft/napt_ruleset.hpp"

using namespace s46;
using namespace s46::platform::nft;

namespace {

std::vector<std::uint8_t> vector_file(const std::string& name) {
    std::ifstream in(std::string(S46_NFT_VECTOR_DIR) + "/" + name);
    REQUIRE(in);
    std::string hex;
    in >> hex;
    REQUIRE(hex.size() % 2 == 0);
    std::vector<std::uint8_t> out;
    for (std::size_t i = 0; i < hex.size(); i += 2) out.push_back(static_cast<std::uint8_t>(std::stoul(hex.substr(i, 2), nullptr, 16)));
    return out;
}

struct Message {
    std::uint16_t type;
    std::uint16_t flags;
    std::uint32_t seq;
    std::vector<std::uint8_t> bytes;
};

std::vector<Message> split(const std::vector<std::uint8_t>& batch) {
    std::vector<Message> out;
    std::size_t off = 0;
    while (off + sizeof(nlmsghdr) <= batch.size()) {
        const auto* h = reinterpret_cast<const nlmsghdr*>(batch.data() + off);
        REQUIRE(h->nlmsg_len >= sizeof(nlmsghdr));
        REQUIRE(off + h->nlmsg_len <= batch.size());
        out.push_back({h->nlmsg_type, h->nlmsg_flags, h->nlmsg_seq,
                       std::vector<std::uint8_t>(batch.begin() + off, batch.begin() + off + h->nlmsg_len)});
        off += MNL_ALIGN(h->nlmsg_len);
    }
    REQUIRE(off == batch.size());
    return out;
}

std::string describe(const Message& m) {
    std::ostringstream os;
    os << "type 0x" << std::hex << m.type << " flags 0x" << m.flags << std::dec << " seq " << m.seq << " len " << m.bytes.size();
    if ((m.type & 0xff) == NFT_MSG_NEWRULE && (m.type >> 8) == NFNL_SUBSYS_NFTABLES) {
        nftnl_rule* r = nftnl_rule_alloc();
        if (nftnl_rule_nlmsg_parse(reinterpret_cast<const nlmsghdr*>(m.bytes.data()), r) == 0) {
            char buf[4096];
            nftnl_rule_snprintf(buf, sizeof buf, r, NFTNL_OUTPUT_DEFAULT, 0);
            os << "\n" << buf;
        }
        nftnl_rule_free(r);
    }
    return os.str();
}

std::string hex(const std::vector<std::uint8_t>& v) {
    static const char* digits = "0123456789abcdef";
    std::string out;
    for (std::uint8_t x : v) {
        out += digits[x >> 4];
        out += digits[x & 15];
    }
    return out;
}

bool same(const std::vector<std::uint8_t>& x, const std::vector<std::uint8_t>& y) { return x == y; }

void require_same_batch(const std::vector<std::uint8_t>& ours, const std::vector<std::uint8_t>& nft) {
    const auto a = split(ours), b = split(nft);
    CHECK(a.size() == b.size());
    for (std::size_t i = 0; i < a.size() && i < b.size(); ++i) {
        INFO("message " << i << "\n  ours: " << describe(a[i]) << "\n  nft:  " << describe(b[i]) << "\n  ours: "
                         << hex(a[i].bytes) << "\n  nft:  " << hex(b[i].bytes));
        REQUIRE(same(a[i].bytes, b[i].bytes));
    }
    REQUIRE(same(ours, nft));
}

NaptRuleset map_example() {
    NaptRuleset rs;
    rs.tunnel = "s46tun";
    rs.nat_address = net::Ipv4Address(192, 0, 2, 1);
    rs.ranges = {{1232, 1235}, {2256, 2259}, {3280, 3283}};
    rs.slots = {0, 1, 2};
    rs.mss = 1420;
    rs.forwards = {{ForwardProto::tcp, 4304, net::Ipv4Address(192, 168, 1, 10), 22}};
    return rs;
}

}  // namespace

TEST_CASE("MAP ruleset: numgen slot map, static forward, protocol drops, MSS clamping = nft's batch", "[nft][rfc7597]") {
    auto b = build_napt_ruleset(map_example(), 0, false);
    REQUIRE(b);
    require_same_batch(b->bytes, vector_file("map_forward_mss.hex"));
    CHECK(b->what.empty());  // no ACK asked: nothing to name
}

TEST_CASE("contiguous lw4o6 ruleset: snat to one range and a UDP forward = nft's batch", "[nft][rfc7596]") {
    NaptRuleset rs;
    rs.tunnel = "wan4";
    rs.nat_address = net::Ipv4Address(203, 0, 113, 9);
    rs.ranges = {{5120, 6143}};
    rs.slots = {0};
    rs.forwards = {{ForwardProto::udp, 6000, net::Ipv4Address(192, 168, 1, 20), 5353}};
    auto b = build_napt_ruleset(rs, 0, false);
    REQUIRE(b);
    require_same_batch(b->bytes, vector_file("range_udp_forward.hex"));
}

TEST_CASE("DS-Lite: MSS clamping only = nft's batch; table delete = nft's batch", "[nft][rfc6333]") {
    NaptRuleset rs;
    rs.tunnel = "dslite0";
    rs.napt = false;
    rs.mss = 1412;
    auto b = build_napt_ruleset(rs, 0, false);
    REQUIRE(b);
    require_same_batch(b->bytes, vector_file("mss_only.hex"));
    require_same_batch(build_delete_table(0, false).bytes, vector_file("delete.hex"));
}

// --flowtable (docs/dataplane.md "Flowtable"). nft 1.0.6 sends a flowtable's devices in the
// reverse of the text's order; the builder sends the tunnel first, then the LAN devices, so the
// .nft files list them the other way round.
TEST_CASE("flowtable: contiguous lw4o6 ruleset with a flowtable on lan0 and the tunnel = nft's batch", "[nft][flowtable]") {
    NaptRuleset rs;
    rs.tunnel = "wan4";
    rs.nat_address = net::Ipv4Address(203, 0, 113, 9);
    rs.ranges = {{5120, 6143}};
    rs.slots = {0};
    rs.flowtable_lan = {"lan0"};
    auto b = build_napt_ruleset(rs, 0, false);
    REQUIRE(b);
    require_same_batch(b->bytes, vector_file("flowtable_range.hex"));
}

TEST_CASE("flowtable: MAP ruleset with slot map, forward, MSS and a flowtable on two LAN devices = nft's batch",
          "[nft][flowtable][rfc7597]") {
    NaptRuleset rs = map_example();
    rs.flowtable_lan = {"lan0", "lan1"};
    auto b = build_napt_ruleset(rs, 0, false);
    REQUIRE(b);
    require_same_batch(b->bytes, vector_file("flowtable_map.hex"));
    // Without the flowtable, the same ruleset is byte for byte what it was.
    rs.flowtable_lan.clear();
    auto plain = build_napt_ruleset(rs, 0, false);
    REQUIRE(plain);
    require_same_batch(plain->bytes, vector_file("map_forward_mss.hex"));
}

TEST_CASE("flowtable: DS-Lite, MSS clamping and a flowtable, no NAT = nft's batch", "[nft][flowtable][rfc6333]") {
    NaptRuleset rs;
    rs.tunnel = "dslite0";
    rs.napt = false;
    rs.mss = 1412;
    rs.flowtable_lan = {"eth1", "br-lan"};
    auto b = build_napt_ruleset(rs, 0, false);
    REQUIRE(b);
    require_same_batch(b->bytes, vector_file("flowtable_mss.hex"));
    // A flowtable alone is something to install.
    rs.mss = 0;
    CHECK(build_napt_ruleset(rs, 0, false));
    auto acked = build_napt_ruleset(rs, 0, true);
    REQUIRE(acked);
    CHECK(std::find(acked->what.begin(), acked->what.end(), "add flowtable ip s46d ft (devices dslite0, eth1, br-lan)") !=
          acked->what.end());
    CHECK(acked->what.back() == "add rule ip s46d flow_offload iifname dslite0 flow add @ft");
}

TEST_CASE("flowtable: bad device lists are refused, naming the device", "[nft][flowtable]") {
    NaptRuleset rs = map_example();
    rs.flowtable_lan = {"lan0", "lan0"};
    auto b = build_napt_ruleset(rs, 0);
    REQUIRE_FALSE(b);
    CHECK(b.error().find("'lan0' listed twice") != std::string::npos);
    rs.flowtable_lan = {"s46tun"};
    b = build_napt_ruleset(rs, 0);
    REQUIRE_FALSE(b);
    CHECK(b.error().find("'s46tun' is the tunnel") != std::string::npos);
    rs.flowtable_lan = {"a-very-long-ifname"};
    b = build_napt_ruleset(rs, 0);
    REQUIRE_FALSE(b);
    CHECK(b.error().find("longer than 15") != std::string::npos);
    rs.flowtable_lan = {""};
    CHECK_FALSE(build_napt_ruleset(rs, 0));
}

TEST_CASE("flowtable probe: table ip s46d_probe with a flowtable on lo and its flow add rule, deleted in the same batch",
          "[nft][flowtable]") {
    const auto m = split(build_feature_probe(NftFeature::flowtable, 0, false).bytes);
    std::vector<std::uint16_t> types;
    for (const auto& x : m) types.push_back(static_cast<std::uint16_t>(x.type & 0xff));
    CHECK(types == std::vector<std::uint16_t>{NFNL_MSG_BATCH_BEGIN, NFT_MSG_NEWTABLE, NFT_MSG_DELTABLE, NFT_MSG_NEWTABLE,
                                              NFT_MSG_NEWCHAIN, NFT_MSG_NEWFLOWTABLE, NFT_MSG_NEWSET, NFT_MSG_NEWSETELEM,
                                              NFT_MSG_NEWRULE, NFT_MSG_DELTABLE, NFNL_MSG_BATCH_END & 0xff});
    // Only `lo`: the one device every kernel has (a missing device is ENOENT, like a missing module).
    const auto& ft = m[5].bytes;
    const std::string body(ft.begin(), ft.end());
    CHECK(body.find(std::string("lo\0", 3)) != std::string::npos);
    CHECK(body.find("s46d_probe") != std::string::npos);
    CHECK(to_string(NftFeature::flowtable).rfind("kernel lacks nf_flow_table: --flowtable needs CONFIG_NF_FLOW_TABLE", 0) == 0);
}

TEST_CASE("with ACKs: every message but BEGIN/END asks for one and is named, sequence numbers run on", "[nft]") {
    auto plain = build_napt_ruleset(map_example(), 100, false);
    auto acked = build_napt_ruleset(map_example(), 100, true);
    REQUIRE(plain);
    REQUIRE(acked);
    const auto a = split(acked->bytes), p = split(plain->bytes);
    REQUIRE(a.size() == p.size());
    REQUIRE(acked->what.size() == a.size() - 2);
    CHECK(acked->what.front() == "add table ip s46d");
    CHECK(acked->what[1] == "delete table ip s46d");
    for (std::size_t i = 0; i < a.size(); ++i) {
        CHECK(a[i].seq == 100 + i);
        const bool inner = i > 0 && i + 1 < a.size();
        CHECK((a[i].flags & NLM_F_ACK) == (inner ? NLM_F_ACK : 0));
        auto x = a[i].bytes;
        reinterpret_cast<nlmsghdr*>(x.data())->nlmsg_flags &= static_cast<std::uint16_t>(~NLM_F_ACK);
        CHECK(x == p[i].bytes);
    }
    CHECK(acked->next_seq == 100 + a.size());
    bool names_forward = false;
    for (const auto& w : acked->what) names_forward |= w.find("dnat tcp 4304 to 192.168.1.10:22") != std::string::npos;
    CHECK(names_forward);
}

TEST_CASE("the 63-block MAP set: 252 slots fit in the batch, every element names its block", "[nft][rfc7597]") {
    auto set = map::PortSet::make(6, 8, 52);
    REQUIRE(set);
    NaptRuleset rs = map_example();
    rs.ranges = napt::dynamic_ranges(*set, std::vector<std::uint16_t>{4304});
    auto plan = napt::plan_slots(rs.ranges, {});
    REQUIRE(plan);
    rs.slots = plan->slots;
    auto b = build_napt_ruleset(rs, 1, true);
    REQUIRE(b);
    std::size_t elements = 0;
    for (const auto& m : split(b->bytes))
        if ((m.type & 0xff) == NFT_MSG_NEWSETELEM) {
            // Count the map's element nests (the anonymous protocol sets have 3 each).
            const auto* h = reinterpret_cast<const nlmsghdr*>(m.bytes.data());
            const nlattr* list = nullptr;
            bool slot_map = false;
            const auto* payload = static_cast<const char*>(mnl_nlmsg_get_payload_offset(h, sizeof(nfgenmsg)));
            int left = static_cast<int>(static_cast<const char*>(mnl_nlmsg_get_payload_tail(h)) - payload);
            for (auto* attr = reinterpret_cast<const nlattr*>(payload); mnl_attr_ok(attr, left); attr = mnl_attr_next(attr)) {
                left -= static_cast<int>(MNL_ALIGN(attr->nla_len));
                if (mnl_attr_get_type(attr) == NFTA_SET_ELEM_LIST_SET) slot_map = std::string(mnl_attr_get_str(attr)) == "slots";
                if (mnl_attr_get_type(attr) == NFTA_SET_ELEM_LIST_ELEMENTS) list = attr;
            }
            REQUIRE(list);
            if (!slot_map) continue;
            int inner = static_cast<int>(mnl_attr_get_payload_len(list));
            for (auto* e = static_cast<const nlattr*>(mnl_attr_get_payload(list)); mnl_attr_ok(e, inner); e = mnl_attr_next(e)) {
                inner -= static_cast<int>(MNL_ALIGN(e->nla_len));
                ++elements;
            }
        }
    CHECK(elements == rs.slots.size());
    CHECK(elements == 251);  // 252 ports, 4304 reserved
    // 4096 slots need several element messages, each below the netlink buffer size.
    auto big = map::PortSet::make(6, 2, 1);
    REQUIRE(big);
    rs.ranges = napt::dynamic_ranges(*big, {});
    rs.slots = napt::plan_slots(rs.ranges, {})->slots;
    REQUIRE(rs.slots.size() == 4096);
    b = build_napt_ruleset(rs, 1, true);
    REQUIRE(b);
    std::size_t setelem_msgs = 0;
    for (const auto& m : split(b->bytes)) {
        CHECK(m.bytes.size() <= 8192);
        setelem_msgs += (m.type & 0xff) == NFT_MSG_NEWSETELEM;
    }
    CHECK(setelem_msgs == 4096 / 128 + 3);
}

TEST_CASE("slot update (PSID 52 -> 53, same slot count) = nft's flush map + add element", "[nft][rfc7597]") {
    auto b = build_slot_update(net::Ipv4Address(192, 0, 2, 1), {{1236, 1239}, {2260, 2263}, {3284, 3287}}, {0, 1, 2}, 0, false);
    REQUIRE(b);
    require_same_batch(b->bytes, vector_file("slot_update.hex"));
}

TEST_CASE("slot replan (new slot count) = nft's flush map + add element + replace rule handle 9", "[nft][rfc7597]") {
    NaptRuleset rs = map_example();
    rs.ranges = {{1236, 1239}, {2260, 2263}};
    rs.slots = {0, 1};
    auto b = build_slot_replan(rs, 9, 0, false);
    REQUIRE(b);
    require_same_batch(b->bytes, vector_file("replan.hex"));
    rs.ranges.resize(1);
    CHECK_FALSE(build_slot_replan(rs, 9, 0));
}

TEST_CASE("slot update: flush then add, nothing else", "[nft]") {
    auto b = build_slot_update(net::Ipv4Address(192, 0, 2, 1), {{1232, 1235}, {2256, 2259}}, {0, 1, 0, 1}, 7, true);
    REQUIRE(b);
    const auto m = split(b->bytes);
    REQUIRE(m.size() == 4);
    CHECK((m[1].type & 0xff) == NFT_MSG_DELSETELEM);
    CHECK((m[2].type & 0xff) == NFT_MSG_NEWSETELEM);
    CHECK(b->what == std::vector<std::string>{"flush map ip s46d slots", "add element ip s46d slots (0..)"});
    CHECK_FALSE(build_slot_update(net::Ipv4Address(192, 0, 2, 1), {{1232, 1235}}, {0, 1}, 7, true));
}

TEST_CASE("invalid rulesets are refused, naming the field", "[nft]") {
    NaptRuleset rs = map_example();
    rs.tunnel = "a-very-long-ifname";
    auto b = build_napt_ruleset(rs, 0);
    REQUIRE_FALSE(b);
    CHECK(b.error().find("longer than 15") != std::string::npos);
    rs = map_example();
    rs.slots = {0, 3};
    b = build_napt_ruleset(rs, 0);
    REQUIRE_FALSE(b);
    CHECK(b.error().find("slot names range 3") != std::string::npos);
    rs = map_example();
    rs.ranges.clear();
    CHECK_FALSE(build_napt_ruleset(rs, 0));
    rs = map_example();
    rs.napt = false;
    b = build_napt_ruleset(rs, 0);
    REQUIRE_FALSE(b);
    CHECK(b.error().find("static forwards need NAPT") != std::string::npos);
}

TEST_CASE("softwire guard (table ip6 s46d): foreign IPv4-in-IPv6 dropped and counted = nft's batch", "[nft]") {
    SoftwireGuard g;
    g.local = *net::Ipv6Address::parse("2001:db8:1::2");
    g.remote = *net::Ipv6Address::parse("2001:db8:ffff::1");
    auto b = build_softwire_guard(g, 0, false);
    REQUIRE(b);
    require_same_batch(b->bytes, vector_file("guard.hex"));
    auto acked = build_softwire_guard(g, 10, true);
    REQUIRE(acked);
    CHECK(acked->what.front() == "add table ip6 s46d");
    CHECK(acked->what.back() == "add rule ip6 s46d input drop IPv4-in-IPv6 from other sources");
    CHECK_FALSE(build_softwire_guard(SoftwireGuard{}, 0, false));
    // The delete is the ip table's delete in the ip6 family.
    const auto del = split(build_delete_guard(0, false).bytes);
    REQUIRE(del.size() == 4);
    CHECK(reinterpret_cast<const nfgenmsg*>(del[1].bytes.data() + sizeof(nlmsghdr))->nfgen_family == NFPROTO_IPV6);
}
