// s46d assembled: the DHCPv6 client engine on its UDP socket, the link monitor, the controller
// (policy, sans-IO) and the control socket, on one Asio loop. This file is the thin loop: it
// turns sockets, signals and timers into events, and carries out the effects the controller and
// the client engine return. Every time it hands them is boot-clock time (docs/time.md).
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <asio.hpp>

#include "dhcp/client/client.hpp"
#include "dhcp/client4o6/client.hpp"
#include "platform/control/control_server.hpp"
#include "platform/control/service.hpp"
#include "platform/daemon/controller.hpp"
#include "platform/daemon/daemon_options.hpp"
#include "platform/dns/cares_resolver.hpp"
#include "platform/hooks/hook_runner.hpp"
#include "platform/net/dhcp6_socket.hpp"
#include "platform/net/link_monitor.hpp"
#include "platform/store/sqlite_store.hpp"

namespace s46::daemon {

// The control socket's requests are served by the Service overrides (daemon_control.cpp).
class Daemon final : private control::Service {
public:
    // `args` are the command-line arguments the options came from: SIGHUP re-reads the
    // configuration file and applies them again on top.
    Daemon(DaemonOptions options, std::vector<std::string> args = {});
    ~Daemon();
    // Sets everything up; errors name what failed (state directory, socket, another instance).
    // A WAN interface that does not exist yet is waited for, not an error.
    Result<void> start();
    // Runs until SIGINT/SIGTERM, then releases the lease, tears down what it set up and returns
    // the exit status.
    int run();

private:
    Time now() const;
    Result<void> start_wan();
    Result<void> start_wan_external();
    void wait_for_wan();
    std::string state_lock_path() const;
    Result<void> lock_state_dir();
    void carry_out(Effects effects);
    void drain();
    void arm_timer();
    // Runs `due` at the boot-clock `deadline` (none: only cancels); both engines' timers use it.
    void arm_deadline(asio::steady_timer& timer, std::optional<Time> deadline, std::function<void()> due);
    void on_tick();
    void on_signal(int signo);
    // The DHCPv4-over-DHCPv6 client (daemon_dhcp4o6.cpp): created on effect::StartDhcp4o6, fed
    // the DHCPV4-RESPONSEs of the shared socket, its lease events turned into controller events.
    void start_dhcp4o6(const effect::StartDhcp4o6& start);
    void stop_dhcp4o6(const std::string& why);
    void dhcp4o6_source_changed(const net::Ipv6Address& source);
    void receive_dhcp4o6(std::span<const std::uint8_t> bytes);
    // Sends what the engine queued; with `deliver`, hands its lease events to the controller
    // (never from inside carry_out(): a batch of effects is not interleaved with another).
    void drain_dhcp4o6(bool deliver = true);
    void arm_dhcp4o6_timer();
    void post_drain_dhcp4o6();
    void put_dhcp4o6_source_on_wan();
    void remove_dhcp4o6_source();
    void shutdown(const std::string& why);
    // control::Service, in daemon_control.cpp.
    Result<control::StatusReply> status(const control::StatusRequest& request) override;
    Result<control::EventsReply> events(const control::EventsRequest& request) override;
    Result<control::MessageReply> renew(const control::RenewRequest& request) override;
    Result<control::StatusReply> provision(const control::ProvisionRequest& request) override;
    Result<control::MessageReply> mode(const control::ModeRequest& request) override;
    Result<control::PortmapReply> portmap(const control::PortmapRequest& request) override;
    Result<control::MessageReply> reload(const control::ReloadRequest& request) override;
    nlohmann::json status();
    // `s46ctl mode set` (Mode::none is "auto", as select::Policy::configured) and SIGHUP or
    // `s46ctl reload`. The returned text is the operator's confirmation.
    Result<std::string> set_mode(select::Mode mode);
    Result<std::string> reload();
    void log(effect::Level level, const std::string& line, const std::string& key = {}) const;
    // Static port forwards (daemon_forwards.cpp).
    void load_forwards();
    // Re-evaluates the forwards under the active plan, reports those a plan change enabled or
    // disabled, and gives the data plane the enabled list when it changed (or `force`).
    void sync_forwards(bool force);
    // `s46ctl portmap add|del`: what was done, for the reply's message.
    Result<std::string> add_forward(const control::PortmapRequest& request);
    Result<std::string> delete_forward(const control::PortmapRequest& request);
    void journal_forward(const std::string& detail);

