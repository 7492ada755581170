// Addresses, routes and links over rtnetlink (libmnl): what the userspace data plane needs to
// put a softwire on a Linux CPE without shelling out to ip(8). Synchronous request + ACK; every
// error names the operation, the object and the kernel's errno text.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "core/net/ipv4.hpp"
#include "core/net/ipv6.hpp"
#include "core/result.hpp"

struct mnl_socket;

namespace s46::platform {

class Rtnetlink {
public:
    Rtnetlink();
    ~Rtnetlink();
    Rtnetlink(const Rtnetlink&) = delete;
    Rtnetlink& operator=(const Rtnetlink&) = delete;

    Result<void> open();

    Result<unsigned> ifindex(const std::string& ifname) const;
    Result<void> set_link(const std::string& ifname, bool up, std::optional<std::uint32_t> mtu = std::nullopt);

    // `nodad`: usable at once (IFA_F_NODAD); the softwire source must not sit tentative for a second.
    Result<void> add_address(const std::string& ifname, const net::Ipv6Prefix& p, bool nodad = true);
    Result<void> del_address(const std::string& ifname, const net::Ipv6Prefix& p);
    Result<void> add_address(const std::string& ifname, const net::Ipv4Prefix& p);
    Result<void> del_address(const std::string& ifname, const net::Ipv4Prefix& p);

    // A route via a device (no gateway: the TUN is point-to-point). Replaces an existing one.
    Result<void> add_route(const std::string& ifname, const net::Ipv4Prefix& dst, std::uint32_t metric = 0);
    Result<void> del_route(const std::string& ifname, const net::Ipv4Prefix& dst, std::uint32_t metric = 0);

private:
    Result<void> address(int type, int flags, const std::string& ifname, int family, const std::uint8_t* addr, std::size_t len,
                         unsigned prefixlen, bool nodad, const std::string& what);
    Result<void> route(int type, int flags, const std::string& ifname, const net::Ipv4Prefix& dst, std::uint32_t metric,
                       const std::string& what);
    Result<void> transact(void* buffer, const std::string& what);

    mnl_socket* nl_ = nullptr;
    std::uint32_t seq_ = 1;
    unsigned portid_ = 0;
};

}  // namespace s46::platform
