#include "platform/net/softwire_socket.hpp"

#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#ifndef IPV6_FREEBIND
#define IPV6_FREEBIND 78
#endif

namespace s46::platform {

namespace {

net::Ipv6Address from_in6(const in6_addr& a) {
    net::Ipv6Address out;
    std::memcpy(out.bytes.data(), a.s6_addr, 16);
    return out;
}

sockaddr_in6 to_sockaddr(const net::Ipv6Address& a) {
    sockaddr_in6 sa{};
    sa.sin6_family = AF_INET6;
    std::memcpy(sa.sin6_addr.s6_addr, a.bytes.data(), 16);
    return sa;
}

}  // namespace

SoftwireSocket::SoftwireSocket(asio::io_context& io) : ipip_(io), icmp_(io) {}

SoftwireSocket::~SoftwireSocket() { close(); }

Result<bool> SoftwireSocket::open(const net::Ipv6Address& local, int hop_limit, Receive on_packet, ReceiveIcmp on_icmp) {
    int s = ::socket(AF_INET6, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, IPPROTO_IPIP);
    if (s < 0) return fail(std::string("softwire socket: ") + std::strerror(errno));
    int one = 1, zero = 0;
    ::setsockopt(s, IPPROTO_IPV6, IPV6_FREEBIND, &one, sizeof one);   // the address may still be arriving
    ::setsockopt(s, IPPROTO_IPV6, IPV6_RECVPKTINFO, &one, sizeof one);
    ::setsockopt(s, IPPROTO_IPV6, IPV6_RECVTCLASS, &one, sizeof one);
    ::setsockopt(s, IPPROTO_IPV6, IPV6_DONTFRAG, &zero, sizeof zero);  // RFC 2473 §7.2: fragment the outer packet
    ::setsockopt(s, IPPROTO_IPV6, IPV6_UNICAST_HOPS, &hop_limit, sizeof hop_limit);
    auto sa = to_sockaddr(local);
    if (::bind(s, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0) {
        int err = errno;
        ::close(s);
        return fail("softwire socket: bind " + local.to_string() + ": " + std::strerror(err));
    }
    ipip_.assign(s);

    int ic = ::socket(AF_INET6, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, IPPROTO_ICMPV6);
    if (ic < 0) return fail(std::string("ICMPv6 socket: ") + std::strerror(errno));
    icmp6_filter filter;
    ICMP6_FILTER_SETBLOCKALL(&filter);
    for (int type : {ICMP6_DST_UNREACH, ICMP6_PACKET_TOO_BIG, ICMP6_TIME_EXCEEDED, ICMP6_PARAM_PROB}) ICMP6_FILTER_SETPASS(type, &filter);
    ::setsockopt(ic, IPPROTO_ICMPV6, ICMP6_FILTER, &filter, sizeof filter);
    icmp_.assign(ic);

    on_packet_ = std::move(on_packet);
    on_icmp_ = std::move(on_icmp);
    receive();
    receive_icmp();
    return true;
}

void SoftwireSocket::receive() {
    ipip_.async_wait(asio::posix::stream_descriptor::wait_read, [this](std::error_code ec) {
        if (ec) return;
        for (int i = 0; i < 64; ++i) {
            sockaddr_in6 from{};
            alignas(cmsghdr) char control[256];
            iovec iov{buffer_.data(), buffer_.size()};
            msghdr msg{};
            msg.msg_name = &from;
            msg.msg_namelen = sizeof from;
            msg.msg_iov = &iov;
            msg.msg_iovlen = 1;
            msg.msg_control = control;
            msg.msg_controllen = sizeof control;
            ssize_t n = ::recvmsg(ipip_.native_handle(), &msg, 0);
            if (n <= 0) break;
            net::Ipv6Address dst;
            std::uint8_t tclass = 0;
            for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
                if (c->cmsg_level != IPPROTO_IPV6) continue;
                if (c->cmsg_type == IPV6_PKTINFO) dst = from_in6(reinterpret_cast<in6_pktinfo*>(CMSG_DATA(c))->ipi6_addr);
                if (c->cmsg_type == IPV6_TCLASS) {
                    int tc = 0;
                    std::memcpy(&tc, CMSG_DATA(c), sizeof tc);
                    tclass = static_cast<std::uint8_t>(tc);
                }
            }
            on_packet_(std::span<std::uint8_t>(buffer_.data(), static_cast<std::size_t>(n)), from_in6(from.sin6_addr), dst, tclass);
        }
        receive();
    });
}

void SoftwireSocket::receive_icmp() {
    icmp_.async_wait(asio::posix::stream_descriptor::wait_read, [this](std::error_code ec) {
        if (ec) return;
        for (int i = 0; i < 16; ++i) {
            sockaddr_in6 from{};
            socklen_t len = sizeof from;
            ssize_t n = ::recvfrom(icmp_.native_handle(), buffer_.data(), buffer_.size(), 0, reinterpret_cast<sockaddr*>(&from), &len);
            if (n <= 0) break;
            on_icmp_(std::span<std::uint8_t>(buffer_.data(), static_cast<std::size_t>(n)), from_in6(from.sin6_addr));
        }
        receive_icmp();
    });
}

Result<bool> SoftwireSocket::send(std::span<const std::uint8_t> inner, const net::Ipv6Address& remote, std::uint8_t tclass) {
    auto sa = to_sockaddr(remote);
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
    iovec iov{const_cast<std::uint8_t*>(inner.data()), inner.size()};
    msghdr msg{};
    msg.msg_name = &sa;
    msg.msg_namelen = sizeof sa;
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control;
    msg.msg_controllen = sizeof control;
    cmsghdr* c = CMSG_FIRSTHDR(&msg);
    c->cmsg_level = IPPROTO_IPV6;
    c->cmsg_type = IPV6_TCLASS;
    c->cmsg_len = CMSG_LEN(sizeof(int));
    int tc = tclass;
    std::memcpy(CMSG_DATA(c), &tc, sizeof tc);
    if (::sendmsg(ipip_.native_handle(), &msg, 0) < 0) return fail("softwire send to " + remote.to_string() + ": " + std::strerror(errno));
    return true;
}

void SoftwireSocket::close() {
    std::error_code ignored;
    if (ipip_.is_open()) ipip_.close(ignored);
    if (icmp_.is_open()) icmp_.close(ignored);
}

}  // namespace s46::platform
