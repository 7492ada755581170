#include <catch2/catch.hpp>

#include "core/util/hex.hpp"

using s46::util::parse_hex;
using s46::util::to_hex;

TEST_CASE("hex round trip and separators", "[util]") {
    auto b = parse_hex("00:40 00Ff");
    REQUIRE(b.ok());
    CHECK(*b == std::vector<std::uint8_t>{0x00, 0x40, 0x00, 0xff});
    CHECK(to_hex(*b) == "004000ff");
    CHECK(parse_hex("")->empty());
}

TEST_CASE("bad hex is rejected with the reason", "[util]") {
    CHECK(parse_hex("abc").error() == "invalid hex: odd number of hex digits");
    CHECK(parse_hex("0g").error() == "invalid hex: 'g' at offset 1 is not a hex digit");
    CHECK(parse_hex("0:0").error() == "invalid hex: separator inside a byte at offset 1");
}
