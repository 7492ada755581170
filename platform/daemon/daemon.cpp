#include "platform/daemon/daemon.hpp"

#include <fcntl.h>
#include <grp.h>
#include <sys/file.h>
#include <net/if.h>
#include <unistd.h>
#include <time.h>

#include <chrono>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>

#include "core/util/hex.hpp"
#include "dhcp/client/duid.hpp"
#include "dhcp/client/reject.hpp"
#include "dhcp/client/state.hpp"
#include "platform/dataplane/kernel_dataplane.hpp"
#include "platform/dataplane/userspace_dataplane.hpp"
#include "platform/daemon/privileges.hpp"
#include "platform/log/logger.hpp"
#include "platform/store/state_dir.hpp"
#include "platform/time/clock.hpp"

namespace s46::daemon {

using nlohmann::json;
namespace client = dhcp::client;

namespace {

// The WAN MAC for a DUID-LL (RFC 8415 §11.4): stable across restarts, so a restore can Rebind.
Result<std::array<std::uint8_t, 6>> interface_mac(const std::string& ifname) {
    std::ifstream in("/sys/class/net/" + ifname + "/address");
    std::string text;
    if (!(in >> text)) return fail("cannot read the MAC address of " + ifname);
    std::array<std::uint8_t, 6> mac{};
    unsigned v[6];
    if (std::sscanf(text.c_str(), "%x:%x:%x:%x:%x:%x", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5]) != 6)
        return fail("unexpected MAC address '" + text + "' on " + ifname);
    for (int i = 0; i < 6; ++i) mac[i] = static_cast<std::uint8_t>(v[i]);
    return mac;
}

log::Level log_level(effect::Level l) {
    switch (l) {
        case effect::Level::error: return log::Level::error;
        case effect::Level::warning: return log::Level::warning;
        case effect::Level::info: return log::Level::info;
        case effect::Level::debug: return log::Level::debug;
    }
    return log::Level::info;
}

}  // namespace

Daemon::Daemon(DaemonOptions options, std::vector<std::string> args)
    : options_(std::move(options)),
      args_(std::move(args)),
      signals_(io_, SIGINT, SIGTERM, SIGHUP),
      engine_timer_(io_),
      tick_timer_(io_),
      dhcp4o6_timer_(io_) {}

Daemon::~Daemon() = default;

void Daemon::log(effect::Level level, const std::string& line, const std::string& key) const {
    log::logger().write(log_level(level), key, line);
}

// CLOCK_BOOTTIME: monotonic and counting suspend. Every timer and lifetime runs on it, so an NTP
// step of the wall clock changes none of them (docs/time.md).
Time Daemon::now() const { return std::chrono::milliseconds(time::boot_now_ms()); }

