// The kernel data plane (docs/dataplane.md, "Kernel backend"): the softwire is an `ip6tnl`
// device in ipip6 mode (RFC 2473 IPv4-in-IPv6), the CPE's IPv4 address sits on it and the IPv4
// default route goes through it; the kernel forwards and encapsulates every packet, so the
// flows are visible to conntrack and to the SoC's flow cache. Nothing crosses into userspace.
//
// Changes go over rtnetlink in batches through one NetlinkSession (the messages are the pure,
// byte-tested builders of platform/net/ip6tnl_message.hpp and route_message.hpp). Every object
// s46d creates is remembered in the store before it is created and forgotten after it is gone:
// teardown removes exactly those, and create() removes what a crashed earlier run left.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "core/dataplane/options.hpp"
#include "core/napt/static_forward.hpp"
#include "platform/daemon/dataplane.hpp"
#include "platform/net/netlink_session.hpp"
#include "platform/nft/nft_napt.hpp"
#include "platform/store/state_store.hpp"

namespace s46::daemon {

struct KernelConfig {
    std::string wan_interface;
    std::string lan_interface;        // GI-4over6: where the routed public prefix goes
    std::string device = "s46tnl0";   // the ip6tnl link s46d creates and owns
    std::uint32_t route_table = 254;  // RT_TABLE_MAIN
    std::uint32_t route_metric = 0;
    // An nftables flowtable on lan_interface and the device (docs/dataplane.md "Flowtable").
    // create() refuses to start when the kernel has none.
    bool flowtable = false;
    dataplane::Options options;       // hop limit, encapsulation limit
};

class KernelDataPlane final : public DataPlane {
public:
    // Opens rtnetlink and removes the objects an earlier run left behind (`store` may be null:
    // then nothing is remembered across runs). Errors name what failed.
    static Result<std::unique_ptr<KernelDataPlane>> create(KernelConfig config, store::StateStore* store);
    ~KernelDataPlane() override;

    Result<void> apply(const select::Transition& t, const modes::Plan* plan) override;
    Result<void> set_remote(const net::Ipv6Address& remote) override;
    void tick() override;
    // Static port forwards (docs/napt.md): DNAT rules in table ip s46d, their external ports cut
    // out of the dynamic ranges so nf_nat never hands them to another flow.
    Result<void> set_static_forwards(const std::vector<napt::StaticForward>& enabled) override;
    std::string name() const override { return "kernel"; }
    std::string device() const override { return config_.device; }
    nlohmann::json counters() const override;

private:
    KernelDataPlane(KernelConfig config, store::StateStore* store, std::unique_ptr<platform::NetlinkSession> nl,
                    std::unique_ptr<platform::NetlinkSession> nf);
    // The nftables half: NAPT44 into the port set (lw4o6, MAP-E), MSS clamping for every mode.
    Result<void> apply_napt(const modes::Plan& plan);
    void remove_napt();
    // The softwire guard (table ip6 s46d): drops IPv4-in-IPv6 to our address from anyone but
    // the remote endpoint, which ip6_tunnel would otherwise answer with ICMPv6 errors.
    Result<void> apply_guard(const modes::Plan& plan);
    void remove_guard();
    // Conntrack feedback (core/napt/port_slots.hpp): re-weights the slots by what is in use.
    void feedback();
    Result<void> bring_up(const modes::Plan& plan);
    void tear_down();
    // Deletes what the store says an earlier run created (a crash, a power cut).
    void reconcile();
    Result<void> send(const std::vector<std::uint8_t>& batch, const std::vector<std::string>& what);
    Result<void> remember(const std::string& kind, const std::string& key);
    void forget(const std::string& kind, const std::string& key);
    std::string read_fmr_support();

    KernelConfig config_;
    store::StateStore* store_;
    std::unique_ptr<platform::NetlinkSession> nl_;   // NETLINK_ROUTE
    std::unique_ptr<platform::NetlinkSession> nf_;   // NETLINK_NETFILTER (nf_tables, conntrack)
    std::unique_ptr<platform::nft::NftNapt> napt_;
    std::optional<platform::nft::NaptRuleset> ruleset_;  // what table ip s46d holds now
    std::optional<map::PortSet> napt_set_;               // its port set (NAPT modes)
    std::optional<platform::nft::SoftwireGuard> guard_;  // what table ip6 s46d holds now
    std::vector<napt::StaticForward> forwards_;          // enabled static forwards
    unsigned ticks_ = 0;
    std::uint64_t conntrack_flushed_ = 0, feedback_updates_ = 0;
    std::optional<modes::Plan> plan_;                // what is configured (remote included)
    std::uint32_t link_index_ = 0;                    // the ip6tnl link, 0 = not created
    std::optional<net::Ipv6Address> wan_address_;     // the /128 we added to the WAN interface
    std::optional<net::Ipv4Prefix> link_address_;     // the IPv4 address on the tunnel
    bool default_route_ = false;
    std::optional<net::Ipv4Prefix> lan_route_;        // GI-4over6
    std::uint64_t changes_ = 0, failures_ = 0;
    std::string last_error_;
    // MAP-E forwarding rules: "none in the plan", "kernel" (the kernel forwards CE to CE) or
    // "via BR, kernel lacks FMR support" (traffic to other CEs still works, through the BR).
    std::string fmr_status_ = "none in the plan";
};

}  // namespace s46::daemon
