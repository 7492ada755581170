# Cross-compiles for arm64 Debian 12 with Debian's g++-aarch64-linux-gnu. Used for the kernel tests'
# arm64 guest (tests/kernel/cross, docs/kernel-tests.md), which builds only the netlink probe and
# what it links; the whole project would also need Kea, Asio, c-ares and sqlite for arm64.
#   cmake -S tests/kernel/cross -B build-aarch64 -DCMAKE_TOOLCHAIN_FILE=cmake/toolchain-aarch64.cmake \
#         -DS46_AARCH64_SYSROOT=build/qemu-cache/arm64/sysroot
# S46_AARCH64_SYSROOT: arm64 libraries the cross toolchain lacks (libmnl), unpacked from Debian's
# arm64 packages by scripts/qemu/setup --arch arm64. The C and C++ runtimes and the kernel's uapi
# headers come with the toolchain, under /usr/aarch64-linux-gnu.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(CMAKE_C_COMPILER aarch64-linux-gnu-gcc)
set(CMAKE_CXX_COMPILER aarch64-linux-gnu-g++)
set(S46_AARCH64_SYSROOT "" CACHE PATH "arm64 libraries and headers beyond the cross toolchain's")
set(CMAKE_FIND_ROOT_PATH /usr/aarch64-linux-gnu ${S46_AARCH64_SYSROOT})
# Programs (the build's own tools) come from the host; libraries, headers and packages only from
# the arm64 roots, never the host's x86-64 ones.
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
