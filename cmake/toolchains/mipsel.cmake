# 32-bit little-endian MIPS, g++-mipsel-linux-gnu: MediaTek MT7621 (MIPS 1004Kc). Debian's
# mipsel is mips32r2 with hard float (FPXX), which the 1004Kc runs; OpenWrt's ramips target
# builds for 24kc with soft float and musl instead, so these binaries run on a Debian-style
# userland, not inside OpenWrt (docs/cross-builds.md).
set(S46_CROSS_TRIPLET mipsel-linux-gnu)
set(S46_CROSS_PROCESSOR mipsel)
set(S46_CROSS_QEMU qemu-mipsel-static)
include(${CMAKE_CURRENT_LIST_DIR}/linux-cross.cmake)
