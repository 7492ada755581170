// s46ctl: the operator's command-line tool. This file only dispatches; each subcommand lives in
// its own file and registers a row in kCommands.
#include <cstring>
#include <iostream>
#include <string>
#include <vector>

#include "platform/s46ctl/command.hpp"
#include "platform/s46ctl/config_cmd.hpp"
#include "platform/s46ctl/map_calc.hpp"
#include "platform/s46ctl/select_cmd.hpp"
#include "platform/s46ctl/daemon_cmds.hpp"
#include "platform/version/version.hpp"

namespace {

using s46::ctl::Command;

const Command kCommands[] = {
    {"map-calc", "MAP-E / lw4o6 arithmetic: BMR, IPv4, PSID, port set, MAP address, next hop", s46::ctl::kMapCalcUsage,
     s46::ctl::map_calc_main},
    {"select", "offline mode selection for a DHCPv6 Reply's options (RFC 8026, the option matrix)", s46::ctl::kSelectUsage,
     s46::ctl::select_main},
    {"status", "the running s46d's mode, plan, lease and counters", s46::ctl::kStatusUsage, s46::ctl::status_main},
    {"renew", "make s46d start a DHCPv6 Renew now", s46::ctl::kRenewUsage, s46::ctl::renew_main},
    {"provision", "feed s46d an external DHCPv6 client's Reply (hex or odhcp6c environment)", s46::ctl::kProvisionUsage,
     s46::ctl::provision_main},
    {"events", "the journal (mode transitions, lease and tunnel events) and the binding log", s46::ctl::kEventsUsage,
     s46::ctl::events_main},
    {"journal", "another name for events", s46::ctl::kJournalUsage, s46::ctl::journal_main},
    {"mode", "pin s46d to a mode, or back to auto: mode set auto|dslite|lw4o6|mape", s46::ctl::kModeUsage, s46::ctl::mode_main},
    {"reload", "make s46d re-read its configuration", s46::ctl::kReloadUsage, s46::ctl::reload_main},
    {"config", "translate OpenWrt's UCI /etc/config/s46d into s46d's JSON configuration: config from-uci FILE",
     s46::ctl::kConfigUsage, s46::ctl::config_main},
    {"portmap", "the active IPv4 port set as ranges, NAPT sessions in use, static port forwards (add/del/list)", s46::ctl::kPortmapUsage, s46::ctl::portmap_main},
};

void print_usage(std::ostream& out) {
    out << "usage: s46ctl [--control-socket PATH] <command> [arguments]   (s46ctl <command> --help for its arguments)\n"
           "       s46ctl --help | --version\n\ncommands:\n";
    for (const auto& c : kCommands) out << "  " << c.name << std::string(12 - std::min<std::size_t>(11, std::strlen(c.name)), ' ') << c.summary << '\n';
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2) {
        print_usage(std::cerr);
        return s46::ctl::kExitUsage;
    }
    // Global options come before the subcommand.
    int first = 1;
    while (first < argc && std::strcmp(argv[first], "--control-socket") == 0) {
        if (first + 1 >= argc) {
            std::cerr << "s46ctl: --control-socket needs a value\n";
            return s46::ctl::kExitUsage;
        }
        s46::ctl::control_socket_path() = argv[first + 1];
        first += 2;
    }
    if (first >= argc) {
        print_usage(std::cerr);
        return s46::ctl::kExitUsage;
    }
    const std::string name = argv[first];
    if (name == "--help" || name == "-h" || name == "help") {
        print_usage(std::cout);
        return 0;
    }
    if (name == "--version") {
        std::cout << s46::version_line("s46ctl");
        return 0;
    }
    for (const auto& c : kCommands) {
        if (name != c.name) continue;
        std::vector<std::string> args(argv + first + 1, argv + argc);
        for (const auto& a : args) {
            if (a == "--help" || a == "-h") {
                std::cout << c.usage;
                return 0;
            }
        }
        return c.main(args);
    }
    std::cerr << "s46ctl: unknown command '" << name << "' (s46ctl --help lists them)\n";
    return s46::ctl::kExitUsage;
}
