// nftables messages for the kernel NAPT44 of lw4o6 (RFC 7596 §5.1: the lwB4 runs a NAPT44
// restricted to its port set) and MAP-E (RFC 7597 §5.1 port sets, §8.2 ICMP identifiers), and
// for the softwire's TCP MSS clamping. Pure: libnftnl fills byte buffers; nothing here opens a
// socket. The bytes equal what `nft -f` (nftables 1.0.6) sends for the same ruleset
// (tests/platform/nft_ruleset_test.cpp, vectors and their capture recipe in tests/platform/nft/).
//
// s46d owns exactly one table, `table ip s46d`, and never touches another. Every apply is ONE
// batch that creates the table (a no-op when it exists), deletes it and creates it again with
// its whole contents, so a re-apply and a leftover from a crash are handled alike and the
// kernel switches from the old ruleset to the new one atomically:
//
//   table ip s46d {
//     counter drop_unrestricted_proto { }                         # named: s46d reads it back
//     map slots { typeof numgen inc mod N : interval ip saddr . th sport; elements = { n : A . lo-hi, .. } }
//     chain nat_postrouting { type nat hook postrouting priority srcnat; policy accept;
//       oifname TUN meta l4proto { tcp, udp, icmp } counter snat ip to numgen inc mod N map @slots }
//           # or, for one contiguous range:  ... counter snat ip to A:lo-hi
//     chain nat_prerouting { type nat hook prerouting priority dstnat; policy accept;
//       iifname TUN meta l4proto tcp|udp th dport P counter dnat ip to LAN:PORT }   # static forwards
//     chain filter_forward { type filter hook forward priority filter; policy accept;
//       oifname TUN meta l4proto != { tcp, udp, icmp } counter name "drop_unrestricted_proto" drop }
//     chain filter_output  { ... the same for locally originated traffic ... }
//     chain mss_clamp { type filter hook forward priority mangle; policy accept;
//       oifname TUN tcp flags syn / syn,rst counter tcp option maxseg size set rt mtu
//       iifname TUN tcp flags syn / syn,rst counter tcp option maxseg size set MSS }
//     flowtable ft { hook ingress priority filter; devices = { LAN.., TUN }; }     # --flowtable only
//     chain flow_offload { type filter hook forward priority filter + 10; policy accept;
//       oifname TUN meta l4proto { tcp, udp } flow add @ft
//       iifname TUN meta l4proto { tcp, udp } flow add @ft }
//   }
//
// Without NAPT (DS-Lite, whose B4 has no NAT, RFC 6333 §5.7) only mss_clamp (and the flowtable)
// is installed.
//
// The flowtable (docs/dataplane.md "Flowtable"): the kernel adds a flow only once conntrack has
// seen its reply (TCP: established and assured), so the first packets of every flow still take
// the whole path -- nat_postrouting picks the port in the set, the drops count, mss_clamp sees
// every SYN and SYN-ACK. The flow_offload chain runs after every filter-priority forward chain
// (priority filter + 10), so an operator's own forward rules decide on those first packets
// before the flow bypasses them.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/map/port_set.hpp"
#include "core/net/ipv4.hpp"
#include "core/net/ipv6.hpp"
#include "core/result.hpp"

