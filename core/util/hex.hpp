// Hex text <-> bytes, for command lines, vectors and logs.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace s46::util {

// Accepts upper or lower case; ignores ':' and whitespace separators between byte pairs
// (tshark and Kea print both). Rejects odd digit counts and non-hex characters, naming them.
Result<std::vector<std::uint8_t>> parse_hex(std::string_view text);
std::string to_hex(std::span<const std::uint8_t> bytes);

// The value of one hex digit (either case), or -1 when `c` is not one.
constexpr int hex_digit_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

}  // namespace s46::util