Result<void> Daemon::start() {
    started_at_ = std::chrono::steady_clock::now();
    std::error_code ec;
    // First: the control socket's instance lock is what keeps a second s46d from touching the
    // store, the TUN device and the WAN socket of a running one. No request is served before
    // run(), so the half-built daemon is never asked anything.
    std::filesystem::create_directories(std::filesystem::path(options_.control_socket).parent_path(), ec);
    control_ = std::make_unique<control::ControlServer>(io_, static_cast<control::Service&>(*this), control::ServerOptions{},
                                                        [this](const std::string& line) { log(effect::Level::warning, line, "control socket"); });
    std::optional<gid_t> group;
    if (!options_.control_group.empty()) {
        const ::group* gr = ::getgrnam(options_.control_group.c_str());
        if (!gr) return fail("control socket group '" + options_.control_group + "' does not exist");
        group = gr->gr_gid;
    }
    auto listening = control_->listen(options_.control_socket, group);
    if (!listening) return fail(listening.error());
    auto dir = store::prepare_state_dir(options_.state_dir);
    if (!dir) return fail(dir.error());
    for (const auto& w : dir->warnings) log(effect::Level::warning, "store: " + w);
    state_dir_created_ = dir->created;
    // Two daemons on one state directory would overwrite each other's lease even with different
    // control sockets: the directory has its own lock.
    if (auto locked = lock_state_dir(); !locked) return locked;

    auto opened = store::SqliteStore::open(store::SqliteStoreOptions{options_.state_dir + "/state.db", 10000, 10000, ""});
    if (!opened) return fail(opened.error());
    for (const auto& w : opened->warnings) log(effect::Level::warning, "store: " + w);
    store_ = std::move(opened->store);

    dns::CaresResolverOptions dns_options;
    dns_options.port = options_.dns_port;
    resolver_ = std::make_unique<dns::CaresResolver>(io_, dns_options);

    if (options_.dataplane == DataPlaneKind::userspace) {
        UserspaceConfig uc;
        uc.wan_interface = options_.wan_interface;
        uc.lan_interface = options_.lan_interface;
        uc.max_sessions = options_.napt_max_sessions;
        uc.max_ports_per_host = options_.napt_host_share;
        uc.options = options_.packet;
        if (!options_.tunnel_device.empty()) uc.tun_name = options_.tunnel_device;
        auto dp = UserspaceDataPlane::create(io_, uc);
        if (!dp) return fail("--dataplane userspace: " + dp.error());
        dataplane_ = std::move(*dp);
    } else if (options_.dataplane == DataPlaneKind::kernel) {
        KernelConfig kc;
        kc.wan_interface = options_.wan_interface;
        kc.lan_interface = options_.lan_interface;
        if (!options_.tunnel_device.empty()) kc.device = options_.tunnel_device;
        kc.route_table = options_.route_table;
        kc.route_metric = options_.route_metric;
        kc.flowtable = options_.flowtable;
        kc.options = options_.packet;
        auto dp = KernelDataPlane::create(kc, store_.get());
        if (!dp) return fail("--dataplane kernel: " + dp.error());
        // nf_nat has no per-host quota of the port set: say so rather than pretend.
        if (options_.napt_host_share != 0)
            log(effect::Level::warning, "napt.host_share (--napt-host-share) applies to the userspace backend only; "
                                        "the kernel backend's NAPT44 (nf_nat) shares the port set without per-host limits");
        dataplane_ = std::move(*dp);
    } else {
        dataplane_ = std::make_unique<NullDataPlane>();
    }
    load_forwards();
    hooks_ = std::make_unique<hooks::HookRunner>(io_, hooks::HookRunnerOptions{options_.hooks_directory, options_.hooks_timeout},
                                                 [this](bool problem, const std::string& line) {
                                                     log(problem ? effect::Level::warning : effect::Level::info, line, "hooks");
                                                 });
    static std::mt19937_64 jitter_rng{std::random_device{}()};
    controller_ = std::make_unique<Controller>(options_.controller,
                                               [] { return std::uniform_real_distribution<double>(0, 1)(jitter_rng); });

    signals_.async_wait([this](std::error_code ec2, int signo) {
        if (!ec2) on_signal(signo);
    });
    if (::if_nametoindex(options_.wan_interface.c_str()) == 0) {
        log(effect::Level::warning, "waiting for WAN interface " + options_.wan_interface + " to appear");
    } else if (auto r = start_wan(); !r) {
        return r;
    }
    carry_out(controller_->handle(event::Started{}, now()));

    // Everything that needs more than the three network capabilities is done.
    // The directory itself only when s46d made it: a configured one may be shared (/var/lib), and
    // s46d must not take it over; drop_privileges() then checks the user can already write it.
    const std::string db = options_.state_dir + "/state.db";
    PrivilegeDrop drop{options_.user, options_.group, {db, db + "-wal", db + "-shm", state_lock_path()}, {}};
    if (state_dir_created_) drop.writable.push_back(options_.state_dir);
    else drop.must_write.push_back(options_.state_dir);
    if (auto dropped = drop_privileges(drop); dropped) {
        log(effect::Level::info, *dropped);
    } else if (!options_.user.empty() || ::geteuid() == 0) {
        return fail("dropping privileges: " + dropped.error());
    } else {
        // Started unprivileged (ambient capabilities from the service manager, or a test):
        // there is nothing more to give up.
        log(effect::Level::debug, "privileges unchanged: " + dropped.error());
    }
    on_tick();
    return ok();
}

