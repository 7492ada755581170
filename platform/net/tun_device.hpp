// A TUN device carrying IPv4 between the LAN (through the kernel's IPv4 forwarding) and the
// userspace data plane (docs/dataplane.md, "Notes for the platform backend"): IFF_TUN | IFF_NO_PI,
// one packet per read.
//
// Batching: a TUN file descriptor has no recvmmsg()/sendmmsg() (it is a character device, not a
// socket), and writev() makes one packet of all its vectors. The kernel's only batch form is
// IFF_VNET_HDR with GSO superpackets, which carry the segments of one flow, not the independent
// packets we forward here (docs/performance.md, "TUN backend vs kernel forwarding"). So reads drain the queue, one read() per packet, up to kReadBatch
// per readiness wakeup, and report the end of each batch so the caller can flush what it
// produced in one go; writes stay one write() per packet.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <span>
#include <string>

#include <asio.hpp>

#include "core/result.hpp"

namespace s46::platform {

class TunDevice {
public:
    using Receive = std::function<void(std::span<std::uint8_t> packet)>;
    using BatchDone = std::function<void()>;
    // Matches the softwire socket's send batch: one sendmmsg() per drained batch.
    static constexpr int kReadBatch = 64;
    static constexpr int kTxQueueLen = 1000;  // packets the kernel queues for us to read

    TunDevice(asio::io_context& io, std::string name);
    ~TunDevice();

    // Creates (or attaches to) the device; errors name the device and the call.
    Result<void> open();
    // `on_packet` sees each packet (the span is reused by the next read); `on_batch_done` runs
    // after each drained batch.
    void start(Receive on_packet, BatchDone on_batch_done = {});
    // Writes one packet; a full queue drops it (counted by the caller), never blocks the loop.
    Result<void> write(std::span<const std::uint8_t> packet);
    void close();
    const std::string& name() const { return name_; }

private:
    void read();
    void set_queue_length();
    std::string name_;
    asio::posix::stream_descriptor fd_;
    std::array<std::uint8_t, 65536> buffer_{};
    Receive on_packet_;
    BatchDone on_batch_done_;
};

}  // namespace s46::platform