    DaemonOptions options_;
    std::vector<std::string> args_;
    asio::io_context io_;
    asio::signal_set signals_;
    asio::steady_timer engine_timer_;
    asio::steady_timer tick_timer_;
    std::unique_ptr<store::SqliteStore> store_;
    std::unique_ptr<dns::CaresResolver> resolver_;
    std::unique_ptr<DataPlane> dataplane_;
    std::unique_ptr<hooks::HookRunner> hooks_;      // vendor hooks on tunnel up, change, down
    std::unique_ptr<Controller> controller_;
    std::unique_ptr<dhcp::client::Client> client_;
    std::unique_ptr<platform::Dhcp6Socket> socket_;
    std::unique_ptr<dhcp::client4o6::Client> client4o6_;
    net::Ipv6Address dhcp4o6_source_;                 // the softwire source its queries come from
    std::optional<net::Ipv6Address> dhcp4o6_added_source_;  // that source, when s46d put it on the WAN
    asio::steady_timer dhcp4o6_timer_;
    std::array<std::uint8_t, 6> wan_mac_{};            // chaddr of the 4o6 client
    std::vector<std::uint8_t> duid_;                   // the DHCPv6 DUID, in the 4o6 client id
    std::uint64_t dhcp4o6_send_errors_ = 0, dhcp4o6_unexpected_ = 0;
    std::unique_ptr<platform::LinkMonitor> link_;
    std::unique_ptr<control::ControlServer> control_;
    bool stopping_ = false;
    bool wan_ready_ = false;
    bool state_dir_created_ = false;
    int state_lock_fd_ = -1;
    std::string last_error_;  // the last effect that failed (store, data plane), for status
    // Vendor hooks: the plan they were last told about, and whether they were told "up".
    void run_hooks(hooks::HookEvent event, const modes::Plan* plan);
    std::optional<modes::Plan> hooked_plan_;
    bool hook_up_ = false;
    std::uint64_t reloads_ = 0, reload_failures_ = 0;
    std::vector<napt::StaticForward> forwards_;          // configured, in the order added (as stored)
    std::vector<napt::ForwardState> forward_states_;     // under the active plan, for portmap
    std::vector<napt::ForwardState> planned_states_;     // under the last plan with a mode: what changes are told against
    std::optional<std::vector<napt::StaticForward>> forwards_sent_;  // what the data plane was given
    // Timings reported in status (docs/performance.md): process start -> first mode active, and
    // the last Reply's arrival on the socket -> mode selected and plan ready. Measurements, not
    // timers: the steady clock's microseconds are what they need.
    using Instant = std::chrono::steady_clock::time_point;
    Instant started_at_{};
    std::optional<Instant> received_at_;
    std::optional<Instant> first_send_at_;
    std::optional<double> first_send_to_reply_ms_;  // the network and server's share
    std::optional<double> start_to_mode_ms_;
    std::optional<double> reply_to_plan_us_;
    // lw4o6 via DHCP 4o6 (RFC 7596 §5.1, RFC 7341): the plan waits for a second exchange, so its
    // path is timed in three parts, once, for the first 4o6 client that gets an ACK after start:
    // DHCPv6 Reply -> ACK, first DHCPV4-QUERY -> ACK (the servers' and network's share, the
    // baseline) and ACK -> plan applied. A lease restored from the store has no ACK
    // and is not timed.
    void time_dhcp4o6_ack();
    bool dhcp4o6_timed_ = false;
    std::optional<Instant> dhcp4o6_reply_at_;        // the Reply that started that client
    std::optional<Instant> dhcp4o6_first_query_at_;
    std::optional<double> reply_to_dhcp4o6_ack_ms_;
    std::optional<double> dhcp4o6_first_query_to_ack_ms_;
    std::optional<double> dhcp4o6_ack_to_plan_us_;
    std::uint64_t send_errors_ = 0;
};

}  // namespace s46::daemon
