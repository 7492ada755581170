// IPv4 reassembly in front of NAPT (RFC 7597 §8.3.2): bounded memory, timeouts, and the
// fragment checks of RFC 791 and RFC 1858.
#include <algorithm>

#include "core/dataplane/reassembly.hpp"
#include "tests/unit/core/dataplane/dp_fixture.hpp"

using namespace s46;
using namespace s46::dataplane;
using namespace s46::dataplane::test;

namespace {

Ipv4Reassembler::Outcome add(Ipv4Reassembler& r, const Bytes& f, Time now = at_s(0)) {
    auto v = net::ConstIpv4View::parse(f);
    REQUIRE(v.ok());
    return r.add(*v, now);
}

Bytes big_udp(std::size_t payload = 1000, std::uint16_t id = 0x1c46) {
    Bytes p = udp_packet(lan_host, 4000, server, 53, payload);
    put16(p, 4, id);
    set_df(p, false);
    return p;
}

}  // namespace

TEST_CASE("reassembly: in order and out of order give back the original datagram", "[dataplane][reassembly]") {
    const Bytes whole = big_udp();
    auto frags = fragments(whole, 256);
    REQUIRE(frags.size() == 4);
    for (int order = 0; order < 2; ++order) {
        Ipv4Reassembler r;
        if (order == 1) std::reverse(frags.begin(), frags.end());
        for (std::size_t i = 0; i + 1 < frags.size(); ++i) CHECK(add(r, frags[i]).status == Ipv4Reassembler::Status::held);
        CHECK(r.pending_fragments() == 3);
        auto o = add(r, frags.back());
        REQUIRE(o.status == Ipv4Reassembler::Status::complete);
        CHECK(o.fragments_joined == 3);
        CHECK(bytes(o.datagram) == whole);
        CHECK(r.pending_fragments() == 0);
    }
}

TEST_CASE("reassembly: overlapping fragments discard the datagram (RFC 1858)", "[dataplane][reassembly]") {
    auto frags = fragments(big_udp(), 256);
    Ipv4Reassembler r;
    add(r, frags[0]);
    add(r, frags[1]);
    auto o = add(r, frags[1]);  // same range again
    CHECK(o.status == Ipv4Reassembler::Status::dropped);
    CHECK(o.reason == DropReason::reassembly_bad_fragment);
    CHECK(o.fragments_discarded == 2);
    CHECK(r.pending_fragments() == 0);
}

TEST_CASE("reassembly: a misaligned non-final fragment is refused before taking a slot (RFC 791)", "[dataplane][reassembly]") {
    auto frags = fragments(big_udp(), 256);
    Bytes odd = frags[0];
    odd.pop_back();
    put16(odd, 2, static_cast<std::uint16_t>(odd.size()));
    set_df(odd, false);  // recompute the checksum
    Ipv4Reassembler r;
    auto o = add(r, odd);
    CHECK(o.status == Ipv4Reassembler::Status::dropped);
    CHECK(o.reason == DropReason::reassembly_bad_fragment);
    CHECK(r.pending_fragments() == 0);
}

TEST_CASE("reassembly: two different ends discard the datagram", "[dataplane][reassembly]") {
    auto a = fragments(big_udp(1000), 256);
    auto b = fragments(big_udp(1200), 256);
    Ipv4Reassembler r;
    add(r, a[0]);
    add(r, a.back());
    auto o = add(r, b.back());
    CHECK(o.status == Ipv4Reassembler::Status::dropped);
    CHECK(o.fragments_discarded == 2);
}

TEST_CASE("reassembly: datagrams time out after the limit (RFC 791 §3.2)", "[dataplane][reassembly]") {
    auto frags = fragments(big_udp(), 256);
    Ipv4Reassembler r(ReassemblyLimits{8, 65535, std::chrono::seconds(15)});
    add(r, frags[0], at_s(100));
    add(r, frags[1], at_s(110));
    CHECK(r.expire(at_s(114)) == 0);
    CHECK(r.expire(at_s(115)) == 2);
    CHECK(r.pending_fragments() == 0);
}

TEST_CASE("reassembly: bounded slots; a new datagram's fragment is dropped when all are busy", "[dataplane][reassembly]") {
    Ipv4Reassembler r(ReassemblyLimits{2, 65535, std::chrono::seconds(15)});
    add(r, fragments(big_udp(1000, 1), 256)[0]);
    add(r, fragments(big_udp(1000, 2), 256)[0]);
    auto o = add(r, fragments(big_udp(1000, 3), 256)[0]);
    CHECK(o.status == Ipv4Reassembler::Status::dropped);
    CHECK(o.reason == DropReason::reassembly_overflow);
    CHECK(o.fragments_discarded == 0);
    // The datagrams in progress still complete.
    auto rest = fragments(big_udp(1000, 2), 256);
    for (std::size_t i = 1; i + 1 < rest.size(); ++i) add(r, rest[i]);
    CHECK(add(r, rest.back()).status == Ipv4Reassembler::Status::complete);
}

TEST_CASE("reassembly: larger than max_datagram_size is refused", "[dataplane][reassembly]") {
    Ipv4Reassembler r(ReassemblyLimits{2, 1000, std::chrono::seconds(15)});
    auto frags = fragments(big_udp(1200), 256);  // ends at 20 + 1208
    for (std::size_t i = 0; i < 3; ++i) CHECK(add(r, frags[i]).status == Ipv4Reassembler::Status::held);
    auto o = add(r, frags[3]);  // reaches 20 + 1024: past the limit, the whole datagram goes
    CHECK(o.status == Ipv4Reassembler::Status::dropped);
    CHECK(o.reason == DropReason::reassembly_bad_fragment);
    CHECK(o.fragments_discarded == 3);
    CHECK(r.pending_fragments() == 0);
}

TEST_CASE("reassembly: fragments of different datagrams do not mix", "[dataplane][reassembly]") {
    const Bytes x = big_udp(600, 10), y = big_udp(600, 11);
    auto fx = fragments(x, 256), fy = fragments(y, 256);
    Ipv4Reassembler r;
    add(r, fx[0]);
    add(r, fy[0]);
    add(r, fy[1]);
    add(r, fx[1]);
    auto oy = add(r, fy[2]);
    REQUIRE(oy.status == Ipv4Reassembler::Status::complete);
    CHECK(bytes(oy.datagram) == y);
    auto ox = add(r, fx[2]);
    REQUIRE(ox.status == Ipv4Reassembler::Status::complete);
    CHECK(bytes(ox.datagram) == x);
}
