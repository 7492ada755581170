#include "core/napt/config.hpp"

#include <algorithm>
#include <string>

namespace s46::napt {

namespace {

constexpr std::int64_t kMaxTimeoutS = std::int64_t{1} << 24;  // ~194 days; keeps now + timeout in 32 bits

std::string check_timeout(const char* name, std::chrono::seconds t, std::int64_t floor_s, const char* rule) {
    if (t.count() < floor_s)
        return std::string(name) + " timeout " + std::to_string(t.count()) + " s is below the " +
               std::to_string(floor_s) + " s floor (" + rule + ")";
    if (t.count() >= kMaxTimeoutS) return std::string(name) + " timeout " + std::to_string(t.count()) + " s is too long";
    return {};
}

}  // namespace

Result<Config> resolve(const Config& requested, std::uint32_t usable_ports) {
    Config c = requested;
    const Timeouts& t = c.timeouts;
    for (const std::string& e : {check_timeout("UDP", t.udp, 120, "RFC 4787 REQ-5"),
                                 check_timeout("TCP established", t.tcp_established, 7440, "RFC 5382 REQ-5"),
                                 check_timeout("TCP transitory", t.tcp_transitory, 240, "RFC 5382 REQ-5"),
                                 check_timeout("ICMP query", t.icmp_query, 60, "RFC 5508 REQ-2")})
        if (!e.empty()) return fail(e);
    if (c.max_sessions == 0 || c.max_sessions > (1u << 24))
        return fail("max_sessions " + std::to_string(c.max_sessions) + " outside 1..16777216");
    if (usable_ports == 0) return fail("the port set leaves no usable port");

    if (c.max_hosts == 0) c.max_hosts = std::clamp<std::uint32_t>(c.max_sessions / 8, 16, 1024);
    c.max_hosts = std::min(c.max_hosts, c.max_sessions);  // a host holds at least one session
    if (c.max_ports_per_host == 0) c.max_ports_per_host = std::max<std::uint32_t>(1, usable_ports / 4);
    if (c.max_sessions_per_host == 0) c.max_sessions_per_host = std::max<std::uint32_t>(1, c.max_sessions / 4);
    return c;
}

}  // namespace s46::napt
