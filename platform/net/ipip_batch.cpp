#include "platform/net/ipip_batch.hpp"

#include <cerrno>
#include <cstring>

#include "platform/net/in6_address.hpp"

namespace s46::platform {

// ---------------------------------------------------------------------------------------------

IpipRecvBatch::IpipRecvBatch() : slots_(std::make_unique_for_overwrite<std::uint8_t[]>(kMessages * kSlot)) {
    for (unsigned i = 0; i < kMessages; ++i) {
        iov_[i] = {slots_.get() + i * kSlot, kSlot};
        msghdr& h = msgs_[i].msg_hdr;
        h.msg_name = &from_[i];
        h.msg_iov = &iov_[i];
        h.msg_iovlen = 1;
        h.msg_control = control_[i].bytes.data();
    }
}

int IpipRecvBatch::receive(int fd) {
    // The kernel overwrites the lengths and flags of every message it fills: reset them all.
    for (unsigned i = 0; i < kMessages; ++i) {
        msghdr& h = msgs_[i].msg_hdr;
        h.msg_namelen = sizeof(sockaddr_in6);
        h.msg_controllen = control_[i].bytes.size();
        h.msg_flags = 0;
    }
    int n;
    do {
        n = ::recvmmsg(fd, msgs_.data(), kMessages, MSG_DONTWAIT, nullptr);
    } while (n < 0 && errno == EINTR);
    return n < 0 ? 0 : n;  // EAGAIN: drained; a socket error shows again on the next readiness
}

IpipRecvBatch::Message IpipRecvBatch::message(unsigned i) const {
    const msghdr& h = msgs_[i].msg_hdr;
    Message m;
    m.inner = std::span<std::uint8_t>(slots_.get() + i * kSlot, msgs_[i].msg_len);
    m.src = from_in6(from_[i].sin6_addr);
    m.truncated = (h.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) != 0;
    for (cmsghdr* c = CMSG_FIRSTHDR(&h); c; c = CMSG_NXTHDR(const_cast<msghdr*>(&h), c)) {
        if (c->cmsg_level != IPPROTO_IPV6) continue;
        if (c->cmsg_type == IPV6_PKTINFO) {
            in6_pktinfo info;
            std::memcpy(&info, CMSG_DATA(c), sizeof info);
            m.dst = from_in6(info.ipi6_addr);
        } else if (c->cmsg_type == IPV6_TCLASS) {
            int tc = 0;
            std::memcpy(&tc, CMSG_DATA(c), sizeof tc);
            m.tclass = static_cast<std::uint8_t>(tc);
        }
    }
    return m;
}

// ---------------------------------------------------------------------------------------------

IpipSendBatch::IpipSendBatch() : arena_(std::make_unique_for_overwrite<std::uint8_t[]>(kArena)) {
    for (unsigned i = 0; i < kMessages; ++i) {
        msghdr& h = msgs_[i].msg_hdr;
        h.msg_name = &to_[i];
        h.msg_namelen = sizeof(sockaddr_in6);
        h.msg_iov = &iov_[i];
        h.msg_iovlen = 1;
        h.msg_control = control_[i].bytes.data();
        h.msg_controllen = control_[i].bytes.size();
        cmsghdr* c = CMSG_FIRSTHDR(&h);
        c->cmsg_level = IPPROTO_IPV6;
        c->cmsg_type = IPV6_TCLASS;
        c->cmsg_len = CMSG_LEN(sizeof(int));
        to_[i].sin6_family = AF_INET6;
    }
}

void IpipSendBatch::add(std::span<const std::uint8_t> inner, const net::Ipv6Address& remote, std::uint8_t tclass) {
    std::uint8_t* at = arena_.get() + used_;
    std::memcpy(at, inner.data(), inner.size());
    used_ += inner.size();
    iov_[count_] = {at, inner.size()};
    to_in6(remote, to_[count_].sin6_addr);
    int tc = tclass;
    std::memcpy(CMSG_DATA(CMSG_FIRSTHDR(&msgs_[count_].msg_hdr)), &tc, sizeof tc);
    ++count_;
}

IpipSendBatch::Outcome IpipSendBatch::send(int fd) {
    Outcome out;
    unsigned off = 0;
    while (off < count_) {
        int r = ::sendmmsg(fd, msgs_.data() + off, count_ - off, MSG_DONTWAIT);
        ++out.calls;
        if (r > 0) {
            off += static_cast<unsigned>(r);
            out.sent += static_cast<std::size_t>(r);
            continue;
        }
        int err = errno;
        if (err == EINTR) continue;
        out.last_errno = err;
        if (err == EAGAIN || err == EWOULDBLOCK || err == ENOBUFS) {
            // The socket (or device) queue is full: the rest would fail the same way now.
            out.failed += count_ - off;
            break;
        }
        // sendmmsg() stops at the first message that fails and, once some went, reports only
        // the count (man 2 sendmmsg), so a retry from `off` lands here with that message's
        // errno: count it and carry on with the next one.
        ++out.failed;
        ++off;
    }
    count_ = 0;
    used_ = 0;
    return out;
}

}  // namespace s46::platform
