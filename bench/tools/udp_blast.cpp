// udp_blast: a fast UDP load generator and counter for the throughput benchmarks
// (bench/tun_forwarding.py, docs/performance.md "TUN backend vs kernel forwarding").
//
//   udp_blast send  --dst IP --port P [--size N] [--seconds T] [--sports LO-HI] [--batch B] [--count C]
//       Sends N-byte IPv4 packets (N = the IPv4 total length: 20 B IP + 8 B UDP + N-28 B payload)
//       with sendmmsg, from one connected UDP socket per source port in LO-HI (round robin, one
//       batch per socket), at the maximum rate (or PPS with --rate) for T seconds, or C packets
//       per source port.
//   udp_blast recv  [--bind IP] --ports LO-HI [--seconds T] [--idle S]
//       Counts datagrams on every port of LO-HI (recvmmsg), until T seconds have passed or
//       nothing arrived for S seconds after the first packet.
//   udp_blast prime-recv --dst IP --port P --sports LO-HI [--size N] [--seconds T] [--idle S]
//       Binds the source ports, sends one packet per port (twice, 100 ms apart: this creates the
//       NAPT mappings), then counts what comes back to those ports as recv does.
//
// Every mode prints one JSON object on stdout at the end; recv modes also print per-second
// samples on stderr with --verbose. Plain C++20 and libc: no dependency on the s46d tree.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "traffic_tool.hpp"

namespace {

using namespace traffic_tool;

struct Args {
    std::string mode;
    std::string dst, bind = "0.0.0.0";
    int port = 9;
    int size = 64;
    double seconds = 5;
    double idle = 1.0;
    int sport_lo = 40000, sport_hi = 40015;
    int port_lo = 0, port_hi = -1;
    int batch = 64;
    long count = 0;
    double rate = 0;
    bool verbose = false;
};

[[noreturn]] void usage(const char* why) {
    std::fprintf(stderr,
                 "udp_blast: %s\n"
                 "usage: udp_blast send --dst IP --port P [--size N] [--seconds T] [--sports LO-HI] [--batch B] [--count C] [--rate PPS]\n"
                 "       udp_blast recv [--bind IP] --ports LO-HI [--seconds T] [--idle S] [--verbose]\n"
                 "       udp_blast prime-recv --dst IP --port P --sports LO-HI [--size N] [--seconds T] [--idle S] [--verbose]\n",
                 why);
    std::exit(2);
}

void range(const char* v, int& lo, int& hi) {
    if (std::sscanf(v, "%d-%d", &lo, &hi) != 2) {
        lo = hi = std::atoi(v);
    }
    if (lo < 1 || hi > 65535 || lo > hi) usage("bad port range");
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
        if (f == "--dst") a.dst = val();
        else if (f == "--bind") a.bind = val();
        else if (f == "--port") a.port = std::atoi(val());
        else if (f == "--size") a.size = std::atoi(val());
        else if (f == "--seconds") a.seconds = std::atof(val());
        else if (f == "--idle") a.idle = std::atof(val());
        else if (f == "--sports") range(val(), a.sport_lo, a.sport_hi);
        else if (f == "--ports") range(val(), a.port_lo, a.port_hi);
        else if (f == "--batch") a.batch = std::atoi(val());
        else if (f == "--count") a.count = std::atol(val());
        else if (f == "--rate") a.rate = std::atof(val());
        else if (f == "--verbose") a.verbose = true;
        else usage(("unknown flag " + f).c_str());
    }
    if (a.size < 28 || a.size > 65507) usage("--size is the IPv4 packet length, 28..65507");
    if (a.batch < 1 || a.batch > 1024) usage("--batch 1..1024");
    return a;
}

sockaddr_in addr(const std::string& ip, int port) {
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_port = htons(static_cast<std::uint16_t>(port));
    if (inet_pton(AF_INET, ip.c_str(), &sa.sin_addr) != 1) usage(("bad IPv4 address " + ip).c_str());
    return sa;
}

