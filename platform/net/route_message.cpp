#include "platform/net/route_message.hpp"

#include <libmnl/libmnl.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>

#include <array>
#include <string>

namespace s46::platform {

// Header fields, attribute order and contents follow iproute2 6.1 (ip/ipaddress.c ipaddr_modify(),
// ip/iproute.c iproute_modify()) exactly, so the unit tests compare whole messages byte for byte
// with what `ip addr add|del` and `ip route add|del` send. No nests appear in these messages,
// so the NLA_F_NESTED difference of ip6tnl_message.cpp does not arise.

namespace {

std::vector<std::uint8_t> finish(std::vector<std::uint8_t>& buf, const nlmsghdr* nlh) {
    buf.resize(nlh->nlmsg_len);
    return std::move(buf);
}

nlmsghdr* header(std::vector<std::uint8_t>& buf, std::uint16_t type, std::uint16_t flags, std::uint32_t seq) {
    nlmsghdr* nlh = mnl_nlmsg_put_header(buf.data());
    nlh->nlmsg_type = type;
    nlh->nlmsg_flags = static_cast<std::uint16_t>(NLM_F_REQUEST | NLM_F_ACK | flags);
    nlh->nlmsg_seq = seq;
    return nlh;
}

ifaddrmsg* addr_header(nlmsghdr* nlh, std::uint8_t family, std::uint8_t prefix_length, std::uint8_t flags, std::uint32_t ifindex) {
    auto* ifa = static_cast<ifaddrmsg*>(mnl_nlmsg_put_extra_header(nlh, sizeof(ifaddrmsg)));
    ifa->ifa_family = family;
    ifa->ifa_prefixlen = prefix_length;
    // IFA_F_NODAD fits the 8-bit ifa_flags, so, as iproute2, no IFA_FLAGS attribute is sent.
    ifa->ifa_flags = flags;
    ifa->ifa_scope = RT_SCOPE_UNIVERSE;
    ifa->ifa_index = ifindex;
    return ifa;
}

// iproute2 puts IFA_LOCAL, then IFA_ADDRESS (the same address: no peer).
Result<std::vector<std::uint8_t>> addr6(std::uint16_t type, std::uint16_t flags, std::uint8_t ifa_flags, std::uint32_t ifindex,
                                        const net::Ipv6Address& a, std::uint32_t seq) {
    if (ifindex == 0) return fail("address " + a.to_string() + ": no interface index");
    std::vector<std::uint8_t> buf(MNL_SOCKET_BUFFER_SIZE);
    nlmsghdr* nlh = header(buf, type, flags, seq);
    addr_header(nlh, AF_INET6, 128, ifa_flags, ifindex);
    mnl_attr_put(nlh, IFA_LOCAL, a.bytes.size(), a.bytes.data());
    mnl_attr_put(nlh, IFA_ADDRESS, a.bytes.size(), a.bytes.data());
    return finish(buf, nlh);
}

Result<std::vector<std::uint8_t>> route4(std::uint16_t type, const Route4& r, std::uint32_t seq) {
    const std::string what = "IPv4 route " + r.destination.to_string();
    if (r.oif == 0) return fail(what + ": no output interface index");
    if (r.table == RT_TABLE_UNSPEC) return fail(what + ": table 0 is not a table");
    const bool add = type == RTM_NEWROUTE;
    std::vector<std::uint8_t> buf(MNL_SOCKET_BUFFER_SIZE);
    // NLM_F_CREATE|NLM_F_EXCL, as `ip route add`: an existing default route with the same key
    // (table, metric, TOS) is never silently replaced; the kernel refuses with EEXIST and the
    // caller decides. `ip route replace` differs: it sends NLM_F_CREATE|NLM_F_REPLACE and
    // overwrites whatever is there, which s46d must not do to a route it does not own.
    nlmsghdr* nlh = header(buf, type, add ? NLM_F_CREATE | NLM_F_EXCL : 0, seq);
    auto* rtm = static_cast<rtmsg*>(mnl_nlmsg_put_extra_header(nlh, sizeof(rtmsg)));
    rtm->rtm_family = AF_INET;
    rtm->rtm_dst_len = r.destination.length;
    rtm->rtm_src_len = 0;
    rtm->rtm_tos = 0;
    // As iproute2: a table below 256 goes in rtm_table alone; a larger one as RTA_TABLE with
    // rtm_table = RT_TABLE_UNSPEC.
    rtm->rtm_table = static_cast<std::uint8_t>(r.table < 256 ? r.table : std::uint32_t{RT_TABLE_UNSPEC});
    if (add) {
        rtm->rtm_protocol = RTPROT_BOOT;  // iproute2's default protocol for `ip route add`
        rtm->rtm_scope = RT_SCOPE_LINK;   // no gateway: the destination is on the link
        rtm->rtm_type = RTN_UNICAST;
    } else {
        // iproute2's delete leaves these as wildcards: any protocol, any scope, any type.
        rtm->rtm_protocol = RTPROT_UNSPEC;
        rtm->rtm_scope = RT_SCOPE_NOWHERE;
        rtm->rtm_type = RTN_UNSPEC;
    }
    rtm->rtm_flags = 0;
    // iproute2 adds attributes in the order of its arguments: the prefix comes first.
    if (r.destination.length > 0) mnl_attr_put_u32(nlh, RTA_DST, __builtin_bswap32(r.destination.address.value));
    if (r.table >= 256) mnl_attr_put_u32(nlh, RTA_TABLE, r.table);
    mnl_attr_put_u32(nlh, RTA_PRIORITY, r.metric);
    mnl_attr_put_u32(nlh, RTA_OIF, r.oif);
    return finish(buf, nlh);
}

}  // namespace

Result<std::vector<std::uint8_t>> build_addr6_add_nodad(std::uint32_t ifindex, const net::Ipv6Address& address, std::uint32_t seq) {
    return addr6(RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL, IFA_F_NODAD, ifindex, address, seq);
}

Result<std::vector<std::uint8_t>> build_addr6_del(std::uint32_t ifindex, const net::Ipv6Address& address, std::uint32_t seq) {
    // iproute2's `ip -6 addr del` sends ifa_flags 0: the kernel matches on address and prefix.
    return addr6(RTM_DELADDR, 0, 0, ifindex, address, seq);
}

Result<std::vector<std::uint8_t>> build_addr4_add(std::uint32_t ifindex, net::Ipv4Address address, std::uint8_t prefix_length,
                                                  std::uint32_t seq) {
    if (ifindex == 0) return fail("address " + address.to_string() + ": no interface index");
    if (prefix_length > 32) return fail("address " + address.to_string() + ": prefix length " + std::to_string(prefix_length) + " > 32");
    std::vector<std::uint8_t> buf(MNL_SOCKET_BUFFER_SIZE);
    nlmsghdr* nlh = header(buf, RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL, seq);
    addr_header(nlh, AF_INET, prefix_length, 0, ifindex);
    const std::array<std::uint8_t, 4> b = {static_cast<std::uint8_t>(address.value >> 24), static_cast<std::uint8_t>(address.value >> 16),
                                           static_cast<std::uint8_t>(address.value >> 8), static_cast<std::uint8_t>(address.value)};
    mnl_attr_put(nlh, IFA_LOCAL, b.size(), b.data());
    mnl_attr_put(nlh, IFA_ADDRESS, b.size(), b.data());
    // iproute2 adds IFA_BROADCAST only when asked (`brd +`); `ip addr add 192.0.0.2/29` sends none.
    return finish(buf, nlh);
}

Result<std::vector<std::uint8_t>> build_addr4_del(std::uint32_t ifindex, net::Ipv4Address address, std::uint8_t prefix_length,
                                                  std::uint32_t seq) {
    auto msg = build_addr4_add(ifindex, address, prefix_length, seq);
    if (!msg) return msg;
    // The same message as the add with the type and flags of `ip addr del`.
    auto* nlh = reinterpret_cast<nlmsghdr*>(msg->data());
    nlh->nlmsg_type = RTM_DELADDR;
    nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
    return msg;
}

Result<std::vector<std::uint8_t>> build_route4_add(const Route4& r, std::uint32_t seq) { return route4(RTM_NEWROUTE, r, seq); }

Result<std::vector<std::uint8_t>> build_route4_del(const Route4& r, std::uint32_t seq) { return route4(RTM_DELROUTE, r, seq); }

}  // namespace s46::platform
