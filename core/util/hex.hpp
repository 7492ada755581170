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

}  // namespace s46::util
