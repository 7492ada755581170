// Dhcp6Socket::send_from(), in a private network namespace (root; skipped otherwise): a
// DHCPV4-QUERY leaves from the softwire source, even before that address is configured
// (IPV6_FREEBIND), because the 4o6 server answers to the query's source (RFC 7341 §5).
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cstring>

#include "platform/net/dhcp6_socket.hpp"
#include "private_netns.hpp"

using namespace s46;

namespace {

bool loopback_up() {
    int fd = ::socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return false;
    ifreq ifr{};
    std::strncpy(ifr.ifr_name, "lo", IFNAMSIZ - 1);
    bool ok = ::ioctl(fd, SIOCGIFFLAGS, &ifr) == 0;
    ifr.ifr_flags = static_cast<short>(ifr.ifr_flags | IFF_UP);
    ok = ok && ::ioctl(fd, SIOCSIFFLAGS, &ifr) == 0;
    ::close(fd);
    return ok;
}

// A plain UDP socket on [::1]:port, standing in for the 4o6 server.
struct Server {
    int fd = ::socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    explicit Server(std::uint16_t port) {
        sockaddr_in6 a{};
        a.sin6_family = AF_INET6;
        a.sin6_port = htons(port);
        a.sin6_addr = in6addr_loopback;
        REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
        timeval tv{2, 0};
        ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    }
    ~Server() { ::close(fd); }
    // The payload's size and the source address it came from.
    std::pair<ssize_t, std::string> receive() {
        std::array<std::uint8_t, 512> buf{};
        sockaddr_in6 from{};
        socklen_t len = sizeof from;
        const ssize_t n = ::recvfrom(fd, buf.data(), buf.size(), 0, reinterpret_cast<sockaddr*>(&from), &len);
        char text[INET6_ADDRSTRLEN] = {};
        ::inet_ntop(AF_INET6, &from.sin6_addr, text, sizeof text);
        return {n, text};
    }
};

}  // namespace

TEST_CASE("dhcp6 socket: send_from puts the softwire source on the query, configured or not", "[platform][dhcp4o6]") {
    REQUIRE(loopback_up());
    asio::io_context io;
    platform::Dhcp6Socket socket(io, "lo");
    REQUIRE(socket.open([](std::span<const std::uint8_t>, const net::Ipv6Address&) {}, 15460).ok());
    Server server(15470);
    const std::array<std::uint8_t, 4> query{20, 0, 0, 0};  // a DHCPV4-QUERY header

    SECTION("an address not configured anywhere (IPV6_FREEBIND)") {
        const auto source = *net::Ipv6Address::parse("2001:db8:12:3400::1");
        REQUIRE(socket.send_from(query, source, *net::Ipv6Address::parse("::1"), 15470).ok());
        auto [n, from] = server.receive();
        CHECK(n == 4);
        CHECK(from == "2001:db8:12:3400::1");
    }
    SECTION("the configured loopback address") {
        REQUIRE(socket.send_from(query, *net::Ipv6Address::parse("::1"), *net::Ipv6Address::parse("::1"), 15470).ok());
        auto [n, from] = server.receive();
        CHECK(n == 4);
        CHECK(from == "::1");
    }
}

int main(int argc, char* argv[]) {
    if (!private_netns::enter()) return private_netns::kSkip;
    return Catch::Session().run(argc, argv);
}
