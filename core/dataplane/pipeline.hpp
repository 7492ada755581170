// The softwire data path of the CE, for every mode: LAN IPv4 in, IPv4-in-IPv6 out, and back.
// Pure and single-threaded: the platform's TUN + raw-socket backend (docs/dataplane.md, "Notes for the platform backend")
// feeds it packets and does the I/O with what comes back. docs/dataplane.md walks each
// direction step by step and lists every drop reason.
//
//   outbound(LAN IPv4)              -> Encapsulated | ReplyToLan | Hairpin | Held | Drop
//   inbound(outer src/dst/TC, IPv4) -> ToLan | ReplyToTunnel | Held | Drop
//   icmpv6_error(ICMPv6 message)    -> ReplyToLan | Drop        (RFC 2473 §8 relay)
//
// configure() builds everything a Plan implies (LPM table, prepared FMRs, tunnel header,
// reassembly memory) and only then swaps it in, so a failed configure leaves the old state
// running. After it, no packet call allocates.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/dataplane/counters.hpp"
#include "core/dataplane/forwarder.hpp"
#include "core/dataplane/icmp_error.hpp"
#include "core/dataplane/napt.hpp"
#include "core/dataplane/options.hpp"
#include "core/dataplane/path_mtu.hpp"
#include "core/dataplane/rate_limiter.hpp"
#include "core/dataplane/reassembly.hpp"
#include "core/dataplane/results.hpp"
#include "core/time.hpp"
#include "core/dataplane/tunnel.hpp"
#include "core/map/port_set.hpp"
#include "core/napt/napt_batch.hpp"
#include "core/net/ipv4_packet.hpp"
#include "core/plan/plan.hpp"
#include "core/result.hpp"

namespace s46::dataplane {

struct ConfigureReport {
    bool napt_flushed = false;       // an active NAPT binding changed (RFC 7596 §5.1)
    std::vector<std::string> notes;  // e.g. FMRs left out because no packet could use them
};

class Pipeline {
public:
    // `napt` is borrowed and must outlive the Pipeline; it may be null if no NAPT plan will be
    // configured (configure() refuses one then). Until configure() everything is dropped.
    explicit Pipeline(NaptSeam* napt, const Options& options = {});
    ~Pipeline();
    Pipeline(const Pipeline&) = delete;
    Pipeline& operator=(const Pipeline&) = delete;

    // Replaces the running configuration with `plan` (and `options`). On error nothing changed.
    // The NAPT is rebound, which flushes it, exactly when the NAPT binding (IPv4 address, port
    // set) changes or NAPT is switched on or off: RFC 7596 §5.1 MUST. Pending fragments survive
    // unless the reassembly limits change; learnt path MTUs unless the tunnel source changes.
    Result<ConfigureReport> configure(const plan::Plan& plan);
    Result<ConfigureReport> configure(const plan::Plan& plan, const Options& options);

    // `packet`: an IPv4 datagram from the LAN, modified in place (bytes past Total Length are
    // ignored). With `ipv6_out` the full IPv6 packet is also written there (in-process use;
    // at least packet size + 48 bytes).
    Outbound outbound(std::span<std::uint8_t> packet, Time now, std::span<std::uint8_t> ipv6_out = {});

    // outbound() on each packet in order -- same results, state and counters -- with the
    // NAPT's table lines prefetched a group or two ahead (core/napt/napt_batch.hpp), so that
    // with many sessions their cache misses overlap instead of stalling each packet in turn.
    // on_result(i, const Outbound&) is called for packet i before packet i + 1 is handled, so
    // its spans follow the usual rule (valid until the next packet). `ipv6_out`: empty, or one
    // output buffer per packet.
    template <class OnResult>
    void outbound_batch(std::span<const std::span<std::uint8_t>> packets, Time now,
                        std::span<const std::span<std::uint8_t>> ipv6_out, OnResult&& on_result) {
        const bool hint = napt_active();
        napt::run_prefetched(
            packets.size(), napt::batch_group,
            [&](std::size_t at, std::size_t n) {
                if (hint) napt_->prefetch_outbound_mappings(packets.subspan(at, n));
            },
            [&](std::size_t at, std::size_t n) {
                if (hint) napt_->prefetch_outbound_sessions(packets.subspan(at, n));
            },
            [&](std::size_t i) {
                on_result(i, outbound(packets[i], now, ipv6_out.empty() ? std::span<std::uint8_t>{} : ipv6_out[i]));
            });
    }

