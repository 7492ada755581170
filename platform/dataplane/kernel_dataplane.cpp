#include "platform/dataplane/kernel_dataplane.hpp"

#include <libmnl/libmnl.h>
#include <linux/if_addr.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>

#include <cerrno>
#include <cstring>
#include <sstream>

#include "platform/net/ip6tnl_message.hpp"
#include "platform/net/route_message.hpp"

namespace s46::daemon {

namespace {

constexpr const char* kLink = "link";
constexpr const char* kAddress6 = "address6";
constexpr const char* kRoute4 = "route4";

std::uint32_t index_of(const std::string& ifname) { return ifname.empty() ? 0 : if_nametoindex(ifname.c_str()); }

std::string route_key(const std::string& ifname, const net::Ipv4Prefix& p, std::uint32_t table, std::uint32_t metric) {
    return ifname + " " + p.to_string() + " table " + std::to_string(table) + " metric " + std::to_string(metric);
}

}  // namespace

KernelDataPlane::KernelDataPlane(KernelConfig config, store::StateStore* store, std::unique_ptr<platform::NetlinkSession> nl)
    : config_(std::move(config)), store_(store), nl_(std::move(nl)) {}

Result<std::unique_ptr<KernelDataPlane>> KernelDataPlane::create(KernelConfig config, store::StateStore* store) {
    if (config.device.empty() || config.device.size() >= IFNAMSIZ)
        return fail("tunnel device name '" + config.device + "' must have 1 to " + std::to_string(IFNAMSIZ - 1) + " characters");
    auto nl = platform::NetlinkSession::open(NETLINK_ROUTE);
    if (!nl) return fail(nl.error());
    std::unique_ptr<KernelDataPlane> dp(new KernelDataPlane(std::move(config), store, std::move(*nl)));
    dp->reconcile();
    // A link by our name that the store does not know is someone else's: never taken over.
    if (index_of(dp->config_.device) != 0)
        return fail("a network interface named " + dp->config_.device +
                    " already exists and was not created by s46d; choose another name (tunnel.device)");
    return dp;
}

KernelDataPlane::~KernelDataPlane() { tear_down(); }

Result<bool> KernelDataPlane::send(const std::vector<std::uint8_t>& batch, const std::vector<std::string>& what) {
    ++changes_;
    auto r = nl_->transact(batch, what);
    if (!r) {
        ++failures_;
        last_error_ = r.error();
    }
    return r;
}

Result<bool> KernelDataPlane::remember(const std::string& kind, const std::string& key) {
    if (!store_) return true;
    // Write-ahead: without the record a crash would leave an object nobody removes.
    if (auto r = store_->remember_kernel_object({kind, key}); !r)
        return fail("cannot record " + kind + " " + key + " before creating it: " + r.error());
    return true;
}

void KernelDataPlane::forget(const std::string& kind, const std::string& key) {
    if (store_) store_->forget_kernel_object({kind, key});
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
            if (msg) send(*msg, {"remove " + o.kind + " " + o.key + " left by an earlier run"});
        }
        forget(o.kind, o.key);
    }
}

Result<bool> KernelDataPlane::wan_has_address(std::uint32_t wan_index, const net::Ipv6Address& a) {
    std::vector<std::uint8_t> req(MNL_SOCKET_BUFFER_SIZE);
    nlmsghdr* nlh = mnl_nlmsg_put_header(req.data());
    nlh->nlmsg_type = RTM_GETADDR;
    nlh->nlmsg_seq = nl_->next_seq();
    auto* ifa = static_cast<ifaddrmsg*>(mnl_nlmsg_put_extra_header(nlh, sizeof(ifaddrmsg)));
    ifa->ifa_family = AF_INET6;
    req.resize(nlh->nlmsg_len);
    auto parts = nl_->dump(req, "list the addresses of " + config_.wan_interface);
    if (!parts) return fail(parts.error());
    for (const auto& m : *parts) {
        const auto* h = reinterpret_cast<const nlmsghdr*>(m.data());
        if (h->nlmsg_type != RTM_NEWADDR) continue;
        const auto* am = static_cast<const ifaddrmsg*>(mnl_nlmsg_get_payload(h));
        if (am->ifa_index != wan_index) continue;
        struct Match {
            const net::Ipv6Address* want;
            bool found = false;
        } match{&a};
        mnl_attr_parse(
            h, sizeof(ifaddrmsg),
            [](const nlattr* attr, void* data) -> int {
                auto* m = static_cast<Match*>(data);
                if ((mnl_attr_get_type(attr) == IFA_ADDRESS || mnl_attr_get_type(attr) == IFA_LOCAL) &&
                    mnl_attr_get_payload_len(attr) == 16 && std::memcmp(mnl_attr_get_payload(attr), m->want->bytes.data(), 16) == 0)
                    m->found = true;
                return MNL_CB_OK;
            },
            &match);
        if (match.found) return true;
    }
    return false;
}