// The DHCPv6 side, once the WAN interface exists: DUID from its MAC, the client socket, the link
// monitor, and the stored lease.
Result<void> Daemon::start_wan() {
    if (!options_.dhcp_client) return start_wan_external();
    auto mac = interface_mac(options_.wan_interface);
    if (!mac) return fail(mac.error());
    client::ClientConfig cc;
    cc.duid = client::duid_ll(*mac);
    wan_mac_ = *mac;
    duid_ = cc.duid;
    cc.extra_oro = extra_option_request(options_.controller.policy);
    cc.stateless = options_.information_only;
    cc.request_na = options_.request_address;
    cc.pd_hint_length = options_.prefix_hint;
    cc.rapid_commit = options_.rapid_commit;
    cc.max_initial_delay = std::chrono::duration_cast<Time>(std::chrono::duration<double>(options_.solicit_max_delay));
    static std::mt19937 rng{std::random_device{}()};
    try {
        client_ = std::make_unique<client::Client>(cc, [] { return static_cast<std::uint32_t>(rng()); });
    } catch (const std::invalid_argument& e) {
        return fail(std::string("DHCPv6 client configuration: ") + e.what());
    }

    socket_ = std::make_unique<platform::Dhcp6Socket>(io_, options_.wan_interface);
    auto opened_socket = socket_->open(
        [this](std::span<const std::uint8_t> bytes, const net::Ipv6Address& from) {
            received_at_ = std::chrono::steady_clock::now();
            // One socket, two engines: RFC 7341 §5 runs 4o6 on the DHCPv6 ports, and the
            // msg-type tells them apart (DHCPV4-RESPONSE, 21, is the 4o6 engine's).
            if (!bytes.empty() && bytes[0] == dhcp::client4o6::kDhcpv4Response) {
                receive_dhcp4o6(bytes);
                return;
            }
            if (client_->receive(bytes, from, now()) == client::Disposition::ignored && client_->last_rejection())
                log(effect::Level::debug, "ignored DHCPv6 message: " + client_->last_rejection()->detail,
                    "ignored DHCPv6 message " + std::string(client::to_string(client_->last_rejection()->reason)));
            drain();
        },
        options_.client_port);
    if (!opened_socket) return fail(opened_socket.error());

    link_ = std::make_unique<platform::LinkMonitor>(io_, options_.wan_interface);
    auto linked = link_->start([this](bool up) {
        carry_out(controller_->handle(event::Link{up}, now()));
        if (up) client_->link_up(now());
        drain();
    });
    if (!linked) return fail(linked.error());
    wan_ready_ = true;

    // A still-valid stored lease restores the mode at once and is confirmed with Rebind.
    // Converted to the boot clock and judged at the store boundary (docs/time.md): the same boot
    // trusts the boot clock, a reboot trusts only a synchronized wall clock.
    auto stored = store_->load_lease(time::read_clocks());
    if (!stored) log(effect::Level::warning, "store: " + stored.error());
    if (stored && stored->lease) {
        carry_out(controller_->handle(event::Restored{*stored->lease}, now()));
        log(effect::Level::info, "restored " + std::string(select::to_string(controller_->active_mode())) +
                                     " from the stored lease (" + stored->note + "); rebinding");
        client_->restore(*stored->lease, now());
    } else {
        if (stored && stored->found) {
            log(effect::Level::warning, "stored lease not restored: " + stored->note);
            store::Event e{0, time::wall_now_seconds(), store::EventKind::lease_expired, select::Mode::none, select::Mode::none,
                           "stored lease not restored: " + stored->note};
            if (auto a = store_->append(e); !a) log(effect::Level::error, "store: " + a.error());
            if (auto c = store_->clear_lease(); !c) log(effect::Level::error, "store: " + c.error());
        }
        client_->start(now());
    }
    drain();
    return ok();
}

std::string Daemon::state_lock_path() const { return options_.state_dir + "/s46d.lock"; }

