#include "platform/net/link_monitor.hpp"

#include <linux/if.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

extern "C" unsigned int if_nametoindex(const char*);

namespace s46::platform {

Result<bool> link_is_up(const std::string& ifname) {
    int s = ::socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (s < 0) return fail(std::string("socket: ") + std::strerror(errno));
    ifreq ifr{};
    std::strncpy(ifr.ifr_name, ifname.c_str(), IFNAMSIZ - 1);
    int rc = ::ioctl(s, SIOCGIFFLAGS, &ifr);
    int err = errno;
    ::close(s);
    if (rc != 0) return fail("interface " + ifname + ": " + std::strerror(err));
    return (ifr.ifr_flags & IFF_UP) && (ifr.ifr_flags & IFF_LOWER_UP);
}

LinkMonitor::LinkMonitor(asio::io_context& io, std::string ifname) : ifname_(std::move(ifname)), fd_(io) {}

Result<void> LinkMonitor::start(Change on_change) {
    ifindex_ = static_cast<int>(if_nametoindex(ifname_.c_str()));
    if (ifindex_ == 0) return fail("interface " + ifname_ + ": " + std::strerror(errno));
    auto now = link_is_up(ifname_);
    if (!now) return fail(now.error());
    up_ = *now;
    int s = ::socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, NETLINK_ROUTE);
    if (s < 0) return fail(std::string("rtnetlink socket: ") + std::strerror(errno));
    sockaddr_nl sa{};
    sa.nl_family = AF_NETLINK;
    sa.nl_groups = RTMGRP_LINK;
    if (::bind(s, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0) {
        int err = errno;
        ::close(s);
        return fail(std::string("rtnetlink bind: ") + std::strerror(err));
    }
    fd_.assign(s);
    on_change_ = std::move(on_change);
    read();
    return ok();
}

void LinkMonitor::read() {
    fd_.async_read_some(asio::buffer(buffer_), [this](std::error_code ec, std::size_t n) {
        if (ec == asio::error::operation_aborted) return;
        if (!ec) parse(buffer_, n);
        read();
    });
}

void LinkMonitor::parse(const char* data, std::size_t len) {
    int remaining = static_cast<int>(len);
    for (auto* h = reinterpret_cast<const nlmsghdr*>(data); NLMSG_OK(h, remaining); h = NLMSG_NEXT(h, remaining)) {
        if (h->nlmsg_type != RTM_NEWLINK && h->nlmsg_type != RTM_DELLINK) continue;
        if (h->nlmsg_len < NLMSG_LENGTH(sizeof(ifinfomsg))) continue;
        auto* ifi = static_cast<const ifinfomsg*>(NLMSG_DATA(h));
        if (ifi->ifi_index != ifindex_) continue;
        bool up = h->nlmsg_type == RTM_NEWLINK && (ifi->ifi_flags & IFF_UP) && (ifi->ifi_flags & IFF_LOWER_UP);
        if (up != up_) {
            up_ = up;
            on_change_(up);
        }
    }
}

void LinkMonitor::stop() {
    std::error_code ignored;
    fd_.close(ignored);
}

}  // namespace s46::platform