std::string KernelDataPlane::read_fmr_support() {
    // The kernel accepts IFLA_IPTUN_FMRS without complaint whether or not it knows it; only a
    // kernel carrying the FMR patch reports the rules back (platform/net/ip6tnl_message.hpp).
    std::vector<std::uint8_t> req(MNL_SOCKET_BUFFER_SIZE);
    nlmsghdr* nlh = mnl_nlmsg_put_header(req.data());
    nlh->nlmsg_type = RTM_GETLINK;
    nlh->nlmsg_seq = nl_->next_seq();
    auto* ifi = static_cast<ifinfomsg*>(mnl_nlmsg_put_extra_header(nlh, sizeof(ifinfomsg)));
    ifi->ifi_family = AF_UNSPEC;
    req.resize(nlh->nlmsg_len);
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

Result<bool> KernelDataPlane::apply(const select::Transition& t, const modes::Plan* plan) {
    if (t.kind == select::TransitionKind::teardown || !plan) {
        tear_down();
        return true;
    }
    return bring_up(*plan);
}

Result<bool> KernelDataPlane::set_remote(const net::Ipv6Address& remote) {
    if (!plan_) return true;
    modes::Plan plan = *plan_;
    plan.tunnel_remote = remote;
    return bring_up(plan);
}

Result<bool> KernelDataPlane::bring_up(const modes::Plan& new_plan) {
    modes::Plan plan = new_plan;
    // DS-Lite: keep the AFTR address already resolved for the same name.
    if (!plan.tunnel_remote && plan_ && plan_->remote_name == plan.remote_name) plan.tunnel_remote = plan_->tunnel_remote;
    if (plan_ && *plan_ == plan && link_index_ != 0) return true;  // a Renew that changed nothing
    plan_ = plan;
    // Without a remote endpoint (an AFTR name not yet resolved) there is no tunnel to build;
    // set_remote() brings it up.
    if (!plan.tunnel_remote) return true;

    const std::uint32_t wan = index_of(config_.wan_interface);
    if (wan == 0) return fail("WAN interface " + config_.wan_interface + ": " + std::strerror(errno));

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
    auto add = [&](Result<std::vector<std::uint8_t>> msg, std::string text) -> Result<bool> {
        if (!msg) return fail(msg.error());
        batch.insert(batch.end(), msg->begin(), msg->end());
        what.push_back(std::move(text));
        return true;
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
        auto present = wan_has_address(wan, plan.tunnel_local);
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
    if (link_address_ && *link_address_ != plan.ipv4) {
        if (auto r = add(platform::build_addr4_del(link_index_, link_address_->address, static_cast<std::uint8_t>(link_address_->length),
                                                   nl_->next_seq()),
                         "remove " + link_address_->to_string() + " from " + config_.device);
            !r)
            return r;
        link_address_.reset();
    }
    if (!link_address_) {
        if (auto r = add(platform::build_addr4_add(link_index_, plan.ipv4.address, static_cast<std::uint8_t>(plan.ipv4.length), nl_->next_seq()),
                         "add " + plan.ipv4.to_string() + " to " + config_.device);
            !r)
            return r;
        link_address_ = plan.ipv4;
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
    return true;
}

void KernelDataPlane::tear_down() {
    plan_.reset();
    // The link takes its IPv4 address and the routes through it along; the WAN /128 and the
    // LAN route are on other interfaces and go one by one.
    if (lan_route_) {
        platform::Route4 r;
        r.destination = *lan_route_;
        r.oif = index_of(config_.lan_interface);
        r.table = config_.route_table;
        if (r.oif != 0)
            if (auto msg = platform::build_route4_del(r, nl_->next_seq())) send(*msg, {"remove the route to " + lan_route_->to_string()});
        forget(kRoute4, route_key(config_.lan_interface, *lan_route_, r.table, 0));
        lan_route_.reset();
    }
    if (wan_address_) {
        const std::uint32_t wan = index_of(config_.wan_interface);
        if (wan != 0)
            if (auto msg = platform::build_addr6_del(wan, *wan_address_, nl_->next_seq())) send(*msg, {"remove " + wan_address_->to_string()});
        forget(kAddress6, config_.wan_interface + " " + wan_address_->to_string());
        wan_address_.reset();
    }
    if (link_index_ != 0) {
        send(platform::build_ip6tnl_delete(link_index_, nl_->next_seq()), {"delete ip6tnl " + config_.device});
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
                        {"fmr", fmr_status_}};
    if (!last_error_.empty()) j["last_error"] = last_error_;
    return j;
}

}  // namespace s46::daemon
