// s46-flowgen: test equipment for the kernel scenarios (tests/kernel/mape_scenario.sh). It makes
// and answers traffic and reports what it saw, independently of s46d: it links nothing of this
// repository, so a bug in s46d's port-set code cannot hide in the check that is meant to catch it.
//
//   s46-flowgen udp  --dst A --port P --count N [--src A] [--rounds R --interval-ms I] [--wait-ms W]
//   s46-flowgen tcp  --dst A --port P --count N [--src A] [--wait-ms W]
//   s46-flowgen icmp --dst A --count N [--first-id I] [--wait-ms W]
//   s46-flowgen serve --port P [--bind A] [--log FILE] [--icmp] [--seconds S]
// udp   N sockets, each its own flow (its own source port), all open at once; every round sends
//       one datagram on each and waits up to W ms (default 3000) for every answer
// tcp   N connections open at once; each sends a line and waits for it to come back
// icmp  N ICMP datagram sockets (net.ipv4.ping_group_range must include the caller's group), ids
//       I, I+1, ... (default 1000): one echo request each, waits for every reply
// serve UDP and TCP echo on port P; appends "udp|tcp SOURCE PORT" per datagram or connection to
//       FILE; --icmp also opens a raw ICMP socket and logs "icmp SOURCE ID" per echo request
//       (the kernel still answers it). Stops after S seconds (default: never).
// The clients print one JSON line, e.g. {"proto":"udp","flows":239,"rounds":[239],"answered":239},
// where answered counts the flows answered in the last round, and exit 0 when every flow of the
// last round was answered, 1 otherwise, 2 on bad usage.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/ip_icmp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <string>
#include <thread>
#include <vector>

namespace {

[[noreturn]] void usage(const std::string& why) {
    std::fprintf(stderr, "s46-flowgen: %s (see tests/kernel/flowgen.cpp)\n", why.c_str());
    std::exit(2);
}

in_addr address(const std::string& text) {
    in_addr a{};
    if (inet_pton(AF_INET, text.c_str(), &a) != 1) usage("bad IPv4 address " + text);
    return a;
}

sockaddr_in endpoint(const std::string& addr, unsigned port) {
    sockaddr_in s{};
    s.sin_family = AF_INET;
    s.sin_addr = address(addr);
    s.sin_port = htons(static_cast<std::uint16_t>(port));
    return s;
}

using Clock = std::chrono::steady_clock;

long remaining_ms(Clock::time_point deadline) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    return left > 0 ? left : 0;
}

// Waits until every fd has had its answer (answered[i] set by on_readable) or the deadline.
template <class F>
void collect(const std::vector<int>& fds, std::vector<bool>& answered, long wait_ms, F on_readable) {
    const auto deadline = Clock::now() + std::chrono::milliseconds(wait_ms);
    for (;;) {
        std::vector<pollfd> p;
        std::vector<std::size_t> which;
        for (std::size_t i = 0; i < fds.size(); ++i)
            if (!answered[i] && fds[i] >= 0) {
                p.push_back({fds[i], POLLIN, 0});
                which.push_back(i);
            }
        if (p.empty()) return;
        const long left = remaining_ms(deadline);
        if (left == 0) return;
        const int n = poll(p.data(), p.size(), static_cast<int>(left));
        if (n < 0 && errno != EINTR) return;
        for (std::size_t k = 0; k < p.size(); ++k)
            if (p[k].revents) answered[which[k]] = on_readable(which[k]);
    }
}

void report(const char* proto, std::size_t flows, const std::vector<std::size_t>& rounds) {
    std::printf("{\"proto\":\"%s\",\"flows\":%zu,\"rounds\":[", proto, flows);
    for (std::size_t i = 0; i < rounds.size(); ++i) std::printf("%s%zu", i ? "," : "", rounds[i]);
    std::printf("],\"answered\":%zu}\n", rounds.empty() ? 0 : rounds.back());
    std::fflush(stdout);
}

