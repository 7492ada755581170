// s46-netlink-probe: sends one message built by the kernel data plane's pure rtnetlink builders
// (platform/net/ip6tnl_message.hpp, platform/net/route_message.hpp) to the running kernel and
// reports the kernel's answer. The kernel tests (tests/kernel/netlink_scenario.sh, inside a QEMU
// guest with ip6_tunnel) call it once per step and check the result with iproute2, so the
// builders are proven against what a real kernel accepts and reports, not against bytes alone.
//
//   s46-netlink-probe [--expect-errno NAME] COMMAND ARGS...
//     create NAME LOCAL6 REMOTE6 [--link DEV] [--mtu N]   build_ip6tnl_create
//     change NAME LOCAL6 REMOTE6 [--link DEV] [--mtu N]   build_ip6tnl_change
//     delete NAME                                         build_ip6tnl_delete
//     addr6-add DEV ADDR6 | addr6-del DEV ADDR6           build_addr6_add_nodad, build_addr6_del
//     addr4-add DEV ADDR4/LEN                             build_addr4_add
//     route4-add DEV [--table N] [--metric N]             build_default_route4_add
//     route4-del DEV [--table N] [--metric N]             build_default_route4_del
// Exit status: 0 when the kernel acknowledged (or, with --expect-errno, refused with exactly that
// error, e.g. EEXIST); 1 when it answered otherwise; 2 on bad usage or a bad argument.
#include <libmnl/libmnl.h>
#include <linux/netlink.h>
#include <net/if.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <cerrno>
#include <charconv>
#include <cstdint>
#include <cstring>
#include <iostream>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/net/ipv4.hpp"
#include "core/net/ipv6.hpp"
#include "core/result.hpp"
#include "platform/net/ip6tnl_message.hpp"
#include "platform/net/route_message.hpp"

namespace {

using s46::Result;
using s46::fail;
namespace net = s46::net;
namespace platform = s46::platform;

constexpr int kUsage = 2;

// The kernel's answer to one request: 0 (acknowledged) or a positive errno.
Result<int> send_and_read_ack(const std::vector<std::uint8_t>& message) {
    mnl_socket* nl = mnl_socket_open(NETLINK_ROUTE);
    if (!nl) return fail(std::string("socket: ") + std::strerror(errno));
    struct Close {
        mnl_socket* s;
        ~Close() { mnl_socket_close(s); }
    } close{nl};
    if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) return fail(std::string("bind: ") + std::strerror(errno));
    timeval timeout{.tv_sec = 5, .tv_usec = 0};
    if (setsockopt(mnl_socket_get_fd(nl), SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout) < 0)
        return fail(std::string("SO_RCVTIMEO: ") + std::strerror(errno));
    if (mnl_socket_sendto(nl, message.data(), message.size()) < 0) return fail(std::string("send: ") + std::strerror(errno));
    const auto* request = reinterpret_cast<const nlmsghdr*>(message.data());
    std::vector<std::uint8_t> reply(MNL_SOCKET_BUFFER_SIZE);
    for (;;) {
        const ssize_t n = mnl_socket_recvfrom(nl, reply.data(), reply.size());
        if (n < 0) return fail(std::string("receive: ") + std::strerror(errno));
        int len = static_cast<int>(n);
        for (auto* nlh = reinterpret_cast<nlmsghdr*>(reply.data()); mnl_nlmsg_ok(nlh, len); nlh = mnl_nlmsg_next(nlh, &len)) {
            if (nlh->nlmsg_seq != request->nlmsg_seq || nlh->nlmsg_type != NLMSG_ERROR) continue;
            if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(nlmsgerr))) return fail("truncated NLMSG_ERROR");
            const auto* err = static_cast<const nlmsgerr*>(mnl_nlmsg_get_payload(nlh));
            return -err->error;
        }
    }
}

std::uint32_t ifindex_of(const std::string& name) {
    const unsigned index = if_nametoindex(name.c_str());
    if (index == 0) {
        std::cerr << "s46-netlink-probe: no interface " << name << ": " << std::strerror(errno) << "\n";
        std::exit(kUsage);
    }
    return index;
}

std::uint32_t number(std::string_view text, const char* what) {
    std::uint32_t value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc{} || end != text.data() + text.size()) {
        std::cerr << "s46-netlink-probe: " << what << " '" << text << "' is not a number\n";
        std::exit(kUsage);
    }
    return value;
}

template <class T>
T parsed(Result<T> r, std::string_view text) {
    if (!r) {
        std::cerr << "s46-netlink-probe: '" << text << "': " << r.error() << "\n";
        std::exit(kUsage);
    }
    return std::move(r).value();
}

// Positional words and --key value options after the command.
struct Args {
    std::vector<std::string> words;
    std::map<std::string, std::string> options;

