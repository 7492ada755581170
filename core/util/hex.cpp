#include "core/util/hex.hpp"

namespace s46::util {

Result<std::vector<std::uint8_t>> parse_hex(std::string_view text) {
    std::vector<std::uint8_t> out;
    int high = -1;
    for (std::size_t i = 0; i < text.size(); ++i) {
        char c = text[i];
        if (c == ':' || c == ' ' || c == '\t' || c == '\n') {
            if (high >= 0) return fail("invalid hex: separator inside a byte at offset " + std::to_string(i));
            continue;
        }
        int v = hex_digit_value(c);
        if (v < 0) return fail("invalid hex: '" + std::string(1, c) + "' at offset " + std::to_string(i) + " is not a hex digit");
        if (high < 0) {
            high = v;
        } else {
            out.push_back(static_cast<std::uint8_t>((high << 4) | v));
            high = -1;
        }
    }
    if (high >= 0) return fail("invalid hex: odd number of hex digits");
    return out;
}

std::string to_hex(std::span<const std::uint8_t> bytes) {
    static const char* digits = "0123456789abcdef";
    std::string s;
    s.reserve(bytes.size() * 2);
    for (auto b : bytes) {
        s += digits[b >> 4];
        s += digits[b & 15];
    }
    return s;
}

}  // namespace s46::util