namespace s46::platform::nft {

inline constexpr const char* kTable = "s46d";
inline constexpr const char* kSlotMap = "slots";
inline constexpr const char* kDropUnrestrictedCounter = "drop_unrestricted_proto";
inline constexpr const char* kFlowtable = "ft";

enum class ForwardProto : std::uint8_t { tcp = 6, udp = 17 };

// A static port forward: packets from the softwire to (NAT address, external_port) go to
// (lan_address, lan_port). external_port must be in the port set and is reserved from the
// dynamic ranges (core/napt/port_slots.hpp).
struct StaticForward {
    ForwardProto proto = ForwardProto::tcp;
    std::uint16_t external_port = 0;
    net::Ipv4Address lan_address;
    std::uint16_t lan_port = 0;
    friend bool operator==(const StaticForward&, const StaticForward&) = default;
};

struct NaptRuleset {
    std::string tunnel;                    // the softwire interface name (matched by name: survives re-creation)
    bool napt = true;                      // false: MSS clamping only
    net::Ipv4Address nat_address;          // the shared / public IPv4 address
    std::vector<map::PortRange> ranges;    // dynamic ranges (napt::dynamic_ranges)
    std::vector<std::uint32_t> slots;      // slot -> index into ranges (napt::plan_slots); ignored with one range
    std::uint16_t mss = 0;                 // inbound MSS (tunnel MTU - 40); 0: no clamping
    std::vector<StaticForward> forwards;
    // The flowtable: off when empty. Its devices are the tunnel and these LAN interfaces; the
    // NEWFLOWTABLE message lists the tunnel first, then these in order.
    std::vector<std::string> flowtable_lan;
    friend bool operator==(const NaptRuleset&, const NaptRuleset&) = default;
};

// One NFNL batch (BATCH_BEGIN .. BATCH_END) and, in sequence order, what each acked message does
// (the names NetlinkSession reports an error with).
struct NftBatch {
    std::vector<std::uint8_t> bytes;
    std::vector<std::string> what;
    std::uint32_t next_seq = 0;
};

// The batch that atomically replaces table ip s46d with `rs`. Sequence numbers start at `seq`
// (BATCH_BEGIN) and go up by one; every message but BEGIN/END carries NLM_F_ACK when `ack`.
// Fails, naming the field, on an interface name that is empty or longer than 15 bytes, no
// range, a slot naming a missing range, a forward without NAPT, a forward port of 0, or a
// flowtable LAN device listed twice or equal to the tunnel.
Result<NftBatch> build_napt_ruleset(const NaptRuleset& rs, std::uint32_t seq, bool ack = true);

// Replaces only the elements of @slots (conntrack feedback, or a new PSID with the same number of
// slots): DELSETELEM without elements (= flush) then NEWSETELEM. The modulus in the rule stays, so
// `slots.size()` must equal the slot count the ruleset was built with.
Result<NftBatch> build_slot_update(net::Ipv4Address nat_address, const std::vector<map::PortRange>& ranges,
                                   const std::vector<std::uint32_t>& slots, std::uint32_t seq, bool ack = true);

// Kernel features the ruleset needs, probed at start-up.
enum class NftFeature { nat, numgen, mss_clamp, flowtable };
std::string to_string(NftFeature f);
inline constexpr const char* kProbeTable = "s46d_probe";

// A batch with no lasting effect: it creates table ip s46d_probe holding what `feature` needs
// (a nat chain and snat rule; the numgen slot map; the MSS rules; a flowtable on `lo` and its
// `flow add` rule) and deletes it again. The
// kernel resolves (and autoloads the modules of) every chain type and expression before it
// commits, so an unsupported feature fails the batch and the failing message names it.
NftBatch build_feature_probe(NftFeature feature, std::uint32_t seq, bool ack = true);

// Conntrack feedback with a new slot count: flushes and refills @slots and replaces the snat
// rule (found by its handle) with one whose numgen modulus is the new slot count, in one
// batch. Unlike a re-apply, the table, the other rules and the named counters stay.
// `rs` must have NAPT and more than one range.
Result<NftBatch> build_slot_replan(const NaptRuleset& rs, std::uint64_t snat_rule_handle, std::uint32_t seq, bool ack = true);

// The softwire guard, `table ip6 s46d`:
//
//   table ip6 s46d {
//     counter drop_foreign_softwire { }
//     chain input { type filter hook input priority filter; policy accept;
//       meta l4proto 4 ip6 daddr LOCAL ip6 saddr != REMOTE counter name "drop_foreign_softwire" drop }
//   }
//
// Why: with ip6_tunnel loaded, IPv4-in-IPv6 to our softwire address that matches no ip6tnl
// (a spoofed source, a CE sending direct while this kernel cannot do FMRs) reaches
// ip6_tunnel's fallback handler, which answers every such packet with an ICMPv6 destination
// unreachable -- a reflector towards whatever source the packet claims. The input hook drops
// it, counted, before that handler runs. Not for a MAP-E CE whose kernel does FMRs: there
// other CEs are legitimate sources (RFC 7597 §8: mesh).
inline constexpr const char* kDropForeignSoftwireCounter = "drop_foreign_softwire";
struct SoftwireGuard {
    net::Ipv6Address local;   // the softwire's local address (B4 / lwB4 / CE)
    net::Ipv6Address remote;  // the AFTR / lwAFTR / BR
};
Result<NftBatch> build_softwire_guard(const SoftwireGuard& guard, std::uint32_t seq, bool ack = true);
// `table ip6 s46d; delete table ip6 s46d`.
NftBatch build_delete_guard(std::uint32_t seq, bool ack = true);

// `table ip s46d; delete table ip s46d`: removes s46d's table, whether it exists or not.
NftBatch build_delete_table(std::uint32_t seq, bool ack = true);

}  // namespace s46::platform::nft
