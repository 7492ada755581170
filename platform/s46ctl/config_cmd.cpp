#include "platform/s46ctl/config_cmd.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <sstream>

#include "platform/config/uci_config.hpp"
#include "platform/s46ctl/command.hpp"

namespace s46::ctl {

const char* const kConfigUsage =
    "usage: s46ctl config from-uci FILE [--output OUT]\n"
    "  Translates an OpenWrt UCI file (/etc/config/s46d) into s46d's JSON configuration and checks it\n"
    "  as s46d would. Prints the JSON, or writes OUT (replaced atomically); exit status 1 names the\n"
    "  line and option of the first error.\n";

namespace {

// OUT is replaced only by a complete file: s46d never reads half a configuration.
bool write_atomically(const std::string& path, const std::string& text) {
    const std::string tmp = path + ".tmp";
    {
        std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
        if (!out || !(out << text) || !out.flush()) {
            std::cerr << "s46ctl config: cannot write " << tmp << ": " << std::strerror(errno) << '\n';
            std::remove(tmp.c_str());
            return false;
        }
    }
    if (std::rename(tmp.c_str(), path.c_str()) != 0) {
        std::cerr << "s46ctl config: cannot rename " << tmp << " to " << path << ": " << std::strerror(errno) << '\n';
        std::remove(tmp.c_str());
        return false;
    }
    return true;
}

}  // namespace

int config_main(const std::vector<std::string>& args) {
    std::string file, output;
    if (args.empty() || args[0] != "from-uci") {
        std::cerr << kConfigUsage;
        return kExitUsage;
    }
    for (std::size_t i = 1; i < args.size(); ++i) {
        if (args[i] == "--output" || args[i] == "-o") {
            if (i + 1 >= args.size()) {
                std::cerr << "s46ctl config: " << args[i] << " needs a value\n";
                return kExitUsage;
            }
            output = args[++i];
        } else if (file.empty() && !args[i].empty() && args[i][0] != '-') {
            file = args[i];
        } else {
            std::cerr << "s46ctl config: unexpected argument '" << args[i] << "'\n" << kConfigUsage;
            return kExitUsage;
        }
    }
    if (file.empty()) {
        std::cerr << kConfigUsage;
        return kExitUsage;
    }
    std::ifstream in(file, std::ios::binary);
    if (!in) {
        std::cerr << "s46ctl config: " << file << ": cannot read: " << std::strerror(errno) << '\n';
        return 1;
    }
    std::ostringstream text;
    text << in.rdbuf();
    auto json = config::uci_to_json(text.str(), file);
    if (!json) {
        std::cerr << "s46ctl config: " << json.error() << '\n';
        return 1;
    }
    if (output.empty()) {
        std::cout << *json;
        return 0;
    }
    return write_atomically(output, *json) ? 0 : 1;
}

}  // namespace s46::ctl