int udp_flows(std::map<std::string, std::string>& o) {
    const unsigned count = std::stoul(o["count"]);
    const unsigned rounds = o.count("rounds") ? std::stoul(o["rounds"]) : 1;
    const long interval = o.count("interval-ms") ? std::stol(o["interval-ms"]) : 0;
    const long wait = o.count("wait-ms") ? std::stol(o["wait-ms"]) : 3000;
    const sockaddr_in dst = endpoint(o["dst"], std::stoul(o["port"]));
    std::vector<int> fds;
    for (unsigned i = 0; i < count; ++i) {
        const int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
        if (fd < 0) usage(std::string("socket: ") + std::strerror(errno));
        if (o.count("src")) {
            const sockaddr_in src = endpoint(o["src"], 0);
            if (bind(fd, reinterpret_cast<const sockaddr*>(&src), sizeof src) != 0) usage(std::string("bind: ") + std::strerror(errno));
        }
        // Connected: the socket takes only the answer from the destination, and the kernel gives
        // it a source port of its own (one flow per socket).
        if (connect(fd, reinterpret_cast<const sockaddr*>(&dst), sizeof dst) != 0) usage(std::string("connect: ") + std::strerror(errno));
        fds.push_back(fd);
    }
    std::vector<std::size_t> answered_per_round;
    for (unsigned r = 0; r < rounds; ++r) {
        const auto start = Clock::now();
        std::vector<bool> answered(count, false);
        for (unsigned i = 0; i < count; ++i) {
            const std::string msg = "flow " + std::to_string(i) + " round " + std::to_string(r);
            send(fds[i], msg.data(), msg.size(), 0);
        }
        collect(fds, answered, wait, [&](std::size_t i) {
            char buf[512];
            // ECONNREFUSED (an ICMP error) is no answer; keep waiting for the datagram.
            while (recv(fds[i], buf, sizeof buf, 0) > 0) return true;
            return false;
        });
        std::size_t n = 0;
        for (const bool a : answered) n += a;
        answered_per_round.push_back(n);
        if (r + 1 < rounds) std::this_thread::sleep_until(start + std::chrono::milliseconds(interval));
    }
    report("udp", count, answered_per_round);
    return answered_per_round.back() == count ? 0 : 1;
}

int tcp_flows(std::map<std::string, std::string>& o) {
    const unsigned count = std::stoul(o["count"]);
    const long wait = o.count("wait-ms") ? std::stol(o["wait-ms"]) : 5000;
    const sockaddr_in dst = endpoint(o["dst"], std::stoul(o["port"]));
    std::vector<int> fds;
    for (unsigned i = 0; i < count; ++i) {
        const int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
        if (fd < 0) usage(std::string("socket: ") + std::strerror(errno));
        if (o.count("src")) {
            const sockaddr_in src = endpoint(o["src"], 0);
            if (bind(fd, reinterpret_cast<const sockaddr*>(&src), sizeof src) != 0) usage(std::string("bind: ") + std::strerror(errno));
        }
        connect(fd, reinterpret_cast<const sockaddr*>(&dst), sizeof dst);  // EINPROGRESS; completion seen below
        fds.push_back(fd);
    }
    // Every connection established (writable without a pending error) before any data: all of
    // them are open at once.
    std::vector<bool> connected(count, false);
    const auto deadline = Clock::now() + std::chrono::milliseconds(wait);
    for (;;) {
        std::vector<pollfd> p;
        std::vector<std::size_t> which;
        for (std::size_t i = 0; i < count; ++i)
            if (!connected[i] && fds[i] >= 0) {
                p.push_back({fds[i], POLLOUT, 0});
                which.push_back(i);
            }
        if (p.empty() || remaining_ms(deadline) == 0) break;
        if (poll(p.data(), p.size(), static_cast<int>(remaining_ms(deadline))) < 0 && errno != EINTR) break;
        for (std::size_t k = 0; k < p.size(); ++k) {
            if (!p[k].revents) continue;
            int err = 0;
            socklen_t len = sizeof err;
            getsockopt(p[k].fd, SOL_SOCKET, SO_ERROR, &err, &len);
            if (err == 0) connected[which[k]] = true;
            else {
                close(fds[which[k]]);
                fds[which[k]] = -1;
            }
        }
    }
    std::vector<std::string> sent(count);
    for (unsigned i = 0; i < count; ++i) {
        if (!connected[i]) continue;
        sent[i] = "connection " + std::to_string(i) + "\n";
        send(fds[i], sent[i].data(), sent[i].size(), MSG_NOSIGNAL);
    }
    std::vector<bool> answered(count, false);
    std::vector<std::string> got(count);
    std::vector<int> live = fds;
    for (unsigned i = 0; i < count; ++i)
        if (!connected[i]) live[i] = -1;
    collect(live, answered, remaining_ms(deadline) + 1000, [&](std::size_t i) {
        char buf[512];
        const ssize_t n = recv(fds[i], buf, sizeof buf, 0);
        if (n > 0) got[i].append(buf, static_cast<std::size_t>(n));
        if (n == 0) live[i] = -1;  // closed before the echo came back
        return got[i] == sent[i];
    });
    std::size_t n = 0;
    for (unsigned i = 0; i < count; ++i) {
        n += answered[i];
        if (fds[i] >= 0) close(fds[i]);
    }
    report("tcp", count, {n});
    return n == count ? 0 : 1;
}

