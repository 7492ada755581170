// Test helper: a real DNS server (dnsmasq) on loopback, on a random high port, answering only
// from the records it is given. No upstream, no /etc/hosts, no config file: nothing leaves the host.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace s46::dns::test {

// The dnsmasq binary (PATH, then /usr/sbin and /sbin, where Debian puts it), if installed.
std::optional<std::string> find_dnsmasq();

// A free port on ::1 for UDP and TCP at the time of asking (dnsmasq binds both).
std::uint16_t pick_loopback_port();

class DnsmasqServer {
public:
    // `listen` are loopback addresses ("::1", "127.0.0.1"); `args` are extra dnsmasq options,
    // e.g. "--host-record=aftr.example.com,2001:db8::1". Throws std::runtime_error (with
    // dnsmasq's own log) if it does not come up.
    DnsmasqServer(std::vector<std::string> listen, std::vector<std::string> args, std::uint16_t port = 0);
    ~DnsmasqServer();
    DnsmasqServer(const DnsmasqServer&) = delete;
    DnsmasqServer& operator=(const DnsmasqServer&) = delete;

    std::uint16_t port() const { return port_; }
    // What dnsmasq logged so far (it runs with --log-queries).
    std::string log() const;

private:
    bool start(const std::string& binary, const std::vector<std::string>& listen,
               const std::vector<std::string>& args);
    void stop();

    std::uint16_t port_ = 0;
    pid_t pid_ = -1;
    std::string log_path_;
};

// A UDP socket on [::1]:port that never reads or answers: a DNS server that has gone silent.
class SilentServer {
public:
    explicit SilentServer(std::uint16_t port = 0);  // 0: any free port
    ~SilentServer();
    SilentServer(const SilentServer&) = delete;
    SilentServer& operator=(const SilentServer&) = delete;
    std::uint16_t port() const { return port_; }

private:
    int fd_ = -1;
    std::uint16_t port_ = 0;
};

}  // namespace s46::dns::test
