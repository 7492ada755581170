// ipip_reflector: a fast network-side end for IPv4-in-IPv6 softwires (AFTR / lwAFTR / BR stand-in)
// for the throughput benchmarks (bench/tun_forwarding.py, docs/performance.md "TUN backend vs
// kernel forwarding"). No scapy: one raw AF_INET6/IPPROTO_IPIP socket bound to the BR address,
// recvmmsg/sendmmsg in batches. The kernel strips and builds the outer IPv6 header.
//
//   ipip_reflector count   --bind BR6 [--seconds T] [--idle S] [--verbose]
//       Counts the inner IPv4 packets that arrive (per second on stderr with --verbose).
//   ipip_reflector reflect --bind BR6 [--seconds T] [--idle S] [--verbose]
//       Counts, and sends every inner packet back to its outer source with the inner source and
//       destination addresses and ports swapped (the outer ones swap by construction: the reply
//       goes from BR6 to the sender). Checksums are unchanged by a swap.
//   ipip_reflector blast   --bind BR6 --flows K [--size N] [--seconds T] [--learn-timeout S]
//       Waits for K distinct inner UDP flows (one packet each is enough), then sends UDP replies
//       for all K flows round robin (inner src/dst and ports swapped, N-byte inner IPv4 packets,
//       checksums computed) at the maximum rate (or PPS with --rate) for T seconds, to each
//       flow's outer source.
//
// Prints one JSON object on stdout at the end. Plain C++20 and libc.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "traffic_tool.hpp"

