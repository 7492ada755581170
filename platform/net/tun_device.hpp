// A TUN device carrying IPv4 between the LAN (through the kernel's IPv4 forwarding) and the
// userspace data plane (docs/dataplane.md, "Notes for the platform backend"): IFF_TUN | IFF_NO_PI,
// one packet per read.
//
// Batching: a TUN file descriptor has no recvmmsg()/sendmmsg() (it is a character device, not a
// socket), and writev() makes one packet of all its vectors. The kernel's only batch form is
// IFF_VNET_HDR with GSO superpackets, which cannot carry what we forward here
// (docs/performance.md, "TUN backend vs kernel forwarding"). So reads drain the queue, one read()
// per packet, up to kReadBatch per readiness wakeup, each packet into its own place in a read
// arena, and the whole batch is handed over at once: the caller can then work on it as a batch
// (Pipeline::outbound_batch prefetches ahead) and flush what it produced in one go. Writes stay
// one write() per packet.
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
    // The packets of one drained batch, in the order read; each span stays valid (and may be
    // modified in place) until the callback returns.
    using ReceiveBatch = std::function<void(std::span<const std::span<std::uint8_t>> packets)>;
    // Matches the softwire socket's send batch: one sendmmsg() per drained batch.
    static constexpr int kReadBatch = 64;
    // A read must offer room for the largest packet the device may hold (a shorter buffer cuts
    // the packet silently), so a read starts only while kMaxPacket bytes are left in the arena.
    static constexpr std::size_t kMaxPacket = 65536;
    // Packets start on a cache line (kSlotAlign). A full batch of Ethernet-MTU packets (1500
    // bytes, 1536 with the padding) fits, its last read still offered kMaxPacket; larger
    // packets end a batch early, after about (kArenaSize - kMaxPacket) / their size.
    static constexpr std::size_t kSlotAlign = 64;
    static constexpr std::size_t kArenaSize = kReadBatch * 1536 + kMaxPacket;
    static constexpr int kTxQueueLen = 1000;  // packets the kernel queues for us to read

    TunDevice(asio::io_context& io, std::string name);
    ~TunDevice();

    // Creates (or attaches to) the device; errors name the device and the call.
    Result<void> open();
    // `on_batch` sees each drained batch (1 to kReadBatch packets); the arena is reused by the
    // next batch.
    void start(ReceiveBatch on_batch);
    // Writes one packet; a full queue drops it (counted by the caller), never blocks the loop.
    Result<void> write(std::span<const std::uint8_t> packet);
    void close();
    const std::string& name() const { return name_; }

private:
    void read();
    void set_queue_length();
    std::string name_;
    asio::posix::stream_descriptor fd_;
    alignas(kSlotAlign) std::array<std::uint8_t, kArenaSize> arena_{};
    std::array<std::span<std::uint8_t>, kReadBatch> batch_{};
    ReceiveBatch on_batch_;
};

}  // namespace s46::platform
