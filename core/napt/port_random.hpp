// The random source for port selection (RFC 6056 §3.3.1, "simple port randomization":
// a random start in the set, then the next free port). SplitMix64: small, fast and good
// enough to make external ports unpredictable to someone who does not know the seed,
// which the daemon takes from the platform's random source. Not a CSPRNG; docs/napt.md.
#pragma once

#include <cstdint>

namespace s46::napt {

class PortRandom {
public:
    explicit PortRandom(std::uint64_t seed) : state_(seed) {}

    std::uint64_t next64() {
        std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ull);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
        return z ^ (z >> 31);
    }
    std::uint32_t next32() { return static_cast<std::uint32_t>(next64() >> 32); }

private:
    std::uint64_t state_;
};

// A value in [0, n) from 32 random bits without division (Lemire's multiply-shift).
constexpr std::uint32_t scale_to(std::uint32_t random, std::uint32_t n) {
    return static_cast<std::uint32_t>((std::uint64_t{random} * n) >> 32);
}

}  // namespace s46::napt
