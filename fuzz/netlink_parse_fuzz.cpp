// Fuzz target: what s46d reads back from the kernel over netlink (the kernel is trusted, but a
// parser must not be the weak point if it ever is not, or if a future kernel changes layout):
//  * platform/nft/conntrack_message.hpp parse_ct(): a conntrack entry;
//  * platform/net/ip6tnl_message.hpp ip6tnl_reports_fmrs(): FMR support from RTM_NEWLINK;
//  * platform/net/netlink_session.hpp netlink_error_text(): an NLMSG_ERROR and its extended ack.
//
// Invariants:
//  * parse_ct: an accepted entry's original tuple survives build_ct_delete() and a parse of
//    that message turned into an entry (the delete s46d sends names exactly what it read);
//  * ip6tnl_reports_fmrs is false for anything shorter than a link message header and gives
//    the same answer for the same bytes;
//  * netlink_error_text always returns a non-empty text.
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_conntrack.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include <cstdint>
#include <cstring>
#include <vector>

#include "fuzz/fuzz_check.hpp"
#include "platform/net/ip6tnl_message.hpp"
#include "platform/net/netlink_session.hpp"
#include "platform/nft/conntrack_message.hpp"

using namespace s46::platform;

namespace {

bool same_tuple(const nft::CtTuple& a, const nft::CtTuple& b) {
    return a.src == b.src && a.dst == b.dst && a.proto == b.proto && a.src_port == b.src_port && a.dst_port == b.dst_port &&
           a.icmp_id == b.icmp_id && a.icmp_type == b.icmp_type && a.icmp_code == b.icmp_code;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::vector<std::uint8_t> msg(data, data + size);

    if (auto e = nft::parse_ct(msg)) {
        auto del = nft::build_ct_delete(e->orig, 1);
        // The delete carries the original tuple only; add a reply tuple (a copy) and make it an
        // entry again, as a dump would send it.
        const std::size_t tuple_at = NLMSG_HDRLEN + sizeof(nfgenmsg);
        S46_FUZZ_CHECK(del.size() > tuple_at + 4);
        std::vector<std::uint8_t> reply(del.begin() + static_cast<std::ptrdiff_t>(tuple_at), del.end());
        std::uint16_t type;
        std::memcpy(&type, &reply[2], 2);
        type = static_cast<std::uint16_t>((type & ~NLA_TYPE_MASK) | CTA_TUPLE_REPLY);
        std::memcpy(&reply[2], &type, 2);
        del.insert(del.end(), reply.begin(), reply.end());
        reinterpret_cast<nlmsghdr*>(del.data())->nlmsg_type = (NFNL_SUBSYS_CTNETLINK << 8) | IPCTNL_MSG_CT_NEW;
        reinterpret_cast<nlmsghdr*>(del.data())->nlmsg_len = static_cast<std::uint32_t>(del.size());
        auto back = nft::parse_ct(del);
        S46_FUZZ_CHECK(back.ok());
        S46_FUZZ_CHECK(same_tuple(back->orig, e->orig));
    }

    const bool fmrs = ip6tnl_reports_fmrs(data, size);
    S46_FUZZ_CHECK(fmrs == ip6tnl_reports_fmrs(data, size));
    if (size < NLMSG_LENGTH(sizeof(ifinfomsg))) S46_FUZZ_CHECK(!fmrs);

    S46_FUZZ_CHECK(!netlink_error_text(data, size).empty());
    return 0;
}
