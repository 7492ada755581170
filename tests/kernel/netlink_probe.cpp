// s46-netlink-probe: sends one message built by the kernel data plane's pure rtnetlink builders
// (platform/net/ip6tnl_message.hpp, platform/net/route_message.hpp) to the running kernel and
// reports the kernel's answer. The kernel tests (tests/kernel/netlink_scenario.sh, inside a QEMU
// guest with ip6_tunnel) call it once per step and check the result with iproute2, so the
// builders are proven against what a real kernel accepts and reports, not against bytes alone.
//
//   s46-netlink-probe [--expect-errno NAME] COMMAND ARGS...
//     create NAME LOCAL6 REMOTE6 [--link DEV] [--mtu N] [--fmr V6PFX,V4PFX,EA,OFFSET]
//                                                         build_ip6tnl_create
//     change NAME LOCAL6 REMOTE6 [--link DEV] [--mtu N]   build_ip6tnl_change
//     delete NAME                                         build_ip6tnl_delete
//     up DEV | down DEV                                   build_link_set_up
//     addr6-add DEV ADDR6 | addr6-del DEV ADDR6           build_addr6_add_nodad, build_addr6_del
//     addr4-add DEV ADDR4/LEN | addr4-del DEV ADDR4/LEN   build_addr4_add, build_addr4_del
//     route4-add DEV [--to PREFIX] [--table N] [--metric N]
//     route4-del DEV [--to PREFIX] [--table N] [--metric N]
//                                                         build_route4_add, build_route4_del
//                                                         (PREFIX default 0.0.0.0/0)
//     fmr-support NAME    reads the link back (RTM_GETLINK dump, ip6tnl_reports_fmrs) and prints
//                         "fmr: reported" or "fmr: dropped"
// Sent through NetlinkSession (platform/net/netlink_session.hpp), as s46d sends them.
// Exit status: 0 when the kernel acknowledged (or, with --expect-errno, refused with exactly that
// error, e.g. EEXIST); 1 when it answered otherwise; 2 on bad usage or a bad argument.
#include <libmnl/libmnl.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>

#include <cerrno>
#include <charconv>
#include <chrono>
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
#include "platform/net/netlink_session.hpp"
#include "platform/net/route_message.hpp"