Result<void> Daemon::lock_state_dir() {
    const std::string path = state_lock_path();
    int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0) return fail("state directory lock " + path + ": " + std::strerror(errno));
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
        const int err = errno;
        ::close(fd);
        if (err == EWOULDBLOCK) return fail("another s46d is running on state directory " + options_.state_dir + " (" + path + " is locked)");
        return fail("state directory lock " + path + ": " + std::strerror(err));
    }
    state_lock_fd_ = fd;  // held, never closed, for the daemon's life: the kernel releases it at exit
    return ok();
}

// dhcpv6.client false: another DHCPv6 client owns the WAN link (port 546, the DUID), and
// `s46ctl provision` brings its results. The link is still watched, and a stored lease still
// restores the mode at once: the external client only reports again at its next Renew.
Result<void> Daemon::start_wan_external() {
    link_ = std::make_unique<platform::LinkMonitor>(io_, options_.wan_interface);
    auto linked = link_->start([this](bool up) { carry_out(controller_->handle(event::Link{up}, now())); });
    if (!linked) return fail(linked.error());
    wan_ready_ = true;
    log(effect::Level::info, "DHCPv6 client off (dhcpv6.client false): provisioning comes from s46ctl provision");
    auto stored = store_->load_lease(time::read_clocks());
    if (!stored) log(effect::Level::warning, "store: " + stored.error());
    if (stored && stored->lease) {
        carry_out(controller_->handle(event::Restored{*stored->lease}, now()));
        log(effect::Level::info, "restored " + std::string(select::to_string(controller_->active_mode())) +
                                     " from the stored lease (" + stored->note + ")");
    }
    return ok();
}

void Daemon::wait_for_wan() {
    if (wan_ready_ || stopping_) return;
    if (::if_nametoindex(options_.wan_interface.c_str()) == 0) return;
    log(effect::Level::info, "WAN interface " + options_.wan_interface + " appeared");
    if (auto r = start_wan(); !r) {
        // Not fatal: the interface may be half set up (no MAC yet); try again on the next tick.
        log(effect::Level::error, r.error() + "; retrying");
        client_.reset();
        socket_.reset();
        link_.reset();
    }
}

