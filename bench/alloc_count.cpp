// Global operator new/delete that count allocations, for benchmarks that must show a packet path
// allocates nothing. In a file of its own: inlined into the benchmark's translation unit, GCC 12
// warns (-Wmismatched-new-delete) about its own replacement pair.
#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <new>

namespace s46::bench {
std::atomic<std::uint64_t> allocations{0};
}  // namespace s46::bench

void* operator new(std::size_t n) {
    s46::bench::allocations.fetch_add(1, std::memory_order_relaxed);
    if (void* p = std::malloc(n ? n : 1)) return p;
    throw std::bad_alloc();
}
void* operator new[](std::size_t n) { return operator new(n); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
