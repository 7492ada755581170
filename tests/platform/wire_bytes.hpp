// The golden-bytes check of the netlink message builders' tests: a built message must equal, byte
// for byte, what the reference tool (iproute2) sent for the same request; on a mismatch both are
// shown in hex, 16 octets a line, so that the differing field can be found by offset.
#pragma once

#include <catch2/catch.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace wire_bytes {

inline std::string hex(const std::vector<std::uint8_t>& b) {
    static const char* d = "0123456789abcdef";
    std::string s;
    for (std::size_t i = 0; i < b.size(); ++i) {
        if (i && i % 16 == 0) s += '\n';
        s += d[b[i] >> 4];
        s += d[b[i] & 15];
        s += ' ';
    }
    return s;
}

inline void check_same(const std::vector<std::uint8_t>& built, const std::vector<std::uint8_t>& reference) {
    INFO("built:\n" << hex(built) << "\nreference:\n" << hex(reference));
    CHECK(built == reference);
}

}  // namespace wire_bytes
