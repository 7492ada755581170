// s46d: the unified softwire CPE daemon (DS-Lite B4, lw4o6 lwB4, MAP-E CE).
#include <csignal>
#include <iostream>

#include "platform/daemon/daemon.hpp"
#include "platform/time/clock.hpp"
#include "platform/version/version.hpp"

int main(int argc, char** argv) {
    // A log pipe whose reader went away (procd, runit, `s46d 2>&1 | logger`) must not kill s46d
    // without a Release: the write fails instead.
    std::signal(SIGPIPE, SIG_IGN);
    const std::vector<std::string> args(argv + 1, argv + argc);
    auto options = s46::daemon::parse_daemon_options(args);
    if (!options) {
        std::cerr << "s46d: " << options.error() << '\n';
        return 2;
    }
    if (options->check_config) {
        std::cout << options->config_file << ": ok\n";
        return 0;
    }
    if (options->version) {
        std::cout << s46::version_line("s46d");
        return 0;
    }
    if (options->help) {
        std::cout << s46::daemon::kDaemonUsage;
        return 0;
    }
    // The log as configured; Daemon::log still writes to stderr until it moves to s46::log.
    s46::log::init({options->log_level, options->log_target, *s46::log::parse_facility(options->log_facility), {}},
                   s46::time::boot_now_ms);
    s46::daemon::Daemon daemon(std::move(*options), args);
    if (auto started = daemon.start(); !started) {
        std::cerr << "s46d: " << started.error() << '\n';
        return 1;
    }
    return daemon.run();
}