void Daemon::carry_out(Effects effects) {
    for (auto& e : effects) {
        std::visit(
            [this](auto& x) {
                using E = std::decay_t<decltype(x)>;
                auto failed = [this](const std::string& what) {
                    last_error_ = what;
                    log(effect::Level::error, what);
                };
                if constexpr (std::is_same_v<E, effect::SaveLease>) {
                    if (auto s = store_->save_lease(x.lease, time::read_clocks()); !s) failed("store: " + s.error());
                } else if constexpr (std::is_same_v<E, effect::ClearLease>) {
                    if (auto s = store_->clear_lease(); !s) failed("store: " + s.error());
                } else if constexpr (std::is_same_v<E, effect::Journal>) {
                    if (auto s = store_->append({0, time::wall_now_seconds(), x.kind, x.from, x.to, x.detail}); !s)
                        failed("store: " + s.error());
                } else if constexpr (std::is_same_v<E, effect::SaveSelection>) {
                    if (auto s = store_->save_selection(x.selection); !s) failed("store: " + s.error());
                } else if constexpr (std::is_same_v<E, effect::RecordBinding>) {
                    x.binding.at = time::wall_now_seconds();
                    if (auto s = store_->record_binding(x.binding); !s) failed("store: " + s.error());
                } else if constexpr (std::is_same_v<E, effect::ApplyPlan>) {
                    if (auto r = dataplane_->apply(x.transition, x.plan ? &*x.plan : nullptr); !r)
                        failed("data plane " + dataplane_->name() + ": " + r.error());
                    else if (auto ev = hooks::hook_event(x.transition.kind))
                        run_hooks(*ev, x.transition.kind == select::TransitionKind::teardown ? nullptr : (x.plan ? &*x.plan : nullptr));
                    // A new port set may hold other forwarded ports; the data plane re-learns them.
                    sync_forwards(true);
                } else if constexpr (std::is_same_v<E, effect::SetRemote>) {
                    if (auto r = dataplane_->set_remote(x.remote); !r) failed("data plane: " + r.error());
                    else if (hooked_plan_) {
                        modes::Plan p = *hooked_plan_;
                        p.tunnel_remote = x.remote;
                        run_hooks(hooks::HookEvent::change, &p);
                    }
                } else if constexpr (std::is_same_v<E, effect::Resolve>) {
                    const std::uint64_t query = x.query;
                    resolver_->resolve(x.name, x.servers, [this, query](dns::AftrResult r) {
                        carry_out(controller_->handle(event::DnsAnswer{query, std::move(r)}, now()));
                    });
                } else if constexpr (std::is_same_v<E, effect::CancelResolve>) {
                    resolver_->cancel();
                } else if constexpr (std::is_same_v<E, effect::Renew>) {
                    // Carried out after this batch by the caller's drain(): draining may feed a
                    // lease back into the controller, which must not happen inside a batch.
                    if (client_ && client_->renew_now(now())) log(effect::Level::info, "renewing: " + x.why);
                    else log(effect::Level::info, "cannot renew (" + x.why + "): no lease in the Bound state");
                } else if constexpr (std::is_same_v<E, effect::Log>) {
                    log(x.level, x.text, x.key);
                } else if constexpr (std::is_same_v<E, effect::StartDhcp4o6>) {
                    start_dhcp4o6(x);
                } else if constexpr (std::is_same_v<E, effect::Dhcp4o6SourceChanged>) {
                    dhcp4o6_source_changed(x.softwire_source);
                } else if constexpr (std::is_same_v<E, effect::StopDhcp4o6>) {
                    stop_dhcp4o6(x.why);
                } else if constexpr (std::is_same_v<E, effect::SaveDhcp4o6Lease>) {
                    if (auto s = store_->save_dhcp4o6_lease(x.lease, time::read_clocks()); !s) failed("store: " + s.error());
                } else if constexpr (std::is_same_v<E, effect::ClearDhcp4o6Lease>) {
                    if (auto s = store_->clear_dhcp4o6_lease(); !s) failed("store: " + s.error());
                }
            },
            e);
    }
}

void Daemon::drain() {
    if (!client_) return;
    auto lease_event = [this] {
        auto at = std::chrono::steady_clock::now();
        if (received_at_) reply_to_plan_us_ = std::chrono::duration<double, std::micro>(at - *received_at_).count();
        if (!start_to_mode_ms_ && first_send_at_ && received_at_)
            first_send_to_reply_ms_ = std::chrono::duration<double, std::milli>(*received_at_ - *first_send_at_).count();
        if (!start_to_mode_ms_ && controller_->active_mode() != select::Mode::none)
            start_to_mode_ms_ = std::chrono::duration<double, std::milli>(at - started_at_).count();
    };
    // Lease events can queue more actions (a Renew asked for by the controller): loop until empty.
    for (auto actions = client_->take_actions(); !actions.empty(); actions = client_->take_actions()) {
        for (auto& action : actions) {
            std::visit(
                [this, &lease_event](auto& a) {
                    using A = std::decay_t<decltype(a)>;
                    if constexpr (std::is_same_v<A, client::Send>) {
                        if (!first_send_at_) first_send_at_ = std::chrono::steady_clock::now();
                        if (auto r = socket_->send(a.bytes, &a.to, a.port); !r) {
                            ++send_errors_;
                            log(effect::Level::debug, r.error());
                        }
                    } else if constexpr (std::is_same_v<A, client::LeaseObtained>) {
                        carry_out(controller_->handle(event::Provisioned{a.lease, store::EventKind::lease_obtained, Source::dhcp_client}, now()));
                        lease_event();
                    } else if constexpr (std::is_same_v<A, client::LeaseRenewed>) {
                        carry_out(controller_->handle(event::Provisioned{a.lease, store::EventKind::lease_renewed, Source::dhcp_client}, now()));
                        lease_event();
                    } else if constexpr (std::is_same_v<A, client::LeaseRebound>) {
                        carry_out(controller_->handle(event::Provisioned{a.lease, store::EventKind::lease_rebound, Source::dhcp_client}, now()));
                        lease_event();
                    } else if constexpr (std::is_same_v<A, client::LeaseExpired>) {
                        carry_out(controller_->handle(event::LeaseExpired{}, now()));
                    } else if constexpr (std::is_same_v<A, client::Released>) {
                        if (stopping_) io_.stop();
                    } else if constexpr (std::is_same_v<A, client::InformationReceived>) {
                        carry_out(controller_->handle(event::Informed{a.raw_options}, now()));
                        lease_event();
                    }
                },
                action);
        }
    }
    arm_timer();
}

