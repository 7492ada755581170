#include "platform/hooks/hook_runner.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/syscall.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace s46::hooks {

namespace {

constexpr std::size_t kOutputKept = 4096;  // the tail of a hook's output that reaches the log

bool leftover_name(const std::string& n) {
    auto ends = [&](std::string_view s) { return n.size() >= s.size() && n.compare(n.size() - s.size(), s.size(), s) == 0; };
    return n.empty() || n[0] == '.' || ends("~") || n.find(".dpkg-") != std::string::npos || ends(".opkg") || ends("-opkg") ||
           ends(".apk-new") || ends(".swp");
}

std::string base_name(const std::string& path) {
    auto slash = path.rfind('/');
    return slash == std::string::npos ? path : path.substr(slash + 1);
}

// The last line(s) of a hook's output, on one log line.
std::string tail_text(const std::string& out) {
    std::string t = out;
    while (!t.empty() && (t.back() == '\n' || t.back() == '\r' || t.back() == ' ')) t.pop_back();
    if (t.size() > 200) t = "..." + t.substr(t.size() - 200);
    std::replace(t.begin(), t.end(), '\n', '|');
    return t;
}

std::string describe(int status) {
    if (WIFEXITED(status)) return "exit status " + std::to_string(WEXITSTATUS(status));
    if (WIFSIGNALED(status)) return std::string("killed by signal ") + std::to_string(WTERMSIG(status)) + " (" + strsignal(WTERMSIG(status)) + ")";
    return "status " + std::to_string(status);
}

}  // namespace

struct HookRunner::Child {
    std::string path;
    pid_t pid = -1;
    int pidfd = -1;
    int output_fd = -1;
    std::string output;
    std::chrono::steady_clock::time_point started;
    std::unique_ptr<asio::posix::stream_descriptor> exit_watch;
    std::unique_ptr<asio::posix::stream_descriptor> output_watch;
    std::unique_ptr<asio::steady_timer> timer;
    bool killed = false;
    std::string kill_reason;  // empty: the hook's own timeout
    std::array<char, 1024> buffer{};

    ~Child() {
        // The stream descriptors own their fds once wrapped.
        if (!exit_watch && pidfd >= 0) ::close(pidfd);
        if (!output_watch && output_fd >= 0) ::close(output_fd);
    }
};

namespace {

// posix_spawn()s `path` in a new process group with `call`'s environment, its JSON on stdin and
// stdout+stderr into a pipe. Returns the child (pid, pidfd, output fd) or an error text.
std::string spawn(const std::string& path, const HookCall& call, pid_t& pid, int& pidfd, int& output_fd) {
    // Standard input is a socket pair, not a pipe: a hook that exits without reading it must
    // not raise SIGPIPE in s46d (send() with MSG_NOSIGNAL), whatever the process's disposition.
    int in[2], out[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, in) != 0) return std::string("socketpair: ") + std::strerror(errno);
    if (::pipe2(out, O_CLOEXEC) != 0) {
        const int e = errno;
        ::close(in[0]);
        ::close(in[1]);
        return std::string("pipe: ") + std::strerror(e);
    }
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, in[0], 0);
    posix_spawn_file_actions_adddup2(&fa, out[1], 1);
    posix_spawn_file_actions_adddup2(&fa, out[1], 2);
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    // Own process group (the timeout kills the hook and whatever it started); default signal
    // dispositions and an empty mask (s46d ignores SIGPIPE and blocks the signals it handles).
    sigset_t none, defaults;
    sigemptyset(&none);
    sigemptyset(&defaults);
    for (int s : {SIGPIPE, SIGHUP, SIGINT, SIGTERM, SIGCHLD}) sigaddset(&defaults, s);
    posix_spawnattr_setsigmask(&attr, &none);
    posix_spawnattr_setsigdefault(&attr, &defaults);
    posix_spawnattr_setpgroup(&attr, 0);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);

    std::vector<char*> argv = {const_cast<char*>(path.c_str()), nullptr};
    std::vector<char*> envp;
    for (const auto& e : call.env) envp.push_back(const_cast<char*>(e.c_str()));
    envp.push_back(nullptr);
    const int rc = posix_spawn(&pid, path.c_str(), &fa, &attr, argv.data(), envp.data());
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&attr);
    ::close(in[0]);
    ::close(out[1]);
    if (rc != 0) {
        ::close(in[1]);
        ::close(out[0]);
        return std::string("cannot run: ") + std::strerror(rc);
    }
    // The event is small (far below a socket buffer): written whole without blocking, then EOF.
    [[maybe_unused]] ssize_t w = ::send(in[1], call.input.data(), call.input.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
    ::close(in[1]);
    // glibc 2.36 declares pidfd_open() without C linkage for C++; the system call is the same.
    pidfd = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
    output_fd = out[0];
    ::fcntl(output_fd, F_SETFL, O_NONBLOCK);
    return {};
}

}  // namespace

HookRunner::HookRunner(asio::io_context& io, HookRunnerOptions options, Log log)
    : io_(io), options_(std::move(options)), log_(std::move(log)) {}

HookRunner::~HookRunner() {
    if (child_ && child_->pid > 0) {
        ::kill(-child_->pid, SIGKILL);
        ::waitpid(child_->pid, nullptr, 0);
    }
}

std::vector<std::string> HookRunner::list_hooks(const std::string& directory) {
    std::vector<std::string> out;
    DIR* d = ::opendir(directory.c_str());
    if (!d) return out;
    while (dirent* e = ::readdir(d)) {
        const std::string name = e->d_name;
        if (leftover_name(name)) continue;
        const std::string path = directory + "/" + name;
        struct stat st {};
        if (::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode) || !(st.st_mode & (S_IXUSR | S_IXGRP | S_IXOTH))) continue;
        out.push_back(path);
    }
    ::closedir(d);
    std::sort(out.begin(), out.end());
    return out;
}

