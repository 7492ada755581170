// The root-only platform tests run in a network namespace of their own: whatever links,
// addresses and rulesets they create never touch the host's, and all of it goes when the test
// process exits, on every exit path. Without root (or without the namespace) they are skipped,
// not failed: ctest maps the exit status kSkip to SKIP (SKIP_RETURN_CODE in platform/CMakeLists.txt).
#pragma once

#include <sched.h>
#include <unistd.h>

#include <cstdio>

namespace private_netns {

inline constexpr int kSkip = 77;

// True once this process is in a fresh network namespace; false (and the reason on stdout) when
// the test must be skipped.
inline bool enter() {
    if (::geteuid() != 0) {
        std::puts("SKIP: needs root (a private network namespace)");
        return false;
    }
    if (::unshare(CLONE_NEWNET) != 0) {
        std::perror("SKIP: unshare(CLONE_NEWNET)");
        return false;
    }
    return true;
}

}  // namespace private_netns