// The engine's deadlines are boot-clock times; Asio's steady timer does not count suspend, so
// the one-second tick also calls on_timer() whenever a deadline has passed (harmless if early).
void Daemon::arm_timer() {
    arm_deadline(engine_timer_, client_ ? client_->next_deadline() : std::nullopt, [this] {
        client_->on_timer(now());
        drain();
    });
}

void Daemon::arm_deadline(asio::steady_timer& timer, std::optional<Time> deadline, std::function<void()> due) {
    timer.cancel();
    if (!deadline) return;
    auto wait = *deadline - now();
    if (wait < Time::zero()) wait = Time::zero();
    timer.expires_after(wait);
    timer.async_wait([due = std::move(due)](std::error_code ec) {
        if (!ec) due();
    });
}

void Daemon::on_tick() {
    log::flush();  // summaries of rate-limited lines whose window closed
    wait_for_wan();
    carry_out(controller_->handle(event::Tick{dataplane_->take_events()}, now()));
    if (client_) {
        if (auto d = client_->next_deadline(); d && *d <= now()) client_->on_timer(now());
        drain();  // sends a Renew a tunnel event asked for, and re-arms the engine's timer
    }
    if (client4o6_) {
        if (auto d = client4o6_->next_deadline(); d && *d <= now()) client4o6_->on_timer(now());
        drain_dhcp4o6();
    }
    dataplane_->tick();
    tick_timer_.expires_after(std::chrono::seconds(1));
    tick_timer_.async_wait([this](std::error_code ec) {
        if (!ec) on_tick();
    });
}

void Daemon::on_signal(int signo) {
    if (signo == SIGHUP) {
        // reload() reports every failure as a result; this guard keeps a future throw (a parser
        // bug, bad_alloc) from ending the daemon without a Release.
        try {
            reload();
        } catch (const std::exception& e) {
            log(effect::Level::error, std::string("reload failed, keeping the running configuration: ") + e.what());
        }
        signals_.async_wait([this](std::error_code ec, int s) {
            if (!ec) on_signal(s);
        });
        return;
    }
    shutdown(signo == SIGTERM ? "SIGTERM" : "SIGINT");
}

