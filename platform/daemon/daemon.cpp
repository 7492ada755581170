#include "platform/daemon/daemon.hpp"

#include <sys/stat.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <random>

#include "dhcp/client/duid.hpp"
#include "dhcp/client/reject.hpp"
#include "dhcp/client/state.hpp"
#include "core/util/hex.hpp"
#include "platform/dataplane/userspace_dataplane.hpp"
#include "platform/store/state_dir.hpp"

namespace s46::daemon {

using nlohmann::json;
namespace client = dhcp::client;

namespace {

std::int64_t wall_seconds() {
    return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

// The WAN MAC for a DUID-LL (RFC 8415 §11.4): stable across restarts, so restore() can Rebind.
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

Result<provision::Lease> lease_from_request(const json& req, std::int64_t now) {
    provision::Lease lease;
    lease.obtained_at = now;
    auto hex = util::parse_hex(req.value("options_hex", std::string()));
    if (!hex) return fail("options_hex: " + hex.error());
    lease.options = std::move(*hex);
    for (const auto& p : req.value("prefixes", json::array())) {
        auto prefix = net::Ipv6Prefix::parse(p.value("prefix", std::string()));
        if (!prefix) return fail("prefixes: " + prefix.error());
        lease.prefixes.push_back({*prefix, p.value("preferred_lifetime", 3600u), p.value("valid_lifetime", 7200u)});
    }
    for (const auto& a : req.value("addresses", json::array())) {
        auto addr = net::Ipv6Address::parse(a.value("address", std::string()));
        if (!addr) return fail("addresses: " + addr.error());
        lease.addresses.push_back({*addr, a.value("preferred_lifetime", 3600u), a.value("valid_lifetime", 7200u)});
    }
    return lease;
}

}  // namespace

Daemon::Daemon(DaemonOptions options)
    : options_(std::move(options)), signals_(io_, SIGINT, SIGTERM), engine_timer_(io_), tick_timer_(io_) {}

Daemon::~Daemon() = default;

void Daemon::log(const std::string& line) const { std::cerr << "s46d: " << line << std::endl; }

client::Time Daemon::now() const {
    // Wall-clock milliseconds: lease times are stored and must mean the same after a restart.
    return std::chrono::duration_cast<client::Time>(std::chrono::system_clock::now().time_since_epoch());
}

Result<bool> Daemon::start() {
    started_at_ = std::chrono::steady_clock::now();
    std::error_code ec;
    auto dir = store::prepare_state_dir(options_.state_dir);
    if (!dir) return fail(dir.error());
    for (const auto& w : dir->warnings) log("store: " + w);
    auto opened = store::SqliteStore::open(store::SqliteStoreOptions{options_.state_dir + "/state.db", 10000, 10000, ""});
    if (!opened) return fail(opened.error());
    for (const auto& w : opened->warnings) log("store: " + w);
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
        auto dp = UserspaceDataPlane::create(io_, uc);
        if (!dp) return fail("--dataplane userspace: " + dp.error());
        dataplane_ = std::move(*dp);
    } else {
        dataplane_ = std::make_unique<NullDataPlane>();
    }
    controller_ = std::make_unique<Controller>(options_.controller, store_.get(), resolver_.get(), dataplane_.get(), wall_seconds);
    // RFC 7596 §5.1 "restart provisioning": a Renew asks the server for the lease and options
    // again. Called inside Controller::tick(), so the Renew is sent by on_tick()'s drain(), not
    // here: draining may feed a lease back into the controller, which must not re-enter it.
    controller_->set_reprovision([this](const std::string& why) {
        if (!client_->renew_now(now())) return false;
        if (options_.verbose) log("renewing: " + why);
        renew_pending_ = true;
        return true;
    });

