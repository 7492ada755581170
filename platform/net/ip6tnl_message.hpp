// rtnetlink messages that create, change and delete an `ip6tnl` link in ipip6 mode (IPv4 in
// IPv6, RFC 2473): the kernel data plane's softwire (issue 10). Pure: each function fills a
// byte buffer with libmnl's buffer helpers and returns it; nothing here opens a socket or makes
// a system call, so the bytes are unit-tested (tests/platform/ip6tnl_message_test.cpp) against
// what iproute2 sends for the same objects.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/net/ipv4.hpp"
#include "core/net/ipv6.hpp"
#include "core/result.hpp"

namespace s46::platform {

// A MAP-E forwarding mapping rule for the kernel (RFC 7597 §5, F flag of RFC 7598 §4.1): what
// OpenWrt's ip6_tunnel patch ("Add support for MAP-E FMRs (mesh mode)") reads from
// IFLA_IPTUN_FMRS to send CE-to-CE traffic straight to the peer CE. Mainline Linux does not
// have that attribute and silently ignores it (see ip6tnl_reports_fmrs()).
struct Ip6tnlFmr {
    net::Ipv6Prefix ipv6_prefix;
    net::Ipv4Prefix ipv4_prefix;
    std::uint8_t ea_len = 0;
    std::uint8_t psid_offset = 6;
    friend bool operator==(const Ip6tnlFmr&, const Ip6tnlFmr&) = default;
};

struct Ip6tnlParams {
    std::string name;               // the tunnel's interface name (IFLA_IFNAME, create only)
    std::string link;               // underlying WAN device, for messages; may be empty
    std::uint32_t link_ifindex = 0; // its ifindex, resolved by the caller (IFLA_IPTUN_LINK; 0 = none)
    net::Ipv6Address local;         // B4 / lwB4 / CE softwire address
    net::Ipv6Address remote;        // AFTR / lwAFTR / BR address
    // RFC 2473 §4.1.1 Tunnel Encapsulation Limit destination option. nullopt = no option at all
    // (IP6_TNL_F_IGN_ENCAP_LIMIT), the default: see ip6tnl_message.cpp for why.
    std::optional<std::uint8_t> encap_limit;
    // RFC 2473 §6.3: the tunnel entry point sets the outer Hop Limit like any IPv6 node sending a
    // packet (RFC 8200 default 64); the inner TTL is not copied.
    std::uint8_t hop_limit = 64;
    // Copy the inner IPv4 TOS into the outer Traffic Class (IP6_TNL_F_USE_ORIG_TCLASS).
    // RFC 2473 §6.4 leaves the outer Traffic Class to the tunnel's configuration (default 0);
    // RFC 6333 §7.1 requires DS-Lite to copy the IPv4 traffic class into the IPv6 header and back
    // (the lwB4 extends the B4 and keeps that rule), and copying suits MAP-E as well: so inherit
    // is the default. false = outer Traffic Class 0.
    bool tclass_inherit = true;
    std::optional<std::uint32_t> mtu;  // IFLA_MTU; nullopt = kernel default (link MTU − 40)
    std::vector<Ip6tnlFmr> fmrs;       // sent only when not empty (IFLA_IPTUN_FMRS)
};

// RTM_NEWLINK with NLM_F_CREATE|NLM_F_EXCL|NLM_F_ACK: a new link named `p.name`.
Result<std::vector<std::uint8_t>> build_ip6tnl_create(const Ip6tnlParams& p, std::uint32_t seq);
// RTM_NEWLINK with NLM_F_ACK only, on the existing link `ifindex`: new parameters and MTU (the
// name is not sent; renaming is not a change s46d makes).
Result<std::vector<std::uint8_t>> build_ip6tnl_change(std::uint32_t ifindex, const Ip6tnlParams& p, std::uint32_t seq);
// RTM_DELLINK with NLM_F_ACK on `ifindex`.
std::vector<std::uint8_t> build_ip6tnl_delete(std::uint32_t ifindex, std::uint32_t seq);

// Whether an RTM_NEWLINK message (the kernel's answer to RTM_GETLINK) carries IFLA_IPTUN_FMRS in
// its link data: how s46d learns that the running kernel honours FMRs. A kernel without the
// patch accepts the attribute without error and drops it, so reading the link back is the only
// reliable test. False for anything that is not a well-formed link message.
bool ip6tnl_reports_fmrs(const std::uint8_t* message, std::size_t length);

// RTM_NEWLINK with NLM_F_ACK on `ifindex` changing only IFF_UP: `ip link set DEV up|down`.
std::vector<std::uint8_t> build_link_set_up(std::uint32_t ifindex, bool up, std::uint32_t seq);

}  // namespace s46::platform
