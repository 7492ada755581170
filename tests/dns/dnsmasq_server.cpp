#include "tests/dns/dnsmasq_server.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace s46::dns::test {

namespace {

bool executable(const std::string& path) { return access(path.c_str(), X_OK) == 0; }

// Binds `type` on [::1]:port (0 = any); returns the fd and the port actually bound, or -1.
int bind_loopback(int type, std::uint16_t port, std::uint16_t& bound) {
    int fd = socket(AF_INET6, type | SOCK_CLOEXEC, 0);
    if (fd < 0) return -1;
    sockaddr_in6 a{};
    a.sin6_family = AF_INET6;
    a.sin6_addr = in6addr_loopback;
    a.sin6_port = htons(port);
    socklen_t len = sizeof a;
    if (bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
        getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) != 0) {
        close(fd);
        return -1;
    }
    bound = ntohs(a.sin6_port);
    return fd;
}

// True once something accepts TCP on address:port. dnsmasq opens its TCP listener together
// with UDP, so this says it is serving without sending it any DNS traffic.
bool accepts_tcp(const std::string& address, std::uint16_t port) {
    addrinfo hints{};
    hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;  // a literal of either family, no lookup
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* ai = nullptr;
    if (getaddrinfo(address.c_str(), std::to_string(port).c_str(), &hints, &ai) != 0) return false;
    int fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    bool ok = fd >= 0 && connect(fd, ai->ai_addr, ai->ai_addrlen) == 0;
    if (fd >= 0) close(fd);
    freeaddrinfo(ai);
    return ok;
}

}  // namespace

std::optional<std::string> find_dnsmasq() {
    std::string path = std::getenv("PATH") ? std::getenv("PATH") : "";
    path += ":/usr/sbin:/sbin";
    std::stringstream dirs(path);
    for (std::string dir; std::getline(dirs, dir, ':');)
        if (!dir.empty() && executable(dir + "/dnsmasq")) return dir + "/dnsmasq";
    return std::nullopt;
}

std::uint16_t pick_loopback_port() {
    // Ephemeral ports are above 32767 on Linux: "random high port", chosen by the kernel.
    for (int attempt = 0; attempt < 20; ++attempt) {
        std::uint16_t port = 0;
        int udp = bind_loopback(SOCK_DGRAM, 0, port);
        if (udp < 0) break;
        std::uint16_t same = 0;
        int tcp = bind_loopback(SOCK_STREAM, port, same);
        close(udp);
        if (tcp >= 0) {
            close(tcp);
            return port;
        }
    }
    throw std::runtime_error("no free port on ::1");
}

DnsmasqServer::DnsmasqServer(std::vector<std::string> listen, std::vector<std::string> args, std::uint16_t port) {
    auto binary = find_dnsmasq();
    if (!binary) throw std::runtime_error("dnsmasq is not installed");
    char tmpl[] = "/tmp/s46-dnsmasq-XXXXXX";
    int log_fd = mkstemp(tmpl);
    if (log_fd < 0) throw std::runtime_error("mkstemp failed");
    close(log_fd);
    log_path_ = tmpl;

    // A port picked here can be taken before dnsmasq binds it: pick again a few times.
    for (int attempt = 0; attempt < 5; ++attempt) {
        port_ = port ? port : pick_loopback_port();
        if (start(*binary, listen, args)) return;
        if (port) break;
    }
    std::string why = log();
    unlink(log_path_.c_str());
    throw std::runtime_error("dnsmasq did not start:\n" + why);
}

DnsmasqServer::~DnsmasqServer() {
    stop();
    unlink(log_path_.c_str());
}

bool DnsmasqServer::start(const std::string& binary, const std::vector<std::string>& listen,
                          const std::vector<std::string>& args) {
    std::vector<std::string> argv_s = {
        binary,
        "--keep-in-foreground",     // a child we can wait for, not a daemon
        "--conf-file=/dev/null",    // not /etc/dnsmasq.conf
        "--pid-file=",              // no pid file
        "--port=" + std::to_string(port_),
        "--bind-interfaces",        // bind the listen addresses only, not the wildcard
        "--no-resolv",              // no upstream servers: nothing is forwarded off the host
        "--no-hosts",               // not /etc/hosts
        "--log-queries",
        "--log-facility=-",         // log to stderr, which goes to our log file
    };
    // PR_SET_PDEATHSIG below ends dnsmasq with this test even if the test crashes, but the
    // kernel clears it on a uid/gid change, so as root dnsmasq keeps root instead of dropping
    // to nobody. It listens on loopback only and forwards nothing either way.
    if (geteuid() == 0) {
        argv_s.push_back("--user=root");
        argv_s.push_back("--group=root");
    }
    for (const auto& a : listen) argv_s.push_back("--listen-address=" + a);
    argv_s.insert(argv_s.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& s : argv_s) argv.push_back(s.data());
    argv.push_back(nullptr);

    pid_t parent = getpid();
    pid_ = fork();
    if (pid_ < 0) return false;
    if (pid_ == 0) {
        // Child: only async-signal-safe calls until exec.
        prctl(PR_SET_PDEATHSIG, SIGTERM);
        if (getppid() != parent) _exit(127);  // the test died before prctl took effect
        int in = open("/dev/null", O_RDONLY);
        int out = open(log_path_.c_str(), O_WRONLY | O_APPEND);
        if (in < 0 || out < 0) _exit(127);
        dup2(in, 0);
        dup2(out, 1);
        dup2(out, 2);
        execv(binary.c_str(), argv.data());
        _exit(127);
    }

    auto until = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (std::chrono::steady_clock::now() < until) {
        int status = 0;
        if (waitpid(pid_, &status, WNOHANG) == pid_) {  // exited: port taken, bad flag...
            pid_ = -1;
            return false;
        }
        if (accepts_tcp(listen.front(), port_)) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    stop();
    return false;
}

void DnsmasqServer::stop() {
    if (pid_ <= 0) return;
    kill(pid_, SIGTERM);
    int status = 0;
    waitpid(pid_, &status, 0);
    pid_ = -1;
}

std::string DnsmasqServer::log() const {
    std::ifstream in(log_path_);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

SilentServer::SilentServer(std::uint16_t port) {
    fd_ = bind_loopback(SOCK_DGRAM, port, port_);
    if (fd_ < 0) throw std::runtime_error("cannot bind a UDP socket on ::1");
}

SilentServer::~SilentServer() {
    if (fd_ >= 0) close(fd_);
}

}  // namespace s46::dns::test