    auto mac = interface_mac(options_.wan_interface);
    if (!mac) return fail(mac.error());
    client::ClientConfig cc;
    cc.duid = client::duid_ll(*mac);
    cc.stateless = options_.information_only;
    cc.request_na = options_.request_address;
    cc.pd_hint_length = options_.prefix_hint;
    cc.rapid_commit = options_.rapid_commit;
    cc.max_initial_delay = client::Time(static_cast<std::int64_t>(options_.solicit_max_delay * 1000));
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
            if (client_->receive(bytes, from, now()) == client::Disposition::Ignored && options_.verbose && client_->last_rejection())
                log("ignored DHCPv6 message: " + client_->last_rejection()->detail);
            drain();
        },
        options_.client_port);
    if (!opened_socket) return fail(opened_socket.error());

    link_ = std::make_unique<platform::LinkMonitor>(io_, options_.wan_interface);
    auto linked = link_->start([this](bool up) {
        log(std::string("WAN link ") + (up ? "up" : "down"));
        controller_->on_link(up);
        if (up) client_->link_up(now());
        drain();
    });
    if (!linked) return fail(linked.error());

    std::filesystem::create_directories(std::filesystem::path(options_.control_socket).parent_path(), ec);
    control_ = std::make_unique<control::ControlServer>(io_, [this](const json& r) { return handle(r); });
    auto listening = control_->listen(options_.control_socket);
    if (!listening) return fail(listening.error());

    // A still-valid stored lease restores the mode at once and is confirmed with Rebind.
    if (controller_->restore() && controller_->lease()) {
        log("restored " + std::string(select::to_string(controller_->active_mode())) + " from the stored lease; rebinding");
        client_->restore(*controller_->lease(), now());
    } else {
        client_->start(now());
    }
    drain();
    signals_.async_wait([this](std::error_code, int) { shutdown(); });
    on_tick();
    return true;
}

void Daemon::drain() {
    auto lease_event = [this] {
        auto now = std::chrono::steady_clock::now();
        if (received_at_) reply_to_plan_us_ = std::chrono::duration<double, std::micro>(now - *received_at_).count();
        if (!start_to_mode_ms_ && first_send_at_ && received_at_)
            first_send_to_reply_ms_ = std::chrono::duration<double, std::milli>(*received_at_ - *first_send_at_).count();
        if (!start_to_mode_ms_ && controller_->active_mode() != select::Mode::none)
            start_to_mode_ms_ = std::chrono::duration<double, std::milli>(now - started_at_).count();
    };
    for (auto& action : client_->take_actions()) {
        std::visit(
            [this, &lease_event](auto& a) {
                using A = std::decay_t<decltype(a)>;
                if constexpr (std::is_same_v<A, client::Send>) {
                    if (!first_send_at_) first_send_at_ = std::chrono::steady_clock::now();
                    if (auto r = socket_->send(a.bytes, &a.to, a.port); !r) {
                        ++send_errors_;
                        if (options_.verbose) log(r.error());
                    }
                } else if constexpr (std::is_same_v<A, client::LeaseObtained>) {
                    controller_->on_provisioning(a.lease, store::EventKind::lease_obtained, Source::dhcp_client);
                    lease_event();
                } else if constexpr (std::is_same_v<A, client::LeaseRenewed>) {
                    controller_->on_provisioning(a.lease, store::EventKind::lease_renewed, Source::dhcp_client);
                    lease_event();
                } else if constexpr (std::is_same_v<A, client::LeaseRebound>) {
                    controller_->on_provisioning(a.lease, store::EventKind::lease_rebound, Source::dhcp_client);
                    lease_event();
                } else if constexpr (std::is_same_v<A, client::LeaseExpired>) {
                    controller_->on_lease_expired();
                } else if constexpr (std::is_same_v<A, client::Released>) {
                    if (stopping_) io_.stop();
                } else if constexpr (std::is_same_v<A, client::InformationReceived>) {
                    controller_->on_information(a.raw_options);
                    lease_event();
                }
            },
            action);
    }
    arm_timer();
}

void Daemon::arm_timer() {
    auto deadline = client_->next_deadline();
    engine_timer_.cancel();
    if (!deadline) return;
    auto wait = *deadline - now();
    if (wait < client::Time(0)) wait = client::Time(0);
    engine_timer_.expires_after(wait);
    engine_timer_.async_wait([this](std::error_code ec) {
        if (ec) return;
        client_->on_timer(now());
        drain();
    });
}

