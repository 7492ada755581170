// Every s46d setting once: its key in s46d.conf, the flag that overrides it, the JSON types the
// file may use for it, and the one function that range-checks and stores a value. The flag parser
// (daemon_options.cpp) and the file parser (config_file.cpp) both call that function, so a bound
// or an enum is written down once and the two can never disagree.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace s46::daemon {
struct DaemonOptions;
}

namespace s46::config {

// JSON types a key accepts (a mask). The value reaches Setting::apply as text: strings as they
// are, numbers in decimal, booleans as true/false, null as "off", a list of strings comma-joined.
inline constexpr unsigned kString = 1;
inline constexpr unsigned kInteger = 2;
inline constexpr unsigned kReal = 4;
inline constexpr unsigned kBool = 8;
inline constexpr unsigned kNull = 16;
inline constexpr unsigned kStringList = 32;

struct Setting {
    std::string_view path;  // "tunnel.hop_limit": group and key in s46d.conf
    std::string_view flag;  // "--hop-limit" when the flag takes the value; empty if none does
    unsigned types;         // a mask of the k* JSON types above
    // Checks and stores `value`. The error says what is wrong with the value ("300 is outside
    // 0..255"); the caller prefixes the flag or the file and key.
    Result<void> (*apply)(daemon::DaemonOptions& o, std::string_view value);
};

// A flag without a value that stores a fixed value into a setting ("--no-mss-clamp" is
// dataplane.mss_clamp = false).
struct Switch {
    std::string_view flag;
    std::string_view path;
    std::string_view value;
};

std::span<const Setting> settings();
std::span<const Switch> switches();
const Setting* find_setting(std::string_view path);
const Setting* find_flag(std::string_view flag);
const Switch* find_switch(std::string_view flag);

// "a number", "a string or null", ... for type errors.
std::string describe_types(unsigned types);

}  // namespace s46::config
