// CaresEventPump: drives one c-ares channel from an Asio io_context, so lookups never block
// the single-threaded event loop. c-ares says which sockets it wants watched through its
// socket-state callback; each is wrapped (not owned) in a posix::stream_descriptor, and one
// steady_timer follows ares_timeout() so retransmissions and give-ups happen on time.
#pragma once

#include <ares.h>

#include <asio/io_context.hpp>
#include <asio/posix/stream_descriptor.hpp>
#include <asio/steady_timer.hpp>
#include <memory>
#include <unordered_map>

namespace s46::dns {

class CaresEventPump {
public:
    explicit CaresEventPump(asio::io_context& io);
    // Must outlive the channel: ares_destroy() reports each socket closing through us.
    ~CaresEventPump();
    CaresEventPump(const CaresEventPump&) = delete;
    CaresEventPump& operator=(const CaresEventPump&) = delete;

    // Before ares_init_options(): routes the channel's socket-state callback here.
    void configure(ares_options& options, int& optmask);
    // After ares_init_options() succeeded.
    void attach(ares_channel channel) { channel_ = channel; }
    // Call after anything that may add or remove a c-ares deadline (a new query, a cancel).
    void update_timer();

private:
    struct Watch;

    static void on_socket_state(void* self, ares_socket_t fd, int readable, int writable);
    void watch(ares_socket_t fd, bool readable, bool writable);
    void unwatch(ares_socket_t fd);
    void arm(const std::shared_ptr<Watch>& w);
    void process(ares_socket_t read_fd, ares_socket_t write_fd);

    asio::io_context& io_;
    ares_channel channel_ = nullptr;
    std::unordered_map<ares_socket_t, std::shared_ptr<Watch>> watches_;
    asio::steady_timer timer_;
    // Completion handlers hold a weak reference: a handler already queued when the pump is
    // destroyed must find out without touching it.
    std::shared_ptr<int> alive_ = std::make_shared<int>(0);
};

}  // namespace s46::dns