namespace {

using namespace traffic_tool;

struct Args {
    std::string mode, bind;
    double seconds = 30, idle = 1.0, learn_timeout = 10;
    int flows = 16, size = 64, batch = 64;
    double rate = 0;
    bool verbose = false;
};

[[noreturn]] void usage(const char* why) {
    std::fprintf(stderr,
                 "ipip_reflector: %s\n"
                 "usage: ipip_reflector count|reflect --bind BR6 [--seconds T] [--idle S] [--verbose]\n"
                 "       ipip_reflector blast --bind BR6 --flows K [--size N] [--seconds T] [--learn-timeout S] [--batch B] [--rate PPS]\n",
                 why);
    std::exit(2);
}

Args parse(int argc, char** argv) {
    if (argc < 2) usage("no mode");
    Args a;
    a.mode = argv[1];
    for (int i = 2; i < argc; ++i) {
        std::string f = argv[i];
        auto val = [&]() -> const char* {
            if (i + 1 >= argc) usage(("missing value for " + f).c_str());
            return argv[++i];
        };
        if (f == "--bind") a.bind = val();
        else if (f == "--seconds") a.seconds = std::atof(val());
        else if (f == "--idle") a.idle = std::atof(val());
        else if (f == "--learn-timeout") a.learn_timeout = std::atof(val());
        else if (f == "--flows") a.flows = std::atoi(val());
        else if (f == "--size") a.size = std::atoi(val());
        else if (f == "--batch") a.batch = std::atoi(val());
        else if (f == "--rate") a.rate = std::atof(val());
        else if (f == "--verbose") a.verbose = true;
        else usage(("unknown flag " + f).c_str());
    }
    if (a.bind.empty()) usage("--bind is required");
    if (a.size < 28 || a.size > 1500) usage("--size is the inner IPv4 packet length, 28..1500");
    if (a.flows < 1 || a.flows > 4096) usage("--flows 1..4096");
    if (a.batch < 1 || a.batch > 1024) usage("--batch 1..1024");
    return a;
}

int open_socket(const std::string& bind6) {
    int s = ::socket(AF_INET6, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_IPIP);
    if (s < 0) {
        std::perror("socket(AF_INET6, SOCK_RAW, IPPROTO_IPIP)");
        std::exit(1);
    }
    grow_rcvbuf(s, 32 << 20);
    grow_sndbuf(s, 4 << 20);
    sockaddr_in6 sa{};
    sa.sin6_family = AF_INET6;
    if (inet_pton(AF_INET6, bind6.c_str(), &sa.sin6_addr) != 1) usage("bad --bind address");
    if (::bind(s, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0) {
        std::fprintf(stderr, "bind %s: %s\n", bind6.c_str(), std::strerror(errno));
        std::exit(1);
    }
    return s;
}

constexpr int kBatch = 256;
constexpr std::size_t kBuf = 2048;

struct RxRing {
    std::vector<std::array<std::uint8_t, kBuf>> bufs = std::vector<std::array<std::uint8_t, kBuf>>(kBatch);
    std::array<iovec, kBatch> iov{};
    std::array<mmsghdr, kBatch> msgs{};
    std::array<sockaddr_in6, kBatch> from{};
    void reset() {
        for (int i = 0; i < kBatch; ++i) {
            iov[i] = {bufs[i].data(), kBuf};
            msgs[i] = {};
            msgs[i].msg_hdr.msg_name = &from[i];
            msgs[i].msg_hdr.msg_namelen = sizeof from[i];
            msgs[i].msg_hdr.msg_iov = &iov[i];
            msgs[i].msg_hdr.msg_iovlen = 1;
        }
    }
};

// Swap the inner IPv4 source/destination and, for an unfragmented UDP/TCP packet, the ports.
void swap_inner(std::uint8_t* p, std::size_t n) {
    if (n < 20 || (p[0] >> 4) != 4) return;
    std::uint8_t t[4];
    std::memcpy(t, p + 12, 4);
    std::memcpy(p + 12, p + 16, 4);
    std::memcpy(p + 16, t, 4);
    std::size_t ihl = (p[0] & 0x0f) * 4u;
    bool first_fragment = ((p[6] & 0x1f) | p[7]) == 0;
    if ((p[9] == 6 || p[9] == 17) && first_fragment && n >= ihl + 4) {
        std::uint8_t q[2];
        std::memcpy(q, p + ihl, 2);
        std::memcpy(p + ihl, p + ihl + 2, 2);
        std::memcpy(p + ihl + 2, q, 2);
    }
}

int count_or_reflect(const Args& a, int s, bool reflect) {
    RxRing rx;
    std::array<mmsghdr, kBatch> tx{};
    pollfd pfd{s, POLLIN, 0};
    std::uint64_t reflected = 0, tx_errors = 0;
    RxCount count{a.seconds, a.idle, a.verbose};
    while (!count.over()) {
        if (::poll(&pfd, 1, 50) <= 0) continue;
        for (;;) {
            rx.reset();
            int r = ::recvmmsg(s, rx.msgs.data(), kBatch, MSG_DONTWAIT, nullptr);
            if (r <= 0) break;
            std::uint64_t bytes = 0;
            for (int i = 0; i < r; ++i) bytes += rx.msgs[i].msg_len;
            count.add(static_cast<unsigned>(r), bytes);
            if (reflect) {
                for (int i = 0; i < r; ++i) {
                    swap_inner(rx.bufs[i].data(), rx.msgs[i].msg_len);
                    rx.iov[i].iov_len = rx.msgs[i].msg_len;
                    tx[i] = {};
                    tx[i].msg_hdr.msg_name = &rx.from[i];
                    tx[i].msg_hdr.msg_namelen = sizeof rx.from[i];
                    tx[i].msg_hdr.msg_iov = &rx.iov[i];
                    tx[i].msg_hdr.msg_iovlen = 1;
                }
                int off = 0;
                while (off < r) {
                    int w = ::sendmmsg(s, tx.data() + off, static_cast<unsigned>(r - off), 0);
                    if (w <= 0) {  // ENOBUFS and the like: count the packet as lost and go on
                        ++tx_errors;
                        ++off;
                        continue;
                    }
                    reflected += static_cast<unsigned>(w);
                    off += w;
                }
            }
            if (r < kBatch) break;
        }
    }
    double cu = 0, cs = 0;
    cpu_times(cu, cs);
    std::printf("{\"mode\":\"%s\",\"packets\":%llu,\"bytes\":%llu,\"reflected\":%llu,\"tx_errors\":%llu,\"span\":%.6f,\"pps\":%.1f,"
                "\"cpu_user\":%.3f,\"cpu_sys\":%.3f}\n",
                reflect ? "reflect" : "count", static_cast<unsigned long long>(count.packets), static_cast<unsigned long long>(count.bytes),
                static_cast<unsigned long long>(reflected), static_cast<unsigned long long>(tx_errors), count.span(), count.pps(), cu, cs);
    return 0;
}

std::uint16_t fold(std::uint32_t sum) {
    while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
    return static_cast<std::uint16_t>(~sum & 0xffff);
}

std::uint32_t add_words(const std::uint8_t* p, std::size_t n, std::uint32_t sum = 0) {
    for (std::size_t i = 0; i + 1 < n; i += 2) sum += static_cast<std::uint32_t>(p[i] << 8 | p[i + 1]);
    if (n & 1) sum += static_cast<std::uint32_t>(p[n - 1] << 8);
    return sum;
}

struct Flow {
    sockaddr_in6 outer{};         // where the reply goes: the outer source of the learned packet
    std::uint8_t src[4], dst[4];  // of the learned packet
    std::uint16_t sport, dport;   // network order, of the learned packet
    std::vector<std::uint8_t> packet;
};

int blast(const Args& a, int s) {
    RxRing rx;
    std::vector<Flow> flows;
    pollfd pfd{s, POLLIN, 0};
    auto t0 = Clock::now();
    std::uint64_t learned_from = 0;
    while (static_cast<int>(flows.size()) < a.flows && !g_stop && secs(Clock::now() - t0) < a.learn_timeout) {
        if (::poll(&pfd, 1, 50) <= 0) continue;
        rx.reset();
        int r = ::recvmmsg(s, rx.msgs.data(), kBatch, MSG_DONTWAIT, nullptr);
        for (int i = 0; i < r; ++i) {
            const std::uint8_t* p = rx.bufs[i].data();
            std::size_t n = rx.msgs[i].msg_len;
            ++learned_from;
            if (n < 28 || (p[0] >> 4) != 4 || p[9] != 17) continue;
            std::size_t ihl = (p[0] & 0x0f) * 4u;
            Flow f;
            f.outer = rx.from[i];
            std::memcpy(f.src, p + 12, 4);
            std::memcpy(f.dst, p + 16, 4);
            std::memcpy(&f.sport, p + ihl, 2);
            std::memcpy(&f.dport, p + ihl + 2, 2);
            bool known = false;
            for (const auto& g : flows)
                known |= std::memcmp(g.src, f.src, 4) == 0 && std::memcmp(g.dst, f.dst, 4) == 0 && g.sport == f.sport && g.dport == f.dport &&
                         std::memcmp(&g.outer.sin6_addr, &f.outer.sin6_addr, 16) == 0;
            if (!known && static_cast<int>(flows.size()) < a.flows) flows.push_back(f);
        }
    }
    if (static_cast<int>(flows.size()) < a.flows) {
        std::fprintf(stderr, "ipip_reflector: learned %zu of %d flows in %.1f s (%llu packets)\n", flows.size(), a.flows, a.learn_timeout,
                     static_cast<unsigned long long>(learned_from));
        if (flows.empty()) {
            std::printf("{\"mode\":\"blast\",\"flows\":0,\"sent\":0,\"errors\":0,\"seconds\":0,\"pps\":0}\n");
            return 1;
        }
    }
    // The reply packets: IPv4 dst->src, UDP dport->sport, N bytes, real checksums.
    const std::size_t n = static_cast<std::size_t>(a.size);
    for (auto& f : flows) {
        f.packet.assign(n, 0);
        std::uint8_t* p = f.packet.data();
        p[0] = 0x45;
        p[2] = static_cast<std::uint8_t>(n >> 8);
        p[3] = static_cast<std::uint8_t>(n);
        p[8] = 64;
        p[9] = 17;
        std::memcpy(p + 12, f.dst, 4);
        std::memcpy(p + 16, f.src, 4);
        std::uint16_t ipsum = fold(add_words(p, 20));
        p[10] = static_cast<std::uint8_t>(ipsum >> 8);
        p[11] = static_cast<std::uint8_t>(ipsum);
        std::uint8_t* u = p + 20;
        std::memcpy(u, &f.dport, 2);
        std::memcpy(u + 2, &f.sport, 2);
        std::size_t ulen = n - 20;
        u[4] = static_cast<std::uint8_t>(ulen >> 8);
        u[5] = static_cast<std::uint8_t>(ulen);
        for (std::size_t i = 8; i < ulen; ++i) u[i] = static_cast<std::uint8_t>(0xa5);
        std::uint32_t sum = add_words(p + 12, 8);  // pseudo header: addresses, protocol, UDP length
        sum += 17 + static_cast<std::uint32_t>(ulen);
        sum = add_words(u, ulen, sum);
        std::uint16_t usum = fold(sum);
        if (usum == 0) usum = 0xffff;
        u[6] = static_cast<std::uint8_t>(usum >> 8);
        u[7] = static_cast<std::uint8_t>(usum);
    }
    // One batch of messages per rotation through the flows; rebuilt only when the offset changes.
    const int batch = a.batch;
    std::vector<iovec> iov(static_cast<std::size_t>(batch) * flows.size());
    std::vector<mmsghdr> msgs(static_cast<std::size_t>(batch) * flows.size());
    for (std::size_t start = 0; start < flows.size(); ++start)
        for (int i = 0; i < batch; ++i) {
            std::size_t idx = start * batch + i;
            Flow& f = flows[(start + i) % flows.size()];
            iov[idx] = {f.packet.data(), f.packet.size()};
            msgs[idx] = {};
            msgs[idx].msg_hdr.msg_name = &f.outer;
            msgs[idx].msg_hdr.msg_namelen = sizeof f.outer;
            msgs[idx].msg_hdr.msg_iov = &iov[idx];
            msgs[idx].msg_hdr.msg_iovlen = 1;
        }
    std::uint64_t sent = 0, errors = 0, calls = 0;
    auto b0 = Clock::now();
    Pacer pacer{a.rate, b0};
    const unsigned per_call = pacer.batch(static_cast<unsigned>(batch));
    const auto deadline = b0 + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(a.seconds));
    std::size_t start = 0;
    for (;;) {
        if (g_stop) break;
        if ((a.rate > 0 || (calls & 15) == 0) && Clock::now() >= deadline) break;
        pacer.wait(sent);
        int w = ::sendmmsg(s, msgs.data() + start * batch, per_call, 0);
        ++calls;
        if (w < 0) ++errors;
        else sent += static_cast<unsigned>(w);
        start = (start + per_call) % flows.size();
    }
    double el = secs(Clock::now() - b0);
    double cu = 0, cs = 0;
    cpu_times(cu, cs);
    std::printf("{\"mode\":\"blast\",\"flows\":%zu,\"size\":%d,\"sent\":%llu,\"errors\":%llu,\"seconds\":%.6f,\"pps\":%.1f,"
                "\"cpu_user\":%.3f,\"cpu_sys\":%.3f}\n",
                flows.size(), a.size, static_cast<unsigned long long>(sent), static_cast<unsigned long long>(errors), el,
                el > 0 ? sent / el : 0.0, cu, cs);
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    Args a = parse(argc, argv);
    stop_on_signals();
    int s = open_socket(a.bind);
    if (a.mode == "count") return count_or_reflect(a, s, false);
    if (a.mode == "reflect") return count_or_reflect(a, s, true);
    if (a.mode == "blast") return blast(a, s);
    usage("mode must be count, reflect or blast");
}
