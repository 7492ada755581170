// Pipeline: construction, configure() and the helpers shared by the three directions.
#include "core/dataplane/pipeline.hpp"

#include <algorithm>
#include <cstring>

#include "core/dataplane/fmr_rules.hpp"
#include "core/dataplane/icmp_error.hpp"
#include "core/dataplane/pipeline_state.hpp"
#include "core/net/icmpv4_packet.hpp"

namespace s46::dataplane {

Pipeline::Pipeline(NaptSeam* napt, const Options& options)
    : napt_(napt),
      options_(options),
      state_(std::make_unique<State>()),
      reassembly_out_(options.reassembly),
      reassembly_in_(options.reassembly),
      path_mtu_(options.path_mtu_entries, options.path_mtu_lifetime),
      icmp_rate_(options.icmp_rate_per_second, options.icmp_burst) {}

Pipeline::~Pipeline() = default;

bool Pipeline::napt_active() const { return state_->napt && napt_ != nullptr; }

Result<ConfigureReport> Pipeline::configure(const plan::Plan& plan) { return configure(plan, options_); }

Result<ConfigureReport> Pipeline::configure(const plan::Plan& plan, const Options& options) {
    ConfigureReport report;
    // ---- build: everything that can fail or allocate ----
    auto next = std::make_unique<State>();
    State& s = *next;
    s.mode = plan.mode;
    s.napt = plan.napt;
    s.remote = plan.tunnel_remote;
    s.ipv4 = plan.ipv4;
    s.lan_prefix = plan.lan_routed_prefix;
    s.legacy_iid = plan.legacy_iid;
    // 68 is the smallest MTU an IPv4 link may have (RFC 791); a smaller plan value is a bug upstream.
    s.tunnel_mtu = std::max<std::uint16_t>(plan.tunnel_mtu, 68);
    s.icmp_source = options.icmp_source.value_or(plan.ipv4.address);
    s.tunnel = Ipv4InIpv6Tunnel(TunnelParams{plan.tunnel_local, options.hop_limit, options.encapsulation_limit});
    if (plan.ports.psid_len != 0) {
        // RFC 7598 §4.5: PSID-len 0 means no PSID, i.e. every port; otherwise the GMA set.
        auto ports = map::PortSet::make(plan.ports.offset, plan.ports.psid_len, plan.ports.psid);
        if (!ports) return fail("plan port set: " + ports.error());
        s.ports = *ports;
    }
    auto forwarder = PlanForwarder::build(plan, report.notes);
    if (!forwarder) return fail(forwarder.error());
    s.forwarder = std::move(*forwarder);
    s.uses_ports = s.forwarder.uses_ports();
    if (plan.mode == select::Mode::mape) {
        std::vector<std::string> again;  // the forwarder already noted unusable rules
        s.source_rules = PacketPathRules::prepare(plan.fmrs, again);
    }
    if (plan.napt && napt_ == nullptr) return fail("the plan needs NAPT44 but the pipeline was built without one");

    const bool new_limits = options.reassembly != options_.reassembly;
    std::optional<Ipv4Reassembler> out_r, in_r;
    if (new_limits) {
        out_r.emplace(options.reassembly);
        in_r.emplace(options.reassembly);
    }
    std::optional<PathMtuCache> pmtu;
    if (options.path_mtu_entries != options_.path_mtu_entries || options.path_mtu_lifetime != options_.path_mtu_lifetime ||
        plan.tunnel_local != state_->tunnel.local())
        pmtu.emplace(options.path_mtu_entries, options.path_mtu_lifetime);

    // ---- commit. The NAPT goes first: it is the one step that may still fail, and on error
    // it changed nothing. Nothing after it fails. ----
    std::optional<NaptBinding> binding;
    if (plan.napt) binding = NaptBinding{plan.ipv4.address, s.ports};
    if (binding != napt_binding_) {
        // RFC 7596 §5.1: a new IPv4 address or PSID MUST flush the NAPT table. Switching NAPT
        // off (DS-Lite, GI-4over6) flushes it too: its mappings name an address we no longer own.
        if (napt_ && binding) {
            auto rebound = napt_->rebind(*binding);
            if (!rebound) return fail("NAPT44 binding " + binding->external.to_string() + ": " + rebound.error());
        } else if (napt_) {
            napt_->flush();
        }
        if (napt_binding_) {
            report.napt_flushed = true;
            ++counters_.napt_flushes;
        }
        napt_binding_ = binding;
    }
    if (new_limits) {
        const std::uint32_t pending = reassembly_out_.clear() + reassembly_in_.clear();
        counters_.drop_reassembly_flushed += pending;
        counters_.fragments_discarded += pending;
        reassembly_out_ = std::move(*out_r);
        reassembly_in_ = std::move(*in_r);
    }
    if (pmtu) path_mtu_ = std::move(*pmtu);
    if (options.icmp_rate_per_second != options_.icmp_rate_per_second || options.icmp_burst != options_.icmp_burst)
        icmp_rate_ = TokenBucket(options.icmp_rate_per_second, options.icmp_burst);
    options_ = options;
    state_ = std::move(next);
    ++counters_.configures;
    return report;
}

select::Mode Pipeline::mode() const { return state_->mode; }
const Ipv4InIpv6Tunnel& Pipeline::tunnel() const { return state_->tunnel; }
const PlanForwarder& Pipeline::forwarder() const { return state_->forwarder; }

std::uint16_t Pipeline::path_mtu(const net::Ipv6Address& remote, Time now) const {
    return path_mtu_.lookup(remote, state_->tunnel_mtu, now);
}

std::uint32_t Pipeline::pending_fragments() const {
    return reassembly_out_.pending_fragments() + reassembly_in_.pending_fragments();
}

void Pipeline::expire(Time now) {
    const std::uint32_t gone = reassembly_out_.expire(now) + reassembly_in_.expire(now);
    counters_.drop_reassembly_timeout += gone;
    counters_.fragments_discarded += gone;
    path_mtu_.expire(now);
    if (napt_ && napt_binding_) napt_->expire(now);
}

// ---- shared helpers ----

Outbound Pipeline::drop_out(DropReason r, std::uint8_t detail) {
    ++counters_.outbound_dropped;
    ++counters_.drop(r);
    return Drop{r, detail};
}

Inbound Pipeline::drop_in(DropReason r, std::uint8_t detail) {
    ++counters_.inbound_dropped;
    ++counters_.drop(r);
    return Drop{r, detail};
}

Icmpv6Relay Pipeline::drop_icmpv6(DropReason r) {
    ++counters_.icmpv6_dropped;
    ++counters_.drop(r);
    return Drop{r, 0};
}

Outbound Pipeline::answer_out(DropReason r, std::uint8_t type, std::uint8_t code, std::uint32_t rest,
                              std::span<const std::uint8_t> quoted, Time now) {
    ++counters_.outbound_dropped;
    ++counters_.drop(r);
    auto reply = icmp_error(state_->icmp_source, type, code, rest, quoted, now);
    if (reply.empty()) return Drop{r, 0};
    return ReplyToLan{reply, r};
}

std::span<const std::uint8_t> Pipeline::icmp_error(net::Ipv4Address src, std::uint8_t type, std::uint8_t code,
                                                   std::uint32_t rest, std::span<const std::uint8_t> quoted, Time now) {
    auto q = net::ConstIpv4View::parse_embedded(quoted);
    if (!q || !may_send_icmp_error(*q)) return {};
    if (!icmp_rate_.take(now)) {
        ++counters_.icmp_rate_limited;
        return {};
    }
    ++counters_.icmp_errors_sent;
    return build_icmp_error(reply_, src, q->src(), type, code, rest, quoted, ++icmp_id_);
}

std::span<const std::uint8_t> Pipeline::restored_quote(std::span<const std::uint8_t> datagram, Time now) {
    const std::size_t n = std::min(datagram.size(), quote_.size() - 28);
    std::memcpy(quote_.data(), datagram.data(), n);
    std::span<std::uint8_t> q(quote_.data(), n);
    if (state_->napt && !napt_->restore_quoted(q, now)) return {};
    return q;
}

Pipeline::FragmentStep Pipeline::reassemble(Ipv4Reassembler& r, net::Ipv4View& ip, Time now, DropReason& why) {
    const std::uint32_t timed_out = r.expire(now);
    counters_.drop_reassembly_timeout += timed_out;
    counters_.fragments_discarded += timed_out;
    auto o = r.add(ip, now);
    switch (o.status) {
        case Ipv4Reassembler::Status::held: return FragmentStep::held;
        case Ipv4Reassembler::Status::dropped:
            counters_.drop(o.reason) += o.fragments_discarded;
            counters_.fragments_discarded += o.fragments_discarded;
            why = o.reason;
            return FragmentStep::dropped;
        case Ipv4Reassembler::Status::complete: break;
    }
    counters_.fragments_reassembled += o.fragments_joined;
    ++counters_.datagrams_reassembled;
    ip = *net::Ipv4View::parse(o.datagram);
    return FragmentStep::complete;
}

}  // namespace s46::dataplane
