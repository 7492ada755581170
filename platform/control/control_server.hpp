// The daemon's control socket: a Unix stream socket carrying one request line and one reply
// line per connection (docs/control.md). What it guards against:
//  * a second s46d on the same path: an flock()ed "<path>.lock" holds the socket for one
//    instance; the loser is refused with the holder's pid, and the winner's socket stays;
//  * a path that names something other than a socket: refused, never deleted;
//  * clients that connect and say nothing (idle timeout) or too many at once (a bound);
//  * running out of descriptors: accept() errors pause accepting with a back-off instead of
//    re-accepting at once, which would spin on the still-readable listening socket.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include <asio.hpp>

#include "core/result.hpp"
#include "platform/control/protocol.hpp"
#include "platform/control/service.hpp"

namespace s46::control {

struct ServerOptions {
    // A connection is closed this long after it was accepted, answered or not: one request
    // needs milliseconds, and a silent client must not hold a connection slot.
    std::chrono::milliseconds idle_timeout{5000};
    // Connections served at once; one more is accepted, told "too many control connections"
    // and closed (see ControlServer::on_accept for why).
    std::size_t max_connections = 16;
    std::size_t max_request_bytes = kMaxRequestBytes;
    // Back-off after a failed accept(): doubles from min to max while accept() keeps failing.
    std::chrono::milliseconds accept_backoff_min{100};
    std::chrono::milliseconds accept_backoff_max{2000};
};

class ControlServer {
public:
    using Logger = std::function<void(const std::string& line)>;

    // `service` must outlive the server and the io_context's pending handlers.
    ControlServer(asio::io_context& io, Service& service, ServerOptions options = {}, Logger log = {});
    ~ControlServer();
    ControlServer(const ControlServer&) = delete;
    ControlServer& operator=(const ControlServer&) = delete;

    // Takes "<path>.lock", replaces a stale socket at `path` (only a socket), binds it with mode
    // 0660 (group `group` when given) and starts accepting. Errors name the path and the cause.
    Result<void> listen(const std::string& path, std::optional<gid_t> group = std::nullopt);
    // Stops accepting; removes the socket and the lock file if this instance created them.
    void close();

    // For tests and status: connections being served, and accept() calls started so far.
    std::size_t connections() const;
    std::uint64_t accept_attempts() const { return accept_attempts_; }

    struct Shared;  // state the sessions share with the server (they may outlive it)

private:
    void accept();
    void on_accept(std::error_code ec, asio::local::stream_protocol::socket socket);
    void release_lock();

    asio::io_context& io_;
    ServerOptions options_;
    Logger log_;
    std::shared_ptr<Shared> shared_;
    std::unique_ptr<asio::local::stream_protocol::acceptor> acceptor_;
    asio::steady_timer backoff_timer_;
    std::chrono::milliseconds backoff_{0};
    bool accept_failing_ = false;  // logged once per episode of accept() errors
    std::uint64_t accept_attempts_ = 0;
    std::string path_, lock_path_;
    int lock_fd_ = -1;
    // The socket file this instance bound: close() unlinks the path only while it still is it.
    dev_t socket_dev_ = 0;
    ino_t socket_ino_ = 0;
};

}  // namespace s46::control
