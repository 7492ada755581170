#include "platform/control/control_client.hpp"

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>

namespace s46::control {

namespace {
struct Fd {
    int fd;
    ~Fd() { if (fd >= 0) ::close(fd); }
};
}  // namespace

Result<nlohmann::json> call_raw(const std::string& path, const std::string& out, int timeout_ms) {
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    if (path.size() >= sizeof addr.sun_path) return fail("control socket path too long: " + path);
    std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
    Fd s{::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)};
    if (s.fd < 0) return fail(std::string("socket: ") + std::strerror(errno));
    if (::connect(s.fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0)
        return fail("cannot reach s46d at " + path + ": " + std::strerror(errno) + (errno == ENOENT || errno == ECONNREFUSED ? " (is s46d running?)" : ""));
    std::string send_error;
    for (std::size_t off = 0; off < out.size();) {
        ssize_t n = ::send(s.fd, out.data() + off, out.size() - off, MSG_NOSIGNAL);
        if (n < 0) {
            // The daemon may have answered and closed before reading (too many connections):
            // its reply is still worth reading, so only report the send error if there is none.
            send_error = "control socket " + path + ": send: " + std::strerror(errno);
            break;
        }
        off += static_cast<std::size_t>(n);
    }
    std::string in;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    char buf[4096];
    while (in.find('\n') == std::string::npos) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()).count();
        if (left <= 0) return fail("control socket " + path + ": no answer within " + std::to_string(timeout_ms) + " ms");
        pollfd p{s.fd, POLLIN, 0};
        if (::poll(&p, 1, static_cast<int>(left)) <= 0) continue;
        ssize_t n = ::recv(s.fd, buf, sizeof buf, 0);
        if (n < 0) return fail(!send_error.empty() ? send_error : "control socket " + path + ": recv: " + std::strerror(errno));
        if (n == 0) break;
        in.append(buf, static_cast<std::size_t>(n));
    }
    if (in.empty()) return fail(!send_error.empty() ? send_error : "control socket " + path + ": s46d closed the connection without answering");
    try {
        return nlohmann::json::parse(in.substr(0, in.find('\n')));
    } catch (const nlohmann::json::exception& e) {
        return fail("control socket " + path + ": answer is not JSON: " + e.what());
    }
}

}  // namespace s46::control
