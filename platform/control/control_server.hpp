// The daemon's control socket: a Unix stream socket carrying one JSON request line and one
// JSON response line per connection ({"command": "status"} -> {"ok": true, ...}).
// Bad requests get {"ok": false, "error": "..."}; the daemon keeps running.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include <asio.hpp>
#include <nlohmann/json.hpp>

#include "core/result.hpp"

namespace s46::control {

// Requests larger than this are refused: the socket is local, but a stuck client must not grow memory.
inline constexpr std::size_t kMaxRequestBytes = 256 * 1024;

class ControlServer {
public:
    using Handler = std::function<nlohmann::json(const nlohmann::json& request)>;

    ControlServer(asio::io_context& io, Handler handler);
    ~ControlServer();

    // Binds `path` (a stale socket file is replaced) with mode 0660 and starts accepting.
    Result<bool> listen(const std::string& path);
    void close();

private:
    void accept();
    asio::io_context& io_;
    Handler handler_;
    std::unique_ptr<asio::local::stream_protocol::acceptor> acceptor_;
    std::string path_;
};

// Builds the response for one request line (pure; the server and the tests use it).
std::string handle_request_line(const std::string& line, const ControlServer::Handler& handler);

}  // namespace s46::control
