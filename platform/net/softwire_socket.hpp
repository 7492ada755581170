// The WAN side of the userspace softwire (docs/dataplane.md, "Notes for the platform backend"): a raw
// AF_INET6/IPPROTO_IPIP socket bound to the tunnel source. The kernel builds the outer IPv6
// header (next header 4), fragments outbound and reassembles inbound; we send and receive the
// inner IPv4 packet only, with the outer peer address and traffic class as metadata.
// A second raw ICMPv6 socket receives the errors the network sends about our tunnel packets
// (RFC 2473 §8 relay).
//
// Batching: reads are recvmmsg() of up to kRecvBatch messages per call; sends are queued with
// queue() and leave in one sendmmsg() per flush() (or when the queue is full). Each message
// keeps its own metadata: IPV6_PKTINFO and IPV6_TCLASS on receive, destination and IPV6_TCLASS
// on send (RFC 6333 §7.1: the traffic class is per packet).
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <span>

#include <asio.hpp>

#include "core/net/ipv6.hpp"
#include "core/result.hpp"
#include "platform/net/ipip_batch.hpp"

namespace s46::platform {

class SoftwireSocket {
public:
    // inner IPv4 packet, outer source, outer destination, outer traffic class
    using Receive = std::function<void(std::span<std::uint8_t> inner, const net::Ipv6Address& src, const net::Ipv6Address& dst,
                                       std::uint8_t tclass)>;
    // After each batch of received packets (so the caller can flush what the batch produced).
    using BatchDone = std::function<void()>;
    // the whole ICMPv6 message, its source
    using ReceiveIcmp = std::function<void(std::span<std::uint8_t> icmp, const net::Ipv6Address& src)>;

    struct Counters {
        std::uint64_t sent = 0, send_errors = 0;   // messages (each error is one packet not sent)
        std::uint64_t send_calls = 0;              // sendmmsg() calls, for packets per call
        std::uint64_t received = 0, receive_calls = 0;
        std::uint64_t receive_truncated = 0;       // larger than a receive slot: dropped
        int last_send_errno = 0;                   // of the latest failed send, for status
    };

    explicit SoftwireSocket(asio::io_context& io);
    ~SoftwireSocket();

    // `local`: the tunnel source (B4 / lwB4 / MAP address); hop limit for the outer header.
    Result<void> open(const net::Ipv6Address& local, int hop_limit, Receive on_packet, ReceiveIcmp on_icmp,
                      BatchDone on_batch_done = {});
    // Queues one inner IPv4 packet for `remote` with the given traffic class (RFC 6333 §7.1
    // copy). The bytes are copied, so `inner` may be reused at once. Flushes first when full.
    void queue(std::span<const std::uint8_t> inner, const net::Ipv6Address& remote, std::uint8_t tclass);
    // Sends everything queued (sendmmsg); returns how many packets could not be sent.
    std::size_t flush();
    // Sends one packet now (queue + flush).
    Result<void> send(std::span<const std::uint8_t> inner, const net::Ipv6Address& remote, std::uint8_t tclass);
    void close();
    const Counters& counters() const { return counters_; }

private:
    void receive();
    void receive_icmp();
    asio::posix::stream_descriptor ipip_;
    asio::posix::stream_descriptor icmp_;
    IpipRecvBatch rx_;
    IpipSendBatch tx_;
    // ICMPv6 errors fit in the IPv6 minimum MTU (RFC 4443 §2.4 (c)); 2 KiB leaves room.
    std::array<std::uint8_t, 2048> icmp_buffer_{};
    Receive on_packet_;
    BatchDone on_batch_done_;
    ReceiveIcmp on_icmp_;
    Counters counters_;
};

}  // namespace s46::platform
