// RobinHoodTable against std::unordered_map on random insert/erase/find sequences, with
// the reported moves checked against where entries really are (the NAPT's reverse index
// depends on them), at loads up to the table's limit and with wrap-around.
#include <catch2/catch.hpp>

#include <random>
#include <unordered_map>

#include "core/napt/robin_hood.hpp"

using s46::napt::mix64;
using s46::napt::RobinHoodTable;

namespace {

struct E {
    std::uint32_t key = 0;
    std::uint32_t value = 0;
    std::uint8_t dist = 0;
};

std::uint64_t h(std::uint32_t key) { return mix64(key ^ 0x1234567ull); }

}  // namespace

TEST_CASE("RobinHoodTable: random operations agree with unordered_map", "[napt][robin_hood]") {
    for (std::uint32_t slots : {2u, 3u, 17u, 101u, 1250u}) {
        INFO("slots " << slots);
        RobinHoodTable<E> t(slots);
        std::unordered_map<std::uint32_t, std::uint32_t> ref;       // key -> value
        std::unordered_map<std::uint32_t, std::uint32_t> where;     // key -> position, from insert + moves
        std::mt19937 rng(slots);
        auto on_move = [&](const E& e, std::uint32_t pos) { where[e.key] = pos; };
        const std::uint32_t keys = slots * 2;
        for (int step = 0; step < 20000; ++step) {
            const std::uint32_t k = rng() % keys;
            auto eq = [&](const E& e) { return e.key == k; };
            const std::uint32_t pos = t.find(h(k), eq);
            REQUIRE((pos != t.npos) == (ref.count(k) == 1));
            if (pos != t.npos) {
                REQUIRE(t.at(pos).value == ref[k]);
                REQUIRE(where[k] == pos);
            }
            const bool insert = rng() % 2 == 0;
            if (insert && pos == t.npos && t.size() + 1 < t.slots()) {
                E e;
                e.key = k;
                e.value = rng();
                const std::uint32_t at = t.insert(e, h(k), on_move);
                REQUIRE(at != t.npos);
                where[k] = at;
                ref[k] = e.value;
            } else if (!insert && pos != t.npos) {
                t.erase(pos, on_move);
                ref.erase(k);
                where.erase(k);
            }
            REQUIRE(t.size() == ref.size());
        }
        // Every entry sits where the moves said, and the Robin Hood distances are right.
        std::size_t n = 0;
        for (std::uint32_t i = 0; i < t.slots(); ++i) {
            const E& e = t.at(i);
            if (e.dist == 0) continue;
            ++n;
            CHECK(where[e.key] == i);
            const std::uint32_t home = t.home(h(e.key));
            CHECK((i + t.slots() - home) % t.slots() + 1 == e.dist);
        }
        CHECK(n == ref.size());
    }
}

TEST_CASE("RobinHoodTable: probes stay short at 80 % load", "[napt][robin_hood]") {
    const std::uint32_t entries = 80000;
    RobinHoodTable<E> t(entries * 5 / 4 + 1);
    for (std::uint32_t k = 0; k < entries; ++k) {
        E e;
        e.key = k;
        REQUIRE(t.insert(e, h(k), [](const E&, std::uint32_t) {}) != t.npos);
    }
    std::uint64_t total = 0;
    unsigned longest = 0;
    for (std::uint32_t i = 0; i < t.slots(); ++i) {
        total += t.at(i).dist;
        longest = std::max<unsigned>(longest, t.at(i).dist);
    }
    const double mean = static_cast<double>(total) / entries;
    INFO("mean probe " << mean << ", longest " << longest);
    CHECK(mean < 3.5);
    CHECK(longest < 64);
}