    std::optional<std::string> option(const std::string& key) const {
        const auto it = options.find(key);
        return it == options.end() ? std::nullopt : std::optional<std::string>(it->second);
    }
};

int usage() {
    std::cerr << "usage: s46-netlink-probe [--expect-errno NAME] create|change NAME LOCAL6 REMOTE6 [--link DEV] [--mtu N]\n"
                 "       | delete NAME | addr6-add|addr6-del DEV ADDR6 | addr4-add DEV ADDR4/LEN\n"
                 "       | route4-add|route4-del DEV [--table N] [--metric N]\n";
    return kUsage;
}

Result<std::vector<std::uint8_t>> build(const std::string& command, const Args& a, std::uint32_t seq) {
    const auto need = [&](std::size_t n) {
        if (a.words.size() != n) std::exit(usage());
    };
    if (command == "create" || command == "change") {
        need(3);
        platform::Ip6tnlParams p;
        p.name = a.words[0];
        p.local = parsed(net::Ipv6Address::parse(a.words[1]), a.words[1]);
        p.remote = parsed(net::Ipv6Address::parse(a.words[2]), a.words[2]);
        if (const auto link = a.option("link")) {
            p.link = *link;
            p.link_ifindex = ifindex_of(*link);
        }
        if (const auto mtu = a.option("mtu")) p.mtu = number(*mtu, "MTU");
        if (command == "create") return platform::build_ip6tnl_create(p, seq);
        return platform::build_ip6tnl_change(ifindex_of(p.name), p, seq);
    }
    if (command == "delete") {
        need(1);
        return platform::build_ip6tnl_delete(ifindex_of(a.words[0]), seq);
    }
    if (command == "addr6-add" || command == "addr6-del") {
        need(2);
        const auto address = parsed(net::Ipv6Address::parse(a.words[1]), a.words[1]);
        if (command == "addr6-add") return platform::build_addr6_add_nodad(ifindex_of(a.words[0]), address, seq);
        return platform::build_addr6_del(ifindex_of(a.words[0]), address, seq);
    }
    if (command == "addr4-add") {
        need(2);
        const auto prefix = parsed(net::Ipv4Prefix::parse(a.words[1], true), a.words[1]);
        const auto address = parsed(net::Ipv4Address::parse(a.words[1].substr(0, a.words[1].find('/'))), a.words[1]);
        return platform::build_addr4_add(ifindex_of(a.words[0]), address, prefix.length, seq);
    }
    if (command == "route4-add" || command == "route4-del") {
        need(1);
        platform::DefaultRoute4 r;
        r.oif = ifindex_of(a.words[0]);
        if (const auto table = a.option("table")) r.table = number(*table, "table");
        if (const auto metric = a.option("metric")) r.metric = number(*metric, "metric");
        if (command == "route4-add") return platform::build_default_route4_add(r, seq);
        return platform::build_default_route4_del(r, seq);
    }
    std::exit(usage());
}

}  // namespace

int main(int argc, char** argv) {
    std::vector<std::string> argv_words(argv + 1, argv + argc);
    std::optional<std::string> expect;
    std::size_t i = 0;
    if (argv_words.size() >= 2 && argv_words[0] == "--expect-errno") {
        expect = argv_words[1];
        i = 2;
    }
    if (i >= argv_words.size()) return usage();
    const std::string command = argv_words[i++];
    Args args;
    for (; i < argv_words.size(); ++i) {
        if (argv_words[i].starts_with("--")) {
            if (i + 1 >= argv_words.size()) return usage();
            args.options[argv_words[i].substr(2)] = argv_words[i + 1];
            ++i;
        } else {
            args.words.push_back(argv_words[i]);
        }
    }

    const auto message = build(command, args, 1);
    if (!message) {
        std::cerr << "s46-netlink-probe: " << command << ": the builder refused: " << message.error() << "\n";
        return kUsage;
    }
    const auto answer = send_and_read_ack(*message);
    if (!answer) {
        std::cerr << "s46-netlink-probe: " << command << ": " << answer.error() << "\n";
        return 1;
    }
    const int error = *answer;
    const std::string name = error == 0 ? "ACK" : (strerrorname_np(error) ? strerrorname_np(error) : std::to_string(error));
    if (!expect) {
        if (error == 0) {
            std::cout << command << ": acknowledged\n";
            return 0;
        }
        std::cerr << "s46-netlink-probe: " << command << ": kernel refused: " << name << " (" << std::strerror(error) << ")\n";
        return 1;
    }
    if (name == *expect) {
        std::cout << command << ": refused with " << name << ", as expected\n";
        return 0;
    }
    std::cerr << "s46-netlink-probe: " << command << ": expected " << *expect << ", kernel answered " << name << "\n";
    return 1;
}
