// The plan of one softwire mode: everything the shared tunnel, forwarding and NAPT abstractions
// (core/dataplane) need to run it. The mode builders in modes/ produce it from validated
// provisioning (modes/plan.hpp names it modes::Plan); it lives in core so that the data path
// depends on nothing above core. Plans compare for equality, so a Renew that changes nothing
// changes nothing.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/map/rule.hpp"
#include "core/net/ipv4.hpp"
#include "core/net/ipv6.hpp"
#include "core/select/mode.hpp"

namespace s46::plan {

// One IPv4 forwarding entry (draft §3.4: outbound IPv4 is forwarded by longest-prefix match).
struct ForwardingEntry {
    net::Ipv4Prefix prefix;
    // nullopt: the tunnel's remote endpoint (AFTR, lwAFTR or BR). Otherwise the index of the
    // FMR in Plan::fmrs whose rule derives the next hop from destination address and port.
    std::optional<std::size_t> fmr;
    friend bool operator==(const ForwardingEntry&, const ForwardingEntry&) = default;
};

// The port set a restricted NAPT44 may use: RFC 7597 §5.1 GMA parameters. psid_len 0 = every port.
struct PortSetParams {
    std::uint8_t offset = 0;
    std::uint8_t psid_len = 0;
    std::uint16_t psid = 0;  // right-aligned
    friend bool operator==(const PortSetParams&, const PortSetParams&) = default;
};

struct Plan {
    select::Mode mode = select::Mode::none;

    // Tunnel endpoints (RFC 2473 entry and exit points).
    net::Ipv6Address tunnel_local;                   // B4 address, lwB4 /128 (RFC 7596 §5.1), MAP address (RFC 7597 §6)
    std::optional<net::Ipv6Address> tunnel_remote;   // AFTR, lwAFTR or BR; unset while a DS-Lite AFTR name is unresolved
    std::string remote_name;                         // DS-Lite: the AFTR-Name FQDN (RFC 6334) to resolve

    // The CE's IPv4 side. For DS-Lite the B4's own 192.0.0.2 (RFC 6333 §5.7).
    net::Ipv4Prefix ipv4;                            // /32 for an address, shorter when a prefix is provisioned
    PortSetParams ports;                             // psid_len 0: the whole port range
    bool napt = false;                               // NAPT44 on the CE (never for DS-Lite or GI-4over6)
    std::optional<net::Ipv4Prefix> lan_routed_prefix;  // GI-4over6: public IPv4 routed to the LAN, no NAPT

    // MAP-E mesh: the forwarding mapping rules (F=1), longest IPv4 prefix first.
    std::vector<map::Rule> fmrs;
    std::vector<ForwardingEntry> forwarding;         // always includes 0.0.0.0/0 via the remote endpoint

    std::uint16_t tunnel_mtu = 1460;                 // IPv4 MTU inside the tunnel (WAN IPv6 MTU − 40)
    bool legacy_iid = false;                         // MAP-E: draft-03 interface identifier

    friend bool operator==(const Plan&, const Plan&) = default;
};

}  // namespace s46::plan