// SIGHUP: read the configuration again. A file that does not parse is rejected and the running
// configuration kept; a valid one changes the policy in place (the lease in hand is decided again
// and a changed mode or binding replaces the old one in one step). What only a restart can change
// (interfaces, data-plane backend, state directory, control socket) is named in a warning.
Result<std::string> Daemon::reload() {
    auto fresh = reload_options(args_);
    if (!fresh) {
        ++reload_failures_;
        log(effect::Level::error, "reload rejected, keeping the running configuration: " + fresh.error());
        return fail("reload rejected, keeping the running configuration: " + fresh.error());
    }
    ++reloads_;
    // Applied in place: the selection policy and plan context (the controller's configuration)
    // and the log level. Everything else is fixed at start, and each change is named.
    std::vector<std::string> need_restart;
    const DaemonOptions& o = options_;
    const DaemonOptions& n = *fresh;
    const std::pair<bool, const char*> fixed[] = {
        {n.wan_interface != o.wan_interface, "interfaces.wan"},
        {n.lan_interface != o.lan_interface, "interfaces.lan"},
        {n.dataplane != o.dataplane || n.flowtable != o.flowtable, "dataplane.backend, dataplane.flowtable"},
        {n.hooks_directory != o.hooks_directory || n.hooks_timeout != o.hooks_timeout, "hooks.directory, hooks.timeout"},
        {n.tunnel_device != o.tunnel_device || n.route_table != o.route_table || n.route_metric != o.route_metric,
         "tunnel.device, tunnel.route_table, tunnel.route_metric"},
        {n.packet != o.packet, "the packet path (tunnel, icmp, dataplane.mss_clamp/source_check)"},
        {n.napt_host_share != o.napt_host_share || n.napt_max_sessions != o.napt_max_sessions, "napt"},
        {n.dhcp_client != o.dhcp_client || n.prefix_hint != o.prefix_hint || n.request_address != o.request_address ||
             n.information_only != o.information_only || n.rapid_commit != o.rapid_commit ||
             n.solicit_max_delay != o.solicit_max_delay || n.client_port != o.client_port || n.dns_port != o.dns_port,
         "dhcpv6"},
        {n.state_dir != o.state_dir, "state.directory"},
        {n.control_socket != o.control_socket || n.control_group != o.control_group, "control"},
        {n.log_target != o.log_target || n.log_facility != o.log_facility, "log.target/facility"},
        {n.user != o.user || n.group != o.group, "privileges (user, group)"},
    };
    for (const auto& [changed, what] : fixed)
        if (changed) need_restart.push_back(what);
    std::string restart_note;
    for (const auto& n : need_restart) restart_note += (restart_note.empty() ? "" : ", ") + n;
    if (!restart_note.empty()) log(effect::Level::warning, "reload: changes to " + restart_note + " take effect at the next restart");
    options_.controller = fresh->controller;
    options_.verbose = fresh->verbose;
    options_.log_level = fresh->log_level;
    log::logger().set_level(fresh->log_level);
    auto effects = controller_->reconfigure(fresh->controller, now());
    std::string summary = effects.empty() ? "configuration reloaded; nothing changed for the active mode"
                                          : "configuration reloaded; active mode " +
                                                std::string(select::to_string(controller_->active_mode()));
    if (!restart_note.empty()) summary += " (" + restart_note + ": at the next restart)";
    log(effect::Level::info, summary);
    carry_out(std::move(effects));
    drain();
    return summary;
}

void Daemon::shutdown(const std::string& why) {
    if (stopping_) return;
    stopping_ = true;
    log(effect::Level::info, "shutting down (" + why + "): tearing down and releasing the lease");
    carry_out(controller_->handle(event::Released{}, now()));
    if (!client_) {
        io_.stop();
        return;
    }
    client_->stop(now());
    drain();
    if (client_->state() == client::State::init) {
        io_.stop();
        return;
    }
    // Release gets REL_MAX_RC tries (RFC 8415 §18.2.7); do not hang on a server that is gone.
    tick_timer_.cancel();
    tick_timer_.expires_after(std::chrono::seconds(3));
    tick_timer_.async_wait([this](std::error_code ec) {
        if (!ec) io_.stop();
    });
}

void Daemon::run_hooks(hooks::HookEvent event, const modes::Plan* plan) {
    if (!hooks_) return;
    // A DS-Lite plan whose AFTR is not resolved yet has no tunnel: its "up" comes with SetRemote.
    if (event != hooks::HookEvent::down && plan && !plan->tunnel_remote) {
        hooked_plan_ = *plan;
        return;
    }
    if (event == hooks::HookEvent::change && !hook_up_) event = hooks::HookEvent::up;
    if (event == hooks::HookEvent::down && !hook_up_) {
        hooked_plan_.reset();
        return;
    }
    if (event == hooks::HookEvent::down) hooked_plan_.reset();
    else hooked_plan_ = *plan;
    hook_up_ = event != hooks::HookEvent::down;
    hooks::HookContext context{dataplane_->name(), dataplane_->device(), options_.wan_interface};
    hooks_->run(hooks::make_hook_call(event, plan, context));
}

int Daemon::run() {
    io_.run();
    // The "down" hooks of the teardown at shutdown, if the loop stopped before they finished.
    if (hooks_) hooks_->drain(std::chrono::seconds(3));
    if (control_) control_->close();
    return 0;
}

}  // namespace s46::daemon
