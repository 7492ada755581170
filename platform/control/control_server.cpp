#include "platform/control/control_server.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace s46::control {

struct ControlServer::Shared {
    Service* service;  // null once the server is gone: late sessions answer without it
    ServerOptions options;
    std::size_t active = 0;
};

namespace {

using StreamProtocol = asio::local::stream_protocol;

// One connection: read up to the first newline, answer, close; closed anyway at the idle timeout.
class Session : public std::enable_shared_from_this<Session> {
public:
    Session(StreamProtocol::socket s, std::shared_ptr<ControlServer::Shared> shared)
        : socket_(std::move(s)), timer_(socket_.get_executor()), shared_(std::move(shared)) {
        ++shared_->active;
    }
    ~Session() { --shared_->active; }

    void start() {
        auto self = shared_from_this();
        timer_.expires_after(shared_->options.idle_timeout);
        timer_.async_wait([self](std::error_code ec) {
            if (ec) return;
            std::error_code ignored;
            self->socket_.close(ignored);  // cancels the read or write still pending
        });
        asio::async_read_until(socket_, asio::dynamic_buffer(buffer_, shared_->options.max_request_bytes), '\n',
                               [self](std::error_code ec, std::size_t n) { self->on_read(ec, n); });
    }

private:
    void on_read(std::error_code ec, std::size_t n) {
        if (ec == asio::error::not_found) {
            reply(error_line("request longer than " + std::to_string(shared_->options.max_request_bytes) + " bytes"));
            return;
        }
        if (ec && !(ec == asio::error::eof && !buffer_.empty())) {  // client went away, or timed out
            timer_.cancel();
            return;
        }
        std::string_view line(buffer_.data(), n ? n : buffer_.size());
        reply(shared_->service ? dispatch(line, *shared_->service) : error_line("s46d is shutting down"));
    }

    void reply(std::string text) {
        out_ = std::move(text);
        auto self = shared_from_this();
        asio::async_write(socket_, asio::buffer(out_), [self](std::error_code, std::size_t) {
            std::error_code ignored;
            self->socket_.shutdown(asio::socket_base::shutdown_both, ignored);
            self->socket_.close(ignored);
            self->timer_.cancel();  // lets the session go, and with it its connection slot
        });
    }

    StreamProtocol::socket socket_;
    asio::steady_timer timer_;
    std::shared_ptr<ControlServer::Shared> shared_;
    std::string buffer_, out_;
};

const char* file_kind(mode_t m) {
    if (S_ISREG(m)) return "regular file";
    if (S_ISDIR(m)) return "directory";
    if (S_ISLNK(m)) return "symbolic link";
    if (S_ISFIFO(m)) return "FIFO";
    if (S_ISCHR(m)) return "character device";
    if (S_ISBLK(m)) return "block device";
    return "non-socket file";
}

std::string errno_text() { return std::strerror(errno); }

}  // namespace

ControlServer::ControlServer(asio::io_context& io, Service& service, ServerOptions options, Logger log)
    : io_(io),
      options_(options),
      log_(std::move(log)),
      shared_(std::make_shared<Shared>(Shared{&service, options, 0})),
      backoff_timer_(io) {}

ControlServer::~ControlServer() {
    close();
    shared_->service = nullptr;
}

std::size_t ControlServer::connections() const { return shared_->active; }

