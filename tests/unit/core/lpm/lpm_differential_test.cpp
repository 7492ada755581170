// LpmTable against the reference matchers on random tables of 0..100 k prefixes, probing random
// addresses, addresses inside the routes, and both edges of every prefix with their neighbours.
#include <catch2/catch.hpp>

#include <random>
#include <string>
#include <vector>

#include "core/lpm/lpm_builder.hpp"
#include "tests/support/lpm/random_routes.hpp"
#include "tests/support/lpm/reference_lpm.hpp"

using namespace s46::lpm;
using namespace s46::lpm::testing;

namespace {

std::string hex(std::uint32_t a) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "%08x", a);
    return buf;
}

std::vector<std::uint32_t> probe_keys(const std::vector<Route>& routes, std::mt19937_64& rng, std::size_t random_count) {
    std::vector<std::uint32_t> keys = {0u, 1u, 0x7fffffffu, 0x80000000u, 0xfffffffeu, 0xffffffffu};
    for (const Route& r : routes) {
        const std::uint32_t first = r.prefix.address.value, last = first | ~r.prefix.mask();
        for (std::uint32_t k : {first - 1, first, first + 1, last - 1, last, last + 1}) keys.push_back(k);
    }
    for (std::size_t i = 0; i < random_count; ++i) keys.push_back(static_cast<std::uint32_t>(rng()));
    for (std::size_t i = 0; i < random_count && !routes.empty(); ++i) keys.push_back(random_hit_key(routes, rng));
    return keys;
}

template <class Reference>
std::vector<NextHopId> expected(const Reference& reference, const std::vector<std::uint32_t>& keys) {
    std::vector<NextHopId> out;
    out.reserve(keys.size());
    for (std::uint32_t k : keys) out.push_back(reference.lookup(k));
    return out;
}

// Checks one table, single and batched; reports the first mismatch only.
void check_table(const LpmTable& t, const std::vector<std::uint32_t>& keys, const std::vector<NextHopId>& want) {
    std::vector<NextHopId> batch(keys.size());
    t.lookup_batch(keys, batch);
    std::size_t bad = 0;
    for (std::size_t i = 0; i < keys.size(); ++i) {
        if (t.lookup(keys[i]) != want[i] || batch[i] != want[i]) {
            if (bad++ == 0) {
                INFO("key " << hex(keys[i]) << " D=" << t.direct_bits());
                CHECK(t.lookup(keys[i]) == want[i]);
                CHECK(batch[i] == want[i]);
            }
        }
    }
    CHECK(bad == 0);
}

struct Case {
    std::size_t size;
    double nest;
    NextHopId hops;
};

}  // namespace

TEST_CASE("The exact-match reference agrees with the linear scan", "[lpm][differential]") {
    std::mt19937_64 rng(11);
    for (std::size_t size : {0u, 1u, 3u, 40u, 700u}) {
        const auto routes = random_routes(size, rng, 8, 0.4);
        LinearLpm linear;
        ExactMatchLpm exact;
        for (const Route& r : routes) {
            linear.insert(r.prefix, r.next_hop);
            exact.insert(r.prefix, r.next_hop);
        }
        for (std::uint32_t k : probe_keys(routes, rng, 2000)) REQUIRE(exact.lookup(k) == linear.lookup(k));
    }
}

TEST_CASE("LpmTable matches the linear scan on small random tables at every D", "[lpm][differential]") {
    std::mt19937_64 rng(1);
    for (int round = 0; round < 300; ++round) {
        const std::size_t size = static_cast<std::size_t>(rng() % (round < 200 ? 20 : 400));
        const auto routes = random_routes(size, rng, 1 + static_cast<NextHopId>(rng() % 6), (rng() % 3) * 0.3);
        LpmBuilder b;
        LinearLpm linear;
        for (const Route& r : routes) {
            b.insert(r.prefix, r.next_hop);
            linear.insert(r.prefix, r.next_hop);
        }
        const auto keys = probe_keys(routes, rng, 200);
        const unsigned d = round % 3 == 0 ? LpmBuilder::kAutoDirectBits : 1 + static_cast<unsigned>(rng() % 20);
        INFO("round " << round << " size " << size);
        check_table(b.build(d), keys, expected(linear, keys));
    }
}

TEST_CASE("LpmTable matches the reference on large random tables", "[lpm][differential]") {
    std::mt19937_64 rng(2);
    for (Case c : {Case{1000, 0.0, 1000}, Case{1000, 0.5, 4}, Case{10000, 0.0, 10000}, Case{10000, 0.3, 16},
                   Case{30000, 0.1, 2}, Case{100000, 0.0, 100000}, Case{100000, 0.2, 64}}) {
        const auto routes = random_routes(c.size, rng, c.hops, c.nest);
        LpmBuilder b;
        ExactMatchLpm exact;
        for (const Route& r : routes) {
            b.insert(r.prefix, r.next_hop);
            exact.insert(r.prefix, r.next_hop);
        }
        INFO("size " << c.size << " nest " << c.nest << " hops " << c.hops);
        const auto keys = probe_keys(routes, rng, 100000);
        const auto want = expected(exact, keys);
        check_table(b.build(), keys, want);
        check_table(b.build(12), keys, want);  // wide ranges
        check_table(b.build(16), keys, want);  // narrow ranges when the ids allow

        // The linear scan itself on a sample, so the big tables are tied to the definition too.
        const LinearLpm linear(b.routes());
        const LpmTable t = b.build();
        std::size_t bad = 0;
        for (std::size_t i = 0; i < keys.size(); i += keys.size() / 300 + 1) bad += t.lookup(keys[i]) != linear.lookup(keys[i]);
        CHECK(bad == 0);
    }
}

TEST_CASE("LpmTable follows removals and replacements", "[lpm][differential]") {
    std::mt19937_64 rng(3);
    for (std::size_t size : {50u, 5000u, 50000u}) {
        const auto routes = random_routes(size, rng, 32, 0.3);
        LpmBuilder b;
        ExactMatchLpm exact;
        for (const Route& r : routes) {
            b.insert(r.prefix, r.next_hop);
            exact.insert(r.prefix, r.next_hop);
        }
        for (const Route& r : routes) {
            switch (rng() % 3) {
            case 0:
                b.remove(r.prefix);
                exact.remove(r.prefix);
                break;
            case 1: {
                const NextHopId hop = static_cast<NextHopId>(rng() % 32);
                b.insert(r.prefix, hop);
                exact.insert(r.prefix, hop);
                break;
            }
            default:
                break;
            }
        }
        INFO("size " << size);
        const auto keys = probe_keys(routes, rng, 20000);
        check_table(b.build(), keys, expected(exact, keys));
    }
}
