#include "platform/dns/cares_event_pump.hpp"

#include <chrono>

namespace s46::dns {

// One socket c-ares asked us to watch. Shared with in-flight wait handlers so the descriptor
// object outlives them; `closed` tells a late handler that c-ares has let go of the fd (which
// may already have been reused for a new socket with its own Watch).
struct CaresEventPump::Watch {
    Watch(asio::io_context& io, ares_socket_t fd) : fd(fd), descriptor(io, fd) {}
    ares_socket_t fd;
    asio::posix::stream_descriptor descriptor;
    bool want_read = false;
    bool want_write = false;
    bool reading = false;  // a read wait is outstanding
    bool writing = false;
    bool closed = false;
};

CaresEventPump::CaresEventPump(asio::io_context& io) : io_(io), timer_(io) {}

CaresEventPump::~CaresEventPump() {
    // The owner destroys the channel first; anything left here is released, never closed:
    // c-ares owns its sockets.
    for (auto& [fd, w] : watches_) {
        w->closed = true;
        w->descriptor.release();
    }
}

void CaresEventPump::configure(ares_options& options, int& optmask) {
    options.sock_state_cb = &CaresEventPump::on_socket_state;
    options.sock_state_cb_data = this;
    optmask |= ARES_OPT_SOCK_STATE_CB;
}

void CaresEventPump::on_socket_state(void* self, ares_socket_t fd, int readable, int writable) {
    auto* pump = static_cast<CaresEventPump*>(self);
    if (!readable && !writable)
        pump->unwatch(fd);
    else
        pump->watch(fd, readable != 0, writable != 0);
}

void CaresEventPump::watch(ares_socket_t fd, bool readable, bool writable) {
    auto& w = watches_[fd];
    if (!w) w = std::make_shared<Watch>(io_, fd);
    w->want_read = readable;
    w->want_write = writable;
    arm(w);
}

void CaresEventPump::unwatch(ares_socket_t fd) {
    auto it = watches_.find(fd);
    if (it == watches_.end()) return;
    // c-ares calls this just before it closes the fd: drop it from epoll now, and cancel the
    // waits (their handlers see `closed`), so a socket that reuses the number starts clean.
    it->second->closed = true;
    it->second->descriptor.release();
    watches_.erase(it);
}

void CaresEventPump::arm(const std::shared_ptr<Watch>& w) {
    std::weak_ptr<int> alive = alive_;
    if (w->want_read && !w->reading) {
        w->reading = true;
        w->descriptor.async_wait(asio::posix::stream_descriptor::wait_read, [this, w, alive](std::error_code ec) {
            w->reading = false;
            if (w->closed || alive.expired() || ec == asio::error::operation_aborted) return;
            // Other errors (e.g. the socket failed) are c-ares's to discover on read.
            process(w->fd, ARES_SOCKET_BAD);
            if (!w->closed) arm(w);
        });
    }
    if (w->want_write && !w->writing) {
        w->writing = true;
        w->descriptor.async_wait(asio::posix::stream_descriptor::wait_write, [this, w, alive](std::error_code ec) {
            w->writing = false;
            if (w->closed || alive.expired() || ec == asio::error::operation_aborted) return;
            process(ARES_SOCKET_BAD, w->fd);
            if (!w->closed) arm(w);
        });
    }
    // A wait no longer wanted is left to complete once; its process() call is harmless (c-ares
    // reads nothing it does not expect) and it is not re-armed unless wanted again.
}

void CaresEventPump::process(ares_socket_t read_fd, ares_socket_t write_fd) {
    if (channel_ == nullptr) return;
    ares_process_fd(channel_, read_fd, write_fd);
    update_timer();
}

void CaresEventPump::update_timer() {
    if (channel_ == nullptr) return;
    timeval buf{};
    timeval* next = ares_timeout(channel_, nullptr, &buf);
    if (next == nullptr) {  // no query in flight
        timer_.cancel();
        return;
    }
    auto wait = std::chrono::seconds{next->tv_sec} + std::chrono::microseconds{next->tv_usec};
    timer_.expires_after(wait);
    std::weak_ptr<int> alive = alive_;
    timer_.async_wait([this, alive](std::error_code ec) {
        if (alive.expired() || ec == asio::error::operation_aborted) return;
        // Both fds ARES_SOCKET_BAD: only deadlines are handled (retransmit, next server, give up).
        process(ARES_SOCKET_BAD, ARES_SOCKET_BAD);
    });
}

}  // namespace s46::dns
