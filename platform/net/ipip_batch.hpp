// The message arrays behind SoftwireSocket's recvmmsg()/sendmmsg() batching: one mmsghdr, one
// peer address and one control buffer per message, so every packet of a batch keeps its own
// outer addresses and traffic class (RFC 6333 §7.1).
//
// Memory: payload space is allocated uninitialised (make_unique_for_overwrite), so the kernel
// backs only the pages a packet actually touches. The receive slots must hold what the kernel
// may hand us after reassembling IPv6 fragments (up to 64 KiB, RFC 8200 §4.5), yet with 1500-byte
// packets only the first page of each slot is ever resident.
#pragma once

#include <netinet/in.h>
#include <sys/socket.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>

#include "core/net/ipv6.hpp"

namespace s46::platform {

class IpipRecvBatch {
public:
    static constexpr unsigned kMessages = 32;
    static constexpr std::size_t kSlot = 65536;

    struct Message {
        std::span<std::uint8_t> inner;
        net::Ipv6Address src, dst;  // msg_name; IPV6_PKTINFO
        std::uint8_t tclass = 0;    // IPV6_TCLASS
        bool truncated = false;     // did not fit a slot (not delivered)
    };

    IpipRecvBatch();
    IpipRecvBatch(const IpipRecvBatch&) = delete;  // the headers point into this object
    IpipRecvBatch& operator=(const IpipRecvBatch&) = delete;
    // recvmmsg(MSG_DONTWAIT) on `fd`: the number of messages read, 0 when none was queued.
    int receive(int fd);
    Message message(unsigned i) const;

private:
    std::unique_ptr<std::uint8_t[]> slots_;
    std::array<mmsghdr, kMessages> msgs_{};
    std::array<iovec, kMessages> iov_{};
    std::array<sockaddr_in6, kMessages> from_{};
    // IPV6_PKTINFO + IPV6_TCLASS with room to spare.
    struct alignas(cmsghdr) Control {
        std::array<char, 128> bytes;
    };
    std::array<Control, kMessages> control_{};
};

class IpipSendBatch {
public:
    static constexpr unsigned kMessages = 64;
    // Holds kMessages full-size (1500-byte) packets, or at least one of 64 KiB.
    static constexpr std::size_t kArena = 256 * 1024;

    struct Outcome {
        std::size_t sent = 0, failed = 0, calls = 0;
        int last_errno = 0;  // of the last failure, 0 when none
    };

    IpipSendBatch();
    IpipSendBatch(const IpipSendBatch&) = delete;  // the headers point into this object
    IpipSendBatch& operator=(const IpipSendBatch&) = delete;
    std::size_t size() const { return count_; }
    bool empty() const { return count_ == 0; }
    // Whether a packet of `bytes` still fits (message slots and arena).
    bool fits(std::size_t bytes) const { return count_ < kMessages && used_ + bytes <= kArena; }
    // Copies `inner` in; requires fits(inner.size()).
    void add(std::span<const std::uint8_t> inner, const net::Ipv6Address& remote, std::uint8_t tclass);
    // sendmmsg() of everything added, then empty. A message the kernel refuses (no route, too
    // big) is counted and skipped, the rest still go; a full socket buffer drops the remainder
    // rather than block the event loop.
    Outcome send(int fd);
    // Forgets everything added (nothing to send it on).
    void clear() {
        count_ = 0;
        used_ = 0;
    }

private:
    std::unique_ptr<std::uint8_t[]> arena_;
    std::size_t used_ = 0;
    unsigned count_ = 0;
    std::array<mmsghdr, kMessages> msgs_{};
    std::array<iovec, kMessages> iov_{};
    std::array<sockaddr_in6, kMessages> to_{};
    struct alignas(cmsghdr) Control {
        std::array<char, CMSG_SPACE(sizeof(int))> bytes;
    };
    std::array<Control, kMessages> control_{};
};

}  // namespace s46::platform
