// ctnetlink messages (NETLINK_NETFILTER, subsystem NFNL_SUBSYS_CTNETLINK) for the kernel
// NAPT44: a dump request for the IPv4 table, the parse of one entry into its tuples, and the
// delete of one entry by its original tuple. Pure; platform/nft/nft_napt.cpp sends them over
// NetlinkSession.
//
// Raw nfnetlink through libmnl rather than libnetfilter-conntrack: the messages are three small
// fixed shapes, NetlinkSession already owns the socket, ACK accounting and deadlines (a second
// library would bring its own socket layer, nfct_open/nfct_query, around the same netlink
// socket), and the builders stay byte-testable like the others.
#pragma once

#include <cstdint>
#include <vector>

#include "core/napt/conntrack_view.hpp"
#include "core/result.hpp"

namespace s46::platform::nft {

struct CtTuple {
    net::Ipv4Address src, dst;
    std::uint8_t proto = 0;
    std::uint16_t src_port = 0, dst_port = 0;     // TCP / UDP
    std::uint16_t icmp_id = 0;                    // ICMP
    std::uint8_t icmp_type = 0, icmp_code = 0;
};

struct CtEntry {
    CtTuple orig, reply;
    std::uint32_t status = 0;  // IPS_* bits
    // The reply direction as core/napt sees a binding: remote -> (NAT address, NAT port).
    napt::NatFlow nat_flow() const;
};

// IPCTNL_MSG_CT_GET with NLM_F_DUMP for family AF_INET.
std::vector<std::uint8_t> build_ct_dump(std::uint32_t seq);
// One IPCTNL_MSG_CT_NEW message of a dump; fails on a message that is not one or lacks a tuple.
Result<CtEntry> parse_ct(const std::vector<std::uint8_t>& message);
// IPCTNL_MSG_CT_DELETE, NLM_F_ACK, by the original tuple.
std::vector<std::uint8_t> build_ct_delete(const CtTuple& orig, std::uint32_t seq);

}  // namespace s46::platform::nft
