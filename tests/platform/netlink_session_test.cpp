// NetlinkSession against the real kernel: one batch of several rtnetlink messages in one
// sendmsg() with every acknowledgement read; an error names the message that failed and keeps
// the kernel's text; answers left over from a failed batch do not confuse the next one; a dump
// returns every part. Uses the pure builders of platform/net/route_message.hpp on loopback.
// Runs in a private network namespace of its own (unshare(CLONE_NEWNET): nothing is left
// behind); needs root, else exits 77 (ctest: skipped).
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include <libmnl/libmnl.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <unistd.h>

#include <cstdio>
#include <set>
#include <string>
#include <vector>

#include "platform/net/netlink_session.hpp"
#include "platform/net/route_message.hpp"
#include "private_netns.hpp"

using namespace s46;
using platform::NetlinkSession;

namespace {

std::vector<std::uint8_t> concat(std::initializer_list<std::vector<std::uint8_t>> parts) {
    std::vector<std::uint8_t> out;
    for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
    return out;
}

net::Ipv4Address v4(const char* text) { return *net::Ipv4Address::parse(text); }

// The IPv4 addresses on loopback, read back through a dump of the same session.
std::set<std::string> loopback_v4(NetlinkSession& nl) {
    std::vector<std::uint8_t> req(MNL_SOCKET_BUFFER_SIZE);
    nlmsghdr* nlh = mnl_nlmsg_put_header(req.data());
    nlh->nlmsg_type = RTM_GETADDR;
    nlh->nlmsg_seq = nl.next_seq();
    auto* ifa = static_cast<ifaddrmsg*>(mnl_nlmsg_put_extra_header(nlh, sizeof(ifaddrmsg)));
    ifa->ifa_family = AF_INET;
    req.resize(nlh->nlmsg_len);
    auto parts = nl.dump(req, "dump addresses");
    REQUIRE(parts);
    std::set<std::string> out;
    for (const auto& m : *parts) {
        const auto* h = reinterpret_cast<const nlmsghdr*>(m.data());
        if (h->nlmsg_type != RTM_NEWADDR) continue;
        const auto* a = static_cast<const ifaddrmsg*>(mnl_nlmsg_get_payload(h));
        if (a->ifa_index != 1) continue;
        mnl_attr_parse(
            h, sizeof(ifaddrmsg),
            [](const nlattr* attr, void* data) -> int {
                if (mnl_attr_get_type(attr) == IFA_LOCAL && mnl_attr_get_payload_len(attr) == 4) {
                    const auto* b = static_cast<const std::uint8_t*>(mnl_attr_get_payload(attr));
                    static_cast<std::set<std::string>*>(data)->insert(std::to_string(b[0]) + "." + std::to_string(b[1]) + "." +
                                                                      std::to_string(b[2]) + "." + std::to_string(b[3]));
                }
                return MNL_CB_OK;
            },
            &out);
    }
    return out;
}

}  // namespace

TEST_CASE("one batch, every acknowledgement read") {
    auto nl = NetlinkSession::open(NETLINK_ROUTE);
    REQUIRE(nl);
    auto& s = **nl;
    // Catch2 runs this case once per section: each run takes its own /24 (198.18.N.0).
    static int run = 0;
    ++run;
    auto addr = [&](int host) { return "198.18." + std::to_string(run) + "." + std::to_string(host); };
    auto a = platform::build_addr4_add(1, v4(addr(1).c_str()), 32, s.next_seq());
    auto b = platform::build_addr4_add(1, v4(addr(2).c_str()), 32, s.next_seq());
    REQUIRE(a);
    REQUIRE(b);
    auto r = s.transact(concat({*a, *b}), {"add " + addr(1), "add " + addr(2)});
    REQUIRE(r);
    auto have = loopback_v4(s);
    CHECK(have.count(addr(1)) == 1);
    CHECK(have.count(addr(2)) == 1);

    SECTION("an error names the message that failed and keeps the kernel's reason") {
        auto again = platform::build_addr4_add(1, v4(addr(3).c_str()), 32, s.next_seq());
        auto dup = platform::build_addr4_add(1, v4(addr(1).c_str()), 32, s.next_seq());  // CREATE|EXCL: exists
        auto r2 = s.transact(concat({*again, *dup}), {"add " + addr(3), "add again"});
        REQUIRE_FALSE(r2);
        CHECK(r2.error().rfind("add again: File exists", 0) == 0);
        // rtnetlink is not transactional: the first message of the batch took effect.
        CHECK(loopback_v4(s).count(addr(3)) == 1);

        SECTION("the next batch is answered on its own") {
            auto c = platform::build_addr4_add(1, v4(addr(4).c_str()), 32, s.next_seq());
            REQUIRE(s.transact(*c, {"add " + addr(4)}));
            CHECK(loopback_v4(s).count(addr(4)) == 1);
        }
    }

    SECTION("a default route twice: EEXIST, never replaced") {
        platform::Route4 route;
        route.oif = 1;
        route.table = 100;
        route.metric = 7;
        auto add = platform::build_route4_add(route, s.next_seq());
        REQUIRE(s.transact(*add, {"default route table 100"}));
        auto add2 = platform::build_route4_add(route, s.next_seq());
        auto r2 = s.transact(*add2, {"default route table 100 again"});
        REQUIRE_FALSE(r2);
        CHECK(r2.error().find("File exists") != std::string::npos);
        auto del = platform::build_route4_del(route, s.next_seq());
        REQUIRE(s.transact(*del, {"delete default route"}));
        auto del2 = platform::build_route4_del(route, s.next_seq());
        auto r3 = s.transact(*del2, {"delete default route again"});
        REQUIRE_FALSE(r3);
        CHECK(r3.error().rfind("delete default route again: ", 0) == 0);
    }
}

