// What every s46ctl subcommand provides to the dispatcher in main.cpp. Adding a subcommand is a
// source file with a `*_main` and a usage text, plus one row in main.cpp's table.
#pragma once

#include <string>
#include <vector>

namespace s46::ctl {

// Exit status for arguments the subcommand cannot use (one line on stderr says why).
inline constexpr int kExitUsage = 2;

struct Command {
    const char* name;     // as typed: "map-calc"
    const char* summary;  // one line for `s46ctl --help`
    const char* usage;    // the subcommand's own --help text
    int (*main)(const std::vector<std::string>& args);  // args after the subcommand name
};

}  // namespace s46::ctl