    // `inner`: the decapsulated IPv4 datagram (what recvmsg() on the raw IPPROTO_IPIP socket
    // returns), modified in place; `outer_src` from msg_name, `outer_dst` from IPV6_PKTINFO,
    // `traffic_class` from IPV6_TCLASS.
    Inbound inbound(const net::Ipv6Address& outer_src, const net::Ipv6Address& outer_dst, std::uint8_t traffic_class,
                    std::span<std::uint8_t> inner, Time now);
    // The same from a whole IPv6 packet (in-process use; IPv6 fragments must be reassembled).
    Inbound inbound_ipv6(std::span<std::uint8_t> ipv6_packet, Time now);

    // An ICMPv6 message as read from a raw ICMPv6 socket (no IPv6 header) and its source.
    Icmpv6Relay icmpv6_error(std::span<const std::uint8_t> message, const net::Ipv6Address& source, Time now);

    // On the caller's timer (about once a second): reassembly timeouts, path MTU aging, NAPT expiry.
    void expire(Time now);

    // ICMPv6 1/5 from the lwAFTR: "no binding" (RFC 7596 §5.1). The flag stays set until taken;
    // whether to re-provision is the daemon's policy.
    bool no_binding_reported() const { return no_binding_; }
    bool take_no_binding_event() {
        bool was = no_binding_;
        no_binding_ = false;
        return was;
    }
    // An ICMPv6 error about one of our packets to the tunnel's remote (the AFTR, lwAFTR or BR)
    // saying it cannot be reached: destination unreachable (no route, prohibited, address
    // unreachable, reject route) or "unrecognised next header" (it does not decapsulate).
    // The flag stays set until taken; moving to another AFTR address is the daemon's policy.
    bool take_remote_unreachable_event() {
        bool was = remote_unreachable_;
        remote_unreachable_ = false;
        return was;
    }

    const Counters& counters() const { return counters_; }
    const Options& options() const { return options_; }
    select::Mode mode() const;
    const Ipv4InIpv6Tunnel& tunnel() const;
    const PlanForwarder& forwarder() const;
    // The IPv4 MTU toward `remote`: the plan's tunnel MTU, or lower after a Packet Too Big.
    std::uint16_t path_mtu(const net::Ipv6Address& remote, Time now) const;
    // Fragments waiting for reassembly (both directions).
    std::uint32_t pending_fragments() const;

private:
    struct State;

    bool napt_active() const;  // the plan uses NAPT (outbound_batch's hints are worth asking for)

    Outbound drop_out(DropReason r, std::uint8_t detail = 0);
    Inbound drop_in(DropReason r, std::uint8_t detail = 0);
    Icmpv6Relay drop_icmpv6(DropReason r);
    Outbound answer_out(DropReason r, std::uint8_t type, std::uint8_t code, std::uint32_t rest,
                        std::span<const std::uint8_t> quoted, Time now);
    // An ICMPv4 error about `quoted` toward its source, in reply_ (empty when RFC 1812 §4.3.2.7
    // or the rate limit forbids it).
    std::span<const std::uint8_t> icmp_error(net::Ipv4Address src, std::uint8_t type, std::uint8_t code, std::uint32_t rest,
                                             std::span<const std::uint8_t> quoted, Time now);
    // Copies the start of `datagram` to quote_ and undoes NAPT on the copy; empty if NAPT has
    // no mapping for it.
    std::span<const std::uint8_t> restored_quote(std::span<const std::uint8_t> datagram, Time now);
    // Runs a fragment through `r`; on complete, `ip` is the reassembled datagram.
    enum class FragmentStep : std::uint8_t { held, dropped, complete };
    FragmentStep reassemble(Ipv4Reassembler& r, net::Ipv4View& ip, Time now, DropReason& why);

    NaptSeam* napt_;
    Options options_;
    std::unique_ptr<State> state_;
    std::optional<NaptBinding> napt_binding_;  // the binding the NAPT runs with, while a plan uses it
    Ipv4Reassembler reassembly_out_;
    Ipv4Reassembler reassembly_in_;
    PathMtuCache path_mtu_;
    TokenBucket icmp_rate_;
    Counters counters_;
    bool no_binding_ = false;
    bool remote_unreachable_ = false;
    std::uint16_t icmp_id_ = 0;
    std::array<std::uint8_t, kIcmpErrorMaxSize> reply_{};
    std::array<std::uint8_t, kIcmpErrorMaxSize> quote_{};
};

}  // namespace s46::dataplane
