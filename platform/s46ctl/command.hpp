// What every s46ctl subcommand provides to the dispatcher in main.cpp. Adding a subcommand is a
// source file with a `*_main` and a usage text, plus one row in main.cpp's table.
#pragma once

#include <iostream>
#include <string>
#include <string_view>
#include <vector>

namespace s46::ctl {

// Exit status for arguments the subcommand cannot use (one line on stderr says why).
inline constexpr int kExitUsage = 2;

// Says why the arguments cannot be used, as "s46ctl COMMAND: MESSAGE" on stderr, and returns
// kExitUsage. Exactly one line, even if an argument echoed into the message held a newline.
inline int usage_error(std::string_view command, std::string message) {
    for (auto& c : message)
        if (c == '\n' || c == '\r') c = ' ';
    std::cerr << "s46ctl " << command << ": " << message << '\n';
    return kExitUsage;
}

struct Command {
    const char* name;     // as typed: "map-calc"
    const char* summary;  // one line for `s46ctl --help`
    const char* usage;    // the subcommand's own --help text
    int (*main)(const std::vector<std::string>& args);  // args after the subcommand name
};

}  // namespace s46::ctl
