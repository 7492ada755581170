#include "platform/nft/conntrack_message.hpp"

#include <arpa/inet.h>
#include <libmnl/libmnl.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_conntrack.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <array>
#include <cstring>

namespace s46::platform::nft {

namespace {

constexpr std::size_t kBuffer = 512;

nlmsghdr* header(std::vector<std::uint8_t>& buf, std::uint16_t type, std::uint16_t flags, std::uint32_t seq) {
    nlmsghdr* nlh = mnl_nlmsg_put_header(buf.data());
    nlh->nlmsg_type = static_cast<std::uint16_t>((NFNL_SUBSYS_CTNETLINK << 8) | type);
    nlh->nlmsg_flags = static_cast<std::uint16_t>(NLM_F_REQUEST | flags);
    nlh->nlmsg_seq = seq;
    auto* nfg = static_cast<nfgenmsg*>(mnl_nlmsg_put_extra_header(nlh, sizeof(nfgenmsg)));
    nfg->nfgen_family = AF_INET;
    nfg->version = NFNETLINK_V0;
    nfg->res_id = 0;
    return nlh;
}

std::vector<std::uint8_t> finish(std::vector<std::uint8_t>& buf, const nlmsghdr* nlh) {
    buf.resize(nlh->nlmsg_len);
    return std::move(buf);
}

// Walks the attributes of a nest, calling f(type, attr) for each valid one.
template <class F>
void each(const nlattr* nest, F&& f) {
    int left = static_cast<int>(mnl_attr_get_payload_len(nest));
    for (auto* a = static_cast<const nlattr*>(mnl_attr_get_payload(nest)); mnl_attr_ok(a, left); a = mnl_attr_next(a)) {
        left -= static_cast<int>(MNL_ALIGN(a->nla_len));
        f(mnl_attr_get_type(a), a);
    }
}

std::uint16_t be16(const nlattr* a) { return ntohs(mnl_attr_get_u16(a)); }

bool parse_tuple(const nlattr* nest, CtTuple& t) {
    bool ip = false, proto = false;
    each(nest, [&](std::uint16_t type, const nlattr* a) {
        if (type == CTA_TUPLE_IP) {
            each(a, [&](std::uint16_t k, const nlattr* v) {
                if (mnl_attr_get_payload_len(v) != 4) return;
                if (k == CTA_IP_V4_SRC) t.src = net::Ipv4Address(ntohl(mnl_attr_get_u32(v)));
                if (k == CTA_IP_V4_DST) t.dst = net::Ipv4Address(ntohl(mnl_attr_get_u32(v)));
                ip = true;
            });
        } else if (type == CTA_TUPLE_PROTO) {
            each(a, [&](std::uint16_t k, const nlattr* v) {
                // The kernel's sizes (nf_conntrack_netlink's policy); anything else is ignored.
                const auto len = mnl_attr_get_payload_len(v);
                const bool u8 = k == CTA_PROTO_NUM || k == CTA_PROTO_ICMP_TYPE || k == CTA_PROTO_ICMP_CODE;
                if (len != (u8 ? 1u : 2u)) return;
                switch (k) {
                    case CTA_PROTO_NUM: t.proto = mnl_attr_get_u8(v); proto = true; break;
                    case CTA_PROTO_SRC_PORT: t.src_port = be16(v); break;
                    case CTA_PROTO_DST_PORT: t.dst_port = be16(v); break;
                    case CTA_PROTO_ICMP_ID: t.icmp_id = be16(v); break;
                    case CTA_PROTO_ICMP_TYPE: t.icmp_type = mnl_attr_get_u8(v); break;
                    case CTA_PROTO_ICMP_CODE: t.icmp_code = mnl_attr_get_u8(v); break;
                    default: break;
                }
            });
        }
    });
    // Only what the protocol has: ICMP has an identifier, type and code, others have ports.
    // (A tuple then means one thing, and the delete built from it names exactly that.)
    if (t.proto == IPPROTO_ICMP) {
        t.src_port = t.dst_port = 0;
    } else {
        t.icmp_id = 0;
        t.icmp_type = t.icmp_code = 0;
    }
    return ip && proto;
}

}  // namespace

napt::NatFlow CtEntry::nat_flow() const {
    napt::NatFlow f;
    f.proto = reply.proto;
    f.remote = reply.src;
    f.nat_address = reply.dst;
    if (reply.proto == IPPROTO_ICMP) {
        f.remote_port = reply.icmp_id;
        f.nat_port = reply.icmp_id;
    } else {
        f.remote_port = reply.src_port;
        f.nat_port = reply.dst_port;
    }
    return f;
}

std::vector<std::uint8_t> build_ct_dump(std::uint32_t seq) {
    std::vector<std::uint8_t> buf(kBuffer);
    nlmsghdr* nlh = header(buf, IPCTNL_MSG_CT_GET, NLM_F_DUMP, seq);
    return finish(buf, nlh);
}

Result<CtEntry> parse_ct(const std::vector<std::uint8_t>& message) {
    if (message.size() < NLMSG_HDRLEN + sizeof(nfgenmsg)) return fail("conntrack: truncated message");
    std::uint32_t length;
    std::memcpy(&length, message.data(), sizeof length);
    if (length > message.size()) return fail("conntrack: message longer than its buffer");
    if (length < NLMSG_HDRLEN + sizeof(nfgenmsg)) return fail("conntrack: truncated message");
    // libmnl walks attributes up to the aligned end of the message: parse a zero-padded copy
    // so an unaligned last attribute cannot reach past the caller's buffer.
    std::vector<std::uint8_t> padded(MNL_ALIGN(length), 0);
    std::memcpy(padded.data(), message.data(), length);
    const auto* nlh = reinterpret_cast<const nlmsghdr*>(padded.data());
    if ((nlh->nlmsg_type >> 8) != NFNL_SUBSYS_CTNETLINK || (nlh->nlmsg_type & 0xff) != IPCTNL_MSG_CT_NEW)
        return fail("conntrack: not a conntrack entry (type " + std::to_string(nlh->nlmsg_type) + ")");
    CtEntry e;
    bool orig = false, reply = false;
    const auto* payload = static_cast<const char*>(mnl_nlmsg_get_payload_offset(nlh, sizeof(nfgenmsg)));
    int left = static_cast<int>(static_cast<const char*>(mnl_nlmsg_get_payload_tail(nlh)) - payload);
    for (auto* a = reinterpret_cast<const nlattr*>(payload); mnl_attr_ok(a, left); a = mnl_attr_next(a)) {
        left -= static_cast<int>(MNL_ALIGN(a->nla_len));
        switch (mnl_attr_get_type(a)) {
            case CTA_TUPLE_ORIG: orig = parse_tuple(a, e.orig); break;
            case CTA_TUPLE_REPLY: reply = parse_tuple(a, e.reply); break;
            case CTA_STATUS:
                if (mnl_attr_get_payload_len(a) == 4) e.status = ntohl(mnl_attr_get_u32(a));
                break;
            default: break;
        }
    }
    if (!orig || !reply) return fail("conntrack: entry without its original and reply tuples");
    return e;
}

std::vector<std::uint8_t> build_ct_delete(const CtTuple& t, std::uint32_t seq) {
    std::vector<std::uint8_t> buf(kBuffer);
    nlmsghdr* nlh = header(buf, IPCTNL_MSG_CT_DELETE, NLM_F_ACK, seq);
    nlattr* tuple = mnl_attr_nest_start(nlh, CTA_TUPLE_ORIG);
    nlattr* ip = mnl_attr_nest_start(nlh, CTA_TUPLE_IP);
    mnl_attr_put_u32(nlh, CTA_IP_V4_SRC, htonl(t.src.value));
    mnl_attr_put_u32(nlh, CTA_IP_V4_DST, htonl(t.dst.value));
    mnl_attr_nest_end(nlh, ip);
    nlattr* proto = mnl_attr_nest_start(nlh, CTA_TUPLE_PROTO);
    mnl_attr_put_u8(nlh, CTA_PROTO_NUM, t.proto);
    if (t.proto == IPPROTO_ICMP) {
        mnl_attr_put_u16(nlh, CTA_PROTO_ICMP_ID, htons(t.icmp_id));
        mnl_attr_put_u8(nlh, CTA_PROTO_ICMP_TYPE, t.icmp_type);
        mnl_attr_put_u8(nlh, CTA_PROTO_ICMP_CODE, t.icmp_code);
    } else {
        mnl_attr_put_u16(nlh, CTA_PROTO_SRC_PORT, htons(t.src_port));
        mnl_attr_put_u16(nlh, CTA_PROTO_DST_PORT, htons(t.dst_port));
    }
    mnl_attr_nest_end(nlh, proto);
    mnl_attr_nest_end(nlh, tuple);
    return finish(buf, nlh);
}

}  // namespace s46::platform::nft
