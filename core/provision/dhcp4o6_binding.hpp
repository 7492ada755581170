// What a DHCPv4-over-DHCPv6 exchange gives a lwB4 (RFC 7596 §5.1, RFC 8539): the IPv4 address
// of the DHCPACK, the port set of its OPTION_V4_PORTPARAMS (RFC 7618; absent: the full address)
// and the IPv6 address the CPE told the server it sources the softwire from (RFC 8539's
// OPTION_DHCP4O6_S46_SADDR). The lw4o6 plan builder takes these where a V4V6BIND would be.
#pragma once

#include <optional>

#include "core/net/ipv4.hpp"
#include "core/net/ipv6.hpp"
#include "core/provision/s46_options.hpp"

namespace s46::provision {

struct Dhcp4o6Binding {
    net::Ipv4Address ipv4;
    std::optional<PortParams> port_params;
    net::Ipv6Address softwire_source;
    friend bool operator==(const Dhcp4o6Binding&, const Dhcp4o6Binding&) = default;
};

}  // namespace s46::provision
