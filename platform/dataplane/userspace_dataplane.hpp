// The userspace data plane (docs/dataplane.md, "Notes for the platform backend"): the kernel forwards LAN IPv4 into a
// TUN device (default route), core/dataplane::Pipeline does NAPT44 + LPM + the softwire rules,
// and a raw IPPROTO_IPIP socket bound to the tunnel source carries IPv4-in-IPv6 (the kernel
// builds, fragments and reassembles the outer header). Addresses and routes go over rtnetlink.
// Each batch of TUN reads goes through Pipeline::outbound_batch; packets to the tunnel are
// collected while one batch of TUN (or socket) reads is handled and leave in one sendmmsg() at
// its end (platform/net/softwire_socket.hpp). Tunnel packets go through inbound() one at a time:
// the pipeline has no inbound batch call.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include <asio.hpp>

#include "core/dataplane/napt_adapter.hpp"
#include "core/dataplane/pipeline.hpp"
#include "platform/daemon/dataplane.hpp"
#include "platform/net/rtnetlink.hpp"
#include "platform/net/softwire_socket.hpp"
#include "platform/net/tun_device.hpp"

namespace s46::daemon {

struct UserspaceConfig {
    std::string wan_interface;
    std::string lan_interface;        // GI-4over6: where the routed public prefix lives
    std::string tun_name = "s46tun0";
    dataplane::Options options;       // hop limit, ICMP policy, MSS clamp ...
    std::uint32_t max_sessions = 65536;
    std::uint32_t max_ports_per_host = 0;  // 0: core/napt's default (a quarter of the port set)
};

class UserspaceDataPlane final : public DataPlane {
public:
    // Errors (no TUN support, no rtnetlink, NAPT memory) name what failed.
    static Result<std::unique_ptr<UserspaceDataPlane>> create(asio::io_context& io, UserspaceConfig config);
    ~UserspaceDataPlane() override;

    Result<void> apply(const select::Transition& t, const modes::Plan* plan) override;
    Result<void> set_remote(const net::Ipv6Address& remote) override;
    std::string name() const override { return "userspace"; }
    std::string device() const override { return config_.tun_name; }
    Result<void> set_static_forwards(const std::vector<napt::StaticForward>& enabled) override;
    void tick() override;
    nlohmann::json counters() const override;
    DataPlaneEvents take_events() override {
        DataPlaneEvents e;
        e.no_binding = pipeline_->take_no_binding_event();
        e.remote_unreachable = pipeline_->take_remote_unreachable_event();
        const std::uint64_t delivered = pipeline_->counters().inbound_delivered;
        e.inbound_traffic = delivered != delivered_seen_;
        delivered_seen_ = delivered;
        return e;
    }

private:
    UserspaceDataPlane(asio::io_context& io, UserspaceConfig config, dataplane::PortSetNapt napt);
    Result<void> bring_up(const modes::Plan& plan);
    void tear_down();
    s46::Time now() const;
    void on_lan_batch(std::span<const std::span<std::uint8_t>> packets);
    void on_tunnel_packet(std::span<std::uint8_t> inner, const net::Ipv6Address& src, const net::Ipv6Address& dst, std::uint8_t tclass);
    void on_icmpv6(std::span<std::uint8_t> message, const net::Ipv6Address& src);
    void to_lan(std::span<const std::uint8_t> packet);
    void to_tunnel(const dataplane::Encapsulated& e);
    void flush_tunnel();
    void drop_socket();

    asio::io_context& io_;
    UserspaceConfig config_;
    dataplane::PortSetNapt napt_;
    std::unique_ptr<dataplane::Pipeline> pipeline_;
    platform::Rtnetlink rtnl_;
    std::unique_ptr<platform::TunDevice> tun_;
    std::unique_ptr<platform::SoftwireSocket> socket_;
    std::optional<modes::Plan> plan_;                  // what is configured, remote included
    std::optional<net::Ipv6Address> wan_address_;      // the /128 we added to the WAN interface
    std::optional<net::Ipv4Prefix> tun_address_;       // the IPv4 address we put on the TUN
    bool default_route_ = false;                        // the IPv4 default route through the TUN is ours
    bool tun_up_ = false;                               // we set the TUN up (a failed bring-up too)
    std::optional<net::Ipv4Prefix> lan_route_;         // GI-4over6: the public prefix routed to the LAN
    std::uint64_t tun_write_errors_ = 0, tunnel_send_errors_ = 0;
    std::uint64_t delivered_seen_ = 0;                 // inbound_delivered at the last take_events()
};

}  // namespace s46::daemon
