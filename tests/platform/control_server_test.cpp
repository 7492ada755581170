// The control socket server on a real Unix socket in a temporary directory, driven by one
// io_context on the test's thread (no namespaces, no root): instance lock, non-socket paths,
// stale sockets, idle timeout, the connection bound, request size, and surviving EMFILE.
#include <catch2/catch.hpp>

#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "platform/control/control_server.hpp"

using namespace s46;
using namespace s46::control;
using nlohmann::json;
using namespace std::chrono_literals;

namespace {

struct EchoService : Service {
    Result<StatusReply> status(const StatusRequest&) override { return StatusReply{json{{"mode", "none"}}}; }
    Result<EventsReply> events(const EventsRequest&) override { return EventsReply{}; }
    Result<MessageReply> renew(const RenewRequest&) override { return MessageReply{"renew started"}; }
    Result<StatusReply> provision(const ProvisionRequest&) override { return StatusReply{}; }
    Result<MessageReply> mode(const ModeRequest&) override { return fail("not implemented in this build"); }
    Result<PortmapReply> portmap(const PortmapRequest&) override { return fail("no active mode"); }
    Result<MessageReply> reload(const ReloadRequest&) override { return fail("not implemented in this build"); }
};

struct TempDir {
    std::string path;
    TempDir() {
        char tmpl[] = "/tmp/s46-control-XXXXXX";
        REQUIRE(::mkdtemp(tmpl) != nullptr);
        path = tmpl;
    }
    ~TempDir() {
        std::error_code ec;
        std::filesystem::remove_all(path, ec);
    }
};

struct Fd {
    int fd = -1;
    explicit Fd(int f) : fd(f) {}
    Fd(Fd&& o) noexcept : fd(o.fd) { o.fd = -1; }
    ~Fd() {
        if (fd >= 0) ::close(fd);
    }
};

// Connecting needs no accept(): the kernel queues the connection and any data sent on it.
Fd connect_to(const std::string& path) {
    Fd s{::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)};
    REQUIRE(s.fd >= 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strncpy(addr.sun_path, path.c_str(), sizeof addr.sun_path - 1);
    REQUIRE(::connect(s.fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
    return s;
}

void send_line(const Fd& s, const std::string& line) {
    REQUIRE(::send(s.fd, line.data(), line.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(line.size()));
}

struct Received {
    std::string data;
    bool eof = false;
};

// Runs the loop in small steps until the peer sent a line or closed, or `limit` passed.
Received pump_until_reply(asio::io_context& io, const Fd& s, std::chrono::milliseconds limit) {
    Received r;
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < deadline) {
        io.run_for(5ms);
        char buf[4096];
        ssize_t n = ::recv(s.fd, buf, sizeof buf, MSG_DONTWAIT);
        if (n > 0) r.data.append(buf, static_cast<std::size_t>(n));
        if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK)) {
            r.eof = true;
            return r;
        }
        if (r.data.find('\n') != std::string::npos) return r;
    }
    return r;
}

// The first line received, which must have arrived, as JSON.
json reply_line(const Received& r) {
    REQUIRE(r.data.find('\n') != std::string::npos);
    return json::parse(r.data.substr(0, r.data.find('\n')));
}

json ask(asio::io_context& io, const std::string& path, const std::string& line) {
    Fd s = connect_to(path);
    send_line(s, line);
    return reply_line(pump_until_reply(io, s, 2000ms));
}

// A fresh directory holding the socket path, and the loop and service a server under test uses.
struct ServerFixture {
    TempDir dir;
    const std::string path = dir.path + "/control.sock";
    asio::io_context io;
    EchoService svc;
};

bool exists(const std::string& p) {
    struct stat st {};
    return ::lstat(p.c_str(), &st) == 0;
}

}  // namespace

