// s46ctl: the operator's command-line tool. This file only dispatches; each subcommand lives in
// its own file and registers a row in kCommands.
#include <cstring>
#include <iostream>
#include <string>
#include <vector>

#include "platform/s46ctl/command.hpp"
#include "platform/s46ctl/map_calc.hpp"
#include "platform/s46ctl/select_cmd.hpp"

namespace {

using s46::ctl::Command;

const Command kCommands[] = {
    {"map-calc", "MAP-E / lw4o6 arithmetic: BMR, IPv4, PSID, port set, MAP address, next hop", s46::ctl::kMapCalcUsage,
     s46::ctl::map_calc_main},
    {"select", "offline mode selection for a DHCPv6 Reply's options (RFC 8026, the option matrix)", s46::ctl::kSelectUsage,
     s46::ctl::select_main},
};

void print_usage(std::ostream& out) {
    out << "usage: s46ctl <command> [arguments]   (s46ctl <command> --help for its arguments)\n\ncommands:\n";
    for (const auto& c : kCommands) out << "  " << c.name << std::string(12 - std::min<std::size_t>(11, std::strlen(c.name)), ' ') << c.summary << '\n';
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2) {
        print_usage(std::cerr);
        return s46::ctl::kExitUsage;
    }
    const std::string name = argv[1];
    if (name == "--help" || name == "-h" || name == "help") {
        print_usage(std::cout);
        return 0;
    }
    for (const auto& c : kCommands) {
        if (name != c.name) continue;
        std::vector<std::string> args(argv + 2, argv + argc);
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
