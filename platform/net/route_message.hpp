// rtnetlink messages for the addresses and the default route of the kernel data plane (issue 10):
// the MAP-E / lwB4 softwire IPv6 /128 on the WAN side, DS-Lite's B4 IPv4 address (RFC 6333
// §5.7, 192.0.0.2/29) and the IPv4 default route through the softwire in its own table. Pure:
// each function fills a byte buffer with libmnl's buffer helpers and returns it; nothing here
// opens a socket or makes a system call, so the bytes are unit-tested
// (tests/platform/route_message_test.cpp) against what iproute2 sends for the same objects.
#pragma once

#include <cstdint>
#include <vector>

#include "core/net/ipv4.hpp"
#include "core/net/ipv6.hpp"
#include "core/result.hpp"

namespace s46::platform {

// RTM_NEWADDR, NLM_F_CREATE|NLM_F_EXCL|NLM_F_ACK: `address`/128 on `ifindex` with IFA_F_NODAD
// (the softwire address is ours alone by construction; duplicate address detection would only
// hold it tentative, unusable as a tunnel source, for a second or more).
Result<std::vector<std::uint8_t>> build_addr6_add_nodad(std::uint32_t ifindex, const net::Ipv6Address& address, std::uint32_t seq);
// RTM_DELADDR, NLM_F_ACK: `address`/128 on `ifindex`.
Result<std::vector<std::uint8_t>> build_addr6_del(std::uint32_t ifindex, const net::Ipv6Address& address, std::uint32_t seq);
// RTM_NEWADDR, NLM_F_CREATE|NLM_F_EXCL|NLM_F_ACK: `address`/`prefix_length` (0..32) on `ifindex`.
Result<std::vector<std::uint8_t>> build_addr4_add(std::uint32_t ifindex, net::Ipv4Address address, std::uint8_t prefix_length,
                                                  std::uint32_t seq);

// RTM_DELADDR, NLM_F_ACK: `address`/`prefix_length` on `ifindex`.
Result<std::vector<std::uint8_t>> build_addr4_del(std::uint32_t ifindex, net::Ipv4Address address, std::uint8_t prefix_length,
                                                  std::uint32_t seq);

// An IPv4 route through a device, without gateway: the softwire's default route, or (GI-4over6)
// the public prefix routed to the LAN.
struct Route4 {
    net::Ipv4Prefix destination{net::Ipv4Address(0), 0};  // 0.0.0.0/0: the default route
    std::uint32_t oif = 0;     // the device (RTA_OIF); must be set
    std::uint32_t table = 254; // RT_TABLE_MAIN by default; 1..0xffffffff (0 = RT_TABLE_UNSPEC refused)
    std::uint32_t metric = 0;  // RTA_PRIORITY
};

// RTM_NEWROUTE, NLM_F_CREATE|NLM_F_EXCL|NLM_F_ACK: `destination` dev `oif`, scope link, in
// `table` with `metric`. Never replaces an existing route with the same key: the kernel answers
// EEXIST.
Result<std::vector<std::uint8_t>> build_route4_add(const Route4& r, std::uint32_t seq);
// RTM_DELROUTE, NLM_F_ACK: the same route.
Result<std::vector<std::uint8_t>> build_route4_del(const Route4& r, std::uint32_t seq);

}  // namespace s46::platform
