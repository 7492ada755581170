// A TUN device carrying IPv4 between the LAN (through the kernel's IPv4 forwarding) and the
// userspace data plane (shared/notes/dataplane.md §1): IFF_TUN | IFF_NO_PI, one packet per read.
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

    TunDevice(asio::io_context& io, std::string name);
    ~TunDevice();

    // Creates (or attaches to) the device; errors name the device and the call.
    Result<bool> open();
    void start(Receive on_packet);
    // Writes one packet; a full queue drops it (counted by the caller), never blocks the loop.
    Result<bool> write(std::span<const std::uint8_t> packet);
    void close();
    const std::string& name() const { return name_; }

private:
    void read();
    std::string name_;
    asio::posix::stream_descriptor fd_;
    std::array<std::uint8_t, 65536> buffer_{};
    Receive on_packet_;
};

}  // namespace s46::platform
