// The userspace data plane's batched I/O against the real kernel: SoftwireSocket's sendmmsg()/
// recvmmsg() over loopback (per-message destination, traffic class and IPV6_PKTINFO; a refused
// message counted while the rest of its batch still goes) and TunDevice's drained read batches.
// Runs in a private network namespace of its own (unshare(CLONE_NEWNET), so nothing is left
// behind); needs root, else exits 77 (ctest: skipped).
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <functional>
#include <optional>
#include <vector>

#include <asio.hpp>

#include "platform/net/rtnetlink.hpp"
#include "platform/net/softwire_socket.hpp"
#include "platform/net/tun_device.hpp"

using namespace s46;

namespace {

net::Ipv6Address v6(const char* text) { return *net::Ipv6Address::parse(text); }

const char* kA = "2001:db8::a";
const char* kB = "2001:db8::b";
const char* kC = "2001:db8::c";

// A UDP datagram from `a` to itself arrives: the address and its local route are in place (even
// with nodad the kernel finishes an address's setup from a work queue, a moment after the ACK).
bool usable(const char* a) {
    int s = ::socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_in6 sa{};
    sa.sin6_family = AF_INET6;
    ::inet_pton(AF_INET6, a, &sa.sin6_addr);
    socklen_t len = sizeof sa;
    bool ok = ::bind(s, reinterpret_cast<sockaddr*>(&sa), sizeof sa) == 0 &&
              ::getsockname(s, reinterpret_cast<sockaddr*>(&sa), &len) == 0 &&
              ::sendto(s, "x", 1, 0, reinterpret_cast<sockaddr*>(&sa), sizeof sa) == 1;
    if (ok) {
        pollfd p{s, POLLIN, 0};
        ok = ::poll(&p, 1, 50) == 1;
    }
    ::close(s);
    return ok;
}

// Opens `nl`; loopback up with the three test addresses on it, each checked usable.
void setup_loopback(platform::Rtnetlink& nl) {
    static bool done = false;
    REQUIRE(nl.open());
    if (done) return;
    REQUIRE(nl.set_link("lo", true));
    for (const char* a : {kA, kB, kC}) REQUIRE(nl.add_address("lo", net::Ipv6Prefix(v6(a), 128), true));
    for (const char* a : {kA, kB, kC}) {
        int tries = 0;
        while (!usable(a) && ++tries < 100) ::usleep(20000);
        INFO("address " << a);
        REQUIRE(tries < 100);
    }
    done = true;
}

struct Got {
    std::vector<std::uint8_t> bytes;
    net::Ipv6Address src, dst;
    std::uint8_t tclass;
};

struct Endpoint {
    platform::SoftwireSocket socket;
    std::vector<Got> got;
    int batches = 0;
    Endpoint(asio::io_context& io, const char* local) : socket(io) {
        auto r = socket.open(
            v6(local), 64,
            [this](std::span<std::uint8_t> inner, const net::Ipv6Address& s, const net::Ipv6Address& d, std::uint8_t tc) {
                got.push_back({{inner.begin(), inner.end()}, s, d, tc});
            },
            [](std::span<std::uint8_t>, const net::Ipv6Address&) {}, [this] { ++batches; });
        REQUIRE(r);
    }
};

// Not a valid IPv4 datagram: the raw socket carries any payload; the bytes identify the packet.
std::vector<std::uint8_t> payload(unsigned i, std::size_t size) {
    std::vector<std::uint8_t> p(size);
    for (std::size_t k = 0; k < size; ++k) p[k] = static_cast<std::uint8_t>(i * 7 + k);
    p[0] = static_cast<std::uint8_t>(i);
    p[1] = static_cast<std::uint8_t>(i >> 8);
    return p;
}

void run_until(asio::io_context& io, const std::function<bool()>& done) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(3);
    while (!done() && std::chrono::steady_clock::now() < deadline) io.run_for(std::chrono::milliseconds(20));
}

}  // namespace

