// Watches one interface's carrier over rtnetlink (RTMGRP_LINK): up means IFF_UP and
// IFF_LOWER_UP. The DHCPv6 client restarts its exchange on link up (RFC 8415 §18.2.3).
#pragma once

#include <functional>
#include <string>

#include <asio.hpp>

#include "core/result.hpp"

namespace s46::platform {

class LinkMonitor {
public:
    using Change = std::function<void(bool up)>;

    LinkMonitor(asio::io_context& io, std::string ifname);
    Result<void> start(Change on_change);
    bool up() const { return up_; }
    void stop();

private:
    void read();
    void parse(const char* data, std::size_t len);
    std::string ifname_;
    int ifindex_ = 0;
    bool up_ = false;
    asio::posix::stream_descriptor fd_;
    char buffer_[16384];
    Change on_change_;
};

// Current state of an interface (IFF_UP && IFF_LOWER_UP), read once.
Result<bool> link_is_up(const std::string& ifname);

}  // namespace s46::platform