Result<void> ControlServer::listen(const std::string& path, std::optional<gid_t> group) {
    if (acceptor_) return fail("control socket " + path + ": already listening on " + path_);
    const std::string lock_path = path + ".lock";
    // The lock decides which instance owns the path; only its holder may touch the socket file.
    // A holder that exits unlinks the lock file while we may have it open, so a lock taken on a
    // file no longer at lock_path is worthless: retry on the current one.
    for (int attempt = 0;; ++attempt) {
        int fd = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
        if (fd < 0) return fail("control socket lock " + lock_path + ": " + errno_text());
        if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
            const int err = errno;
            std::string holder = "another process";
            if (err == EWOULDBLOCK) {
                char buf[32] = {};
                ssize_t n = ::pread(fd, buf, sizeof buf - 1, 0);
                long pid = n > 0 ? std::strtol(buf, nullptr, 10) : 0;
                if (pid > 0) holder = "pid " + std::to_string(pid);
            }
            ::close(fd);
            if (err == EWOULDBLOCK) return fail("another s46d is running (control socket " + path + " is locked by " + holder + ")");
            return fail("control socket lock " + lock_path + ": " + std::strerror(err));
        }
        struct stat held {}, now {};
        if (::fstat(fd, &held) == 0 && ::stat(lock_path.c_str(), &now) == 0 && held.st_dev == now.st_dev && held.st_ino == now.st_ino) {
            lock_fd_ = fd;
            break;
        }
        ::close(fd);
        if (attempt == 3) return fail("control socket lock " + lock_path + ": keeps being replaced");
    }
    lock_path_ = lock_path;
    // The pid tells a refused second instance whom to look for.
    const std::string pid = std::to_string(::getpid()) + "\n";
    if (::ftruncate(lock_fd_, 0) != 0 || ::pwrite(lock_fd_, pid.data(), pid.size(), 0) != static_cast<ssize_t>(pid.size())) {
        auto e = errno_text();
        release_lock();
        return fail("control socket lock " + lock_path + ": writing the pid: " + e);
    }

    struct stat st {};
    if (::lstat(path.c_str(), &st) == 0) {
        if (!S_ISSOCK(st.st_mode)) {
            release_lock();
            return fail("control socket " + path + " exists and is a " + file_kind(st.st_mode) +
                        "; refusing to replace it (remove it or choose another --control-socket)");
        }
        // A socket left by an instance that died: we hold the lock, so nobody serves it.
        if (::unlink(path.c_str()) != 0 && errno != ENOENT) {
            auto e = errno_text();
            release_lock();
            return fail("control socket " + path + ": removing the stale socket: " + e);
        }
    } else if (errno != ENOENT) {
        auto e = errno_text();
        release_lock();
        return fail("control socket " + path + ": " + e);
    }

    // bind() creates the file with 0777 & ~umask; narrow the umask so the socket is never
    // reachable by others, not even between bind() and chmod(). s46d calls this on its one thread.
    const mode_t old_umask = ::umask(0117);
    try {
        acceptor_ = std::make_unique<StreamProtocol::acceptor>(io_, StreamProtocol::endpoint(path));
    } catch (const std::system_error& e) {
        ::umask(old_umask);
        release_lock();
        return fail("control socket " + path + ": " + e.what());
    }
    ::umask(old_umask);
    path_ = path;
    auto undo = [this](std::string why) -> Result<void> {
        close();
        return fail(std::move(why));
    };
    if (::lstat(path.c_str(), &st) != 0) return undo("control socket " + path + ": " + errno_text());
    socket_dev_ = st.st_dev;
    socket_ino_ = st.st_ino;
    if (::chmod(path.c_str(), 0660) != 0) return undo("control socket " + path + ": chmod 0660: " + errno_text());
    if (group && ::chown(path.c_str(), static_cast<uid_t>(-1), *group) != 0)
        return undo("control socket " + path + ": chown to group " + std::to_string(*group) + ": " + errno_text());
    backoff_ = std::chrono::milliseconds(0);
    accept();
    return ok();
}

void ControlServer::accept() {
    ++accept_attempts_;
    acceptor_->async_accept([this](std::error_code ec, StreamProtocol::socket s) {
        // Checked before touching `this`: the server may be gone when an aborted accept completes.
        if (ec == asio::error::operation_aborted) return;
        on_accept(ec, std::move(s));
    });
}

void ControlServer::on_accept(std::error_code ec, StreamProtocol::socket socket) {
    if (!acceptor_) return;
    if (ec) {
        // EMFILE, ENFILE, ENOBUFS, ENOMEM leave the connection queued and the listening socket
        // readable: accepting again at once would fail again at once, a busy loop. Wait instead,
        // longer each time, and say so once rather than per attempt.
        backoff_ = backoff_.count() == 0 ? options_.accept_backoff_min : std::min(backoff_ * 2, options_.accept_backoff_max);
        if (!accept_failing_ && log_)
            log_("control socket " + path_ + ": accept: " + ec.message() + "; pausing, retrying every " +
                 std::to_string(options_.accept_backoff_min.count()) + ".." + std::to_string(options_.accept_backoff_max.count()) + " ms");
        accept_failing_ = true;
        backoff_timer_.expires_after(backoff_);
        backoff_timer_.async_wait([this](std::error_code timer_ec) {
            if (!timer_ec && acceptor_) accept();
        });
        return;
    }
    if (accept_failing_ && log_) log_("control socket " + path_ + ": accepting again");
    accept_failing_ = false;
    backoff_ = std::chrono::milliseconds(0);
    if (shared_->active >= options_.max_connections) {
        // Over the bound: answer at once and close, rather than leaving the connection in the
        // backlog. The client (s46ctl) then prints why instead of timing out with no answer,
        // and the refusal costs no state here: one non-blocking send of a short line into a
        // fresh socket's empty buffer, then close.
        std::error_code ignored;
        socket.non_blocking(true, ignored);
        const std::string line = error_line("too many control connections (" + std::to_string(options_.max_connections) + " open)");
        socket.send(asio::buffer(line), 0, ignored);
        socket.shutdown(asio::socket_base::shutdown_both, ignored);
        socket.close(ignored);
    } else {
        std::make_shared<Session>(std::move(socket), shared_)->start();
    }
    accept();
}

void ControlServer::release_lock() {
    if (lock_fd_ < 0) return;
    // Unlinked while still held, so no other instance can be holding it now.
    ::unlink(lock_path_.c_str());
    ::close(lock_fd_);
    lock_fd_ = -1;
}

void ControlServer::close() {
    backoff_timer_.cancel();
    if (acceptor_) {
        std::error_code ignored;
        acceptor_->close(ignored);
        acceptor_.reset();
        // Only our socket: a path replaced by someone else since bind() is theirs.
        struct stat st {};
        if (::lstat(path_.c_str(), &st) == 0 && S_ISSOCK(st.st_mode) && st.st_dev == socket_dev_ && st.st_ino == socket_ino_)
            ::unlink(path_.c_str());
    }
    release_lock();
}

}  // namespace s46::control