TEST_CASE("queued tunnel packets leave in few sendmmsg calls, each with its own destination and traffic class") {
    platform::Rtnetlink nl;
    setup_loopback(nl);
    asio::io_context io;
    Endpoint a(io, kA), b(io, kB), c(io, kC);

    constexpr unsigned kPackets = 150;  // more than one send batch: queue() flushes when full
    for (unsigned i = 0; i < kPackets; ++i) {
        auto p = payload(i, 28 + i % 200);
        a.socket.queue(p, v6(i % 3 == 0 ? kC : kB), static_cast<std::uint8_t>((i % 8) << 5));
    }
    CHECK(a.socket.flush() == 0);
    CHECK(a.socket.counters().sent == kPackets);
    CHECK(a.socket.counters().send_errors == 0);
    CHECK(a.socket.counters().send_calls == (kPackets + platform::IpipSendBatch::kMessages - 1) / platform::IpipSendBatch::kMessages);

    run_until(io, [&] { return b.got.size() + c.got.size() >= kPackets; });
    REQUIRE(b.got.size() == 100);
    REQUIRE(c.got.size() == 50);
    unsigned nb = 0, nc = 0;
    for (unsigned i = 0; i < kPackets; ++i) {
        const Got& g = i % 3 == 0 ? c.got[nc++] : b.got[nb++];
        INFO("packet " << i);
        CHECK(g.bytes == payload(i, 28 + i % 200));  // in order, intact
        CHECK(g.src == v6(kA));
        CHECK(g.dst == v6(i % 3 == 0 ? kC : kB));     // IPV6_PKTINFO per message
        CHECK(g.tclass == ((i % 8) << 5));            // IPV6_TCLASS per message, both ways
    }
    // Read in batches too: fewer recvmmsg calls (and batch-done callbacks) than packets.
    CHECK(b.socket.counters().received == 100);
    CHECK(b.socket.counters().receive_calls <= 100 / platform::IpipRecvBatch::kMessages + 2);
    CHECK(b.batches == static_cast<int>(b.socket.counters().receive_calls));
}

TEST_CASE("a message the kernel refuses is counted; the rest of its batch still goes") {
    platform::Rtnetlink nl;
    setup_loopback(nl);
    asio::io_context io;
    Endpoint a(io, kA), b(io, kB);
    a.socket.queue(payload(1, 40), v6(kB), 0);
    a.socket.queue(payload(2, 40), v6("2001:db8:dead::1"), 0);  // no route in this namespace
    a.socket.queue(payload(3, 40), v6(kB), 0);
    a.socket.queue(payload(4, 40), v6("2001:db8:dead::2"), 0);
    CHECK(a.socket.flush() == 2);
    CHECK(a.socket.counters().sent == 2);
    CHECK(a.socket.counters().send_errors == 2);
    CHECK(a.socket.counters().last_send_errno == ENETUNREACH);
    // The single-packet form reports its failure.
    CHECK_FALSE(a.socket.send(payload(5, 40), v6("2001:db8:dead::3"), 0));
    CHECK(a.socket.send(payload(6, 40), v6(kB), 0));
    run_until(io, [&] { return b.got.size() >= 3; });
    REQUIRE(b.got.size() == 3);
    CHECK(b.got[0].bytes == payload(1, 40));
    CHECK(b.got[1].bytes == payload(3, 40));
    CHECK(b.got[2].bytes == payload(6, 40));
}

// The UDP datagrams (numbered in their first 4 payload bytes) that a TUN hands over, batch by
// batch. Every packet of a batch is checked again when the batch is done, so packets that
// shared or overlapped arena space would show as a wrong number or length.
struct TunBatches {
    std::size_t payload = 0;            // expected UDP payload length
    std::vector<std::uint32_t> seen;    // the numbers, in the order handed over
    int batches = 0, largest = 0, largest_udp = 0, damaged = 0;  // largest: any packets in one batch

    void operator()(std::span<const std::span<std::uint8_t>> packets) {
        ++batches;
        largest = std::max(largest, static_cast<int>(packets.size()));
        std::vector<std::uint32_t> numbers;
        for (auto p : packets) {
            if (p.size() < 28 || (p[0] >> 4) != 4 || p[9] != IPPROTO_UDP) continue;  // not IPv6 RS/MLD
            if (p.size() != 28 + payload) ++damaged;
            numbers.push_back(static_cast<std::uint32_t>(p[28] << 24 | p[29] << 16 | p[30] << 8 | p[31]));
        }
        std::size_t k = 0;
        for (auto p : packets) {
            if (p.size() < 28 || (p[0] >> 4) != 4 || p[9] != IPPROTO_UDP) continue;
            const auto n = static_cast<std::uint32_t>(p[28] << 24 | p[29] << 16 | p[30] << 8 | p[31]);
            if (n != numbers[k++] || p[27 + payload] != static_cast<std::uint8_t>(n)) ++damaged;
        }
        largest_udp = std::max(largest_udp, static_cast<int>(numbers.size()));
        seen.insert(seen.end(), numbers.begin(), numbers.end());
    }
};

