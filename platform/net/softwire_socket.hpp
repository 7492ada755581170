// The WAN side of the userspace softwire (shared/notes/dataplane.md §1a): a raw
// AF_INET6/IPPROTO_IPIP socket bound to the tunnel source. The kernel builds the outer IPv6
// header (next header 4), fragments outbound and reassembles inbound; we send and receive the
// inner IPv4 packet only, with the outer peer address and traffic class as metadata.
// A second raw ICMPv6 socket receives the errors the network sends about our tunnel packets
// (RFC 2473 §8 relay).
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <span>

#include <asio.hpp>

#include "core/net/ipv6.hpp"
#include "core/result.hpp"

namespace s46::platform {

class SoftwireSocket {
public:
    // inner IPv4 packet, outer source, outer destination, outer traffic class
    using Receive = std::function<void(std::span<std::uint8_t> inner, const net::Ipv6Address& src, const net::Ipv6Address& dst,
                                       std::uint8_t tclass)>;
    // the whole ICMPv6 message, its source
    using ReceiveIcmp = std::function<void(std::span<std::uint8_t> icmp, const net::Ipv6Address& src)>;

    explicit SoftwireSocket(asio::io_context& io);
    ~SoftwireSocket();

    // `local`: the tunnel source (B4 / lwB4 / MAP address); hop limit for the outer header.
    Result<bool> open(const net::Ipv6Address& local, int hop_limit, Receive on_packet, ReceiveIcmp on_icmp);
    // Sends one inner IPv4 packet to `remote` with the given traffic class (RFC 6333 §7.1 copy).
    Result<bool> send(std::span<const std::uint8_t> inner, const net::Ipv6Address& remote, std::uint8_t tclass);
    void close();

private:
    void receive();
    void receive_icmp();
    asio::posix::stream_descriptor ipip_;
    asio::posix::stream_descriptor icmp_;
    std::array<std::uint8_t, 65536> buffer_{};
    Receive on_packet_;
    ReceiveIcmp on_icmp_;
};

}  // namespace s46::platform
