#include "platform/net/dhcp6_socket.hpp"

#include <net/if.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>

namespace s46::platform {

Dhcp6Socket::Dhcp6Socket(asio::io_context& io, std::string ifname) : io_(io), ifname_(std::move(ifname)), socket_(io) {}

Result<void> Dhcp6Socket::open(Receive on_receive, std::uint16_t client_port) {
    ifindex_ = ::if_nametoindex(ifname_.c_str());
    if (ifindex_ == 0) return fail("WAN interface " + ifname_ + ": " + std::strerror(errno));
    std::error_code ec;
    socket_.open(asio::ip::udp::v6(), ec);
    if (ec) return fail("DHCPv6 socket: " + ec.message());
    int fd = socket_.native_handle();
    int one = 1, hops = 1;
    // Bound to the WAN interface: a multi-homed CE runs one client per interface (RFC 7598 §8).
    if (::setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, ifname_.c_str(), static_cast<socklen_t>(ifname_.size())) != 0)
        return fail("DHCPv6 socket: SO_BINDTODEVICE " + ifname_ + ": " + std::strerror(errno));
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    ::setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
    ::setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_IF, &ifindex_, sizeof ifindex_);
    ::setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, &hops, sizeof hops);
    // send_from(): the 4o6 client's softwire source may not be on the interface before its plan
    // applies; without FREEBIND the kernel refuses a non-local IPV6_PKTINFO source (EINVAL).
    ::setsockopt(fd, IPPROTO_IPV6, IPV6_FREEBIND, &one, sizeof one);
    socket_.bind(asio::ip::udp::endpoint(asio::ip::udp::v6(), client_port), ec);
    if (ec) return fail("DHCPv6 socket: bind [::]:" + std::to_string(client_port) + " on " + ifname_ + ": " + ec.message());
    on_receive_ = std::move(on_receive);
    receive();
    return ok();
}

void Dhcp6Socket::receive() {
    socket_.async_receive_from(asio::buffer(buffer_), from_, [this](std::error_code ec, std::size_t n) {
        if (ec == asio::error::operation_aborted) return;
        if (!ec && from_.address().is_v6()) {
            net::Ipv6Address from;
            auto b = from_.address().to_v6().to_bytes();
            std::copy(b.begin(), b.end(), from.bytes.begin());
            on_receive_(std::span<const std::uint8_t>(buffer_.data(), n), from);
        }
        receive();
    });
}

asio::ip::address_v6 Dhcp6Socket::scoped(const net::Ipv6Address* to) const {
    asio::ip::address_v6::bytes_type b{};
    if (to) std::copy(to->bytes.begin(), to->bytes.end(), b.begin());
    else b = asio::ip::make_address_v6("ff02::1:2").to_bytes();
    asio::ip::address_v6 addr(b);
    if (addr.is_link_local() || addr.is_multicast_link_local()) addr.scope_id(ifindex_);
    return addr;
}

Result<void> Dhcp6Socket::send_from(std::span<const std::uint8_t> bytes, const net::Ipv6Address& source,
                                    const net::Ipv6Address& to, std::uint16_t server_port) {
    const asio::ip::address_v6 addr = scoped(&to);
    sockaddr_in6 dst{};
    dst.sin6_family = AF_INET6;
    dst.sin6_port = htons(server_port);
    const auto b = addr.to_bytes();
    std::memcpy(&dst.sin6_addr, b.data(), b.size());
    dst.sin6_scope_id = static_cast<std::uint32_t>(addr.scope_id());
    in6_pktinfo info{};
    std::memcpy(&info.ipi6_addr, source.bytes.data(), source.bytes.size());
    info.ipi6_ifindex = ifindex_;
    alignas(cmsghdr) std::array<std::uint8_t, CMSG_SPACE(sizeof(in6_pktinfo))> control{};
    iovec iov{const_cast<std::uint8_t*>(bytes.data()), bytes.size()};
    msghdr msg{};
    msg.msg_name = &dst;
    msg.msg_namelen = sizeof dst;
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control.data();
    msg.msg_controllen = control.size();
    cmsghdr* c = CMSG_FIRSTHDR(&msg);
    c->cmsg_level = IPPROTO_IPV6;
    c->cmsg_type = IPV6_PKTINFO;
    c->cmsg_len = CMSG_LEN(sizeof(in6_pktinfo));
    std::memcpy(CMSG_DATA(c), &info, sizeof info);
    if (::sendmsg(socket_.native_handle(), &msg, 0) < 0)
        return fail("DHCPv4-over-DHCPv6 send from " + source.to_string() + " to " + addr.to_string() + " on " + ifname_ + ": " +
                    std::strerror(errno));
    return ok();
}

Result<void> Dhcp6Socket::send(std::span<const std::uint8_t> bytes, const net::Ipv6Address* to, std::uint16_t server_port) {
    const asio::ip::address_v6 addr = scoped(to);
    std::error_code ec;
    socket_.send_to(asio::buffer(bytes.data(), bytes.size()), asio::ip::udp::endpoint(addr, server_port), 0, ec);
    if (ec) return fail("DHCPv6 send to " + addr.to_string() + " on " + ifname_ + ": " + ec.message());
    return ok();
}

void Dhcp6Socket::close() {
    std::error_code ignored;
    socket_.close(ignored);
}

}  // namespace s46::platform
