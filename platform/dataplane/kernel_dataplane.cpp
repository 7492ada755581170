#include "platform/dataplane/kernel_dataplane.hpp"

#include <libmnl/libmnl.h>
#include <linux/netfilter/nf_conntrack_common.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>

#include <cerrno>
#include <cstring>
#include <sstream>

#include "core/napt/conntrack_view.hpp"
#include "core/napt/port_slots.hpp"
#include "platform/net/interface_address.hpp"
#include "platform/net/ip6tnl_message.hpp"
#include "platform/net/route_message.hpp"

namespace s46::daemon {

namespace {

constexpr const char* kLink = "link";
constexpr const char* kAddress6 = "address6";
constexpr const char* kRoute4 = "route4";
constexpr const char* kNftTable = "nft_table";
constexpr const char* kNftTableKey = "ip s46d";
constexpr const char* kNftGuardKey = "ip6 s46d";
// Conntrack feedback every few seconds: often enough to follow the busiest destination's
// ports, rarely enough that dumping a large conntrack table costs nothing noticeable.
constexpr unsigned kFeedbackTicks = 2;

std::uint32_t index_of(const std::string& ifname) { return ifname.empty() ? 0 : if_nametoindex(ifname.c_str()); }

std::string route_key(const std::string& ifname, const net::Ipv4Prefix& p, std::uint32_t table, std::uint32_t metric) {
    return ifname + " " + p.to_string() + " table " + std::to_string(table) + " metric " + std::to_string(metric);
}

// An rtnetlink RTM_GET* request for NetlinkSession::dump(): the header, then the message's
// family header (ifaddrmsg, ifinfomsg) with only the address family set.
template <class FamilyHeader>
std::vector<std::uint8_t> dump_request(std::uint16_t type, std::uint32_t seq, unsigned char FamilyHeader::*family, int value) {
    std::vector<std::uint8_t> req(MNL_SOCKET_BUFFER_SIZE);
    nlmsghdr* nlh = mnl_nlmsg_put_header(req.data());
    nlh->nlmsg_type = type;
    nlh->nlmsg_seq = seq;
    auto* header = static_cast<FamilyHeader*>(mnl_nlmsg_put_extra_header(nlh, sizeof(FamilyHeader)));
    header->*family = static_cast<unsigned char>(value);
    req.resize(nlh->nlmsg_len);
    return req;
}

}  // namespace

KernelDataPlane::KernelDataPlane(KernelConfig config, store::StateStore* store, std::unique_ptr<platform::NetlinkSession> nl,
                                 std::unique_ptr<platform::NetlinkSession> nf)
    : config_(std::move(config)), store_(store), nl_(std::move(nl)), nf_(std::move(nf)),
      napt_(std::make_unique<platform::nft::NftNapt>(*nf_)) {}

Result<std::unique_ptr<KernelDataPlane>> KernelDataPlane::create(KernelConfig config, store::StateStore* store) {
    if (config.device.empty() || config.device.size() >= IFNAMSIZ)
        return fail("tunnel device name '" + config.device + "' must have 1 to " + std::to_string(IFNAMSIZ - 1) + " characters");
    auto nl = platform::NetlinkSession::open(NETLINK_ROUTE);
    if (!nl) return fail(nl.error());
    auto nf = platform::NetlinkSession::open(NETLINK_NETFILTER);
    if (!nf) return fail(nf.error());
    std::unique_ptr<KernelDataPlane> dp(new KernelDataPlane(std::move(config), store, std::move(*nl), std::move(*nf)));
    dp->reconcile();
    // Everything the rule set needs, checked now rather than at the first lease: the error
    // names each missing kernel feature (nf_tables NAT, numgen, the MSS rules, ctnetlink).
    if (auto r = dp->napt_->probe(); !r) return fail(r.error());
    // --flowtable was asked for explicitly: a kernel without nf_flow_table is a start-up error,
    // not a silent fallback to the slower path the operator meant to leave.
    if (dp->config_.flowtable) {
        if (dp->config_.lan_interface.empty()) return fail("--flowtable needs the LAN interface (--lan-interface)");
        if (auto r = dp->napt_->probe_flowtable(); !r) return fail(r.error());
    }
    // A link by our name that the store does not know is someone else's: never taken over.
    if (index_of(dp->config_.device) != 0)
        return fail("a network interface named " + dp->config_.device +
                    " already exists and was not created by s46d; choose another name (tunnel.device)");
    return dp;
}

KernelDataPlane::~KernelDataPlane() { tear_down(); }

Result<void> KernelDataPlane::send(const std::vector<std::uint8_t>& batch, const std::vector<std::string>& what) {
    ++changes_;
    auto r = nl_->transact(batch, what);
    if (!r) {
        ++failures_;
        last_error_ = r.error();
    }
    return r;
}

Result<void> KernelDataPlane::remember(const std::string& kind, const std::string& key) {
    if (!store_) return ok();
    // Write-ahead: without the record a crash would leave an object nobody removes.
    if (auto r = store_->remember_kernel_object({kind, key}); !r)
        return fail("cannot record " + kind + " " + key + " before creating it: " + r.error());
    return ok();
}

void KernelDataPlane::forget(const std::string& kind, const std::string& key) {
    // A row that outlives its object costs nothing: the next start's reconcile finds the object
    // gone and forgets it then.
    if (store_) (void)store_->forget_kernel_object({kind, key});
}

void KernelDataPlane::reconcile() {
    if (!store_) return;
    auto objects = store_->kernel_objects();
    if (!objects) {
        last_error_ = objects.error();
        return;
    }
    // Newest first: routes and addresses before the link they may depend on.
    for (auto it = objects->rbegin(); it != objects->rend(); ++it) {
        const auto& o = *it;
        std::istringstream in(o.key);
        std::string ifname, what;
        in >> ifname >> what;
        if (o.kind == kNftTable) {
            auto r = o.key == kNftGuardKey ? napt_->remove_guard() : napt_->remove();
            if (!r) last_error_ = "remove table " + o.key + " left by an earlier run: " + r.error();
            forget(o.kind, o.key);
            continue;
        }
        const std::uint32_t index = index_of(o.kind == kLink ? o.key : ifname);
        if (index != 0) {
            Result<std::vector<std::uint8_t>> msg = fail("unknown kind");
            if (o.kind == kLink) {
                msg = platform::build_ip6tnl_delete(index, nl_->next_seq());
            } else if (o.kind == kAddress6) {
                if (auto a = net::Ipv6Address::parse(what)) msg = platform::build_addr6_del(index, *a, nl_->next_seq());
            } else if (o.kind == kRoute4) {
                std::string word;
                platform::Route4 r;
                r.oif = index;
                if (auto p = net::Ipv4Prefix::parse(what)) r.destination = *p;
                while (in >> word) {
                    if (word == "table") in >> r.table;
                    else if (word == "metric") in >> r.metric;
                }
                msg = platform::build_route4_del(r, nl_->next_seq());
            }
            // Already gone (the interface went down, someone removed it): nothing to do.
            // A failure is counted and kept for status by send(); the row goes either way.
            if (msg) (void)send(*msg, {"remove " + o.kind + " " + o.key + " left by an earlier run"});
        }
        forget(o.kind, o.key);
    }
}

std::string KernelDataPlane::read_fmr_support() {
    // The kernel accepts IFLA_IPTUN_FMRS without complaint whether or not it knows it; only a
    // kernel carrying the FMR patch reports the rules back (platform/net/ip6tnl_message.hpp).
    auto req = dump_request<ifinfomsg>(RTM_GETLINK, nl_->next_seq(), &ifinfomsg::ifi_family, AF_UNSPEC);
    auto links = nl_->dump(req, "read back " + config_.device);
    if (!links) return "unknown (" + links.error() + ")";
    for (const auto& m : *links) {
        const auto* h = reinterpret_cast<const nlmsghdr*>(m.data());
        if (h->nlmsg_type != RTM_NEWLINK || h->nlmsg_len < NLMSG_LENGTH(sizeof(ifinfomsg))) continue;
        const auto* info = static_cast<const ifinfomsg*>(mnl_nlmsg_get_payload(h));
        if (static_cast<std::uint32_t>(info->ifi_index) != link_index_) continue;
        return platform::ip6tnl_reports_fmrs(m.data(), m.size()) ? "kernel" : "via BR, kernel lacks FMR support";
    }
    return "unknown (" + config_.device + " not found when read back)";
}

Result<void> KernelDataPlane::apply(const select::Transition& t, const modes::Plan* plan) {
    if (t.kind == select::TransitionKind::teardown || !plan) {
        tear_down();
        return ok();
    }
    return bring_up(*plan);
}

Result<void> KernelDataPlane::set_remote(const net::Ipv6Address& remote) {
    if (!plan_) return ok();
    modes::Plan plan = *plan_;
    plan.tunnel_remote = remote;
    return bring_up(plan);
}

Result<void> KernelDataPlane::bring_up(const modes::Plan& new_plan) {
    modes::Plan plan = new_plan;
    // DS-Lite: keep the AFTR address already resolved for the same name.
    if (!plan.tunnel_remote && plan_ && plan_->remote_name == plan.remote_name) plan.tunnel_remote = plan_->tunnel_remote;
    if (plan_ && *plan_ == plan && link_index_ != 0) return ok();  // a Renew that changed nothing
    plan_ = plan;
    // Without a remote endpoint (an AFTR name not yet resolved) there is no tunnel to build;
    // set_remote() brings it up.
    if (!plan.tunnel_remote) return ok();

    const std::uint32_t wan = index_of(config_.wan_interface);
    if (wan == 0) return fail("WAN interface " + config_.wan_interface + ": " + std::strerror(errno));

    // A new NAT binding on a running softwire: the new rules and the flush of the old binding's
    // conntrack go first, so no packet leaves with the old address or port once the link points
    // at the new remote (a lwAFTR/BR drops those: RFC 7596 §5.1, RFC 7597 §5.1). With the same
    // remote (a new PSID from the same lwAFTR) nothing stale leaves at all.
    if (link_index_ != 0 && ruleset_ && ruleset_->napt && plan.napt) {
        if (auto r = apply_napt(plan); !r) {
            tear_down();
            return r;
        }
    }

    platform::Ip6tnlParams p;
    p.name = config_.device;
    p.link = config_.wan_interface;
    p.link_ifindex = wan;
    p.local = plan.tunnel_local;
    p.remote = *plan.tunnel_remote;
    p.encap_limit = config_.options.encapsulation_limit;
    p.hop_limit = config_.options.hop_limit;
    p.mtu = plan.tunnel_mtu;
    // MAP-E mesh (RFC 7597 §5: FMRs give direct CE-to-CE paths) where the kernel can do it.
    for (const auto& rule : plan.fmrs)
        p.fmrs.push_back({rule.ipv6_prefix, rule.ipv4_prefix, rule.ea_len, rule.psid_offset.value_or(map::kMapEDefaultPsidOffset)});

    // 1. The link: created once (its index is needed by everything after), changed in place
    //    afterwards (new endpoints or MTU keep the device, its counters and the flows' oif).
    if (link_index_ == 0) {
        if (auto r = remember(kLink, config_.device); !r) return r;
        auto msg = platform::build_ip6tnl_create(p, nl_->next_seq());
        if (!msg) return fail(msg.error());
        if (auto r = send(*msg, {"create ip6tnl " + config_.device}); !r) {
            if (index_of(config_.device) == 0) forget(kLink, config_.device);  // nothing was created
            return r;
        }
        link_index_ = index_of(config_.device);
        if (link_index_ == 0) return fail("ip6tnl " + config_.device + " was created but has no interface index");
    }

    // 2. Everything else in one batch.
    std::vector<std::uint8_t> batch;
    std::vector<std::string> what;
    auto add = [&](Result<std::vector<std::uint8_t>> msg, std::string text) -> Result<void> {
        if (!msg) return fail(msg.error());
        batch.insert(batch.end(), msg->begin(), msg->end());
        what.push_back(std::move(text));
        return ok();
    };
    std::vector<std::pair<std::string, std::string>> forget_after;

    if (auto r = add(platform::build_ip6tnl_change(link_index_, p, nl_->next_seq()), "configure ip6tnl " + config_.device); !r) return r;

    // The softwire source on the WAN side (/128, nodad): the lwB4 /128 of RFC 7596 §5.1, the MAP
    // CE address of RFC 7597 §6. An address already on the interface (DS-Lite's B4 address is
    // often the IA_NA address) is not ours and is left alone.
    if (wan_address_ && *wan_address_ != plan.tunnel_local) {
        if (auto r = add(platform::build_addr6_del(wan, *wan_address_, nl_->next_seq()), "remove " + wan_address_->to_string()); !r) return r;
        forget_after.emplace_back(kAddress6, config_.wan_interface + " " + wan_address_->to_string());
        wan_address_.reset();
    }
    if (!wan_address_) {
        auto present = platform::interface_has_address(config_.wan_interface, plan.tunnel_local);
        if (!present) return fail(present.error());
        if (!*present) {
            const std::string key = config_.wan_interface + " " + plan.tunnel_local.to_string();
            if (auto r = remember(kAddress6, key); !r) return r;
            if (auto r = add(platform::build_addr6_add_nodad(wan, plan.tunnel_local, nl_->next_seq()),
                             "add " + plan.tunnel_local.to_string() + "/128 to " + config_.wan_interface);
                !r)
                return r;
            wan_address_ = plan.tunnel_local;
        }
    }

    // The CPE's IPv4 side on the tunnel: DS-Lite's 192.0.0.2 (RFC 6333 §5.7), the lw4o6 or MAP-E
    // address (RFC 7596 §5.1, RFC 7597 §6): traffic the CPE itself sends takes it as its source.
    // A new address goes on before the old one comes off: when a link's last IPv4 address is
    // removed the kernel flushes the link's IPv4 routes, and the default route would be gone
    // while default_route_ still says it is there (a mode switch MAP-E -> lw4o6 lost it).
    // GI-4over6: the address belongs to the LAN host it is routed to; on the link as well it would
    // be local here, and the kernel would drop the LAN host's packets (and ARP) as martians.
    std::optional<net::Ipv4Prefix> want_address;
    if (!(plan.lan_routed_prefix && plan.lan_routed_prefix->contains(plan.ipv4.address))) want_address = plan.ipv4;
    std::optional<net::Ipv4Prefix> old_address;
    if (link_address_ && link_address_ != want_address) {
        old_address = link_address_;
        link_address_.reset();
    }
    if (want_address && !link_address_) {
        if (auto r = add(platform::build_addr4_add(link_index_, want_address->address, static_cast<std::uint8_t>(want_address->length),
                                                   nl_->next_seq()),
                         "add " + want_address->to_string() + " to " + config_.device);
            !r)
            return r;
        link_address_ = want_address;
    }
    if (old_address) {
        if (auto r = add(platform::build_addr4_del(link_index_, old_address->address, static_cast<std::uint8_t>(old_address->length),
                                                   nl_->next_seq()),
                         "remove " + old_address->to_string() + " from " + config_.device);
            !r)
            return r;
        // The link's last address gone: the kernel flushed its routes; the default route below
        // goes back on in the same batch.
        if (!link_address_) default_route_ = false;
    }

    if (auto r = add(platform::build_link_set_up(link_index_, true, nl_->next_seq()), "set " + config_.device + " up"); !r) return r;

    // Every IPv4 destination goes into the softwire (draft-ietf-softwire-unified-cpe §3.4). Added
    // with CREATE|EXCL: an existing default route with the same table and metric is refused by
    // the kernel, never replaced (the operator chooses another metric or table).
    if (!default_route_) {
        platform::Route4 r;
        r.oif = link_index_;
        r.table = config_.route_table;
        r.metric = config_.route_metric;
        if (auto x = add(platform::build_route4_add(r, nl_->next_seq()),
                         "add the IPv4 default route via " + config_.device + " (table " + std::to_string(r.table) + ", metric " +
                             std::to_string(r.metric) + "; an existing default route there is never replaced)");
            !x)
            return x;
        default_route_ = true;  // it lives and dies with the link
    }

    // GI-4over6: the public prefix routed to the LAN, no NAPT.
    if (lan_route_ && lan_route_ != plan.lan_routed_prefix) {
        platform::Route4 r;
        r.destination = *lan_route_;
        r.oif = index_of(config_.lan_interface);
        r.table = config_.route_table;
        if (auto x = add(platform::build_route4_del(r, nl_->next_seq()), "remove the route to " + lan_route_->to_string()); !x) return x;
        forget_after.emplace_back(kRoute4, route_key(config_.lan_interface, *lan_route_, r.table, 0));
        lan_route_.reset();
    }
    if (plan.lan_routed_prefix && !lan_route_) {
        if (config_.lan_interface.empty())
            return fail("GI-4over6 needs the LAN interface (--lan-interface) to route " + plan.lan_routed_prefix->to_string() + " to");
        platform::Route4 r;
        r.destination = *plan.lan_routed_prefix;
        r.oif = index_of(config_.lan_interface);
        if (r.oif == 0) return fail("LAN interface " + config_.lan_interface + ": " + std::strerror(errno));
        r.table = config_.route_table;
        const std::string key = route_key(config_.lan_interface, r.destination, r.table, 0);
        if (auto x = remember(kRoute4, key); !x) return x;
        if (auto x = add(platform::build_route4_add(r, nl_->next_seq()), "route " + r.destination.to_string() + " to " + config_.lan_interface);
            !x)
            return x;
        lan_route_ = plan.lan_routed_prefix;
    }

    auto sent = send(batch, what);
    for (const auto& [kind, key] : forget_after) forget(kind, key);
    if (!sent) {
        // rtnetlink is not transactional: what came before the failing message took effect.
        // A half-built softwire is worse than none: remove it all; the next apply starts over.
        tear_down();
        return sent;
    }
    fmr_status_ = p.fmrs.empty() ? "none in the plan" : read_fmr_support();
    if (auto r = apply_napt(plan); !r) {
        tear_down();
        return r;
    }
    if (auto r = apply_guard(plan); !r) {
        tear_down();
        return r;
    }
    return ok();
}

Result<void> KernelDataPlane::apply_guard(const modes::Plan& plan) {
    // A kernel that forwards CE to CE itself (FMRs) receives from other CEs: no guard then.
    const bool wanted = plan.tunnel_remote && fmr_status_ != "kernel";
    std::optional<platform::nft::SoftwireGuard> want;
    if (wanted) want = platform::nft::SoftwireGuard{plan.tunnel_local, *plan.tunnel_remote};
    const bool same = want.has_value() == guard_.has_value() &&
                      (!want || (want->local == guard_->local && want->remote == guard_->remote));
    if (same) return ok();
    if (!want) {
        remove_guard();
        return ok();
    }
    if (auto r = remember(kNftTable, kNftGuardKey); !r) return r;
    ++changes_;
    if (auto r = napt_->apply_guard(*want); !r) {
        ++failures_;
        last_error_ = "nftables: " + r.error();
        return fail(last_error_);
    }
    guard_ = want;
    return ok();
}

void KernelDataPlane::remove_guard() {
    if (!guard_) return;
    if (auto r = napt_->remove_guard(); !r) {
        ++failures_;
        last_error_ = "nftables: " + r.error();
    }
    guard_.reset();
    forget(kNftTable, kNftGuardKey);
}

Result<void> KernelDataPlane::apply_napt(const modes::Plan& plan) {
    platform::nft::NaptRuleset rs;
    rs.tunnel = config_.device;
    rs.napt = plan.napt;
    // RFC 6908 §5 / RFC 4459: SYNs through the softwire carry an MSS that fits its MTU.
    rs.mss = config_.options.clamp_mss ? static_cast<std::uint16_t>(plan.tunnel_mtu - 40) : 0;
    if (config_.flowtable) {
        // The kernel refuses a flowtable naming a device that does not exist (ENOENT, the same
        // errno as a missing module): say which.
        if (index_of(config_.lan_interface) == 0)
            return fail("flowtable: LAN interface " + config_.lan_interface + " does not exist");
        rs.flowtable_lan = {config_.lan_interface};
    }
    std::optional<map::PortSet> set;
    if (plan.napt) {
        auto ports = plan.ports.psid_len ? map::PortSet::make(plan.ports.offset, plan.ports.psid_len, plan.ports.psid)
                                         : Result<map::PortSet>(map::PortSet::all());
        if (!ports) return fail("port set: " + ports.error());
        set = *ports;
        rs.nat_address = plan.ipv4.address;
        std::vector<std::uint16_t> reserved;
        for (const auto& f : forwards_) {
            if (!set->contains(f.external_port)) continue;  // the daemon passes enabled ones only; be safe
            reserved.push_back(f.external_port);
            rs.forwards.push_back({f.protocol == napt::Protocol::udp ? platform::nft::ForwardProto::udp : platform::nft::ForwardProto::tcp,
                                   f.external_port, f.lan_address, f.lan_port});
        }
        rs.ranges = napt::dynamic_ranges(*set, reserved);
        auto slots = napt::plan_slots(rs.ranges, {});
        if (!slots) return fail("NAPT44 slots: " + slots.error());
        rs.slots = slots->slots;
    }
    if (ruleset_ == std::optional<platform::nft::NaptRuleset>(rs) && napt_set_ == set) return ok();
    if (auto r = remember(kNftTable, kNftTableKey); !r) return r;
    ++changes_;
    if (auto r = napt_->apply(rs); !r) {
        ++failures_;
        last_error_ = "nftables: " + r.error();
        return fail(last_error_);
    }
    // A new address or port set: conntrack keeps rewriting the old binding's flows (the nat
    // hook sees only their first packet), so those entries go (RFC 7596 §5.1, RFC 7597 §5.1).
    if (ruleset_ && ruleset_->napt) {
        const net::Ipv4Address now_address = plan.napt ? rs.nat_address : net::Ipv4Address(0);
        const map::PortSet now_set = set.value_or(map::PortSet::all());
        if (auto n = napt_->flush_stale(ruleset_->nat_address, now_address, now_set)) conntrack_flushed_ += *n;
        else last_error_ = "conntrack: " + n.error();
    }
    ruleset_ = rs;
    napt_set_ = set;
    return ok();
}

Result<void> KernelDataPlane::set_static_forwards(const std::vector<napt::StaticForward>& enabled) {
    forwards_ = enabled;
    if (!plan_ || link_index_ == 0) return ok();  // applied with the next bring-up
    return apply_napt(*plan_);
}

void KernelDataPlane::remove_napt() {
    if (!ruleset_) return;
    if (auto r = napt_->remove(); !r) {
        ++failures_;
        last_error_ = "nftables: " + r.error();
    }
    // No entry of the old binding may outlive it.
    if (ruleset_->napt)
        if (auto n = napt_->flush_stale(ruleset_->nat_address, net::Ipv4Address(0), map::PortSet::all())) conntrack_flushed_ += *n;
    ruleset_.reset();
    napt_set_.reset();
    forget(kNftTable, kNftTableKey);
}

void KernelDataPlane::tick() {
    if (++ticks_ % kFeedbackTicks == 0) feedback();
}

void KernelDataPlane::feedback() {
    if (!ruleset_ || !ruleset_->napt || ruleset_->ranges.size() < 2) return;
    auto entries = napt_->conntrack();
    if (!entries) return;
    std::vector<napt::NatFlow> flows;
    flows.reserve(entries->size());
    for (const auto& e : *entries) flows.push_back(e.nat_flow());
    const auto occupancy = napt::busiest_occupancy(flows, ruleset_->nat_address, ruleset_->ranges);
    auto plan = napt::plan_slots(ruleset_->ranges, occupancy);
    if (!plan || plan->slots == ruleset_->slots) return;
    platform::nft::NaptRuleset rs = *ruleset_;
    rs.slots = plan->slots;
    if (auto r = napt_->replan(rs); !r) {
        ++failures_;
        last_error_ = "nftables slot feedback: " + r.error();
        return;
    }
    ++feedback_updates_;
    ruleset_ = rs;
}

void KernelDataPlane::tear_down() {
    // Best effort: every removal is tried; send() counts a failure and keeps it for status.
    plan_.reset();
    remove_guard();
    remove_napt();
    // The link takes its IPv4 address and the routes through it along; the WAN /128 and the
    // LAN route are on other interfaces and go one by one.
    if (lan_route_) {
        platform::Route4 r;
        r.destination = *lan_route_;
        r.oif = index_of(config_.lan_interface);
        r.table = config_.route_table;
        if (r.oif != 0)
            if (auto msg = platform::build_route4_del(r, nl_->next_seq())) (void)send(*msg, {"remove the route to " + lan_route_->to_string()});
        forget(kRoute4, route_key(config_.lan_interface, *lan_route_, r.table, 0));
        lan_route_.reset();
    }
    if (wan_address_) {
        const std::uint32_t wan = index_of(config_.wan_interface);
        if (wan != 0)
            if (auto msg = platform::build_addr6_del(wan, *wan_address_, nl_->next_seq())) (void)send(*msg, {"remove " + wan_address_->to_string()});
        forget(kAddress6, config_.wan_interface + " " + wan_address_->to_string());
        wan_address_.reset();
    }
    if (link_index_ != 0) {
        (void)send(platform::build_ip6tnl_delete(link_index_, nl_->next_seq()), {"delete ip6tnl " + config_.device});
        forget(kLink, config_.device);
        link_index_ = 0;
    }
    link_address_.reset();
    default_route_ = false;
    fmr_status_ = "none in the plan";
}

nlohmann::json KernelDataPlane::counters() const {
    nlohmann::json j = {{"device", config_.device},
                        {"link_index", link_index_},
                        {"route_table", config_.route_table},
                        {"route_metric", config_.route_metric},
                        {"netlink_changes", changes_},
                        {"netlink_failures", failures_},
                        {"fmr", fmr_status_},
                        {"conntrack_flushed", conntrack_flushed_},
                        {"slot_feedback_updates", feedback_updates_},
                        {"flowtable", ruleset_ && !ruleset_->flowtable_lan.empty()
                                          ? "on (" + config_.device + ", " + config_.lan_interface + ")"
                                          : config_.flowtable ? "configured, not installed" : "off"}};
    if (ruleset_ && !ruleset_->flowtable_lan.empty()) {
        // Conntrack marks a flow the flowtable forwards with IPS_OFFLOAD.
        if (auto entries = napt_->conntrack()) {
            std::uint64_t offloaded = 0;
            for (const auto& e : *entries) offloaded += (e.status & IPS_OFFLOAD) != 0;
            j["flows_offloaded"] = offloaded;
        }
    }
    if (guard_)
        if (auto n = napt_->counter_packets(platform::nft::kDropForeignSoftwireCounter, true)) j["drop_foreign_softwire"] = *n;
    if (ruleset_) {
        j["napt_ranges"] = ruleset_->ranges.size();
        j["napt_slots"] = ruleset_->slots.size();
        // Named counters of table ip s46d (platform/nft/napt_ruleset.hpp): drops keep the
        // drop_ prefix so `s46ctl status` lists them with the others.
        if (ruleset_->napt)
            if (auto n = napt_->counter_packets(platform::nft::kDropUnrestrictedCounter)) j["drop_unrestricted_proto"] = *n;
    }
    if (!last_error_.empty()) j["last_error"] = last_error_;
    return j;
}

}  // namespace s46::daemon
