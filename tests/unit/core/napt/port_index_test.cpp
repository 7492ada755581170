// PortIndex (slot <-> port), checked exhaustively against an independent enumeration of
// the set (PortSet::for_each_port, which walks ranges) with the well-known-port rule
// applied naively.
#include <catch2/catch.hpp>

#include <vector>

#include "core/napt/port_index.hpp"
#include "core/napt/slot_bitmap.hpp"

using s46::map::PortSet;
using s46::napt::PortIndex;
using s46::napt::SlotBitmap;

namespace {

// The dynamic ports of a set, by the rule in port_index.hpp, written the slow way.
std::vector<std::uint16_t> reference_ports(const PortSet& set) {
    std::vector<std::uint16_t> all, high;
    set.for_each_port([&](std::uint16_t p) {
        all.push_back(p);
        if (p >= 1024) high.push_back(p);
    });
    if (!high.empty()) return high;
    std::vector<std::uint16_t> nonzero;
    for (auto p : all)
        if (p != 0) nonzero.push_back(p);
    return nonzero;
}

void check_exhaustively(const PortSet& set) {
    const PortIndex index(set);
    const auto expected = reference_ports(set);
    REQUIRE(index.size() == expected.size());
    for (std::uint32_t slot = 0; slot < index.size(); ++slot) {
        REQUIRE(index.port(slot) == expected[slot]);
        REQUIRE(set.contains(index.port(slot)));
    }
    std::vector<std::uint32_t> slot_of_port(65536, PortIndex::npos);
    for (std::uint32_t slot = 0; slot < expected.size(); ++slot) slot_of_port[expected[slot]] = slot;
    for (std::uint32_t port = 0; port < 65536; ++port)
        REQUIRE(index.slot_of(static_cast<std::uint16_t>(port)) == slot_of_port[port]);
}

}  // namespace

TEST_CASE("PortIndex: a full address uses 1024-65535", "[napt][port_index]") {
    const PortIndex index(PortSet::all());
    CHECK(index.size() == 64512);
    CHECK(index.skipped() == 1024);
    CHECK(index.port(0) == 1024);
    CHECK(index.port(64511) == 65535);
    CHECK(index.slot_of(80) == PortIndex::npos);
    CHECK(index.slot_of(1023) == PortIndex::npos);
    CHECK(index.slot_of(1024) == 0);
    check_exhaustively(PortSet::all());
}

TEST_CASE("PortIndex: MAP sets, every block, exhaustively", "[napt][port_index][rfc7597]") {
    struct Abc {
        unsigned a, k, psid;
    };
    for (Abc s : {Abc{6, 8, 0x34}, Abc{6, 8, 0}, Abc{6, 8, 255}, Abc{4, 4, 3}, Abc{0, 8, 0x34}, Abc{6, 6, 63},
                  Abc{1, 15, 7}, Abc{8, 4, 5}, Abc{10, 6, 1}, Abc{15, 1, 1}, Abc{0, 0, 0}, Abc{2, 14, 16383}}) {
        INFO("a=" << s.a << " k=" << s.k << " psid=" << s.psid);
        check_exhaustively(*PortSet::make(s.a, s.k, s.psid));
    }
    // a = 6, k = 8: 63 blocks of 4 ports, 252 in all, the first block at 1024.
    const PortIndex index(*PortSet::make(6, 8, 0x34));
    CHECK(index.size() == 252);
    CHECK(index.port(0) == 1024 + 0x34 * 4);
    CHECK(index.port(4) == 2048 + 0x34 * 4);
    CHECK(index.port(251) == 63 * 1024 + 0x34 * 4 + 3);
}

TEST_CASE("PortIndex: sets below 1024", "[napt][port_index]") {
    // a = 0, PSID 0 of 8 bits: ports 0-255, nothing else to use, so all but port 0.
    const PortIndex low(*PortSet::make(0, 8, 0));
    CHECK(low.size() == 255);
    CHECK(low.port(0) == 1);
    // a = 8: A = 0 is ports 0-255 (excluded by GMA), ports 256-1023 are skipped by the rule.
    const PortIndex a8(*PortSet::make(8, 4, 5));
    CHECK(a8.port(0) >= 1024);
    // A single port 0: no usable slot (Napt::create refuses it).
    CHECK(PortIndex(*PortSet::make(0, 16, 0)).size() == 0);
    CHECK(PortIndex(*PortSet::make(0, 16, 80)).size() == 1);
}

TEST_CASE("SlotBitmap::next_free matches a naive scan", "[napt][port_index]") {
    for (std::uint32_t size : {1u, 63u, 64u, 65u, 252u, 1000u}) {
        SlotBitmap b(size);
        std::vector<bool> taken(size, false);
        std::uint32_t x = 12345;
        for (int step = 0; step < 3000; ++step) {
            x = x * 1103515245u + 12345u;
            const std::uint32_t s = (x >> 8) % size;
            if ((x >> 4) & 1) {
                b.set(s);
                taken[s] = true;
            } else if ((x >> 5) & 1) {
                b.reset(s);
                taken[s] = false;
            }
            const std::uint32_t start = (x >> 12) % size;
            std::uint32_t expect = SlotBitmap::npos;
            for (std::uint32_t i = 0; i < size; ++i)
                if (!taken[(start + i) % size]) {
                    expect = (start + i) % size;
                    break;
                }
            REQUIRE(b.next_free(start) == expect);
        }
    }
}
