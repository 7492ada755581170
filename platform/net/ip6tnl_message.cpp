#include "platform/net/ip6tnl_message.hpp"

#include <libmnl/libmnl.h>
#include <linux/if.h>
#include <linux/if_link.h>
#include <linux/if_tunnel.h>
#include <linux/ip6_tunnel.h>
#include <linux/rtnetlink.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cstring>

namespace s46::platform {

namespace {

// OpenWrt's patch appends IFLA_IPTUN_FMRS after IFLA_IPTUN_FWMARK (20 on Linux 6.1) and numbers
// the per-rule attributes from 1. Not in any mainline header, hence spelled out here.
constexpr std::uint16_t kIflaIptunFmrs = 21;
constexpr std::uint16_t kFmrIp6Prefix = 1;
constexpr std::uint16_t kFmrIp4Prefix = 2;
constexpr std::uint16_t kFmrIp6PrefixLen = 3;
constexpr std::uint16_t kFmrIp4PrefixLen = 4;
constexpr std::uint16_t kFmrEaLen = 5;
constexpr std::uint16_t kFmrOffset = 6;

// Attribute order and contents follow iproute2 6.1 (ip/iplink.c, ip/link_ip6tnl.c) exactly, so
// the unit tests compare whole messages byte for byte with what `ip link add … type ip6tnl`
// sends, with one difference: libmnl's nests carry NLA_F_NESTED, which iproute2 6.1 leaves out
// (the kernel's IFLA_LINKINFO parsing accepts both). The match includes the attributes iproute2
// always sends with their defaults (fwmark 0, no UDP encapsulation): on a change they reset the
// link to a known state, which is what we want.
void put_linkinfo(nlmsghdr* nlh, const Ip6tnlParams& p) {
    std::uint32_t flags = 0;
    // Encapsulation limit off by default. RFC 2473 §4.1.1 defines the Tunnel Encapsulation
    // Limit destination option to bound nested tunnelling; a softwire is never nested. With it,
    // every packet carries a Destination Options header, which operators' AFTRs and BRs (the
    // Japanese MAP-E / DS-Lite services among them) and many middleboxes drop; RFC 6333, 7596
    // and 7597 do not ask for it. The kernel's default (4) would add it, hence
    // IP6_TNL_F_IGN_ENCAP_LIMIT unless a limit is configured.
    if (!p.encap_limit) flags |= IP6_TNL_F_IGN_ENCAP_LIMIT;
    if (p.tclass_inherit) flags |= IP6_TNL_F_USE_ORIG_TCLASS;
    // As iproute2: the limit attribute is sent even when ignored (then with the kernel default).
    const std::uint8_t limit = p.encap_limit.value_or(IPV6_DEFAULT_TNL_ENCAP_LIMIT);

    nlattr* info = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
    mnl_attr_put_str(nlh, IFLA_INFO_KIND, "ip6tnl");  // no NUL, as iproute2
    nlattr* data = mnl_attr_nest_start(nlh, IFLA_INFO_DATA);
    mnl_attr_put_u8(nlh, IFLA_IPTUN_PROTO, IPPROTO_IPIP);  // ipip6: IPv4 payload only
    mnl_attr_put(nlh, IFLA_IPTUN_LOCAL, p.local.bytes.size(), p.local.bytes.data());
    mnl_attr_put(nlh, IFLA_IPTUN_REMOTE, p.remote.bytes.size(), p.remote.bytes.data());
    mnl_attr_put_u8(nlh, IFLA_IPTUN_TTL, p.hop_limit);
    mnl_attr_put_u8(nlh, IFLA_IPTUN_ENCAP_LIMIT, limit);
    mnl_attr_put_u32(nlh, IFLA_IPTUN_FLOWINFO, 0);  // no fixed flow label / traffic class
    mnl_attr_put_u32(nlh, IFLA_IPTUN_FLAGS, flags);
    mnl_attr_put_u32(nlh, IFLA_IPTUN_LINK, p.link_ifindex);
    mnl_attr_put_u32(nlh, IFLA_IPTUN_FWMARK, 0);
    mnl_attr_put_u16(nlh, IFLA_IPTUN_ENCAP_TYPE, TUNNEL_ENCAP_NONE);
    mnl_attr_put_u16(nlh, IFLA_IPTUN_ENCAP_FLAGS, TUNNEL_ENCAP_FLAG_CSUM6);  // iproute2's default; unused without encap
    mnl_attr_put_u16(nlh, IFLA_IPTUN_ENCAP_SPORT, 0);
    mnl_attr_put_u16(nlh, IFLA_IPTUN_ENCAP_DPORT, 0);
    if (!p.fmrs.empty()) {
        // One nest per rule, numbered from 1, as OpenWrt's netifd sends them; NLA_F_NESTED is
        // set on every nest (kernels since 5.2 check it on strict parsing).
        nlattr* fmrs = mnl_attr_nest_start(nlh, kIflaIptunFmrs);
        std::uint16_t index = 0;
        for (const auto& f : p.fmrs) {
            nlattr* rule = mnl_attr_nest_start(nlh, ++index);
            const std::uint32_t v4 = __builtin_bswap32(f.ipv4_prefix.address.value);
            mnl_attr_put(nlh, kFmrIp6Prefix, f.ipv6_prefix.address.bytes.size(), f.ipv6_prefix.address.bytes.data());
            mnl_attr_put(nlh, kFmrIp4Prefix, sizeof v4, &v4);
            mnl_attr_put_u8(nlh, kFmrIp6PrefixLen, static_cast<std::uint8_t>(f.ipv6_prefix.length));
            mnl_attr_put_u8(nlh, kFmrIp4PrefixLen, static_cast<std::uint8_t>(f.ipv4_prefix.length));
            mnl_attr_put_u8(nlh, kFmrEaLen, f.ea_len);
            mnl_attr_put_u8(nlh, kFmrOffset, f.psid_offset);
            mnl_attr_nest_end(nlh, rule);
        }
        mnl_attr_nest_end(nlh, fmrs);
    }
    mnl_attr_nest_end(nlh, data);
    mnl_attr_nest_end(nlh, info);
}

std::vector<std::uint8_t> finish(std::vector<std::uint8_t>& buf, const nlmsghdr* nlh) {
    buf.resize(nlh->nlmsg_len);
    return std::move(buf);
}

nlmsghdr* header(std::vector<std::uint8_t>& buf, std::uint16_t type, std::uint16_t flags, std::uint32_t seq, std::uint32_t ifindex) {
    nlmsghdr* nlh = mnl_nlmsg_put_header(buf.data());
    nlh->nlmsg_type = type;
    nlh->nlmsg_flags = static_cast<std::uint16_t>(NLM_F_REQUEST | NLM_F_ACK | flags);
    nlh->nlmsg_seq = seq;
    auto* ifi = static_cast<ifinfomsg*>(mnl_nlmsg_put_extra_header(nlh, sizeof(ifinfomsg)));
    ifi->ifi_family = AF_UNSPEC;
    ifi->ifi_index = static_cast<int>(ifindex);
    return nlh;
}

// IFLA_LINKINFO -> IFLA_INFO_DATA -> IFLA_IPTUN_FMRS, validating each nest on the way down.
struct FmrWalk {
    int depth = 0;  // 0: link attributes, 1: inside IFLA_LINKINFO, 2: inside IFLA_INFO_DATA
    bool found = false;
};

int walk_for_fmrs(const nlattr* attr, void* data) {
    auto* w = static_cast<FmrWalk*>(data);
    const auto type = mnl_attr_get_type(attr);
    if (w->depth == 2 && type == kIflaIptunFmrs) w->found = true;
    const bool descend = (w->depth == 0 && type == IFLA_LINKINFO) || (w->depth == 1 && type == IFLA_INFO_DATA);
    if (descend && mnl_attr_validate(attr, MNL_TYPE_NESTED) >= 0) {
        ++w->depth;
        mnl_attr_parse_nested(attr, walk_for_fmrs, data);
        --w->depth;
    }
    return MNL_CB_OK;
}

}  // namespace

Result<std::vector<std::uint8_t>> build_ip6tnl_create(const Ip6tnlParams& p, std::uint32_t seq) {
    if (p.name.empty() || p.name.size() >= IFNAMSIZ)
        return fail("ip6tnl: interface name '" + p.name + "' must have 1 to " + std::to_string(IFNAMSIZ - 1) + " characters");
    std::vector<std::uint8_t> buf(MNL_SOCKET_BUFFER_SIZE);
    nlmsghdr* nlh = header(buf, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, seq, 0);
    if (p.mtu) mnl_attr_put_u32(nlh, IFLA_MTU, *p.mtu);
    mnl_attr_put_strz(nlh, IFLA_IFNAME, p.name.c_str());
    put_linkinfo(nlh, p);
    return finish(buf, nlh);
}

Result<std::vector<std::uint8_t>> build_ip6tnl_change(std::uint32_t ifindex, const Ip6tnlParams& p, std::uint32_t seq) {
    if (ifindex == 0) return fail("ip6tnl: change of " + p.name + " needs its ifindex");
    std::vector<std::uint8_t> buf(MNL_SOCKET_BUFFER_SIZE);
    nlmsghdr* nlh = header(buf, RTM_NEWLINK, 0, seq, ifindex);
    if (p.mtu) mnl_attr_put_u32(nlh, IFLA_MTU, *p.mtu);
    put_linkinfo(nlh, p);
    return finish(buf, nlh);
}

std::vector<std::uint8_t> build_ip6tnl_delete(std::uint32_t ifindex, std::uint32_t seq) {
    std::vector<std::uint8_t> buf(MNL_SOCKET_BUFFER_SIZE);
    nlmsghdr* nlh = header(buf, RTM_DELLINK, 0, seq, ifindex);
    return finish(buf, nlh);
}

std::vector<std::uint8_t> build_link_set_up(std::uint32_t ifindex, bool up, std::uint32_t seq) {
    std::vector<std::uint8_t> buf(MNL_SOCKET_BUFFER_SIZE);
    nlmsghdr* nlh = header(buf, RTM_NEWLINK, 0, seq, ifindex);
    auto* ifi = static_cast<ifinfomsg*>(mnl_nlmsg_get_payload(nlh));
    ifi->ifi_change = IFF_UP;  // only the UP flag changes
    ifi->ifi_flags = up ? IFF_UP : 0;
    return finish(buf, nlh);
}

bool ip6tnl_reports_fmrs(const std::uint8_t* message, std::size_t length) {
    if (length < NLMSG_LENGTH(sizeof(ifinfomsg))) return false;
    nlmsghdr head;
    std::memcpy(&head, message, sizeof head);
    if (head.nlmsg_len > length || head.nlmsg_len < NLMSG_LENGTH(sizeof(ifinfomsg)) || head.nlmsg_type != RTM_NEWLINK) return false;
    // libmnl walks attributes up to the aligned end of the message: parse an aligned,
    // zero-padded copy so an unaligned last attribute cannot reach past the caller's buffer.
    std::vector<std::uint8_t> padded(MNL_ALIGN(head.nlmsg_len), 0);
    std::memcpy(padded.data(), message, head.nlmsg_len);
    const auto* nlh = reinterpret_cast<const nlmsghdr*>(padded.data());
    FmrWalk walk;
    mnl_attr_parse(nlh, sizeof(ifinfomsg), walk_for_fmrs, &walk);
    return walk.found;
}

}  // namespace s46::platform
