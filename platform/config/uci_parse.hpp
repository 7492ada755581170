// OpenWrt's UCI file format (what /etc/config/<package> holds), read into sections:
//
//   package 's46d'                      (optional, ignored)
//   config <type> ['<name>']            starts a section
//   option <name> '<value>'             one value
//   list <name> '<value>'               appends to a list
//   # comment                           where a word could start; blank lines are fine
//
// Words are unquoted (a backslash escapes the next character), in single quotes (taken
// literally) or in double quotes (backslash escapes); adjacent pieces join into one word
// ('a'"b"c is abc), as libuci does. A quote left open at the end of a line is refused rather
// than continued on the next one. Pure: text in, sections or an error naming the line out.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace s46::config {

struct UciOption {
    std::string name;
    std::vector<std::string> values;  // one for `option`; one or more for `list`
    bool is_list = false;
    std::size_t line = 0;             // 1-based, where the option (or the list's first item) stands
};

struct UciSection {
    std::string type;
    std::string name;  // empty for an anonymous section
    std::size_t line = 0;
    std::vector<UciOption> options;  // in file order; a name at most once (lists merged)
};

// Errors: "line N: <what>". An option written twice in one section, a `list` after an `option`
// of the same name (or the reverse), and an option before any `config` are refused: libuci
// would silently keep the last, which hides an editing mistake.
Result<std::vector<UciSection>> parse_uci(std::string_view text);

}  // namespace s46::config