void Daemon::on_tick() {
    controller_->tick();
    if (renew_pending_) {  // the Renew a tunnel event asked for: send it, re-arm the client's timer
        renew_pending_ = false;
        drain();
    }
    dataplane_->tick();
    tick_timer_.expires_after(std::chrono::seconds(1));
    tick_timer_.async_wait([this](std::error_code ec) {
        if (!ec) on_tick();
    });
}

void Daemon::shutdown() {
    if (stopping_) return;
    stopping_ = true;
    log("shutting down: releasing the lease");
    controller_->on_released();
    client_->stop(now());
    drain();
    if (client_->state() == client::State::Init) {
        io_.stop();
        return;
    }
    // Release gets REL_MAX_RC tries (§18.2.7); do not hang on a server that is gone.
    tick_timer_.expires_after(std::chrono::seconds(3));
    tick_timer_.async_wait([this](std::error_code) { io_.stop(); });
}

int Daemon::run() {
    io_.run();
    if (control_) control_->close();
    return 0;
}

json Daemon::status() {
    json s = controller_->status_json();
    json counters = json::object();
    for (const auto& [reason, n] : client_->counters()) counters["dhcp_ignored_" + std::string(client::to_string(reason))] = n;
    counters["dhcp_send_errors"] = send_errors_;
    counters["mode_transitions"] = controller_->transitions();
    const json dp = dataplane_->counters();
    for (const auto& [name, value] : dp.items()) counters[name] = value;
    s["counters"] = counters;
    s["dhcp_state"] = std::string(client::to_string(client_->state()));
    s["wan_interface"] = options_.wan_interface;
    json timings = json::object();
    if (start_to_mode_ms_) timings["start_to_mode_ms"] = *start_to_mode_ms_;
    if (reply_to_plan_us_) timings["reply_to_plan_us"] = *reply_to_plan_us_;
    if (first_send_to_reply_ms_) timings["first_send_to_reply_ms"] = *first_send_to_reply_ms_;
    s["timings"] = timings;
    return s;
}

json Daemon::handle(const json& request) {
    const std::string cmd = request["command"];
    if (cmd == "status") return {{"ok", true}, {"status", status()}};
    if (cmd == "renew") {
        if (!client_->renew_now(now())) return {{"ok", false}, {"error", "no lease to renew (DHCPv6 state " + std::string(client::to_string(client_->state())) + ")"}};
        drain();
        return {{"ok", true}, {"message", "renew started"}};
    }
    if (cmd == "provision") {
        auto lease = lease_from_request(request, wall_seconds());
        if (!lease) return {{"ok", false}, {"error", lease.error()}};
        controller_->on_provisioning(*lease, store::EventKind::lease_obtained, Source::external);
        return {{"ok", true}, {"status", status()}};
    }
    if (cmd == "journal") {
        std::size_t limit = request.value("limit", 50u);
        json events = json::array(), bindings = json::array();
        if (auto j = store_->journal(limit); j)
            for (const auto& e : *j)
                events.push_back({{"at", e.at}, {"kind", std::string(store::to_string(e.kind))}, {"from", std::string(select::to_string(e.from))},
                                  {"to", std::string(select::to_string(e.to))}, {"detail", e.detail}});
        if (auto b = store_->bindings(limit); b)
            for (const auto& x : *b) {
                json row = {{"at", x.at}, {"mode", std::string(select::to_string(x.mode))}, {"tunnel_address", x.tunnel_address.to_string()},
                            {"psid_offset", x.psid_offset}, {"psid_len", x.psid_length}, {"psid", x.psid}, {"port_ranges", x.port_ranges}};
                if (x.ipv4) row["ipv4"] = x.ipv4->to_string();
                bindings.push_back(row);
            }
        return {{"ok", true}, {"events", events}, {"bindings", bindings}};
    }
    return {{"ok", false}, {"error", "unknown command '" + cmd + "' (status, renew, provision, journal)"}};
}

}  // namespace s46::daemon