int udp_socket(const std::string& bind_ip, int port, bool big_rcvbuf) {
    int s = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (s < 0) {
        std::perror("socket");
        std::exit(1);
    }
    int one = 1;
    ::setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (big_rcvbuf) grow_rcvbuf(s, 32 << 20);
    auto sa = addr(bind_ip, port);
    if (::bind(s, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0) {
        std::fprintf(stderr, "bind %s:%d: %s\n", bind_ip.c_str(), port, std::strerror(errno));
        std::exit(1);
    }
    return s;
}

int do_send(const Args& a) {
    if (a.dst.empty()) usage("send needs --dst");
    auto dst = addr(a.dst, a.port);
    std::vector<int> socks;
    for (int p = a.sport_lo; p <= a.sport_hi; ++p) {
        int s = udp_socket("0.0.0.0", p, false);
        grow_sndbuf(s, 4 << 20);
        if (::connect(s, reinterpret_cast<sockaddr*>(&dst), sizeof dst) != 0) {
            std::perror("connect");
            return 1;
        }
        socks.push_back(s);
    }
    const std::size_t payload = static_cast<std::size_t>(a.size - 28);
    std::vector<std::uint8_t> buf(payload ? payload : 1, 0x5a);
    std::vector<iovec> iov(static_cast<std::size_t>(a.batch));
    std::vector<mmsghdr> msgs(static_cast<std::size_t>(a.batch));
    for (int i = 0; i < a.batch; ++i) {
        iov[i] = {buf.data(), payload};
        msgs[i] = {};
        msgs[i].msg_hdr.msg_iov = &iov[i];
        msgs[i].msg_hdr.msg_iovlen = 1;
    }
    std::uint64_t sent = 0, errors = 0, calls = 0;
    std::vector<long> per_sock(socks.size(), 0);
    auto t0 = Clock::now();
    Pacer pacer{a.rate, t0};
    const auto deadline = t0 + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(a.seconds));
    std::size_t k = 0;
    for (;;) {
        if (g_stop) break;
        if (a.count > 0) {
            // Fixed count per source port: stop when every socket has sent its share.
            bool done = true;
            for (long c : per_sock) done &= c >= a.count;
            if (done) break;
            if (per_sock[k] >= a.count) {
                k = (k + 1) % socks.size();
                continue;
            }
        } else if ((calls & 15) == 0 && Clock::now() >= deadline) {
            break;
        }
        unsigned n = pacer.batch(static_cast<unsigned>(a.batch));
        pacer.wait(sent);
        if (a.rate > 0 && a.count == 0 && Clock::now() >= deadline) break;
        if (a.count > 0) n = static_cast<unsigned>(std::min<long>(n, a.count - per_sock[k]));
        int r = ::sendmmsg(socks[k], msgs.data(), n, 0);
        ++calls;
        if (r < 0) {
            ++errors;  // ENOBUFS / ECONNREFUSED (ICMP from the far end): keep going
        } else {
            sent += static_cast<unsigned>(r);
            per_sock[k] += r;
        }
        k = (k + 1) % socks.size();
    }
    double el = secs(Clock::now() - t0);
    double cu = 0, cs = 0;
    cpu_times(cu, cs);
    std::printf("{\"mode\":\"send\",\"size\":%d,\"flows\":%zu,\"sent\":%llu,\"errors\":%llu,\"seconds\":%.6f,\"pps\":%.1f,"
                "\"cpu_user\":%.3f,\"cpu_sys\":%.3f}\n",
                a.size, socks.size(), static_cast<unsigned long long>(sent), static_cast<unsigned long long>(errors), el,
                el > 0 ? sent / el : 0.0, cu, cs);
    return 0;
}

// Count on a set of bound sockets until the deadline or `idle` seconds of silence after the first packet.
int count_on(const std::vector<int>& socks, const Args& a, const char* mode, std::uint64_t primed) {
    std::vector<pollfd> pfd;
    for (int s : socks) pfd.push_back({s, POLLIN, 0});
    constexpr int kBatch = 256;
    static std::uint8_t bufs[kBatch][2048];
    iovec iov[kBatch];
    mmsghdr msgs[kBatch];
    RxCount count{a.seconds, a.idle, a.verbose};
    while (!count.over()) {
        int pr = ::poll(pfd.data(), pfd.size(), 50);
        if (pr <= 0) continue;
        for (auto& p : pfd) {
            if (!(p.revents & POLLIN)) continue;
            for (;;) {
                for (int i = 0; i < kBatch; ++i) {
                    iov[i] = {bufs[i], sizeof bufs[i]};
                    msgs[i] = {};
                    msgs[i].msg_hdr.msg_iov = &iov[i];
                    msgs[i].msg_hdr.msg_iovlen = 1;
                }
                int r = ::recvmmsg(p.fd, msgs, kBatch, MSG_DONTWAIT, nullptr);
                if (r <= 0) break;
                std::uint64_t bytes = 0;
                for (int i = 0; i < r; ++i) bytes += msgs[i].msg_len;
                count.add(static_cast<unsigned>(r), bytes);
                if (r < kBatch) break;
            }
        }
    }
    double cu = 0, cs = 0;
    cpu_times(cu, cs);
    std::printf("{\"mode\":\"%s\",\"ports\":%zu,\"primed\":%llu,\"packets\":%llu,\"bytes\":%llu,\"span\":%.6f,\"pps\":%.1f,"
                "\"cpu_user\":%.3f,\"cpu_sys\":%.3f}\n",
                mode, socks.size(), static_cast<unsigned long long>(primed), static_cast<unsigned long long>(count.packets),
                static_cast<unsigned long long>(count.bytes), count.span(), count.pps(), cu, cs);
    return 0;
}

int do_recv(const Args& a) {
    if (a.port_hi < 0) usage("recv needs --ports");
    std::vector<int> socks;
    for (int p = a.port_lo; p <= a.port_hi; ++p) socks.push_back(udp_socket(a.bind, p, true));
    std::fprintf(stderr, "udp_blast: listening on %zu ports\n", socks.size());
    return count_on(socks, a, "recv", 0);
}

int do_prime_recv(const Args& a) {
    if (a.dst.empty()) usage("prime-recv needs --dst");
    auto dst = addr(a.dst, a.port);
    std::vector<int> socks;
    for (int p = a.sport_lo; p <= a.sport_hi; ++p) socks.push_back(udp_socket("0.0.0.0", p, true));
    std::vector<std::uint8_t> payload(static_cast<std::size_t>(a.size - 28), 0x11);
    std::uint64_t primed = 0;
    for (int round = 0; round < 2; ++round) {
        for (int s : socks)
            if (::sendto(s, payload.data(), payload.size(), 0, reinterpret_cast<sockaddr*>(&dst), sizeof dst) >= 0) ++primed;
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return count_on(socks, a, "prime-recv", primed);
}

}  // namespace

int main(int argc, char** argv) {
    Args a = parse(argc, argv);
    stop_on_signals();
    if (a.mode == "send") return do_send(a);
    if (a.mode == "recv") return do_recv(a);
    if (a.mode == "prime-recv") return do_prime_recv(a);
    usage("mode must be send, recv or prime-recv");
}