int icmp_flows(std::map<std::string, std::string>& o) {
    const unsigned count = std::stoul(o["count"]);
    const unsigned first = o.count("first-id") ? std::stoul(o["first-id"]) : 1000;
    const long wait = o.count("wait-ms") ? std::stol(o["wait-ms"]) : 3000;
    const sockaddr_in dst = endpoint(o["dst"], 0);
    std::vector<int> fds;
    for (unsigned i = 0; i < count; ++i) {
        // An ICMP datagram socket: the kernel keeps the identifier (the bound "port") and hands
        // the socket only the echo replies with it, after the CE's NAPT has translated it back.
        const int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, IPPROTO_ICMP);
        if (fd < 0) usage(std::string("ICMP socket (net.ipv4.ping_group_range?): ") + std::strerror(errno));
        sockaddr_in id{};
        id.sin_family = AF_INET;
        id.sin_port = htons(static_cast<std::uint16_t>(first + i));
        if (bind(fd, reinterpret_cast<const sockaddr*>(&id), sizeof id) != 0) usage(std::string("bind ICMP id: ") + std::strerror(errno));
        fds.push_back(fd);
    }
    for (unsigned i = 0; i < count; ++i) {
        icmphdr h{};
        h.type = ICMP_ECHO;
        h.un.echo.sequence = htons(1);
        sendto(fds[i], &h, sizeof h, 0, reinterpret_cast<const sockaddr*>(&dst), sizeof dst);
    }
    std::vector<bool> answered(count, false);
    collect(fds, answered, wait, [&](std::size_t i) {
        icmphdr h{};
        while (recv(fds[i], &h, sizeof h, 0) >= static_cast<ssize_t>(sizeof h))
            if (h.type == ICMP_ECHOREPLY) return true;
        return false;
    });
    std::size_t n = 0;
    for (const bool a : answered) n += a;
    report("icmp", count, {n});
    return n == count ? 0 : 1;
}

