// The ctnetlink builders and parser (platform/nft/conntrack_message.cpp) against conntrack-tools.
//
// Reference: conntrack-tools 1.4.7 on Debian 12, in a throwaway network namespace:
//
//   ip netns add s46ct$$
//   ip netns exec s46ct$$ conntrack -I -p udp -s 198.18.1.2 -d 192.0.2.254 --sport 40000 --dport 5353
//       -r 192.0.2.254 -q 192.0.2.1 --reply-port-src 5353 --reply-port-dst 1233 --timeout 100   (one line)
//   ip netns exec s46ct$$ strace -f -e trace=sendto -e write=3,4 -s 4096 conntrack -D -p udp --orig-src 198.18.1.2
//   ip netns del s46ct$$
//
// conntrack -D dumps the table (kConntrackDump, fd 3) and deletes each match with a message
// carrying both tuples and more (kConntrackDelete, fd 4). That entry is a SNAT binding as the
// kernel NAPT makes them: 198.18.1.2:40000 -> 192.0.2.254:5353, replies to 192.0.2.1:1233.
#include <catch2/catch.hpp>

#include <libmnl/libmnl.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_conntrack.h>
#include <netinet/in.h>

#include <cstring>
#include <string>
#include <vector>

#include "platform/nft/conntrack_message.hpp"

using namespace s46;
using namespace s46::platform::nft;

namespace {

std::vector<std::uint8_t> from_hex(const std::string& hex) {
    std::vector<std::uint8_t> out;
    for (std::size_t i = 0; i + 1 < hex.size(); i += 2) out.push_back(static_cast<std::uint8_t>(std::stoul(hex.substr(i, 2), nullptr, 16)));
    return out;
}

constexpr std::uint32_t kDumpSeq = 0x6b1661ce;
const auto kConntrackDump = from_hex("1400000001010103ce61166b0000000002000000");
const auto kConntrackDelete = from_hex(
    "b000000002010500ce61166b0000000002000000340001801400018008000100c612010208000200c00002fe1c0002800500010011000000"
    "060002009c4000000600030014e90000340002801400018008000100c00002fe08000200c00002011c00028005000100110000000600020014"
    "e900000600030004d100000800030000000008080007000000006308000800000000001c00188008000100000000000800020000000000080003"
    "0000000000");

// The bytes of the first attribute of type `type` after the nfgenmsg header.
std::vector<std::uint8_t> attribute(const std::vector<std::uint8_t>& msg, std::uint16_t type) {
    std::size_t off = NLMSG_HDRLEN + sizeof(nfgenmsg);
    while (off + 4 <= msg.size()) {
        std::uint16_t len, t;
        std::memcpy(&len, &msg[off], 2);
        std::memcpy(&t, &msg[off + 2], 2);
        if ((t & NLA_TYPE_MASK) == type) return {msg.begin() + off, msg.begin() + off + len};
        off += MNL_ALIGN(len);
    }
    return {};
}

}  // namespace

TEST_CASE("dump request = conntrack-tools' IPv4 dump", "[nft][conntrack]") {
    CHECK(build_ct_dump(kDumpSeq) == kConntrackDump);
}

TEST_CASE("parse: a SNAT entry's tuples and its binding", "[nft][conntrack]") {
    auto msg = kConntrackDelete;  // the same attributes as a dump's IPCTNL_MSG_CT_NEW
    msg[4] = IPCTNL_MSG_CT_NEW;
    auto e = parse_ct(msg);
    REQUIRE(e);
    CHECK(e->orig.src == net::Ipv4Address(198, 18, 1, 2));
    CHECK(e->orig.dst == net::Ipv4Address(192, 0, 2, 254));
    CHECK(e->orig.proto == IPPROTO_UDP);
    CHECK(e->orig.src_port == 40000);
    CHECK(e->orig.dst_port == 5353);
    CHECK(e->status == 8);  // IPS_CONFIRMED (conntrack -I makes no reply-seen entry)
    const auto f = e->nat_flow();
    CHECK(f.proto == IPPROTO_UDP);
    CHECK(f.remote == net::Ipv4Address(192, 0, 2, 254));
    CHECK(f.remote_port == 5353);
    CHECK(f.nat_address == net::Ipv4Address(192, 0, 2, 1));
    CHECK(f.nat_port == 1233);
    // Not an entry, or no tuples: refused.
    CHECK_FALSE(parse_ct(kConntrackDump));
    auto cut = msg;
    cut.resize(NLMSG_HDRLEN + sizeof(nfgenmsg));
    reinterpret_cast<nlmsghdr*>(cut.data())->nlmsg_len = static_cast<std::uint32_t>(cut.size());
    CHECK_FALSE(parse_ct(cut));
    CHECK_FALSE(parse_ct(std::vector<std::uint8_t>(8, 0)));
}

TEST_CASE("delete: the original tuple as conntrack-tools writes it, with an ACK", "[nft][conntrack]") {
    auto e = [] {
        auto msg = kConntrackDelete;
        msg[4] = IPCTNL_MSG_CT_NEW;
        return *parse_ct(msg);
    }();
    const auto ours = build_ct_delete(e.orig, kDumpSeq);
    const auto* h = reinterpret_cast<const nlmsghdr*>(ours.data());
    CHECK(h->nlmsg_type == ((NFNL_SUBSYS_CTNETLINK << 8) | IPCTNL_MSG_CT_DELETE));
    CHECK(h->nlmsg_flags == (NLM_F_REQUEST | NLM_F_ACK));
    CHECK(h->nlmsg_len == ours.size());
    // Header and nfgenmsg as conntrack's; the tuple byte for byte (conntrack also sends the
    // reply tuple, status, timeout, mark and zone, which a delete does not need).
    CHECK(std::vector<std::uint8_t>(ours.begin() + 4, ours.begin() + 20) == std::vector<std::uint8_t>(kConntrackDelete.begin() + 4, kConntrackDelete.begin() + 20));
    const auto tuple = attribute(ours, CTA_TUPLE_ORIG);
    REQUIRE(!tuple.empty());
    CHECK(tuple == attribute(kConntrackDelete, CTA_TUPLE_ORIG));
    CHECK(ours.size() == NLMSG_HDRLEN + sizeof(nfgenmsg) + tuple.size());
    // ICMP: identifier, type and code instead of ports.
    CtTuple icmp{net::Ipv4Address(198, 18, 1, 2), net::Ipv4Address(192, 0, 2, 254), IPPROTO_ICMP, 0, 0, 100, 8, 0};
    auto m = build_ct_delete(icmp, 1);
    m[4] = IPCTNL_MSG_CT_NEW;
    // Add a reply tuple so the parser accepts it, then read the original one back.
    auto reply = attribute(m, CTA_TUPLE_ORIG);
    reply[2] = CTA_TUPLE_REPLY;
    m.insert(m.end(), reply.begin(), reply.end());
    reinterpret_cast<nlmsghdr*>(m.data())->nlmsg_len = static_cast<std::uint32_t>(m.size());
    auto back = parse_ct(m);
    REQUIRE(back);
    CHECK(back->orig.icmp_id == 100);
    CHECK(back->orig.icmp_type == 8);
    CHECK(back->nat_flow().nat_port == 100);
}
