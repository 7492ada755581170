#include "platform/net/softwire_socket.hpp"

#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "platform/net/in6_address.hpp"

#ifndef IPV6_FREEBIND
#define IPV6_FREEBIND 78
#endif

namespace s46::platform {

namespace {

sockaddr_in6 to_sockaddr(const net::Ipv6Address& a) {
    sockaddr_in6 sa{};
    sa.sin6_family = AF_INET6;
    to_in6(a, sa.sin6_addr);
    return sa;
}

// Receive batches per readiness wakeup: a bound, so one busy direction cannot starve the TUN
// side, DHCPv6 or the control socket on the single-threaded event loop.
constexpr int kReceiveRounds = 2;

constexpr int kReceiveBuffer = 1 << 20;  // the kernel doubles it for skb overhead: ~2 000 small packets

}  // namespace

SoftwireSocket::SoftwireSocket(asio::io_context& io) : ipip_(io), icmp_(io) {}

SoftwireSocket::~SoftwireSocket() { close(); }

Result<void> SoftwireSocket::open(const net::Ipv6Address& local, int hop_limit, Receive on_packet, ReceiveIcmp on_icmp,
                                  BatchDone on_batch_done) {
    int s = ::socket(AF_INET6, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, IPPROTO_IPIP);
    if (s < 0) return fail(std::string("softwire socket: ") + std::strerror(errno));
    int one = 1, zero = 0;
    ::setsockopt(s, IPPROTO_IPV6, IPV6_FREEBIND, &one, sizeof one);   // the address may still be arriving
    ::setsockopt(s, IPPROTO_IPV6, IPV6_RECVPKTINFO, &one, sizeof one);
    ::setsockopt(s, IPPROTO_IPV6, IPV6_RECVTCLASS, &one, sizeof one);
    ::setsockopt(s, IPPROTO_IPV6, IPV6_DONTFRAG, &zero, sizeof zero);  // RFC 2473 §7.2: fragment the outer packet
    ::setsockopt(s, IPPROTO_IPV6, IPV6_UNICAST_HOPS, &hop_limit, sizeof hop_limit);
    // The default receive buffer (rmem_default, 208 KiB) holds about 200 small packets, a couple
    // of milliseconds at a CPE's rates: not enough to ride out s46d being descheduled. Ask for
    // about as many packets as the TUN side queues (TunDevice::kTxQueueLen); FORCE because
    // s46d has CAP_NET_ADMIN and rmem_max may be lower. Best effort.
    int rcvbuf = kReceiveBuffer;
    if (::setsockopt(s, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof rcvbuf) != 0)
        ::setsockopt(s, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
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
    on_batch_done_ = std::move(on_batch_done);
    receive();
    receive_icmp();
    return ok();
}

void SoftwireSocket::receive() {
    ipip_.async_wait(asio::posix::stream_descriptor::wait_read, [this](std::error_code ec) {
        if (ec) return;
        for (int round = 0; round < kReceiveRounds; ++round) {
            int n = rx_.receive(ipip_.native_handle());
            if (n == 0) break;
            ++counters_.receive_calls;
            counters_.received += static_cast<std::uint64_t>(n);
            for (unsigned i = 0; i < static_cast<unsigned>(n); ++i) {
                auto m = rx_.message(i);
                if (m.truncated) {
                    ++counters_.receive_truncated;
                    continue;
                }
                on_packet_(m.inner, m.src, m.dst, m.tclass);
            }
            if (on_batch_done_) on_batch_done_();
            if (static_cast<unsigned>(n) < IpipRecvBatch::kMessages) break;  // drained
        }
        receive();
    });
}

void SoftwireSocket::receive_icmp() {
    // Rare (errors about our own packets): one recvfrom per message is enough.
    icmp_.async_wait(asio::posix::stream_descriptor::wait_read, [this](std::error_code ec) {
        if (ec) return;
        for (int i = 0; i < 16; ++i) {
            sockaddr_in6 from{};
            socklen_t len = sizeof from;
            ssize_t n = ::recvfrom(icmp_.native_handle(), icmp_buffer_.data(), icmp_buffer_.size(), 0,
                                   reinterpret_cast<sockaddr*>(&from), &len);
            if (n <= 0) break;
            on_icmp_(std::span<std::uint8_t>(icmp_buffer_.data(), static_cast<std::size_t>(n)), from_in6(from.sin6_addr));
        }
        receive_icmp();
    });
}

void SoftwireSocket::queue(std::span<const std::uint8_t> inner, const net::Ipv6Address& remote, std::uint8_t tclass) {
    if (!tx_.fits(inner.size())) flush();
    if (!tx_.fits(inner.size())) {  // larger than the whole arena: cannot be an IPv4 datagram
        ++counters_.send_errors;
        return;
    }
    tx_.add(inner, remote, tclass);
}

std::size_t SoftwireSocket::flush() {
    if (tx_.empty()) return 0;
    if (!ipip_.is_open()) {
        std::size_t lost = tx_.size();
        counters_.send_errors += lost;
        tx_.clear();
        return lost;
    }
    auto out = tx_.send(ipip_.native_handle());
    counters_.sent += out.sent;
    counters_.send_errors += out.failed;
    counters_.send_calls += out.calls;
    if (out.last_errno) counters_.last_send_errno = out.last_errno;
    return out.failed;
}

Result<void> SoftwireSocket::send(std::span<const std::uint8_t> inner, const net::Ipv6Address& remote, std::uint8_t tclass) {
    flush();  // keep the order of what was queued before
    if (!tx_.fits(inner.size())) {
        ++counters_.send_errors;
        return fail("softwire send to " + remote.to_string() + ": " + std::to_string(inner.size()) + " bytes is too large");
    }
    tx_.add(inner, remote, tclass);
    if (flush() != 0) return fail("softwire send to " + remote.to_string() + ": " + std::strerror(counters_.last_send_errno));
    return ok();
}

void SoftwireSocket::close() {
    std::error_code ignored;
    if (ipip_.is_open()) ipip_.close(ignored);
    if (icmp_.is_open()) icmp_.close(ignored);
}

}  // namespace s46::platform
