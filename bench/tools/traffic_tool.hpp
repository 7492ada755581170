// What the traffic tools of bench/tools (udp_blast, ipip_reflector) share: stopping on a signal,
// socket buffers, CPU time, pacing, and the receive-side count that both report the same way.
// Plain C++20 and libc, header-only, no dependency on the s46d tree: the tools run in guests
// (bench/kernel/run) with nothing else of s46d installed.
#pragma once

#include <sys/resource.h>
#include <sys/socket.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <thread>

namespace traffic_tool {

using Clock = std::chrono::steady_clock;

inline volatile std::sig_atomic_t g_stop = 0;

// SIGINT/SIGTERM end the run early but still print its result; stdout is line-buffered so that
// the one JSON line reaches a pipe at once.
inline void stop_on_signals() {
    auto on_signal = [](int) { g_stop = 1; };
    std::signal(SIGINT, on_signal);
    std::signal(SIGTERM, on_signal);
    std::setvbuf(stdout, nullptr, _IOLBF, 0);
}

// A socket buffer of `bytes`: the FORCE option (root) passes net.core.{r,w}mem_max, which a guest
// or a namespace leaves small; without the privilege, the plain option gets what the limit allows.
inline void grow_buffer(int s, int force_opt, int opt, int bytes) {
    if (::setsockopt(s, SOL_SOCKET, force_opt, &bytes, sizeof bytes) != 0) ::setsockopt(s, SOL_SOCKET, opt, &bytes, sizeof bytes);
}
inline void grow_rcvbuf(int s, int bytes) { grow_buffer(s, SO_RCVBUFFORCE, SO_RCVBUF, bytes); }
inline void grow_sndbuf(int s, int bytes) { grow_buffer(s, SO_SNDBUFFORCE, SO_SNDBUF, bytes); }

inline double secs(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

// This process's CPU time so far (user, system), in seconds; system time includes the kernel
// work done in this thread's context (softirq processing of what it sends, with veth).
inline void cpu_times(double& user, double& sys) {
    rusage ru{};
    ::getrusage(RUSAGE_SELF, &ru);
    user = ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6;
    sys = ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

// Paces a sender to `rate` packets/s (0: as fast as possible): sleep until packet `sent` is due.
struct Pacer {
    double rate = 0;
    Clock::time_point t0 = Clock::now();
    void wait(std::uint64_t sent) const {
        if (rate <= 0) return;
        auto due = t0 + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(sent / rate));
        if (Clock::now() < due) std::this_thread::sleep_until(due);
    }
    // A batch small enough for about 2000 sendmmsg calls per second at this rate.
    unsigned batch(unsigned max) const {
        if (rate <= 0) return max;
        return static_cast<unsigned>(std::max(1.0, std::min<double>(max, rate / 2000)));
    }
};

// The receive side of a run: counts what arrives, ends after `seconds` or `idle` seconds of
// silence after the first packet, and prints per-second rates on stderr when verbose. The rate
// it reports is over the span from the first to the last packet, so start-up and the idle wait
// do not dilute it.
struct RxCount {
    double seconds, idle;
    bool verbose;
    std::uint64_t packets = 0, bytes = 0;
    Clock::time_point t0 = Clock::now(), first{}, last{};
    bool started = false;
    std::uint64_t sample_packets = 0;
    Clock::time_point sample_t = t0;

    // Whether to stop now; prints the per-second sample as a side effect.
    bool over() {
        if (g_stop) return true;
        auto now = Clock::now();
        if (secs(now - t0) >= seconds) return true;
        if (started && secs(now - last) >= idle) return true;
        if (verbose && secs(now - sample_t) >= 1.0) {
            std::fprintf(stderr, "{\"t\":%.3f,\"pps\":%.0f}\n", secs(now - t0), (packets - sample_packets) / secs(now - sample_t));
            sample_packets = packets;
            sample_t = now;
        }
        return false;
    }
    void add(unsigned n, std::uint64_t n_bytes) {
        auto t = Clock::now();
        if (!started) {
            started = true;
            first = t;
        }
        last = t;
        packets += n;
        bytes += n_bytes;
    }
    double span() const { return started ? secs(last - first) : 0.0; }
    double pps() const { return span() > 0 ? (packets - 1) / span() : 0.0; }
};

}  // namespace traffic_tool
