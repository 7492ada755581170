// TCP timeout classes from the flags seen (RFC 5382 REQ-2/REQ-5, RFC 7857 §2).
#include <catch2/catch.hpp>

#include <initializer_list>
#include <utility>

#include "core/napt/tcp_tracking.hpp"

namespace tt = s46::napt::tcp_track;
namespace f = s46::net::tcp_flag;

namespace {

// Segments as (outbound?, flags); returns the final state.
std::uint8_t run(std::initializer_list<std::pair<bool, std::uint8_t>> segments) {
    std::uint8_t s = 0;
    for (auto [outbound, flags] : segments) s = tt::update(s, flags, outbound);
    return s;
}

constexpr bool kOut = true, kIn = false;

}  // namespace

TEST_CASE("tcp_track: opening is transitory, a completed handshake is established", "[napt][tcp]") {
    CHECK_FALSE(tt::established(run({{kOut, f::syn}})));
    CHECK_FALSE(tt::established(run({{kOut, f::syn}, {kIn, f::ack}})));
    CHECK(tt::established(run({{kOut, f::syn}, {kIn, f::syn | f::ack}})));
    CHECK(tt::established(run({{kOut, f::syn}, {kIn, f::syn | f::ack}, {kOut, f::ack}})));
}

TEST_CASE("tcp_track: simultaneous open and connections opened from outside", "[napt][tcp]") {
    CHECK(tt::established(run({{kOut, f::syn}, {kIn, f::syn}})));
    CHECK(tt::established(run({{kIn, f::syn}, {kOut, f::syn}})));
    // Endpoint-independent filtering lets the SYN in without state; the SYN+ACK going out
    // proves it and establishes.
    CHECK(tt::established(run({{kOut, f::syn | f::ack}})));
}

TEST_CASE("tcp_track: closing and reset are transitory", "[napt][tcp][rfc7857]") {
    CHECK(tt::established(run({{kOut, f::syn}, {kIn, f::syn | f::ack}, {kOut, f::fin | f::ack}})));  // half-closed
    CHECK_FALSE(tt::established(run({{kOut, f::syn}, {kIn, f::syn | f::ack}, {kOut, f::fin | f::ack}, {kIn, f::fin | f::ack}})));
    CHECK_FALSE(tt::established(run({{kOut, f::syn}, {kIn, f::syn | f::ack}, {kIn, f::rst}})));
    CHECK_FALSE(tt::established(run({{kOut, f::syn}, {kIn, f::syn | f::ack}, {kOut, f::rst | f::ack}})));
}

TEST_CASE("tcp_track: mid-stream pickup is established once both sides speak", "[napt][tcp]") {
    CHECK_FALSE(tt::established(run({{kOut, f::ack}})));
    CHECK(tt::established(run({{kOut, f::ack}, {kIn, f::ack}})));
}

TEST_CASE("tcp_track: a bare SYN after a close starts over (RFC 1122 §4.2.2.13)", "[napt][tcp]") {
    const std::uint8_t closed = run({{kOut, f::syn}, {kIn, f::syn | f::ack}, {kOut, f::fin}, {kIn, f::fin}});
    CHECK_FALSE(tt::established(closed));
    std::uint8_t s = tt::update(closed, f::syn, true);
    CHECK(s == (tt::kSynOut | tt::kSeenOut));
    s = tt::update(s, f::syn | f::ack, false);
    CHECK(tt::established(s));
}
