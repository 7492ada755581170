// The IPv6 address a CE sources its softwire from: the MAP IPv6 address of RFC 7597 §6 and the
// lwB4 tunnel source of RFC 7596 §5.1, which use the same interface-identifier layout.
#pragma once

#include <cstdint>
#include <span>

#include "core/map/derivation.hpp"
#include "core/net/ipv4.hpp"
#include "core/net/ipv6.hpp"
#include "core/result.hpp"

namespace s46::map {

enum class IidLayout {
    // RFC 7597 §6: 16 zero bits | IPv4 address (32) | PSID (16, right-aligned).
    rfc7597,
    // draft-ietf-softwire-map-03, still deployed (OpenWrt `legacymap`, mapcalc LEGACY=1):
    // 8 zero bits | IPv4 (32) | PSID (16) | 8 zero bits. Only ever chosen by explicit configuration.
    draft03,
};

// prefix | zero subnet-ID up to bit 64 | interface identifier (IPv4, PSID). A prefix longer than
// /64 overwrites the top of the interface identifier (RFC 7597 §6).
net::Ipv6Address interface_id_address(const net::Ipv6Prefix& prefix, net::Ipv4Address ipv4, std::uint16_t psid,
                                      IidLayout layout = IidLayout::rfc7597);

// The CE's MAP IPv6 address (RFC 7597 §6): the End-user prefix, with the binding's IPv4 address
// (a prefix padded with zeros on the right) and PSID (0 unless shared) in the interface identifier.
net::Ipv6Address map_ipv6_address(const net::Ipv6Prefix& end_user_prefix, const CeBinding& binding,
                                  IidLayout layout = IidLayout::rfc7597);

// RFC 7596 §5.1: the lwB4 takes the longest of its active prefixes that matches the binding
// prefix (one lies inside the other; as the RFC says, the matched active prefix is the one used)
// and builds the /128 from it as in Figure 3: prefix, zero padding to 64 bits, 16 zero bits,
// IPv4 address, PSID. Fails, naming the bind prefix, when no active prefix matches.
Result<net::Ipv6Address> lw4o6_tunnel_source(const net::Ipv6Prefix& bind_prefix, std::span<const net::Ipv6Prefix> active_prefixes,
                                             net::Ipv4Address ipv4, std::uint16_t psid);

}  // namespace s46::map
