# 32-bit big-endian MIPS, g++-mips-linux-gnu (mips32r2, hard float): older Broadcom MIPS CPE
# SoCs (BMIPS4350/BMIPS5000, BCM63xx). Debian 12 has the toolchain but no mips port, so no Kea,
# SQLite or libmnl for it: only the pure core and modes build here (S46_PURE_ONLY), and their
# unit tests run under qemu-mips to catch byte-order bugs in packet code.
set(S46_CROSS_TRIPLET mips-linux-gnu)
set(S46_CROSS_PROCESSOR mips)
set(S46_CROSS_QEMU qemu-mips-static)
include(${CMAKE_CURRENT_LIST_DIR}/linux-cross.cmake)
