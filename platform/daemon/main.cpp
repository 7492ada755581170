// s46d: the unified softwire CPE daemon (DS-Lite B4, lw4o6 lwB4, MAP-E CE).
#include <iostream>

#include "platform/daemon/daemon.hpp"

int main(int argc, char** argv) {
    const std::vector<std::string> args(argv + 1, argv + argc);
    auto options = s46::daemon::parse_daemon_options(args);
    if (!options) {
        std::cerr << "s46d: " << options.error() << '\n';
        return 2;
    }
    if (options->help) {
        std::cout << s46::daemon::kDaemonUsage;
        return 0;
    }
    s46::daemon::Daemon daemon(std::move(*options), args);
    if (auto started = daemon.start(); !started) {
        std::cerr << "s46d: " << started.error() << '\n';
        return 1;
    }
    return daemon.run();
}
