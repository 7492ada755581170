// The DHCPv6 client's UDP socket (RFC 8415 §7.2): port 546 on the WAN interface, sending to
// All_DHCP_Relay_Agents_and_Servers (ff02::1:2) port 547 with hop limit 1. The DHCPv4-over-DHCPv6
// client shares it (RFC 7341 §5: the same ports), sending from a chosen global source.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <span>
#include <string>

#include <asio.hpp>

#include "core/net/ipv6.hpp"
#include "core/result.hpp"

namespace s46::platform {

class Dhcp6Socket {
public:
    using Receive = std::function<void(std::span<const std::uint8_t> bytes, const net::Ipv6Address& from)>;

    Dhcp6Socket(asio::io_context& io, std::string ifname);

    // Opens and binds; errors name the interface and the call that failed.
    Result<void> open(Receive on_receive, std::uint16_t client_port = 546);
    // `to` unset: ff02::1:2 on the interface. Errors are returned, never thrown.
    Result<void> send(std::span<const std::uint8_t> bytes, const net::Ipv6Address* to = nullptr, std::uint16_t server_port = 547);
    // The same, from `source` (IPV6_PKTINFO): a DHCPV4-QUERY must come from the softwire source,
    // because the 4o6 server answers to the query's source address (RFC 7341 §5, RFC 8539). The
    // address need not be configured yet (IPV6_FREEBIND), but the answer is only delivered once
    // it is local on the WAN interface.
    Result<void> send_from(std::span<const std::uint8_t> bytes, const net::Ipv6Address& source, const net::Ipv6Address& to,
                           std::uint16_t server_port = 547);
    void close();
    const std::string& ifname() const { return ifname_; }

private:
    void receive();
    asio::ip::address_v6 scoped(const net::Ipv6Address* to) const;
    asio::io_context& io_;
    std::string ifname_;
    unsigned ifindex_ = 0;
    asio::ip::udp::socket socket_;
    asio::ip::udp::endpoint from_;
    std::array<std::uint8_t, 65536> buffer_{};
    Receive on_receive_;
};

}  // namespace s46::platform
