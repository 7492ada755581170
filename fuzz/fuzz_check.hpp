// Invariant checks for fuzz targets. A plain abort() rather than assert(): it must
// fire in release builds and in the corpus driver, and libFuzzer treats the abort as
// a crash, saving the input.
#pragma once

#include <cstdio>
#include <cstdlib>

#define S46_FUZZ_CHECK(cond)                                                                        \
    do {                                                                                            \
        if (!(cond)) {                                                                              \
            std::fprintf(stderr, "%s:%d: fuzz invariant failed: %s\n", __FILE__, __LINE__, #cond); \
            std::abort();                                                                           \
        }                                                                                           \
    } while (0)