TEST_CASE_METHOD(ServerFixture, "control server: answers, and close() removes its socket and lock", "[control][server]") {
    ControlServer server(io, svc);
    REQUIRE(server.listen(path, ::getgid()));
    struct stat st {};
    REQUIRE(::stat(path.c_str(), &st) == 0);
    CHECK(S_ISSOCK(st.st_mode));
    CHECK((st.st_mode & 0777) == 0660);
    CHECK(st.st_gid == ::getgid());
    REQUIRE(::stat((path + ".lock").c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0600);
    json r = ask(io, path, R"({"command":"status"})" "\n");
    CHECK(r["version"] == 1);
    CHECK(r["ok"] == true);
    CHECK(r["status"]["mode"] == "none");
    r = ask(io, path, R"({"command":"mode","set":"auto"})" "\n");
    CHECK(r["ok"] == false);
    CHECK(r["error"] == "not implemented in this build");
    server.close();
    CHECK_FALSE(exists(path));
    CHECK_FALSE(exists(path + ".lock"));
}

TEST_CASE_METHOD(ServerFixture, "control server: a second instance on the same path is refused with the holder's pid", "[control][server]") {
    ControlServer first(io, svc), second(io, svc);
    REQUIRE(first.listen(path));
    auto r = second.listen(path);
    REQUIRE_FALSE(r);
    CHECK(r.error() == "another s46d is running (control socket " + path + " is locked by pid " + std::to_string(::getpid()) + ")");
    // The refused instance touched nothing: the first still answers, and its files stay.
    second.close();
    CHECK(exists(path));
    CHECK(exists(path + ".lock"));
    CHECK(ask(io, path, R"({"command":"renew"})" "\n")["message"] == "renew started");
}

TEST_CASE_METHOD(ServerFixture, "control server: a path that is not a socket is refused and left alone", "[control][server]") {
    SECTION("regular file") {
        { std::ofstream(path) << "precious\n"; }
        ControlServer server(io, svc);
        auto r = server.listen(path);
        REQUIRE_FALSE(r);
        CHECK_THAT(r.error(), Catch::Matchers::Contains("control socket " + path + " exists and is a regular file; refusing to replace it"));
        std::ifstream in(path);
        std::string text;
        std::getline(in, text);
        CHECK(text == "precious");
    }
    SECTION("directory") {
        REQUIRE(::mkdir(path.c_str(), 0700) == 0);
        ControlServer server(io, svc);
        auto r = server.listen(path);
        REQUIRE_FALSE(r);
        CHECK_THAT(r.error(), Catch::Matchers::Contains("exists and is a directory"));
        CHECK(std::filesystem::is_directory(path));
    }
    SECTION("symbolic link") {
        const std::string target = dir.path + "/target";
        { std::ofstream(target) << "x"; }
        REQUIRE(::symlink(target.c_str(), path.c_str()) == 0);
        ControlServer server(io, svc);
        auto r = server.listen(path);
        REQUIRE_FALSE(r);
        CHECK_THAT(r.error(), Catch::Matchers::Contains("exists and is a symbolic link"));
        CHECK(std::filesystem::is_symlink(path));
        CHECK(exists(target));
    }
    // The refusal released the lock, so the path can be fixed and used.
    CHECK_FALSE(exists(path + ".lock"));
}

TEST_CASE_METHOD(ServerFixture, "control server: a stale socket left by a dead instance is replaced", "[control][server]") {
    {
        int s = ::socket(AF_UNIX, SOCK_STREAM, 0);
        sockaddr_un addr{};
        addr.sun_family = AF_UNIX;
        std::strncpy(addr.sun_path, path.c_str(), sizeof addr.sun_path - 1);
        REQUIRE(::bind(s, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
        ::close(s);  // the file stays: nobody unlinked it
    }
    { std::ofstream(path + ".lock") << "999999\n"; }  // and its unlocked lock file
    ControlServer server(io, svc);
    REQUIRE(server.listen(path));
    CHECK(ask(io, path, R"({"command":"status"})" "\n")["ok"] == true);
}

TEST_CASE_METHOD(ServerFixture, "control server: close() leaves a path someone else has taken since", "[control][server]") {
    ControlServer server(io, svc);
    REQUIRE(server.listen(path));
    REQUIRE(::unlink(path.c_str()) == 0);
    { std::ofstream(path) << "not ours"; }
    server.close();
    CHECK(exists(path));
}

TEST_CASE_METHOD(ServerFixture, "control server: an idle connection is closed after the timeout", "[control][server]") {
    ServerOptions options;
    options.idle_timeout = 200ms;
    ControlServer server(io, svc, options);
    REQUIRE(server.listen(path));
    Fd idle = connect_to(path);
    send_line(idle, R"({"command":"sta)");  // half a request, then silence
    const auto t0 = std::chrono::steady_clock::now();
    auto r = pump_until_reply(io, idle, 2000ms);
    const auto waited = std::chrono::steady_clock::now() - t0;
    CHECK(r.eof);
    CHECK(r.data.empty());
    CHECK(waited >= 180ms);
    CHECK(waited < 1000ms);
    io.run_for(20ms);
    CHECK(server.connections() == 0);
}

TEST_CASE_METHOD(ServerFixture, "control server: beyond the connection bound a client is told why", "[control][server]") {
    ServerOptions options;
    options.max_connections = 2;
    ControlServer server(io, svc, options);
    REQUIRE(server.listen(path));
    std::vector<Fd> idle;
    idle.push_back(connect_to(path));
    idle.push_back(connect_to(path));
    for (int i = 0; i < 20 && server.connections() < 2; ++i) io.run_for(5ms);
    REQUIRE(server.connections() == 2);
    json r = ask(io, path, R"({"command":"status"})" "\n");
    CHECK(r["ok"] == false);
    CHECK(r["version"] == 1);
    CHECK(r["error"] == "too many control connections (2 open)");
    idle.pop_back();  // one client leaves: its slot is free again
    for (int i = 0; i < 40 && server.connections() > 1; ++i) io.run_for(5ms);
    CHECK(server.connections() == 1);
    CHECK(ask(io, path, R"({"command":"status"})" "\n")["ok"] == true);
}

TEST_CASE_METHOD(ServerFixture, "control server: an oversized request gets an error reply", "[control][server]") {
    ServerOptions options;
    options.max_request_bytes = 64;
    ControlServer server(io, svc, options);
    REQUIRE(server.listen(path));
    json r = ask(io, path, std::string(100, ' ') + "\n");
    CHECK(r["ok"] == false);
    CHECK(r["error"] == "request longer than 64 bytes");
    // Bad bytes get a reply too (the old server aborted on them).
    r = ask(io, path, "{\"command\":\"status\",\"\xff\":1}\n");
    CHECK(r["ok"] == false);
    CHECK_THAT(r["error"].get<std::string>(), Catch::Matchers::Contains("not valid UTF-8"));
}

TEST_CASE_METHOD(ServerFixture, "control server: out of descriptors, accept backs off instead of spinning, then recovers", "[control][server]") {
    std::vector<std::string> logged;
    ControlServer server(io, svc, ServerOptions{}, [&](const std::string& line) { logged.push_back(line); });
    REQUIRE(server.listen(path));
    io.run_for(10ms);

    // The client's socket exists before the descriptors run out; connecting needs none.
    Fd client = connect_to(path);
    send_line(client, R"({"command":"status"})" "\n");

    // Lower the soft limit to just above the highest descriptor in use, then fill the holes.
    rlimit saved{};
    REQUIRE(::getrlimit(RLIMIT_NOFILE, &saved) == 0);
    int highest = 0;
    if (DIR* d = ::opendir("/proc/self/fd")) {
        while (dirent* e = ::readdir(d)) highest = std::max(highest, std::atoi(e->d_name));
        ::closedir(d);
    }
    rlimit low = saved;
    low.rlim_cur = static_cast<rlim_t>(highest + 1);
    REQUIRE(::setrlimit(RLIMIT_NOFILE, &low) == 0);
    std::vector<int> fillers;
    for (int fd; (fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC)) >= 0;) fillers.push_back(fd);
    const int open_errno = errno;

    const auto attempts_before = server.accept_attempts();
    const auto cpu0 = std::clock();
    io.run_for(1000ms);
    const double cpu_seconds = static_cast<double>(std::clock() - cpu0) / CLOCKS_PER_SEC;
    const auto attempts = server.accept_attempts() - attempts_before;

    for (int fd : fillers) ::close(fd);
    REQUIRE(::setrlimit(RLIMIT_NOFILE, &saved) == 0);
    REQUIRE(open_errno == EMFILE);

    // 100, 200, 400 ms back-off: a handful of attempts in a second, not millions.
    CHECK(attempts >= 2);
    CHECK(attempts <= 8);
    CHECK(cpu_seconds < 0.2);
    REQUIRE(logged.size() == 1);
    CHECK_THAT(logged[0], Catch::Matchers::Contains("accept: Too many open files; pausing"));

    // Descriptors are back: the queued request is answered within the longest back-off.
    json reply = reply_line(pump_until_reply(io, client, 3000ms));
    CHECK(reply["ok"] == true);
    CHECK(logged.back() == "control socket " + path + ": accepting again");
}