void HookRunner::run(HookCall call) {
    queue_.push_back(std::move(call));
    if (!child_ && pending_.empty()) start_next();
}

void HookRunner::start_next() {
    while (!child_) {
        if (pending_.empty()) {
            if (queue_.empty()) return;
            current_ = std::move(queue_.front());
            queue_.pop_front();
            auto hooks = list_hooks(options_.directory);
            pending_.assign(hooks.begin(), hooks.end());
            continue;
        }
        const std::string path = pending_.front();
        pending_.pop_front();
        auto c = std::make_unique<Child>();
        c->path = path;
        const std::string error = spawn(path, current_, c->pid, c->pidfd, c->output_fd);
        ++runs_;
        if (!error.empty()) {
            ++failures_;
            log_(true, "hook " + base_name(path) + " (" + to_string(current_.event) + "): " + error);
            continue;
        }
        c->started = std::chrono::steady_clock::now();
        child_ = std::move(c);
        if (child_->pidfd >= 0) {
            child_->exit_watch = std::make_unique<asio::posix::stream_descriptor>(io_, child_->pidfd);
            child_->exit_watch->async_wait(asio::posix::stream_descriptor::wait_read, [this, pid = child_->pid](std::error_code ec) {
                if (!ec && child_ && child_->pid == pid) on_exit();
            });
        }
        child_->output_watch = std::make_unique<asio::posix::stream_descriptor>(io_, child_->output_fd);
        read_output();
        child_->timer = std::make_unique<asio::steady_timer>(io_, options_.timeout);
        child_->timer->async_wait([this, pid = child_->pid](std::error_code ec) {
            if (ec || !child_ || child_->pid != pid) return;
            child_->killed = true;
            ::kill(-pid, SIGKILL);  // the hook and everything it started
            if (child_->pidfd < 0) on_exit();
        });
    }
}

void HookRunner::read_output() {
    child_->output_watch->async_read_some(asio::buffer(child_->buffer), [this, pid = child_->pid](std::error_code ec, std::size_t n) {
        if (ec || !child_ || child_->pid != pid) return;
        child_->output.append(child_->buffer.data(), n);
        if (child_->output.size() > kOutputKept) child_->output.erase(0, child_->output.size() - kOutputKept);
        read_output();
    });
}

void HookRunner::on_exit() {
    int status = 0;
    const pid_t r = ::waitpid(child_->pid, &status, child_->killed ? 0 : WNOHANG);
    if (r == 0) {  // woken early: wait again
        child_->exit_watch->async_wait(asio::posix::stream_descriptor::wait_read, [this, pid = child_->pid](std::error_code ec) {
            if (!ec && child_ && child_->pid == pid) on_exit();
        });
        return;
    }
    finish(status, child_->killed);
    start_next();
}

void HookRunner::finish(int status, bool timed_out) {
    // What is still in the pipe (the hook exited before we read it all).
    char buf[1024];
    ssize_t n;
    while ((n = ::read(child_->output_fd, buf, sizeof buf)) > 0) child_->output.append(buf, static_cast<std::size_t>(n));
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - child_->started).count();
    std::string line = "hook " + base_name(child_->path) + " (" + to_string(current_.event) + "): ";
    bool problem = false;
    if (timed_out) {
        line += child_->kill_reason.empty() ? "killed after the " + std::to_string(options_.timeout.count()) + " ms timeout" : child_->kill_reason;
        problem = true;
    } else {
        line += describe(status) + " after " + std::to_string(ms) + " ms";
        problem = !(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    }
    if (const auto t = tail_text(child_->output); !t.empty()) line += "; output: " + t;
    if (problem) ++failures_;
    log_(problem, line);
    if (child_->timer) child_->timer->cancel();
    if (child_->exit_watch) child_->exit_watch->cancel();
    if (child_->output_watch) child_->output_watch->cancel();
    // Handlers still queued for this child see child_ gone or another pid and return.
    child_.reset();
}

void HookRunner::drain(std::chrono::milliseconds budget) {
    const auto deadline = std::chrono::steady_clock::now() + budget;
    for (;;) {
        if (!child_) {
            // Start the next one; start_next() arms asio handlers we will not run: harmless.
            start_next();
            if (!child_) return;
        }
        // Each hook keeps its own timeout; all of them together get `budget`.
        const auto now = std::chrono::steady_clock::now();
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(std::min(deadline, child_->started + options_.timeout) - now);
        int status = 0;
        bool done = false;
        if (left.count() > 0 && child_->pidfd >= 0) {
            pollfd p{child_->pidfd, POLLIN, 0};
            if (::poll(&p, 1, static_cast<int>(left.count())) > 0) done = ::waitpid(child_->pid, &status, WNOHANG) == child_->pid;
        }
        if (!done) {
            ::kill(-child_->pid, SIGKILL);
            ::waitpid(child_->pid, &status, 0);
            child_->killed = true;
            const bool budget_spent = std::chrono::steady_clock::now() >= deadline;
            if (budget_spent) child_->kill_reason = "killed: s46d is stopping and its " + std::to_string(budget.count()) + " ms for hooks ran out";
            finish(status, true);
            if (budget_spent) {
                for (const auto& p : pending_) log_(true, "hook " + base_name(p) + " (" + to_string(current_.event) + "): not run, s46d is stopping");
                pending_.clear();
                for (const auto& q : queue_) log_(true, std::string("hooks for event ") + to_string(q.event) + ": not run, s46d is stopping");
                queue_.clear();
                return;
            }
            continue;
        }
        finish(status, false);
    }
}

}  // namespace s46::hooks
