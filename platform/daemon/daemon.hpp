// s46d assembled: the DHCPv6 client engine on its UDP socket, the link monitor, the controller
// (selection, store, AFTR resolution, data plane) and the control socket, on one Asio loop.
#pragma once

#include <memory>
#include <optional>

#include <asio.hpp>

#include "dhcp/client/client.hpp"
#include "platform/control/control_server.hpp"
#include "platform/control/service.hpp"
#include "platform/daemon/controller.hpp"
#include "platform/daemon/daemon_options.hpp"
#include "platform/dns/cares_resolver.hpp"
#include "platform/net/dhcp6_socket.hpp"
#include "platform/net/link_monitor.hpp"
#include "platform/store/sqlite_store.hpp"

namespace s46::daemon {

// The control socket's requests are served by the Service overrides (daemon_control.cpp).
class Daemon final : private control::Service {
public:
    explicit Daemon(DaemonOptions options);
    ~Daemon();
    // Sets everything up; errors name what failed (interface, socket, state directory).
    Result<bool> start();
    // Runs until SIGINT/SIGTERM, then releases the lease and returns the exit status.
    int run();

private:
    dhcp::client::Time now() const;
    void drain();
    void arm_timer();
    void on_tick();
    void shutdown();
    // control::Service, in daemon_control.cpp.
    Result<control::StatusReply> status(const control::StatusRequest& request) override;
    Result<control::EventsReply> events(const control::EventsRequest& request) override;
    Result<control::MessageReply> renew(const control::RenewRequest& request) override;
    Result<control::StatusReply> provision(const control::ProvisionRequest& request) override;
    Result<control::MessageReply> mode(const control::ModeRequest& request) override;
    Result<control::PortmapReply> portmap(const control::PortmapRequest& request) override;
    Result<control::MessageReply> reload(const control::ReloadRequest& request) override;
    nlohmann::json status();
    // `s46ctl mode set` and `s46ctl reload`: Mode::none is "auto" (select::Policy::configured).
    // The returned text is the operator's confirmation. Stubs in this build (daemon_control.cpp).
    Result<std::string> set_mode(select::Mode mode);
    Result<std::string> reload();
    void log(const std::string& line) const;

    DaemonOptions options_;
    asio::io_context io_;
    asio::signal_set signals_;
    asio::steady_timer engine_timer_;
    asio::steady_timer tick_timer_;
    std::unique_ptr<store::SqliteStore> store_;
    std::unique_ptr<dns::CaresResolver> resolver_;
    std::unique_ptr<DataPlane> dataplane_;
    std::unique_ptr<Controller> controller_;
    std::unique_ptr<dhcp::client::Client> client_;
    std::unique_ptr<platform::Dhcp6Socket> socket_;
    std::unique_ptr<platform::LinkMonitor> link_;
    std::unique_ptr<control::ControlServer> control_;
    bool stopping_ = false;
    bool renew_pending_ = false;  // set inside Controller::tick() by the re-provisioning callback
    // Timings reported in status (docs/performance.md): process start -> first mode active, and
    // the last Reply's arrival on the socket -> mode selected and plan ready.
    std::chrono::steady_clock::time_point started_at_;
    std::optional<std::chrono::steady_clock::time_point> received_at_;
    std::optional<std::chrono::steady_clock::time_point> first_send_at_;
    std::optional<double> first_send_to_reply_ms_;  // the network and server's share
    std::optional<double> start_to_mode_ms_;
    std::optional<double> reply_to_plan_us_;
    std::uint64_t send_errors_ = 0;
};

}  // namespace s46::daemon
