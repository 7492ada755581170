// The data path's clock: a monotonic time since an arbitrary epoch, passed in by the caller on
// every call (core/ never reads a clock). Nanoseconds so that benchmarks and the platform's
// steady_clock convert without loss; tests write `Time{std::chrono::seconds(5)}`.
#pragma once

#include <chrono>

namespace s46::dataplane {

using Time = std::chrono::nanoseconds;

}  // namespace s46::dataplane
