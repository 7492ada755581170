// The option framer (dhcp/option_framer.hpp) in both wire formats: DHCPv6 (RFC 8415 §21.1) and
// DHCPv4 (RFC 2132 §2, Pad and End §3.1/§3.2), including every way a run can be truncated.
#include <catch2/catch.hpp>

#include <vector>

#include "dhcp/option_framer.hpp"
#include "dhcp_test_util.hpp"

using namespace s46::dhcp;
using s46::dhcp::test::Bytes;
using s46::dhcp::test::from_hex;
using Kind = OptionFrame::Kind;

namespace {

template <OptionFormat F>
std::vector<OptionFrame> walk_all(const Bytes& b) {
    std::vector<OptionFrame> out;
    for (OptionWalker<F> w(b); !w.done();) out.push_back(w.next());
    return out;
}

}  // namespace

TEST_CASE("dhcpv6 framer: options in order, value spans, empty value") {
    const Bytes b = from_hex("0017 0002 abcd  000e 0000  0040 0001 07");
    auto f = walk_all<OptionFormat::dhcpv6>(b);
    REQUIRE(f.size() == 3);
    CHECK(f[0].kind == Kind::ok);
    CHECK(f[0].code == 23);
    CHECK(f[0].len == 2);
    CHECK(Bytes(f[0].value.begin(), f[0].value.end()) == from_hex("abcd"));
    CHECK(f[0].header_size == 4);
    CHECK((f[1].code == 14 && f[1].len == 0 && f[1].value.empty()));
    CHECK((f[2].code == 64 && f[2].value.size() == 1 && f[2].value[0] == 7));
}

TEST_CASE("dhcpv6 framer: offset names where the next option starts") {
    const Bytes b = from_hex("0001 0001 ff  0002 0000");
    Dhcpv6OptionWalker w(b);
    CHECK(w.offset() == 0);
    w.next();
    CHECK(w.offset() == 5);
    w.next();
    CHECK(w.done());
}

TEST_CASE("dhcpv6 framer: a short header with and without the code") {
    const Bytes b_one = from_hex("0001 0000  00");
    auto one = walk_all<OptionFormat::dhcpv6>(b_one);
    REQUIRE(one.size() == 2);
    CHECK(one[1].kind == Kind::short_header);
    CHECK_FALSE(one[1].code_known);
    CHECK(one[1].have == 1);

    const Bytes b_three = from_hex("005e 00");
    auto three = walk_all<OptionFormat::dhcpv6>(b_three);
    REQUIRE(three.size() == 1);
    CHECK(three[0].kind == Kind::short_header);
    CHECK(three[0].code_known);
    CHECK(three[0].code == 94);
    CHECK(three[0].have == 3);
}

TEST_CASE("dhcpv6 framer: option-len past the buffer stops the walk") {
    const Bytes b_f = from_hex("0059 0009 0102 0304  0017 0000");
    auto f = walk_all<OptionFormat::dhcpv6>(b_f);
    REQUIRE(f.size() == 1);
    CHECK(f[0].kind == Kind::overrun);
    CHECK(f[0].code == 89);
    CHECK(f[0].len == 9);
    CHECK(f[0].have == 8);
}

TEST_CASE("dhcpv6 framer: an empty buffer has no frames") {
    CHECK(walk_all<OptionFormat::dhcpv6>(Bytes{}).empty());
}

TEST_CASE("dhcpv4 framer: 1-octet code and length, Pad skipped, End stops") {
    // Pad, Subnet Mask (1, len 4), Pad Pad, Router (3, len 4), End, then octets that are not options.
    const Bytes b = from_hex("00 01 04 ffffff00 00 00 03 04 c0000201 ff 3303 aabbcc");
    auto f = walk_all<OptionFormat::dhcpv4>(b);
    REQUIRE(f.size() == 3);
    CHECK((f[0].kind == Kind::ok && f[0].code == 1 && f[0].len == 4 && f[0].header_size == 2));
    CHECK(Bytes(f[0].value.begin(), f[0].value.end()) == from_hex("ffffff00"));
    CHECK((f[1].kind == Kind::ok && f[1].code == 3));
    CHECK(Bytes(f[1].value.begin(), f[1].value.end()) == from_hex("c0000201"));
    CHECK(f[2].kind == Kind::end);
    CHECK(f[2].code_known);
    CHECK(f[2].code == 255);
}

TEST_CASE("dhcpv4 framer: a code 255 byte inside a value is not End") {
    const Bytes b_f = from_hex("0c 02 ff00 ff");
    auto f = walk_all<OptionFormat::dhcpv4>(b_f);
    REQUIRE(f.size() == 2);
    CHECK((f[0].code == 12 && f[0].len == 2 && f[0].value[0] == 0xff));
    CHECK(f[1].kind == Kind::end);
}

TEST_CASE("dhcpv4 framer: only Pad left ends the walk without an End option") {
    const Bytes b_f = from_hex("35 01 05 00 00");
    auto f = walk_all<OptionFormat::dhcpv4>(b_f);
    REQUIRE(f.size() == 2);
    CHECK((f[0].code == 53 && f[0].value[0] == 5));
    CHECK(f[1].kind == Kind::end);
    CHECK_FALSE(f[1].code_known);
}

TEST_CASE("dhcpv4 framer: truncation names what is missing") {
    const Bytes b_code_only = from_hex("35");
    auto code_only = walk_all<OptionFormat::dhcpv4>(b_code_only);
    REQUIRE(code_only.size() == 1);
    CHECK(code_only[0].kind == Kind::short_header);
    CHECK(code_only[0].code_known);
    CHECK(code_only[0].code == 53);
    CHECK(code_only[0].have == 1);

    const Bytes b_overrun = from_hex("01 04 ffff");
    auto overrun = walk_all<OptionFormat::dhcpv4>(b_overrun);
    REQUIRE(overrun.size() == 1);
    CHECK(overrun[0].kind == Kind::overrun);
    CHECK(overrun[0].len == 4);
    CHECK(overrun[0].have == 2);
}
