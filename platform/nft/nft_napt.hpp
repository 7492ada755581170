// The kernel NAPT44 adapter: applies the nftables batches of napt_ruleset.hpp and reads and
// prunes conntrack (conntrack_message.hpp) over one NETLINK_NETFILTER NetlinkSession.
// Syscalls and translation only: what to install comes from core/napt/port_slots.hpp, which
// entries are stale from core/napt/conntrack_view.hpp.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/map/port_set.hpp"
#include "core/result.hpp"
#include "platform/net/netlink_session.hpp"
#include "platform/nft/conntrack_message.hpp"
#include "platform/nft/napt_ruleset.hpp"

namespace s46::platform::nft {

class NftNapt {
public:
    // `session` must be a NETLINK_NETFILTER session and outlive this object.
    explicit NftNapt(NetlinkSession& session) : nl_(session) {}

    // Checks, without leaving anything behind, that the kernel has what the ruleset needs:
    // nf_tables NAT, numgen and its map lookups, the MSS rules, and conntrack over netlink.
    // The error lists every missing feature with the kernel's reason.
    Result<void> probe();
    // Checks the same way that the kernel takes a flowtable and its `flow add` rule (nf_tables'
    // flowtable type for IPv4 from nf_flow_table_inet, the flow_offload expression). The error
    // starts with "kernel lacks nf_flow_table" and names the config options and modules.
    Result<void> probe_flowtable();

    // Atomically replaces table ip s46d with `rs` (creates it if absent).
    Result<void> apply(const NaptRuleset& rs);
    // Replaces the elements of @slots only (same slot count as the applied ruleset).
    Result<void> update_slots(net::Ipv4Address nat_address, const std::vector<map::PortRange>& ranges,
                              const std::vector<std::uint32_t>& slots);
    // Conntrack feedback: new slots (any count) for the applied ruleset -- the map refilled and
    // the snat rule replaced in one batch; the table, other rules and named counters stay.
    Result<void> replan(const NaptRuleset& rs);
    // Deletes table ip s46d if present.
    Result<void> remove();

    // The softwire guard, table ip6 s46d (napt_ruleset.hpp): replaced atomically, or removed.
    Result<void> apply_guard(const SoftwireGuard& guard);
    Result<void> remove_guard();

    // Packets counted by a named counter of table ip s46d (e.g. kDropUnrestrictedCounter), or of
    // table ip6 s46d with `ip6` (kDropForeignSoftwireCounter).
    Result<std::uint64_t> counter_packets(const std::string& name, bool ip6 = false);

    // Every IPv4 conntrack entry.
    Result<std::vector<CtEntry>> conntrack();
    // After a binding change: deletes the entries stale_after_rebinding() names; returns how
    // many were deleted (entries that expired meanwhile are not an error).
    Result<std::size_t> flush_stale(net::Ipv4Address old_address, net::Ipv4Address new_address, const map::PortSet& new_set);

private:
    // Sends a batch built from a first sequence number, keeping the session's numbering ahead.
    template <class Build>
    Result<void> send(Build&& build);

    NetlinkSession& nl_;
};

}  // namespace s46::platform::nft
