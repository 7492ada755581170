#include "platform/control/control_server.hpp"

#include <sys/stat.h>
#include <unistd.h>

namespace s46::control {

using nlohmann::json;

namespace {

// One connection: read up to the first newline, answer, close.
class Session : public std::enable_shared_from_this<Session> {
public:
    Session(asio::local::stream_protocol::socket s, const ControlServer::Handler& h) : socket_(std::move(s)), handler_(h) {}

    void start() {
        auto self = shared_from_this();
        asio::async_read_until(socket_, asio::dynamic_buffer(buffer_, kMaxRequestBytes), '\n',
                               [self](std::error_code ec, std::size_t n) { self->on_read(ec, n); });
    }

private:
    void on_read(std::error_code ec, std::size_t n) {
        if (ec == asio::error::not_found) {
            reply(json{{"ok", false}, {"error", "request longer than " + std::to_string(kMaxRequestBytes) + " bytes"}}.dump() + "\n");
            return;
        }
        if (ec && !(ec == asio::error::eof && !buffer_.empty())) return;  // client went away
        std::string line = buffer_.substr(0, n ? n : buffer_.size());
        reply(handle_request_line(line, handler_));
    }

    void reply(std::string text) {
        out_ = std::move(text);
        auto self = shared_from_this();
        asio::async_write(socket_, asio::buffer(out_), [self](std::error_code, std::size_t) {
            std::error_code ignored;
            self->socket_.shutdown(asio::socket_base::shutdown_both, ignored);
        });
    }

    asio::local::stream_protocol::socket socket_;
    ControlServer::Handler handler_;  // a copy: a session may outlive a closed server
    std::string buffer_, out_;
};

}  // namespace

std::string handle_request_line(const std::string& line, const ControlServer::Handler& handler) {
    json request;
    try {
        request = json::parse(line);
    } catch (const json::exception& e) {
        return json{{"ok", false}, {"error", std::string("request is not JSON: ") + e.what()}}.dump() + "\n";
    }
    if (!request.is_object() || !request.contains("command") || !request["command"].is_string())
        return json{{"ok", false}, {"error", "request must be an object with a string \"command\""}}.dump() + "\n";
    json response;
    try {
        response = handler(request);
    } catch (const std::exception& e) {
        // A handler bug must not take the daemon down; report it to the caller.
        response = json{{"ok", false}, {"error", std::string("internal error: ") + e.what()}};
    }
    return response.dump() + "\n";
}

ControlServer::ControlServer(asio::io_context& io, Handler handler) : io_(io), handler_(std::move(handler)) {}

ControlServer::~ControlServer() { close(); }

Result<bool> ControlServer::listen(const std::string& path) {
    ::unlink(path.c_str());  // a stale socket from a previous run
    try {
        acceptor_ = std::make_unique<asio::local::stream_protocol::acceptor>(io_, asio::local::stream_protocol::endpoint(path));
    } catch (const std::system_error& e) {
        return fail("control socket " + path + ": " + e.what());
    }
    ::chmod(path.c_str(), 0660);
    path_ = path;
    accept();
    return true;
}

void ControlServer::accept() {
    acceptor_->async_accept([this](std::error_code ec, asio::local::stream_protocol::socket s) {
        if (ec == asio::error::operation_aborted || !acceptor_) return;
        if (!ec) std::make_shared<Session>(std::move(s), handler_)->start();
        accept();
    });
}

void ControlServer::close() {
    if (acceptor_) {
        std::error_code ignored;
        acceptor_->close(ignored);
        acceptor_.reset();
        ::unlink(path_.c_str());
    }
}

}  // namespace s46::control
