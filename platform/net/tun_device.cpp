#include "platform/net/tun_device.hpp"

#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace s46::platform {

TunDevice::TunDevice(asio::io_context& io, std::string name) : name_(std::move(name)), fd_(io) {}

TunDevice::~TunDevice() { close(); }

Result<void> TunDevice::open() {
    if (name_.size() >= IFNAMSIZ) return fail("TUN device name '" + name_ + "' is longer than " + std::to_string(IFNAMSIZ - 1));
    int fd = ::open("/dev/net/tun", O_RDWR | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) return fail(std::string("TUN: open /dev/net/tun: ") + std::strerror(errno));
    ifreq ifr{};
    ifr.ifr_flags = IFF_TUN | IFF_NO_PI;
    std::strncpy(ifr.ifr_name, name_.c_str(), IFNAMSIZ - 1);
    if (::ioctl(fd, TUNSETIFF, &ifr) != 0) {
        int err = errno;
        ::close(fd);
        return fail("TUN " + name_ + ": TUNSETIFF: " + std::strerror(err));
    }
    fd_.assign(fd);
    set_queue_length();
    return ok();
}

// The kernel drops at the TUN's transmit ring (tx_queue_len, 500 by default for TUN) whenever
// s46d is off the CPU for longer than the ring lasts: at 100 kpps, 5 ms of a busy scheduler.
// kTxQueueLen is what Ethernet devices get (and the kernel's own netdev_max_backlog), so the
// userspace hop absorbs the bursts the kernel path it stands in for would. Best effort.
void TunDevice::set_queue_length() {
    int s = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (s < 0) return;
    ifreq ifr{};
    std::strncpy(ifr.ifr_name, name_.c_str(), IFNAMSIZ - 1);
    ifr.ifr_qlen = kTxQueueLen;
    ::ioctl(s, SIOCSIFTXQLEN, &ifr);
    ::close(s);
}

void TunDevice::start(ReceiveBatch on_batch) {
    on_batch_ = std::move(on_batch);
    read();
}

void TunDevice::read() {
    fd_.async_wait(asio::posix::stream_descriptor::wait_read, [this](std::error_code ec) {
        if (ec) return;  // closed
        // Drain what is queued: one readiness wakeup, many packets (bounded, so the softwire
        // socket and the control plane get their turn on the event loop).
        std::size_t got = 0, used = 0;
        while (got < batch_.size() && arena_.size() - used >= kMaxPacket) {
            ssize_t n = ::read(fd_.native_handle(), arena_.data() + used, kMaxPacket);
            if (n <= 0) break;
            const auto size = static_cast<std::size_t>(n);
            batch_[got++] = std::span<std::uint8_t>(arena_.data() + used, size);
            used += (size + kSlotAlign - 1) / kSlotAlign * kSlotAlign;
        }
        if (got) on_batch_(std::span<const std::span<std::uint8_t>>(batch_.data(), got));
        read();
    });
}

Result<void> TunDevice::write(std::span<const std::uint8_t> packet) {
    ssize_t n = ::write(fd_.native_handle(), packet.data(), packet.size());
    if (n < 0) return fail("TUN " + name_ + ": write: " + std::strerror(errno));
    return ok();
}

void TunDevice::close() {
    std::error_code ignored;
    if (fd_.is_open()) fd_.close(ignored);
}

}  // namespace s46::platform
