// CaresResolver: AftrResolver on c-ares, run by the daemon's Asio io_context.
// It asks only the servers it is given (DHCPv6 option 23): no /etc/resolv.conf servers, no
// search domains, no /etc/hosts. Each lookup is a single AAAA query for the name as given.
#pragma once

#include <asio/io_context.hpp>
#include <chrono>
#include <cstdint>
#include <memory>

#include "platform/dns/resolver.hpp"

namespace s46::dns {

struct CaresResolverOptions {
    // UDP/TCP port of every server. 53 in the field; tests point it at a local dnsmasq.
    std::uint16_t port = 53;
    // c-ares's own retry schedule: each round of servers waits twice as long as the last.
    std::chrono::milliseconds attempt_timeout{2000};
    int tries = 2;
    // Hard limit on one resolve(), whatever the server count and retry schedule add up to.
    std::chrono::milliseconds deadline{8000};
};

class CaresResolver final : public AftrResolver {
public:
    // Throws std::runtime_error if c-ares cannot set up a channel (out of memory, in practice).
    explicit CaresResolver(asio::io_context& io, CaresResolverOptions options = {});
    ~CaresResolver() override;
    CaresResolver(const CaresResolver&) = delete;
    CaresResolver& operator=(const CaresResolver&) = delete;

    void resolve(const std::string& name, const std::vector<net::Ipv6Address>& dns_servers,
                 Callback callback) override;
    void cancel() override;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace s46::dns
