// What the DHCPv4-over-DHCPv6 client needs when the chosen lw4o6 takes its address and port set
// from a 4o6 exchange (a lw4o6 container without a V4V6BIND, and option 88; RFC 7596 §5.1,
// RFC 8539). Its own header so that the lw4o6 plan builder and evaluate() share it.
#pragma once

#include <vector>

#include "core/net/ipv6.hpp"

namespace s46::modes {

struct Dhcp4o6Parameters {
    std::vector<net::Ipv6Address> servers;  // option 88's list; empty: multicast (RFC 7341 §5)
    net::Ipv6Address softwire_source;       // sent as OPTION_DHCP4O6_S46_SADDR (RFC 8539)
    friend bool operator==(const Dhcp4o6Parameters&, const Dhcp4o6Parameters&) = default;
};

}  // namespace s46::modes
