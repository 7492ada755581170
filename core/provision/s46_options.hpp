// The softwire provisioning a DHCPv6 Reply carried, as validated typed values.
// dhcp/ decodes the wire (RFC 6334, RFC 7598, RFC 8026) into these; everything after
// that (selection, mode plans) works on them and never sees Kea types or raw bytes.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/net/ipv4.hpp"
#include "core/net/ipv6.hpp"

namespace s46::provision {

// DHCPv6 option codes this project knows.
enum OptionCode : std::uint16_t {
    kOptionDnsServers = 23,    // RFC 3646
    kOptionDomainList = 24,    // RFC 3646
    kOptionAftrName = 64,      // RFC 6334
    kOptionDhcp4o6Server = 88, // RFC 7341
    kOptionS46Rule = 89,       // RFC 7598 §4.1
    kOptionS46Br = 90,         // RFC 7598 §4.2
    kOptionS46Dmr = 91,        // RFC 7598 §4.3
    kOptionS46V4v6Bind = 92,   // RFC 7598 §4.4
    kOptionS46PortParams = 93, // RFC 7598 §4.5
    kOptionS46ContMapE = 94,   // RFC 7598 §5.1
    kOptionS46ContMapT = 95,   // RFC 7598 §5.2
    kOptionS46ContLw = 96,     // RFC 7598 §5.3
    kOptionS46Priority = 111,  // RFC 8026 §1.3
    kOptionS46BindIpv6Prefix = 137,  // RFC 8539 (OPTION_S46_BIND_IPV6_PREFIX)
};

// OPTION_S46_PORTPARAMS (93). `psid` is right-aligned here (the wire is left-aligned, RFC 7598 §4.5).
struct PortParams {
    std::uint8_t offset = 0;    // a, 0..15
    std::uint8_t psid_len = 0;  // k, 0..16, offset + k <= 16
    std::uint16_t psid = 0;     // < 2^k
    friend bool operator==(const PortParams&, const PortParams&) = default;
};

// OPTION_S46_RULE (89).
struct Rule {
    bool forwarding = false;  // F flag: flags & 0x01 (RFC 7598 §4.1); other bits ignored
    std::uint8_t ea_len = 0;  // 0..48
    net::Ipv4Prefix ipv4_prefix;
    net::Ipv6Prefix ipv6_prefix;
    std::optional<PortParams> port_params;
    friend bool operator==(const Rule&, const Rule&) = default;
};

// OPTION_S46_V4V6BIND (92).
struct V4v6Bind {
    net::Ipv4Address ipv4;
    net::Ipv6Prefix bind_prefix;
    std::optional<PortParams> port_params;
    friend bool operator==(const V4v6Bind&, const V4v6Bind&) = default;
};

// OPTION_S46_CONT_MAPE (94): one MAP domain.
struct MapEContainer {
    std::vector<Rule> rules;              // >= 1
    std::vector<net::Ipv6Address> brs;    // >= 1; the first is used (RFC 7598 leaves more undefined)
    std::optional<PortParams> port_params;  // a container-level 93, if any
    friend bool operator==(const MapEContainer&, const MapEContainer&) = default;
};

// OPTION_S46_CONT_MAPT (95): parsed so it is recognised; this CPE does not run MAP-T.
struct MapTContainer {
    std::vector<Rule> rules;
    net::Ipv6Prefix dmr;
    friend bool operator==(const MapTContainer&, const MapTContainer&) = default;
};

// OPTION_S46_CONT_LW (96).
struct LwContainer {
    std::vector<net::Ipv6Address> brs;  // >= 1: the lwAFTR
    std::optional<V4v6Bind> bind;       // at most one
    std::optional<PortParams> port_params;
    friend bool operator==(const LwContainer&, const LwContainer&) = default;
};

// An option or container that was ignored, and why (names the option and field).
struct Rejection {
    std::uint16_t option = 0;
    std::string why;
    friend bool operator==(const Rejection&, const Rejection&) = default;
};

// Everything softwire-related that one Reply carried, after validation.
struct S46OptionSet {
    std::optional<std::string> aftr_name;         // 64: the first instance (RFC 6334 §5) if valid; its first FQDN, dotted, no trailing dot
    std::vector<MapEContainer> mape;              // valid 94 containers, in message order
    std::vector<MapTContainer> mapt;              // valid 95 containers
    std::vector<LwContainer> lw;                  // valid 96 containers
    std::optional<std::vector<std::uint16_t>> priority;  // a valid 111, codes in preference order
    // 88 (RFC 7341 §8): present or not; the server addresses it lists (empty: multicast to
    // All_DHCP_Relay_Agents_and_Servers, RFC 7341 §5).
    std::optional<std::vector<net::Ipv6Address>> dhcp4o6_servers;
    std::optional<net::Ipv6Prefix> bind_ipv6_prefix;  // 137 (RFC 8539): where the 4o6 softwire source comes from
    std::vector<net::Ipv6Address> dns_servers;    // 23
    std::vector<Rejection> rejected;              // everything ignored, with the reason

    // Equality ignores nothing: two replies that provision the same thing compare equal.
    friend bool operator==(const S46OptionSet&, const S46OptionSet&) = default;
};

}  // namespace s46::provision
