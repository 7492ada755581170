# 32-bit ARM, hard float (Debian armhf: ARMv7-A, Thumb-2, VFPv3-D16), g++-arm-linux-gnueabihf.
# Serves Cortex-A7/A9 CPE SoCs (older MediaTek MT7623, Broadcom BCM63138/BCM47189 class).
# Debian's default -march=armv7-a+fp runs on all of them; NEON is not assumed.
set(S46_CROSS_TRIPLET arm-linux-gnueabihf)
set(S46_CROSS_PROCESSOR arm)
set(S46_CROSS_QEMU qemu-arm-static)
include(${CMAKE_CURRENT_LIST_DIR}/linux-cross.cmake)
# GCC's notes that an argument's passing changed in GCC 7.1 concern linking with code built by
# GCC 6 or older, which nothing here is; they drown real warnings.
string(APPEND CMAKE_CXX_FLAGS_INIT " -Wno-psabi")
