# arm64 (ARMv8-A), Debian 12's g++-aarch64-linux-gnu. Serves Cortex-A53/A55/A73 CPE SoCs:
# MediaTek Filogic (MT7981/MT7986/MT7988), Broadcom BCM4908/BCM6756/BCM6858. CPU-generic code
# (-march=armv8-a, Debian's default): one binary for all of them.
#   scripts/cross aarch64       (docs/cross-builds.md), or by hand:
#   cmake -S . -B build-cross/aarch64 -DCMAKE_TOOLCHAIN_FILE=cmake/toolchains/aarch64.cmake -DS46_SYSROOT=DIR
# Also used by the kernel tests' arm64 guest (tests/kernel/run-cross builds only the netlink
# probe with S46_SYSROOT = scripts/qemu/setup's arm64 userland, which has libmnl).
set(S46_CROSS_TRIPLET aarch64-linux-gnu)
set(S46_CROSS_PROCESSOR aarch64)
set(S46_CROSS_QEMU qemu-aarch64-static)
include(${CMAKE_CURRENT_LIST_DIR}/linux-cross.cmake)