namespace {

using s46::Result;
using s46::fail;
namespace net = s46::net;
namespace platform = s46::platform;

constexpr int kUsage = 2;

// The errno whose name (strerrorname_np: "EEXIST") is `name`, or 0.
int errno_named(const std::string& name) {
    for (int e = 1; e < 256; ++e) {
        const char* n = strerrorname_np(e);
        if (n && name == n) return e;
    }
    return 0;
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

// "2001:db8:100::/40,192.0.2.0/24,16,6": one forwarding rule.
platform::Ip6tnlFmr parsed_fmr(const std::string& text) {
    std::vector<std::string> parts;
    for (std::size_t start = 0;;) {
        const std::size_t comma = text.find(',', start);
        parts.push_back(text.substr(start, comma - start));
        if (comma == std::string::npos) break;
        start = comma + 1;
    }
    if (parts.size() != 4) {
        std::cerr << "s46-netlink-probe: --fmr '" << text << "': expected V6PFX,V4PFX,EA,OFFSET\n";
        std::exit(kUsage);
    }
    platform::Ip6tnlFmr fmr;
    fmr.ipv6_prefix = parsed(net::Ipv6Prefix::parse(parts[0]), parts[0]);
    fmr.ipv4_prefix = parsed(net::Ipv4Prefix::parse(parts[1]), parts[1]);
    fmr.ea_len = static_cast<std::uint8_t>(number(parts[2], "EA length"));
    fmr.psid_offset = static_cast<std::uint8_t>(number(parts[3], "PSID offset"));
    return fmr;
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
                 "           [--fmr V6PFX,V4PFX,EA,OFFSET]\n"
                 "       | delete NAME | up|down DEV | addr6-add|addr6-del DEV ADDR6 | addr4-add|addr4-del DEV ADDR4/LEN\n"
                 "       | route4-add|route4-del DEV [--to PREFIX] [--table N] [--metric N] | fmr-support NAME\n";
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
        if (const auto fmr = a.option("fmr")) p.fmrs.push_back(parsed_fmr(*fmr));
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
    if (command == "up" || command == "down") {
        need(1);
        return platform::build_link_set_up(ifindex_of(a.words[0]), command == "up", seq);
    }
    if (command == "addr4-add" || command == "addr4-del") {
        need(2);
        const auto prefix = parsed(net::Ipv4Prefix::parse(a.words[1], true), a.words[1]);
        const auto address = parsed(net::Ipv4Address::parse(a.words[1].substr(0, a.words[1].find('/'))), a.words[1]);
        if (command == "addr4-add") return platform::build_addr4_add(ifindex_of(a.words[0]), address, prefix.length, seq);
        return platform::build_addr4_del(ifindex_of(a.words[0]), address, prefix.length, seq);
    }
    if (command == "route4-add" || command == "route4-del") {
        need(1);
        platform::Route4 r;
        r.oif = ifindex_of(a.words[0]);
        if (const auto to = a.option("to")) r.destination = parsed(net::Ipv4Prefix::parse(*to), *to);
        if (const auto table = a.option("table")) r.table = number(*table, "table");
        if (const auto metric = a.option("metric")) r.metric = number(*metric, "metric");
        if (command == "route4-add") return platform::build_route4_add(r, seq);
        return platform::build_route4_del(r, seq);
    }
    std::exit(usage());
}

// Reads every link back (RTM_GETLINK dump) and reports whether the kernel echoes the FMRs of
// link NAME, as s46d decides between "fmr kernel" and "via BR".
int fmr_support(platform::NetlinkSession& session, const Args& a) {
    if (a.words.size() != 1) return usage();
    const std::uint32_t index = ifindex_of(a.words[0]);
    std::vector<std::uint8_t> request(MNL_SOCKET_BUFFER_SIZE);
    nlmsghdr* nlh = mnl_nlmsg_put_header(request.data());
    nlh->nlmsg_type = RTM_GETLINK;
    nlh->nlmsg_seq = session.next_seq();
    auto* ifi = static_cast<ifinfomsg*>(mnl_nlmsg_put_extra_header(nlh, sizeof(ifinfomsg)));
    ifi->ifi_family = AF_UNSPEC;
    request.resize(nlh->nlmsg_len);
    const auto links = session.dump(request, "link dump");
    if (!links) {
        std::cerr << "s46-netlink-probe: " << links.error() << "\n";
        return 1;
    }
    for (const auto& m : *links) {
        const auto* h = reinterpret_cast<const nlmsghdr*>(m.data());
        if (h->nlmsg_type != RTM_NEWLINK || h->nlmsg_len < NLMSG_LENGTH(sizeof(ifinfomsg))) continue;
        if (static_cast<std::uint32_t>(static_cast<const ifinfomsg*>(mnl_nlmsg_get_payload(h))->ifi_index) != index) continue;
        std::cout << "fmr: " << (platform::ip6tnl_reports_fmrs(m.data(), m.size()) ? "reported" : "dropped") << "\n";
        return 0;
    }
    std::cerr << "s46-netlink-probe: " << a.words[0] << " is not in the link dump\n";
    return 1;
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

    int expected_errno = 0;
    if (expect && (expected_errno = errno_named(*expect)) == 0) {
        std::cerr << "s46-netlink-probe: --expect-errno " << *expect << ": no such errno\n";
        return kUsage;
    }
    auto session = platform::NetlinkSession::open(NETLINK_ROUTE, std::chrono::seconds(5));
    if (!session) {
        std::cerr << "s46-netlink-probe: " << session.error() << "\n";
        return 1;
    }
    if (command == "fmr-support") return fmr_support(**session, args);
    const auto message = build(command, args, (*session)->next_seq());
    if (!message) {
        std::cerr << "s46-netlink-probe: " << command << ": the builder refused: " << message.error() << "\n";
        return kUsage;
    }
    const auto answer = (*session)->transact(*message, {command});
    if (!expect) {
        if (answer) {
            std::cout << command << ": acknowledged\n";
            return 0;
        }
        std::cerr << "s46-netlink-probe: kernel refused: " << answer.error() << "\n";
        return 1;
    }
    // NetlinkSession names a refusal "<what>: <strerror text>", then the kernel's extended-ack
    // message in parentheses when there is one.
    const std::string refusal = command + ": " + std::strerror(expected_errno);
    if (!answer && (answer.error() == refusal || answer.error().starts_with(refusal + " ("))) {
        std::cout << command << ": refused with " << *expect << ", as expected\n";
        return 0;
    }
    std::cerr << "s46-netlink-probe: " << command << ": expected " << *expect << ", kernel answered "
              << (answer ? std::string("ACK") : answer.error()) << "\n";
    return 1;
}
