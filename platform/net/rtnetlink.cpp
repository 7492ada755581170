#include "platform/net/rtnetlink.hpp"

#include <libmnl/libmnl.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <vector>

namespace s46::platform {

namespace {

// Every request asks for an acknowledgement (NLM_F_ACK), so transact() reports the kernel's
// answer, success or error, instead of assuming it.
nlmsghdr* put_request(std::vector<char>& buf, int type, int flags) {
    nlmsghdr* nlh = mnl_nlmsg_put_header(buf.data());
    nlh->nlmsg_type = static_cast<std::uint16_t>(type);
    nlh->nlmsg_flags = static_cast<std::uint16_t>(NLM_F_REQUEST | NLM_F_ACK | flags);
    return nlh;
}

}  // namespace

Rtnetlink::Rtnetlink() = default;

Rtnetlink::~Rtnetlink() {
    if (nl_) mnl_socket_close(nl_);
}

Result<void> Rtnetlink::open() {
    nl_ = mnl_socket_open(NETLINK_ROUTE);
    if (!nl_) return fail(std::string("rtnetlink: socket: ") + std::strerror(errno));
    if (mnl_socket_bind(nl_, 0, MNL_SOCKET_AUTOPID) < 0) return fail(std::string("rtnetlink: bind: ") + std::strerror(errno));
    portid_ = mnl_socket_get_portid(nl_);
    seq_ = static_cast<std::uint32_t>(std::time(nullptr));
    return ok();
}

Result<unsigned> Rtnetlink::ifindex(const std::string& ifname) const {
    unsigned i = if_nametoindex(ifname.c_str());
    if (i == 0) return fail("interface " + ifname + ": " + std::strerror(errno));
    return i;
}

Result<void> Rtnetlink::transact(void* buffer, const std::string& what) {
    auto* nlh = static_cast<nlmsghdr*>(buffer);
    nlh->nlmsg_seq = ++seq_;
    if (mnl_socket_sendto(nl_, nlh, nlh->nlmsg_len) < 0) return fail(what + ": send: " + std::strerror(errno));
    std::vector<char> reply(MNL_SOCKET_BUFFER_SIZE);
    ssize_t n = mnl_socket_recvfrom(nl_, reply.data(), reply.size());
    if (n < 0) return fail(what + ": receive: " + std::strerror(errno));
    // mnl_cb_run turns an NLMSG_ERROR with a non-zero code into -1 with errno set.
    if (mnl_cb_run(reply.data(), static_cast<std::size_t>(n), nlh->nlmsg_seq, portid_, nullptr, nullptr) < 0)
        return fail(what + ": " + std::strerror(errno));
    return ok();
}

Result<void> Rtnetlink::set_link(const std::string& ifname, bool up, std::optional<std::uint32_t> mtu) {
    auto idx = ifindex(ifname);
    if (!idx) return fail(idx.error());
    std::vector<char> buf(MNL_SOCKET_BUFFER_SIZE);
    nlmsghdr* nlh = put_request(buf, RTM_NEWLINK, 0);
    auto* ifi = static_cast<ifinfomsg*>(mnl_nlmsg_put_extra_header(nlh, sizeof(ifinfomsg)));
    ifi->ifi_family = AF_UNSPEC;
    ifi->ifi_index = static_cast<int>(*idx);
    ifi->ifi_change = IFF_UP;
    ifi->ifi_flags = up ? IFF_UP : 0;
    if (mtu) mnl_attr_put_u32(nlh, IFLA_MTU, *mtu);
    return transact(buf.data(), "set link " + ifname + (up ? " up" : " down") + (mtu ? " mtu " + std::to_string(*mtu) : ""));
}

Result<void> Rtnetlink::address(int type, int flags, const std::string& ifname, int family, const std::uint8_t* addr, std::size_t len,
                                unsigned prefixlen, bool nodad, const std::string& what) {
    auto idx = ifindex(ifname);
    if (!idx) return fail(idx.error());
    std::vector<char> buf(MNL_SOCKET_BUFFER_SIZE);
    nlmsghdr* nlh = put_request(buf, type, flags);
    auto* ifa = static_cast<ifaddrmsg*>(mnl_nlmsg_put_extra_header(nlh, sizeof(ifaddrmsg)));
    ifa->ifa_family = static_cast<std::uint8_t>(family);
    ifa->ifa_prefixlen = static_cast<std::uint8_t>(prefixlen);
    ifa->ifa_index = *idx;
    ifa->ifa_scope = RT_SCOPE_UNIVERSE;
    ifa->ifa_flags = nodad ? IFA_F_NODAD : 0;
    mnl_attr_put(nlh, IFA_LOCAL, len, addr);
    mnl_attr_put(nlh, IFA_ADDRESS, len, addr);
    if (nodad) mnl_attr_put_u32(nlh, IFA_FLAGS, IFA_F_NODAD);
    return transact(buf.data(), what);
}

Result<void> Rtnetlink::add_address(const std::string& ifname, const net::Ipv6Prefix& p, bool nodad) {
    // NLM_F_REPLACE: re-adding what is there (a restart) is not an error.
    return address(RTM_NEWADDR, NLM_F_CREATE | NLM_F_REPLACE, ifname, AF_INET6, p.address.bytes.data(), 16, p.length, nodad,
                   "add address " + p.to_string() + " on " + ifname);
}

Result<void> Rtnetlink::del_address(const std::string& ifname, const net::Ipv6Prefix& p) {
    return address(RTM_DELADDR, 0, ifname, AF_INET6, p.address.bytes.data(), 16, p.length, false,
                   "delete address " + p.to_string() + " on " + ifname);
}

Result<void> Rtnetlink::add_address(const std::string& ifname, const net::Ipv4Prefix& p) {
    std::uint8_t a[4] = {static_cast<std::uint8_t>(p.address.value >> 24), static_cast<std::uint8_t>(p.address.value >> 16),
                         static_cast<std::uint8_t>(p.address.value >> 8), static_cast<std::uint8_t>(p.address.value)};
    return address(RTM_NEWADDR, NLM_F_CREATE | NLM_F_REPLACE, ifname, AF_INET, a, 4, p.length, false,
                   "add address " + p.to_string() + " on " + ifname);
}

Result<void> Rtnetlink::del_address(const std::string& ifname, const net::Ipv4Prefix& p) {
    std::uint8_t a[4] = {static_cast<std::uint8_t>(p.address.value >> 24), static_cast<std::uint8_t>(p.address.value >> 16),
                         static_cast<std::uint8_t>(p.address.value >> 8), static_cast<std::uint8_t>(p.address.value)};
    return address(RTM_DELADDR, 0, ifname, AF_INET, a, 4, p.length, false, "delete address " + p.to_string() + " on " + ifname);
}

Result<void> Rtnetlink::route(int type, int flags, const std::string& ifname, const net::Ipv4Prefix& dst, std::uint32_t metric,
                              const std::string& what) {
    auto idx = ifindex(ifname);
    if (!idx) return fail(idx.error());
    std::vector<char> buf(MNL_SOCKET_BUFFER_SIZE);
    nlmsghdr* nlh = put_request(buf, type, flags);
    auto* rtm = static_cast<rtmsg*>(mnl_nlmsg_put_extra_header(nlh, sizeof(rtmsg)));
    rtm->rtm_family = AF_INET;
    rtm->rtm_dst_len = dst.length;
    rtm->rtm_table = RT_TABLE_MAIN;
    rtm->rtm_protocol = RTPROT_STATIC;
    rtm->rtm_scope = RT_SCOPE_LINK;
    rtm->rtm_type = RTN_UNICAST;
    std::uint32_t d = __builtin_bswap32(dst.address.value);
    if (dst.length > 0) mnl_attr_put_u32(nlh, RTA_DST, d);
    mnl_attr_put_u32(nlh, RTA_OIF, *idx);
    if (metric) mnl_attr_put_u32(nlh, RTA_PRIORITY, metric);
    return transact(buf.data(), what);
}

Result<void> Rtnetlink::add_route(const std::string& ifname, const net::Ipv4Prefix& dst, std::uint32_t metric) {
    return route(RTM_NEWROUTE, NLM_F_CREATE | NLM_F_REPLACE, ifname, dst, metric, "add route " + dst.to_string() + " dev " + ifname);
}

Result<void> Rtnetlink::del_route(const std::string& ifname, const net::Ipv4Prefix& dst, std::uint32_t metric) {
    return route(RTM_DELROUTE, 0, ifname, dst, metric, "delete route " + dst.to_string() + " dev " + ifname);
}

}  // namespace s46::platform
