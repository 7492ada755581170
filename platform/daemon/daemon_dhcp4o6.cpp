// The DHCPv4-over-DHCPv6 client in s46d's loop (RFC 7341, RFC 8539; docs/dhcp4o6-client.md
// "Daemon wiring"). The controller decides when it runs and with which servers and softwire
// source; this file owns the engine, its timer and its traffic on the shared DHCPv6 socket, and
// turns its lease events into controller events.
#include <chrono>
#include <random>

#include "dhcp/s46_codec.hpp"
#include "platform/daemon/daemon.hpp"
#include "platform/net/interface_address.hpp"
#include "platform/net/rtnetlink.hpp"
#include "platform/time/clock.hpp"

namespace s46::daemon {

namespace c4 = dhcp::client4o6;

namespace {

std::string why_lost(c4::LossReason r) {
    switch (r) {
        case c4::LossReason::expired: return "lease expired (RFC 2131 §4.4.5)";
        case c4::LossReason::nak: return "DHCPNAK from the server";
        case c4::LossReason::declined: return "address declined";
    }
    return "?";
}

store::Dhcp4o6Lease to_lease(const c4::Lease4& l) {
    store::Dhcp4o6Lease out;
    out.binding = {l.address, l.port_params, l.softwire_source};
    out.server_id = l.server_id;
    out.lease_time = l.times.lease;
    out.t1 = l.times.t1;
    out.t2 = l.times.t2;
    out.obtained_at = std::chrono::duration_cast<std::chrono::seconds>(l.obtained_at).count();
    return out;
}

// The engine's lease from the stored one. Option 159's raw octets are rebuilt by the codec's
// port-parameters encoder (option 93 and 159 share the layout, RFC 7618 §4): the engine keeps
// them only to report what the server sent.
c4::Lease4 to_engine_lease(const store::Dhcp4o6Lease& l) {
    c4::Lease4 out;
    out.address = l.binding.ipv4;
    out.server_id = l.server_id;
    out.times = {l.lease_time, l.t1, l.t2};
    out.obtained_at = std::chrono::seconds(l.obtained_at);
    out.softwire_source = l.binding.softwire_source;
    if (const auto& p = l.binding.port_params) {
        out.port_params = *p;
        const std::vector<std::uint8_t> option = dhcp::encode(*p);  // code, option-len, then the 4-octet value
        out.port_params_raw = std::vector<std::uint8_t>(option.begin() + 4, option.end());
    }
    return out;
}

// RFC 4361 §6.1: client identifier type 255, IAID, DUID: the same identity as on DHCPv6.
std::vector<std::uint8_t> client_id(const std::vector<std::uint8_t>& duid) {
    std::vector<std::uint8_t> id{0xff, 0, 0, 0, 1};
    id.insert(id.end(), duid.begin(), duid.end());
    return id;
}

}  // namespace

void Daemon::start_dhcp4o6(const effect::StartDhcp4o6& start) {
    if (!socket_) {
        // dhcpv6.client false: port 546 belongs to the external client, and 4o6 runs on it
        // (RFC 7341 §5). Said once per start; lw4o6 stays without a binding.
        last_error_ = "lw4o6 needs DHCP 4o6, which runs on s46d's own DHCPv6 socket (dhcpv6.client true)";
        log(effect::Level::error, last_error_);
        return;
    }
    if (client4o6_) client4o6_->stop(now());  // not expected: the controller stops before it starts again
    c4::ClientConfig cc;
    cc.hw_address = wan_mac_;
    cc.client_id = client_id(duid_);
    cc.max_initial_delay = Time::zero();  // the DHCPv6 exchange before it already desynchronized clients
    static std::mt19937 rng{std::random_device{}()};
    try {
        client4o6_ = std::make_unique<c4::Client>(cc, [] { return static_cast<std::uint32_t>(rng()); });
    } catch (const std::invalid_argument& e) {
        last_error_ = std::string("DHCP 4o6 client: ") + e.what();
        log(effect::Level::error, last_error_);
        return;
    }
    dhcp4o6_source_ = start.softwire_source;
    // StartDhcp4o6 is an effect of the DHCPv6 Reply just received (received_at_), unless the
    // DHCPv6 lease came from the store (then there is no Reply and none is timed). Until a 4o6
    // client has been timed, each new one restarts the clock: the figures describe one exchange.
    if (!dhcp4o6_timed_) {
        dhcp4o6_reply_at_ = received_at_;
        dhcp4o6_first_query_at_.reset();
    }
    put_dhcp4o6_source_on_wan();
    // A stored lease brings the binding back at once, even with the servers silent (RFC 2131
    // §4.4.5: it is ours until it expires); the engine renews or rebinds it on its timers.
    auto stored = store_->load_dhcp4o6_lease(time::read_clocks());
    if (!stored) log(effect::Level::warning, "store: " + stored.error());
    if (stored && stored->lease &&
        client4o6_->restore(now(), start.softwire_source, start.servers, to_engine_lease(*stored->lease))) {
        log(effect::Level::info, "DHCP 4o6 lease " + stored->lease->binding.ipv4.to_string() + " restored from the store (" +
                                     stored->note + ")");
        dhcp4o6_reply_at_.reset();  // no Reply -> ACK exchange: a later ACK (after expiry) is not one
        // After this batch of effects: the controller is not re-entered from inside one.
        asio::post(io_, [this] {
            if (client4o6_ && client4o6_->lease())
                carry_out(controller_->handle(event::Dhcp4o6Bound{to_lease(*client4o6_->lease()), store::EventKind::lease_obtained}, now()));
        });
    } else {
        if (stored && stored->found) {
            log(effect::Level::info, "stored DHCP 4o6 lease not restored: " + (stored->lease ? std::string("expired") : stored->note));
            if (auto c = store_->clear_dhcp4o6_lease(); !c) log(effect::Level::error, "store: " + c.error());
        }
        client4o6_->start(now(), start.softwire_source, start.servers);
    }
    post_drain_dhcp4o6();
}

void Daemon::dhcp4o6_source_changed(const net::Ipv6Address& source) {
    if (!client4o6_) return;
    dhcp4o6_source_ = source;
    put_dhcp4o6_source_on_wan();
    client4o6_->source_address_changed(source, now());
    post_drain_dhcp4o6();
}

void Daemon::stop_dhcp4o6(const std::string& why) {
    if (!client4o6_) return;
    client4o6_->stop(now());
    // The DHCPRELEASE goes out now, before the engine is gone (shutdown may end the loop next);
    // its lease events are not delivered: the controller has already let the lease go.
    drain_dhcp4o6(/*deliver=*/false);
    log(effect::Level::debug, "DHCP 4o6 client stopped (" + why + ")");
    dhcp4o6_timer_.cancel();
    client4o6_.reset();
    remove_dhcp4o6_source();
}

// The softwire source must be an address of the WAN before the first DHCPV4-QUERY: the 4o6
// server answers to the query's source (RFC 7341 §5), and a <delegated prefix>::1 source is
// not on any interface until a plan applies, which needs the answer. Added /128 without DAD, as
// the data planes add the tunnel source; an address already there (an IA_NA the OS configured)
// is left alone, and only what s46d added here is removed again.
void Daemon::put_dhcp4o6_source_on_wan() {
    if (dhcp4o6_added_source_ == dhcp4o6_source_) return;
    remove_dhcp4o6_source();
    // Unreadable: try to add it anyway; the kernel refuses an address that is already there.
    if (auto present = platform::interface_has_address(options_.wan_interface, dhcp4o6_source_); present && *present) return;
    platform::Rtnetlink rtnl;
    auto r = rtnl.open();
    if (r) r = rtnl.add_address(options_.wan_interface, net::Ipv6Prefix(dhcp4o6_source_, 128), /*nodad=*/true);
    if (!r) {
        log(effect::Level::warning, "DHCP 4o6 softwire source: " + r.error(), "DHCP 4o6 source address");
        return;
    }
    dhcp4o6_added_source_ = dhcp4o6_source_;
}

void Daemon::remove_dhcp4o6_source() {
    if (!dhcp4o6_added_source_) return;
    // Best effort: a data plane that used the same address as its tunnel source may have
    // removed it on teardown already.
    platform::Rtnetlink rtnl;
    if (rtnl.open()) (void)rtnl.del_address(options_.wan_interface, net::Ipv6Prefix(*dhcp4o6_added_source_, 128));
    dhcp4o6_added_source_.reset();
}

void Daemon::receive_dhcp4o6(std::span<const std::uint8_t> bytes) {
    if (!client4o6_) {
        ++dhcp4o6_unexpected_;
        log(effect::Level::debug, "ignored DHCPV4-RESPONSE: no DHCP 4o6 client is running", "ignored DHCPV4-RESPONSE");
        return;
    }
    if (client4o6_->receive(bytes, now()) == c4::Disposition::ignored && client4o6_->last_rejection())
        log(effect::Level::debug, "ignored DHCPV4-RESPONSE: " + client4o6_->last_rejection()->detail,
            "ignored DHCPV4-RESPONSE " + std::string(c4::to_string(client4o6_->last_rejection()->reason)));
    drain_dhcp4o6();
}

void Daemon::post_drain_dhcp4o6() {
    asio::post(io_, [this] { drain_dhcp4o6(); });
}

void Daemon::drain_dhcp4o6(bool deliver) {
    if (!client4o6_ || !socket_) return;
    for (auto actions = client4o6_->take_actions(); !actions.empty(); actions = client4o6_ ? client4o6_->take_actions() : decltype(actions){}) {
        for (auto& action : actions) {
            std::visit(
                [&](auto& a) {
                    using A = std::decay_t<decltype(a)>;
                    auto bound = [&](const c4::Lease4& lease, store::EventKind kind) {
                        if (deliver) carry_out(controller_->handle(event::Dhcp4o6Bound{to_lease(lease), kind}, now()));
                    };
                    if constexpr (std::is_same_v<A, c4::Send>) {
                        if (!dhcp4o6_first_query_at_) dhcp4o6_first_query_at_ = std::chrono::steady_clock::now();
                        if (auto r = socket_->send_from(a.bytes, dhcp4o6_source_, a.to, a.port); !r) {
                            ++dhcp4o6_send_errors_;
                            log(effect::Level::warning, r.error(), "DHCP 4o6 send error");
                        }
                    } else if constexpr (std::is_same_v<A, c4::LeaseObtained>) {
                        bound(a.lease, store::EventKind::lease_obtained);
                        if (deliver) time_dhcp4o6_ack();
                    } else if constexpr (std::is_same_v<A, c4::LeaseRenewed>) {
                        bound(a.lease, store::EventKind::lease_renewed);
                    } else if constexpr (std::is_same_v<A, c4::LeaseRebound>) {
                        bound(a.lease, store::EventKind::lease_rebound);
                    } else if constexpr (std::is_same_v<A, c4::LeaseLost>) {
                        if (deliver) carry_out(controller_->handle(event::Dhcp4o6Lost{why_lost(a.reason)}, now()));
                    } else if constexpr (std::is_same_v<A, c4::Released>) {
                        log(effect::Level::info, "DHCP 4o6 lease " + a.lease.address.to_string() + " released");
                    }
                },
                action);
        }
    }
    arm_dhcp4o6_timer();
}

// Called right after the controller handled the first ACK (LeaseObtained comes only from an ACK
// in REQUESTING, docs/dhcp4o6-client.md §1), so received_at_ is that ACK's arrival on the socket
// and, if the binding made lw4o6 active, its plan has been applied by now (ApplyPlan is carried
// out inside handle()'s batch).
void Daemon::time_dhcp4o6_ack() {
    if (dhcp4o6_timed_ || !received_at_) return;
    dhcp4o6_timed_ = true;
    const auto at = std::chrono::steady_clock::now();
    const auto ack = *received_at_;
    if (dhcp4o6_reply_at_) reply_to_dhcp4o6_ack_ms_ = std::chrono::duration<double, std::milli>(ack - *dhcp4o6_reply_at_).count();
    if (dhcp4o6_first_query_at_)
        dhcp4o6_first_query_to_ack_ms_ = std::chrono::duration<double, std::milli>(ack - *dhcp4o6_first_query_at_).count();
    if (controller_->active_mode() != select::Mode::none) {
        dhcp4o6_ack_to_plan_us_ = std::chrono::duration<double, std::micro>(at - ack).count();
        // The DHCPv6 Reply alone brought no mode (the plan waited for this binding), so the first
        // mode of this start is this one.
        if (!start_to_mode_ms_) start_to_mode_ms_ = std::chrono::duration<double, std::milli>(at - started_at_).count();
    }
}

// As arm_timer(): the steady timer does not count suspend, so on_tick() also runs what is due.
void Daemon::arm_dhcp4o6_timer() {
    arm_deadline(dhcp4o6_timer_, client4o6_ ? client4o6_->next_deadline() : std::nullopt, [this] {
        if (!client4o6_) return;
        client4o6_->on_timer(now());
        drain_dhcp4o6();
    });
}

}  // namespace s46::daemon
