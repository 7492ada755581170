#include "platform/dataplane/userspace_dataplane.hpp"

#include <chrono>
#include <cstring>

namespace s46::daemon {

using nlohmann::json;

Result<std::unique_ptr<UserspaceDataPlane>> UserspaceDataPlane::create(asio::io_context& io, UserspaceConfig config) {
    napt::Config nc;
    nc.max_sessions = config.max_sessions;
    nc.max_ports_per_host = config.max_ports_per_host;
    auto napt = dataplane::PortSetNapt::create(nc);
    if (!napt) return fail("NAPT44: " + napt.error());
    std::unique_ptr<UserspaceDataPlane> dp(new UserspaceDataPlane(io, std::move(config), std::move(*napt)));
    if (auto r = dp->rtnl_.open(); !r) return fail(r.error());
    // The TUN device lives as long as s46d: opened here, while s46d still has every privilege
    // (/dev/net/tun may be root-only, and s46d drops to three capabilities after setup), and kept
    // down, without address or route, while no mode is active.
    dp->tun_ = std::make_unique<platform::TunDevice>(io, dp->config_.tun_name);
    if (auto r = dp->tun_->open(); !r) return fail(r.error());
    UserspaceDataPlane* self = dp.get();
    dp->tun_->start([self](std::span<const std::span<std::uint8_t>> packets) { self->on_lan_batch(packets); });
    return dp;
}

UserspaceDataPlane::UserspaceDataPlane(asio::io_context& io, UserspaceConfig config, dataplane::PortSetNapt napt)
    : io_(io), config_(std::move(config)), napt_(std::move(napt)) {
    // The kernel already forwarded (and decremented) LAN packets on their way into the TUN.
    config_.options.decrement_ttl = false;
    pipeline_ = std::make_unique<dataplane::Pipeline>(&napt_, config_.options);
}

UserspaceDataPlane::~UserspaceDataPlane() {
    tear_down();
    tun_.reset();  // the non-persistent TUN disappears with the descriptor
}

s46::Time UserspaceDataPlane::now() const {
    return std::chrono::duration_cast<s46::Time>(std::chrono::steady_clock::now().time_since_epoch());
}

Result<void> UserspaceDataPlane::apply(const select::Transition& t, const modes::Plan* plan) {
    if (t.kind == select::TransitionKind::teardown || !plan) {
        tear_down();
        return ok();
    }
    // A replace keeps what still holds: same TUN, and the socket when the tunnel source is unchanged.
    return bring_up(*plan);
}

Result<void> UserspaceDataPlane::bring_up(const modes::Plan& new_plan) {
    modes::Plan plan = new_plan;
    // DS-Lite: keep the AFTR address already resolved for the same name.
    if (!plan.tunnel_remote && plan_ && plan_->remote_name == plan.remote_name) plan.tunnel_remote = plan_->tunnel_remote;
    auto configured = pipeline_->configure(plan);
    if (!configured) return fail("pipeline: " + configured.error());

    if (auto r = rtnl_.set_link(config_.tun_name, true, plan.tunnel_mtu); !r) return fail(r.error());
    tun_up_ = true;

    // DS-Lite: the B4 owns 192.0.0.2 (RFC 6333 §5.7) for traffic the CPE itself originates.
    // NAPT modes leave the public address off the kernel: LAN traffic to it must reach the
    // pipeline (hairpinning), not the CPE's own stack; NAPT translates whatever source comes in.
    std::optional<net::Ipv4Prefix> want_v4;
    if (plan.mode == select::Mode::dslite) want_v4 = plan.ipv4;
    if (tun_address_ && tun_address_ != want_v4) {
        // Best effort, as in tear_down(): the new plan does not depend on the old one being gone.
        (void)rtnl_.del_address(config_.tun_name, *tun_address_);
        tun_address_.reset();
    }
    if (want_v4 && !tun_address_) {
        if (auto r = rtnl_.add_address(config_.tun_name, *want_v4); !r) return fail(r.error());
        tun_address_ = want_v4;
    }
    // Every IPv4 destination goes into the softwire (draft-ietf-softwire-unified-cpe §3.4: LPM
    // decides the next hop inside).
    // Added (or replaced) on every bring-up: it may have gone from outside since (a link taken
    // down flushes its routes), and a replace must not leave IPv4 without a way out.
    if (auto r = rtnl_.add_route(config_.tun_name, net::Ipv4Prefix(net::Ipv4Address(0), 0)); !r) return fail(r.error());
    default_route_ = true;

    // GI-4over6: the LAN hosts hold the public address or prefix; route it to the LAN so the
    // decapsulated replies reach them (and reverse-path filtering accepts their packets).
    if (lan_route_ && lan_route_ != plan.lan_routed_prefix) {
        (void)rtnl_.del_route(config_.lan_interface, *lan_route_);  // best effort, as above
        lan_route_.reset();
    }
    if (plan.lan_routed_prefix && !lan_route_) {
        if (config_.lan_interface.empty()) return fail("GI-4over6 needs --lan-interface to route " + plan.lan_routed_prefix->to_string() + " to");
        if (auto r = rtnl_.add_route(config_.lan_interface, *plan.lan_routed_prefix); !r) return fail(r.error());
        lan_route_ = plan.lan_routed_prefix;
    }

    // The tunnel source /128 on the WAN interface, usable at once (nodad).
    if (wan_address_ && *wan_address_ != plan.tunnel_local) {
        (void)rtnl_.del_address(config_.wan_interface, net::Ipv6Prefix(*wan_address_, 128));  // best effort, as above
        wan_address_.reset();
        drop_socket();
    }
    if (!wan_address_) {
        if (auto r = rtnl_.add_address(config_.wan_interface, net::Ipv6Prefix(plan.tunnel_local, 128), true); !r) return fail(r.error());
        wan_address_ = plan.tunnel_local;
    }
    if (!socket_) {
        socket_ = std::make_unique<platform::SoftwireSocket>(io_);
        auto opened = socket_->open(
            plan.tunnel_local, config_.options.hop_limit,
            [this](std::span<std::uint8_t> inner, const net::Ipv6Address& src, const net::Ipv6Address& dst, std::uint8_t tc) {
                on_tunnel_packet(inner, src, dst, tc);
            },
            [this](std::span<std::uint8_t> msg, const net::Ipv6Address& src) { on_icmpv6(msg, src); },
            [this] { flush_tunnel(); });
        if (!opened) {
            socket_.reset();
            return fail(opened.error());
        }
    }
    plan_ = plan;
    return ok();
}

void UserspaceDataPlane::tear_down() {
    // Best effort: every removal is tried whatever became of the one before (a route may already
    // have gone with its link), and a teardown has no one to report a failure to.
    drop_socket();
    if (lan_route_) (void)rtnl_.del_route(config_.lan_interface, *lan_route_);
    lan_route_.reset();
    if (wan_address_) (void)rtnl_.del_address(config_.wan_interface, net::Ipv6Prefix(*wan_address_, 128));
    wan_address_.reset();
    // The TUN stays (see create()): what was put on it goes, and it goes down.
    if (default_route_) (void)rtnl_.del_route(config_.tun_name, net::Ipv4Prefix(net::Ipv4Address(0), 0));
    default_route_ = false;
    if (tun_address_) (void)rtnl_.del_address(config_.tun_name, *tun_address_);
    tun_address_.reset();
    if (tun_ && tun_up_) (void)rtnl_.set_link(config_.tun_name, false);
    tun_up_ = false;
    plan_.reset();
    if (pipeline_) pipeline_ = std::make_unique<dataplane::Pipeline>(&napt_, config_.options);
    napt_.flush();
}

Result<void> UserspaceDataPlane::set_remote(const net::Ipv6Address& remote) {
    if (!plan_) return fail("no active plan to give the AFTR address to");
    modes::Plan plan = *plan_;
    plan.tunnel_remote = remote;
    auto configured = pipeline_->configure(plan);
    if (!configured) return fail("pipeline: " + configured.error());
    plan_ = plan;
    return ok();
}

// Refused (nothing changed) only for a port the NAPT's current set does not hold: the daemon
// computes the list from the same plan, so that would be a bug worth the log line.
Result<void> UserspaceDataPlane::set_static_forwards(const std::vector<napt::StaticForward>& enabled) {
    auto r = napt_.set_static_forwards(enabled);
    if (!r) return fail("NAPT44: " + r.error());
    return ok();
}

void UserspaceDataPlane::tick() {
    if (plan_) pipeline_->expire(now());
}

void UserspaceDataPlane::to_lan(std::span<const std::uint8_t> packet) {
    if (!tun_ || !tun_->write(packet)) ++tun_write_errors_;
}

// Queued, not sent: every caller runs inside a TUN or socket receive batch, whose end calls
// flush_tunnel(), so a batch of LAN packets leaves in one sendmmsg(). queue() copies the bytes:
// e.inner may point into the TUN read buffer or into Pipeline memory, both reused by the next
// packet (core/dataplane/results.hpp).
void UserspaceDataPlane::to_tunnel(const dataplane::Encapsulated& e) {
    if (!socket_) {
        ++tunnel_send_errors_;
        return;
    }
    socket_->queue(e.inner, e.remote, e.traffic_class);
}

void UserspaceDataPlane::flush_tunnel() {
    if (socket_) socket_->flush();
}

// Keeps the errors counted by a socket that goes away (teardown, new tunnel source).
void UserspaceDataPlane::drop_socket() {
    if (!socket_) return;
    socket_->flush();
    tunnel_send_errors_ += socket_->counters().send_errors;
    socket_.reset();
}

// One drained TUN batch through Pipeline::outbound_batch, which prefetches the NAPT's table
// lines a group or two ahead; each result is acted on before the next packet is handled (its
// spans are only valid until then), so packets leave in the order they were read. One clock
// reading serves the batch: its reads took microseconds, far below any timeout it feeds.
void UserspaceDataPlane::on_lan_batch(std::span<const std::span<std::uint8_t>> packets) {
    pipeline_->outbound_batch(packets, now(), {}, [this](std::size_t, const dataplane::Outbound& r) {
        std::visit(
            [this](const auto& v) {
                using V = std::decay_t<decltype(v)>;
                if constexpr (std::is_same_v<V, dataplane::Encapsulated>) to_tunnel(v);
                else if constexpr (std::is_same_v<V, dataplane::ReplyToLan> || std::is_same_v<V, dataplane::Hairpin>) to_lan(v.packet);
            },
            r);
    });
    flush_tunnel();
}

void UserspaceDataPlane::on_tunnel_packet(std::span<std::uint8_t> inner, const net::Ipv6Address& src, const net::Ipv6Address& dst,
                                          std::uint8_t tclass) {
    auto r = pipeline_->inbound(src, dst, tclass, inner, now());
    std::visit(
        [this](const auto& v) {
            using V = std::decay_t<decltype(v)>;
            if constexpr (std::is_same_v<V, dataplane::ToLan>) to_lan(v.packet);
            else if constexpr (std::is_same_v<V, dataplane::ReplyToTunnel>) to_tunnel(v.reply);
        },
        r);
}

void UserspaceDataPlane::on_icmpv6(std::span<std::uint8_t> message, const net::Ipv6Address& src) {
    auto r = pipeline_->icmpv6_error(message, src, now());
    if (auto* reply = std::get_if<dataplane::ReplyToLan>(&r)) to_lan(reply->packet);
}

json UserspaceDataPlane::counters() const {
    json j = json::object();
    pipeline_->counters().for_each([&](std::string_view name, std::uint64_t v) {
        if (v) j[std::string(name)] = v;  // zero counters are left out of status to keep it readable
    });
    const auto& nc = napt_.engine().counters();
#define S46_NAPT_X(name, text) \
    if (nc.name) j["napt_" #name] = nc.name;
    S46_NAPT_DROP_REASONS(S46_NAPT_X)
#undef S46_NAPT_X
    j["napt_sessions"] = napt_.session_count();
    // In use and free against the table's capacity (core/napt Config::max_sessions).
    const std::uint64_t max_sessions = napt_.engine().config().max_sessions;
    j["napt_sessions_max"] = max_sessions;
    j["napt_sessions_free"] = max_sessions > napt_.session_count() ? max_sessions - napt_.session_count() : 0;
    j["tun_write_errors"] = tun_write_errors_;
    // Send errors of sockets since replaced are in tunnel_send_errors_ (tear_down / new source).
    std::uint64_t send_errors = tunnel_send_errors_;
    if (socket_) {
        const auto& sc = socket_->counters();
        send_errors += sc.send_errors;
        j["tunnel_packets_sent"] = sc.sent;
        if (sc.send_calls) j["tunnel_packets_per_send"] = static_cast<double>(sc.sent + sc.send_errors) / static_cast<double>(sc.send_calls);
        if (sc.receive_calls) j["tunnel_packets_per_receive"] = static_cast<double>(sc.received) / static_cast<double>(sc.receive_calls);
        if (sc.receive_truncated) j["tunnel_receive_truncated"] = sc.receive_truncated;
        if (sc.last_send_errno) j["tunnel_send_last_error"] = std::strerror(sc.last_send_errno);
    }
    j["tunnel_send_errors"] = send_errors;
    if (plan_ && plan_->tunnel_remote) j["path_mtu"] = pipeline_->path_mtu(*plan_->tunnel_remote, now());
    return j;
}

}  // namespace s46::daemon