int serve(std::map<std::string, std::string>& o) {
    const sockaddr_in here = endpoint(o.count("bind") ? o["bind"] : "0.0.0.0", std::stoul(o["port"]));
    const int log = o.count("log") ? open(o["log"].c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644) : 1;
    if (log < 0) usage("cannot open " + o["log"]);
    auto note = [&](const char* proto, in_addr from, unsigned port) {
        char a[INET_ADDRSTRLEN];
        inet_ntop(AF_INET, &from, a, sizeof a);
        const std::string line = std::string(proto) + " " + a + " " + std::to_string(port) + "\n";
        // One write per line on an O_APPEND file: the scenario reads it while we run.
        if (write(log, line.data(), line.size()) < 0) std::perror("log");
    };
    const int one = 1;
    const int udp = socket(AF_INET, SOCK_DGRAM, 0);
    const int tcp = socket(AF_INET, SOCK_STREAM, 0);
    setsockopt(tcp, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    // A burst of hundreds of first datagrams arrives at once, and this loop logs each one with a
    // write() before it reads the next: at the default receive buffer (rmem_default, 208 KiB,
    // about 200 small datagrams counted by their truesize) a slow guest drops the tail of the
    // burst here, which would read as flows the NAPT lost. 8 MiB, past rmem_max (root only).
    const int rcvbuf = 8 << 20;
    if (setsockopt(udp, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof rcvbuf) != 0)
        setsockopt(udp, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
    if (bind(udp, reinterpret_cast<const sockaddr*>(&here), sizeof here) != 0 ||
        bind(tcp, reinterpret_cast<const sockaddr*>(&here), sizeof here) != 0 || listen(tcp, 64) != 0)
        usage(std::string("serve: bind/listen: ") + std::strerror(errno));
    const int icmp = o.count("icmp") ? socket(AF_INET, SOCK_RAW, IPPROTO_ICMP) : -1;
    if (o.count("icmp") && icmp < 0) usage(std::string("raw ICMP socket: ") + std::strerror(errno));
    const long seconds = o.count("seconds") ? std::stol(o["seconds"]) : -1;
    const auto deadline = Clock::now() + std::chrono::seconds(seconds < 0 ? 1000000 : seconds);
    std::vector<int> conns;
    while (remaining_ms(deadline) > 0) {
        std::vector<pollfd> p = {{udp, POLLIN, 0}, {tcp, POLLIN, 0}};
        if (icmp >= 0) p.push_back({icmp, POLLIN, 0});
        for (const int c : conns) p.push_back({c, POLLIN, 0});
        if (poll(p.data(), p.size(), 1000) <= 0) continue;
        char buf[2048];
        std::vector<int> fresh;  // accepted now, polled from the next round on
        if (p[0].revents) {
            sockaddr_in from{};
            socklen_t len = sizeof from;
            const ssize_t n = recvfrom(udp, buf, sizeof buf, 0, reinterpret_cast<sockaddr*>(&from), &len);
            if (n >= 0) {
                note("udp", from.sin_addr, ntohs(from.sin_port));
                sendto(udp, buf, static_cast<std::size_t>(n), 0, reinterpret_cast<const sockaddr*>(&from), len);
            }
        }
        if (p[1].revents) {
            sockaddr_in from{};
            socklen_t len = sizeof from;
            const int c = accept(tcp, reinterpret_cast<sockaddr*>(&from), &len);
            if (c >= 0) {
                note("tcp", from.sin_addr, ntohs(from.sin_port));
                fresh.push_back(c);
            }
        }
        if (icmp >= 0 && p[2].revents) {
            // A raw socket gets the IPv4 header too (RFC 792 echo: type 8, then the identifier).
            const ssize_t n = recv(icmp, buf, sizeof buf, 0);
            if (n >= static_cast<ssize_t>(sizeof(iphdr))) {
                iphdr ip{};
                std::memcpy(&ip, buf, sizeof ip);
                const std::size_t hl = ip.ihl * 4u;
                icmphdr h{};
                if (static_cast<std::size_t>(n) >= hl + sizeof h) {
                    std::memcpy(&h, buf + hl, sizeof h);
                    if (h.type == ICMP_ECHO) note("icmp", in_addr{ip.saddr}, ntohs(h.un.echo.id));
                }
            }
        }
        const std::size_t base = icmp >= 0 ? 3 : 2;
        std::vector<int> still;
        for (std::size_t k = 0; k < conns.size(); ++k) {
            if (!p[base + k].revents) {
                still.push_back(conns[k]);
                continue;
            }
            const ssize_t n = recv(conns[k], buf, sizeof buf, 0);
            if (n > 0 && send(conns[k], buf, static_cast<std::size_t>(n), MSG_NOSIGNAL) == n) still.push_back(conns[k]);
            else close(conns[k]);
        }
        conns = still;
        conns.insert(conns.end(), fresh.begin(), fresh.end());
    }
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2) usage("which: udp, tcp, icmp or serve");
    const std::string what = argv[1];
    std::map<std::string, std::string> o;
    for (int i = 2; i < argc; ++i) {
        const std::string a = argv[i];
        if (!a.starts_with("--")) usage("unexpected argument " + a);
        if (a == "--icmp") o["icmp"] = "1";
        else if (i + 1 < argc) o[a.substr(2)] = argv[++i];
        else usage(a + " needs a value");
    }
    const auto need = [&](std::initializer_list<const char*> keys) {
        for (const char* k : keys)
            if (!o.count(k)) usage(std::string("--") + k + " is required");
    };
    try {
        if (what == "udp") return need({"dst", "port", "count"}), udp_flows(o);
        if (what == "tcp") return need({"dst", "port", "count"}), tcp_flows(o);
        if (what == "icmp") return need({"dst", "count"}), icmp_flows(o);
        if (what == "serve") return need({"port"}), serve(o);
    } catch (const std::exception& e) {  // std::stoul on a bad number
        usage(std::string("bad number: ") + e.what());
    }
    usage("unknown command " + what);
}
