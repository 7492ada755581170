// dhcp/port_params.hpp: the one decoder of the offset / PSID-len / PSID layout that option 93
// (RFC 7598 §4.5) and option 159 (RFC 7618 §4) share. The codec's wording per container is
// covered in decode_test.cpp; here the layout and bounds themselves, under both callers' names.
#include <catch2/catch.hpp>

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "dhcp/port_params.hpp"

namespace {

using s46::dhcp::decode_port_params;
using s46::provision::PortParams;
using Bytes = std::vector<std::uint8_t>;

PortParams ok(Bytes v) { return std::get<PortParams>(decode_port_params(v, "option 159")); }
std::string bad(Bytes v, const char* name = "option 159") { return std::get<std::string>(decode_port_params(v, name)); }

}  // namespace

TEST_CASE("port set: the PSID is left-aligned on the wire, right-aligned in PortParams", "[dhcp][psid]") {
    CHECK(ok({0, 6, 0x14, 0x00}) == PortParams{0, 6, 5});
    CHECK(ok({6, 8, 0xab, 0x00}) == PortParams{6, 8, 0xab});
    CHECK(ok({0, 16, 0x12, 0x34}) == PortParams{0, 16, 0x1234});
    CHECK(ok({15, 0, 0xff, 0xff}) == PortParams{15, 0, 0});  // PSID-len 0: the field is padding
    CHECK(ok({15, 1, 0x80, 0x00}) == PortParams{15, 1, 1});  // offset + PSID-len = 16 is allowed
}

TEST_CASE("port set: every refusal names the option, the field and the bound", "[dhcp][psid]") {
    CHECK(bad({0, 6, 0x14}) == "option 159 option-len 3 != 4");
    CHECK(bad({0, 6, 0x14, 0, 0}) == "option 159 option-len 5 != 4");
    CHECK(bad({}) == "option 159 option-len 0 != 4");
    CHECK(bad({16, 0, 0, 0}) == "option 159 offset 16 > 15");
    CHECK(bad({0, 17, 0, 0}) == "option 159 psid-len 17 > 16");
    CHECK(bad({10, 7, 0, 0}) == "option 159 offset 10 + psid-len 7 > 16");
    CHECK(bad({0, 6, 0x14, 0x01}) == "option 159 PSID 0x1401 has bits set past psid-len 6");
    CHECK(bad({0, 17, 0, 0}, "OPTION_S46_CONT_LW/OPTION_S46_PORTPARAMS") ==
          "OPTION_S46_CONT_LW/OPTION_S46_PORTPARAMS psid-len 17 > 16");
}
