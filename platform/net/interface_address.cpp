#include "platform/net/interface_address.hpp"

#include <ifaddrs.h>
#include <netinet/in.h>

#include <cerrno>
#include <cstring>

namespace s46::platform {

Result<bool> interface_has_address(const std::string& ifname, const net::Ipv6Address& address) {
    ifaddrs* list = nullptr;
    // getifaddrs asks rtnetlink for every address (IFA_LOCAL, else IFA_ADDRESS) in one dump.
    if (getifaddrs(&list) != 0) return fail("list the addresses of " + ifname + ": " + std::strerror(errno));
    bool found = false;
    for (const ifaddrs* i = list; i && !found; i = i->ifa_next)
        if (i->ifa_addr && i->ifa_addr->sa_family == AF_INET6 && ifname == i->ifa_name)
            found = std::memcmp(reinterpret_cast<const sockaddr_in6*>(i->ifa_addr)->sin6_addr.s6_addr, address.bytes.data(), 16) == 0;
    freeifaddrs(list);
    return found;
}

}  // namespace s46::platform
