#include "platform/nft/nft_napt.hpp"

#include <netinet/in.h>

#include <libmnl/libmnl.h>
#include <libnftnl/object.h>
#include <libnftnl/rule.h>
#include <linux/netfilter.h>
#include <linux/netlink.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>

#include <cerrno>
#include <cstring>

#include "core/napt/conntrack_view.hpp"

namespace s46::platform::nft {

template <class Build>
Result<void> NftNapt::send(Build&& build) {
    const std::uint32_t first = nl_.next_seq();
    Result<NftBatch> batch = build(first);
    if (!batch) return fail(batch.error());
    // The batch used first .. next_seq - 1: advance the session past them.
    for (std::uint32_t used = first; used + 1 < batch->next_seq;) used = nl_.next_seq();
    return nl_.transact(batch->bytes, batch->what);
}

Result<void> NftNapt::probe() {
    std::string missing;
    for (NftFeature f : {NftFeature::nat, NftFeature::numgen, NftFeature::mss_clamp}) {
        auto r = send([&](std::uint32_t seq) -> Result<NftBatch> { return build_feature_probe(f, seq); });
        if (!r) missing += (missing.empty() ? "" : "; ") + to_string(f) + ": " + r.error();
    }
    if (auto ct = conntrack(); !ct) missing += (missing.empty() ? "" : "; ") + std::string("conntrack netlink: ") + ct.error();
    if (!missing.empty()) return fail("kernel NAPT44 unavailable: " + missing);
    return ok();
}

Result<void> NftNapt::probe_flowtable() {
    auto r = send([&](std::uint32_t seq) -> Result<NftBatch> { return build_feature_probe(NftFeature::flowtable, seq); });
    if (!r) return fail(to_string(NftFeature::flowtable) + " (the kernel: " + r.error() + ")");
    return ok();
}

Result<void> NftNapt::apply(const NaptRuleset& rs) {
    return send([&](std::uint32_t seq) { return build_napt_ruleset(rs, seq); });
}

Result<void> NftNapt::update_slots(net::Ipv4Address nat_address, const std::vector<map::PortRange>& ranges,
                                   const std::vector<std::uint32_t>& slots) {
    return send([&](std::uint32_t seq) { return build_slot_update(nat_address, ranges, slots, seq); });
}

Result<void> NftNapt::replan(const NaptRuleset& rs) {
    // The snat rule's handle: the one rule of chain nat_postrouting.
    std::vector<std::uint8_t> req(512);
    nlmsghdr* nlh = nftnl_nlmsg_build_hdr(reinterpret_cast<char*>(req.data()), NFT_MSG_GETRULE, NFPROTO_IPV4, NLM_F_DUMP, nl_.next_seq());
    nftnl_rule* filter = nftnl_rule_alloc();
    nftnl_rule_set_str(filter, NFTNL_RULE_TABLE, kTable);
    nftnl_rule_set_str(filter, NFTNL_RULE_CHAIN, "nat_postrouting");
    nftnl_rule_nlmsg_build_payload(nlh, filter);
    nftnl_rule_free(filter);
    req.resize(nlh->nlmsg_len);
    auto answer = nl_.dump(req, "list chain ip s46d nat_postrouting");
    if (!answer) return fail(answer.error());
    std::uint64_t handle = 0;
    for (const auto& m : *answer) {
        nftnl_rule* r = nftnl_rule_alloc();
        if (nftnl_rule_nlmsg_parse(reinterpret_cast<const nlmsghdr*>(m.data()), r) == 0 &&
            std::strcmp(nftnl_rule_get_str(r, NFTNL_RULE_TABLE), kTable) == 0 &&
            std::strcmp(nftnl_rule_get_str(r, NFTNL_RULE_CHAIN), "nat_postrouting") == 0)
            handle = nftnl_rule_get_u64(r, NFTNL_RULE_HANDLE);
        nftnl_rule_free(r);
    }
    if (handle == 0) return fail("replan: table ip s46d has no snat rule (apply the ruleset first)");
    return send([&](std::uint32_t seq) { return build_slot_replan(rs, handle, seq); });
}

Result<void> NftNapt::remove() {
    return send([&](std::uint32_t seq) -> Result<NftBatch> { return build_delete_table(seq); });
}

Result<void> NftNapt::apply_guard(const SoftwireGuard& guard) {
    return send([&](std::uint32_t seq) { return build_softwire_guard(guard, seq); });
}

Result<void> NftNapt::remove_guard() {
    return send([&](std::uint32_t seq) -> Result<NftBatch> { return build_delete_guard(seq); });
}

Result<std::uint64_t> NftNapt::counter_packets(const std::string& name, bool ip6) {
    // GETOBJ dump of the family; ours is picked by table and name.
    const std::string table = std::string(ip6 ? "ip6 " : "ip ") + kTable;
    std::vector<std::uint8_t> req(256);
    nlmsghdr* nlh = nftnl_nlmsg_build_hdr(reinterpret_cast<char*>(req.data()), NFT_MSG_GETOBJ,
                                          static_cast<std::uint16_t>(ip6 ? NFPROTO_IPV6 : NFPROTO_IPV4), NLM_F_DUMP, nl_.next_seq());
    req.resize(nlh->nlmsg_len);
    auto answer = nl_.dump(req, "list counters of table " + table);
    if (!answer) return fail(answer.error());
    for (const auto& m : *answer) {
        nftnl_obj* o = nftnl_obj_alloc();
        std::uint64_t packets = 0;
        bool ours = false;
        if (nftnl_obj_nlmsg_parse(reinterpret_cast<const nlmsghdr*>(m.data()), o) == 0 &&
            nftnl_obj_get_u32(o, NFTNL_OBJ_TYPE) == NFT_OBJECT_COUNTER && nftnl_obj_is_set(o, NFTNL_OBJ_TABLE) &&
            std::strcmp(nftnl_obj_get_str(o, NFTNL_OBJ_TABLE), kTable) == 0 && name == nftnl_obj_get_str(o, NFTNL_OBJ_NAME)) {
            ours = true;
            packets = nftnl_obj_get_u64(o, NFTNL_OBJ_CTR_PKTS);
        }
        nftnl_obj_free(o);
        if (ours) return packets;
    }
    return fail("counter " + name + ": not in table " + table);
}

Result<std::vector<CtEntry>> NftNapt::conntrack() {
    auto answer = nl_.dump(build_ct_dump(nl_.next_seq()), "dump conntrack (IPv4)");
    if (!answer) return fail(answer.error());
    std::vector<CtEntry> out;
    out.reserve(answer->size());
    for (const auto& m : *answer)
        if (auto e = parse_ct(m)) out.push_back(*e);  // anything else in a dump is not an entry
    return out;
}

Result<std::size_t> NftNapt::flush_stale(net::Ipv4Address old_address, net::Ipv4Address new_address, const map::PortSet& new_set) {
    auto entries = conntrack();
    if (!entries) return fail(entries.error());
    std::size_t deleted = 0;
    const std::string gone = std::strerror(ENOENT);
    for (const CtEntry& e : *entries) {
        // Inbound flows through a static forward (DNAT): the original direction is addressed
        // to the binding, so the same rule applies to it; such an entry would otherwise keep
        // forwarding a port the CE no longer holds (seen in tests/kernel/mape_scenario.sh).
        const bool inbound = (e.orig.proto == IPPROTO_TCP || e.orig.proto == IPPROTO_UDP) &&
                             napt::stale_after_rebinding({e.orig.proto, e.orig.src, e.orig.src_port, e.orig.dst, e.orig.dst_port},
                                                         old_address, new_address, new_set);
        if (!inbound && !napt::stale_after_rebinding(e.nat_flow(), old_address, new_address, new_set)) continue;
        const std::string what = "delete conntrack entry " + e.orig.src.to_string() + " -> " + e.orig.dst.to_string() +
                                 " proto " + std::to_string(e.orig.proto);
        auto r = nl_.transact(build_ct_delete(e.orig, nl_.next_seq()), {what});
        if (r) ++deleted;
        else if (r.error().find(gone) == std::string::npos) return fail(r.error());  // ENOENT: expired meanwhile
    }
    return deleted;
}

}  // namespace s46::platform::nft
