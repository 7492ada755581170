// Fuzz target: the LPM table (core/lpm) against the linear-scan definition of longest match.
//
// Input: byte 0 picks D (0 = automatic, else 1..17: D = 18..20 only repeat D = 17's code path
// with a direct table big enough to slow the sanitised fuzzer tenfold); byte 1 bit 0 widens next-hop ids past
// the narrow format's limit. Then 6-byte records [op][address x4][hop]: the low 6 bits of op
// (mod 33) are the prefix length, the top 2 bits insert (0, 1), remove (2) or insert a
// kNoRoute "hole" (3). For the resulting table, every lookup of: both edges of every prefix
// ever named and their neighbours, each record's address, and the address-space ends, must
// equal LinearLpm, singly and batched; the builder must hold exactly the reference's routes.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "core/lpm/lpm_builder.hpp"
#include "fuzz/fuzz_check.hpp"
#include "tests/support/lpm/reference_lpm.hpp"

using namespace s46::lpm;
using s46::net::Ipv4Address;
using s46::net::Ipv4Prefix;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 2) return 0;
    const unsigned d = data[0] % 18;
    const bool wide_hops = data[1] & 1;
    constexpr std::size_t kMaxRecords = 256;  // keeps the quadratic reference quick

    LpmBuilder builder;
    testing::LinearLpm linear;
    std::vector<std::uint32_t> keys = {0u, 1u, 0x7fffffffu, 0x80000000u, 0xfffffffeu, 0xffffffffu};
    std::size_t records = 0;
    for (std::size_t i = 2; i + 6 <= size && records < kMaxRecords; i += 6, ++records) {
        const std::uint8_t op = data[i];
        const std::uint32_t address = (std::uint32_t{data[i + 1]} << 24) | (std::uint32_t{data[i + 2]} << 16) |
                                      (std::uint32_t{data[i + 3]} << 8) | data[i + 4];
        const Ipv4Prefix prefix(Ipv4Address(address), (op & 0x3fu) % 33);
        NextHopId hop = wide_hops ? data[i + 5] * 0x01010101u % 0xfffffff0u : data[i + 5];
        switch (op >> 6) {
        case 2: {
            bool present = false;
            for (const Route& r : linear.routes()) present |= r.prefix == prefix;
            S46_FUZZ_CHECK(builder.remove(prefix) == present);
            linear.remove(prefix);
            break;
        }
        case 3:
            hop = kNoRoute;
            [[fallthrough]];
        default:
            builder.insert(prefix, hop);
            linear.insert(prefix, hop);
        }
        const std::uint32_t first = prefix.address.value, last = first | ~prefix.mask();
        for (std::uint32_t k : {first - 1, first, first + 1, last - 1, last, last + 1, address}) keys.push_back(k);
    }

    S46_FUZZ_CHECK(builder.size() == linear.routes().size());
    for (const Route& r : linear.routes()) S46_FUZZ_CHECK(builder.find(r.prefix) == r.next_hop);

    const LpmTable table = builder.build(d);
    S46_FUZZ_CHECK(table.memory_bytes() > 0);
    std::vector<NextHopId> batch(keys.size());
    table.lookup_batch(keys, batch);
    for (std::size_t i = 0; i < keys.size(); ++i) {
        const NextHopId want = linear.lookup(keys[i]);
        S46_FUZZ_CHECK(table.lookup(keys[i]) == want);
        S46_FUZZ_CHECK(batch[i] == want);
    }
    return 0;
}
