// Whether an IPv6 address is assigned to an interface, as the kernel reports it now. The kernel
// data plane (its CE or B4 address) and the DHCP 4o6 client (its softwire source, RFC 8539) add
// an address to the WAN only when it is not there already, an IA_NA address the OS configured
// being the usual case, so that they remove only what they added.
#pragma once

#include <string>

#include "core/net/ipv6.hpp"
#include "core/result.hpp"

namespace s46::platform {

Result<bool> interface_has_address(const std::string& ifname, const net::Ipv6Address& address);

}  // namespace s46::platform