TEST_CASE("malformed batches are refused before anything is sent") {
    auto nl = NetlinkSession::open(NETLINK_ROUTE);
    REQUIRE(nl);
    std::vector<std::uint8_t> junk(7, 0xff);
    auto r = (*nl)->transact(junk, {});
    REQUIRE_FALSE(r);
    CHECK(r.error().find("malformed") != std::string::npos);
}

TEST_CASE("netlink_error_text reads the extended ack") {
    // An NLMSG_ERROR (capped, with TLVs) carrying -EINVAL and NLMSGERR_ATTR_MSG "bad thing".
    std::vector<std::uint8_t> buf(256);
    nlmsghdr* nlh = mnl_nlmsg_put_header(buf.data());
    nlh->nlmsg_type = NLMSG_ERROR;
    nlh->nlmsg_flags = NLM_F_CAPPED | NLM_F_ACK_TLVS;
    auto* err = static_cast<nlmsgerr*>(mnl_nlmsg_put_extra_header(nlh, sizeof(nlmsgerr)));
    err->error = -EINVAL;
    err->msg.nlmsg_len = sizeof(nlmsghdr);
    mnl_attr_put_strz(nlh, NLMSGERR_ATTR_MSG, "bad thing");
    CHECK(platform::netlink_error_text(buf.data(), nlh->nlmsg_len) == "Invalid argument (kernel: bad thing)");
    CHECK(platform::netlink_error_text(buf.data(), 8) == "truncated netlink error message");
    // Not a -errno (found by fuzz/netlink_parse_fuzz: INT_MIN cannot be negated).
    nlh->nlmsg_flags = 0;
    err->error = INT32_MIN;
    CHECK(platform::netlink_error_text(buf.data(), nlh->nlmsg_len) == "netlink error -2147483648");
    err->error = 5;
    CHECK(platform::netlink_error_text(buf.data(), nlh->nlmsg_len) == "netlink error 5");
}

int main(int argc, char** argv) {
    if (!private_netns::enter()) return private_netns::kSkip;
    // Loopback up: addresses on it are then usable, and ifindex 1 is known.
    {
        auto nl = NetlinkSession::open(NETLINK_ROUTE);
        if (!nl) return 1;
        std::vector<std::uint8_t> req(MNL_SOCKET_BUFFER_SIZE);
        nlmsghdr* nlh = mnl_nlmsg_put_header(req.data());
        nlh->nlmsg_type = RTM_NEWLINK;
        nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
        nlh->nlmsg_seq = (*nl)->next_seq();
        auto* ifi = static_cast<ifinfomsg*>(mnl_nlmsg_put_extra_header(nlh, sizeof(ifinfomsg)));
        ifi->ifi_index = 1;
        ifi->ifi_change = IFF_UP;
        ifi->ifi_flags = IFF_UP;
        req.resize(nlh->nlmsg_len);
        if (auto r = (*nl)->transact(req, {"loopback up"}); !r) {
            std::fprintf(stderr, "%s\n", r.error().c_str());
            return 1;
        }
    }
    return Catch::Session().run(argc, argv);
}