// `count` UDP datagrams of `payload` bytes to 198.51.100.7:9 (routed into the TUN), numbered.
void send_numbered(int count, std::size_t payload) {
    int s = ::socket(AF_INET, SOCK_DGRAM, 0);
    REQUIRE(s >= 0);
    // Every datagram waits in the TUN queue, charged to this socket, until the test reads it.
    int sndbuf = 8 << 20;
    REQUIRE(::setsockopt(s, SOL_SOCKET, SO_SNDBUFFORCE, &sndbuf, sizeof sndbuf) == 0);
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_port = htons(9);
    ::inet_pton(AF_INET, "198.51.100.7", &to.sin_addr);
    std::vector<std::uint8_t> data(payload);
    for (int i = 0; i < count; ++i) {
        const auto n = static_cast<std::uint32_t>(i);
        data[0] = static_cast<std::uint8_t>(n >> 24), data[1] = static_cast<std::uint8_t>(n >> 16);
        data[2] = static_cast<std::uint8_t>(n >> 8), data[3] = static_cast<std::uint8_t>(n);
        data[payload - 1] = static_cast<std::uint8_t>(n);
        REQUIRE(::sendto(s, data.data(), data.size(), 0, reinterpret_cast<sockaddr*>(&to), sizeof to) == static_cast<ssize_t>(payload));
    }
    ::close(s);
}

// A TUN device `name` up (with `mtu` if given) and 198.51.100.0/24 routed into it.
void tun_with_route(platform::Rtnetlink& nl, platform::TunDevice& tun, const char* name, std::optional<std::uint32_t> mtu) {
    REQUIRE(tun.open());
    REQUIRE(nl.set_link(name, true, mtu));
    REQUIRE(nl.add_route(name, *net::Ipv4Prefix::parse("198.51.100.0/24")));
    // The route needs a source address for the datagrams: any local IPv4 address will do.
    auto lo = nl.add_address("lo", *net::Ipv4Prefix::parse("192.0.2.1/32"));
    (void)lo;  // already there from an earlier test case
}

std::vector<std::uint32_t> zero_to(int n) {
    std::vector<std::uint32_t> v(static_cast<std::size_t>(n));
    for (int i = 0; i < n; ++i) v[static_cast<std::size_t>(i)] = static_cast<std::uint32_t>(i);
    return v;
}

TEST_CASE("TUN reads are drained and handed over in batches, in order; the TUN queue is lengthened") {
    platform::Rtnetlink nl;
    setup_loopback(nl);
    asio::io_context io;
    platform::TunDevice tun(io, "s46bt0");
    tun_with_route(nl, tun, "s46bt0", std::nullopt);
    {
        int s = ::socket(AF_INET, SOCK_DGRAM, 0);
        ifreq ifr{};
        std::strncpy(ifr.ifr_name, "s46bt0", IFNAMSIZ - 1);
        REQUIRE(::ioctl(s, SIOCGIFTXQLEN, &ifr) == 0);
        CHECK(ifr.ifr_qlen == platform::TunDevice::kTxQueueLen);  // not TUN's default 500
        ::close(s);
    }
    TunBatches got;
    got.payload = 32;
    tun.start(std::ref(got));

    constexpr int kSent = 150;  // under the TUN's default queue of 500
    send_numbered(kSent, got.payload);
    run_until(io, [&] { return got.seen.size() >= kSent; });
    CHECK(got.seen == zero_to(kSent));
    CHECK(got.damaged == 0);
    CHECK(got.largest == platform::TunDevice::kReadBatch);  // queued before the first read: full batches
    CHECK(got.batches <= kSent / platform::TunDevice::kReadBatch + 3);
    tun.close();
}

TEST_CASE("TUN batches of large packets end early, each packet whole in its own arena space") {
    platform::Rtnetlink nl;
    setup_loopback(nl);
    asio::io_context io;
    platform::TunDevice tun(io, "s46bt1");
    tun_with_route(nl, tun, "s46bt1", 9000);
    TunBatches got;
    got.payload = 8000;  // 8028-byte IPv4 packets: one each, under the MTU
    tun.start(std::ref(got));

    constexpr int kSent = 30;
    send_numbered(kSent, got.payload);
    run_until(io, [&] { return got.seen.size() >= kSent; });
    CHECK(got.seen == zero_to(kSent));
    CHECK(got.damaged == 0);
    // Reads go on while kMaxPacket bytes are left: 1 + (arena - kMaxPacket) / slot packets.
    constexpr std::size_t slot = (8028 + platform::TunDevice::kSlotAlign - 1) / platform::TunDevice::kSlotAlign * platform::TunDevice::kSlotAlign;
    constexpr int per_batch = 1 + static_cast<int>((platform::TunDevice::kArenaSize - platform::TunDevice::kMaxPacket) / slot);
    static_assert(per_batch < kSent && per_batch < platform::TunDevice::kReadBatch);
    CHECK(got.largest_udp == per_batch);
    tun.close();
}

int main(int argc, char* argv[]) {
    if (::geteuid() != 0 || ::unshare(CLONE_NEWNET) != 0) {
        std::printf("SKIP: softwire_batch_test needs root (a private network namespace)\n");
        return 77;
    }
    return Catch::Session().run(argc, argv);
}
