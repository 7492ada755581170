# Shared by the per-architecture toolchain files in this directory (scripts/cross,
# docs/cross-builds.md). Before including it, a file sets S46_CROSS_TRIPLET (the Debian
# multiarch triplet, which is also the compiler prefix), S46_CROSS_PROCESSOR and S46_CROSS_QEMU
# (the qemu-user binary that runs the target's programs).
#
# S46_SYSROOT: the target's libraries and headers beyond the cross toolchain's (Kea, SQLite,
# libmnl, ...), Debian packages of that architecture unpacked with dpkg -x (scripts/cross, and
# scripts/qemu/setup --arch arm64 for the kernel tests' probe). Empty for a pure build
# (S46_PURE_ONLY), which needs nothing beyond the toolchain. The C and C++ runtimes and the
# kernel's uapi headers come with the toolchain, under /usr/<triplet>.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR ${S46_CROSS_PROCESSOR})
set(CMAKE_C_COMPILER ${S46_CROSS_TRIPLET}-gcc)
set(CMAKE_CXX_COMPILER ${S46_CROSS_TRIPLET}-g++)
set(CMAKE_LIBRARY_ARCHITECTURE ${S46_CROSS_TRIPLET})
set(S46_SYSROOT "" CACHE PATH "Target libraries and headers beyond the cross toolchain's (unpacked Debian packages)")
# try_compile projects read this file again: they must see the same sysroot, or their pass
# through it would point pkg-config's environment elsewhere for the rest of the configure.
list(APPEND CMAKE_TRY_COMPILE_PLATFORM_VARIABLES S46_SYSROOT)
set(CMAKE_FIND_ROOT_PATH /usr/${S46_CROSS_TRIPLET} ${S46_SYSROOT})

# Programs (the build's own tools) come from the host; libraries only from the target roots,
# never the host's x86-64 ones. Headers: the target roots first, then the host's /usr/include,
# which the cross compiler searches anyway and which holds the architecture-independent,
# header-only dependencies (Asio, Boost, nlohmann/json, Catch2).
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE BOTH)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
# The header-only packages' CMake configs are the host's: they carry no machine code. (Catch2's
# config also names an x86-64 libCatch2WithMain.a; the project links its own tests/catch_main.cpp.)
set(nlohmann_json_DIR /usr/share/cmake/nlohmann_json CACHE PATH "header-only, architecture-independent")
set(Catch2_DIR /usr/lib/cmake/Catch2 CACHE PATH "header-only, architecture-independent")

if(S46_SYSROOT)
  # pkg-config reads the target's .pc files only, and prefixes their paths with the sysroot.
  set(ENV{PKG_CONFIG_LIBDIR} "${S46_SYSROOT}/usr/lib/${S46_CROSS_TRIPLET}/pkgconfig:${S46_SYSROOT}/usr/share/pkgconfig")
  set(ENV{PKG_CONFIG_SYSROOT_DIR} "${S46_SYSROOT}")
  # Shared libraries' own DT_NEEDED (libkea-asiolink -> libssl, libkea-log -> log4cplus) are
  # looked up here at link time.
  string(APPEND CMAKE_EXE_LINKER_FLAGS_INIT
         " -Wl,-rpath-link,${S46_SYSROOT}/usr/lib/${S46_CROSS_TRIPLET}:${S46_SYSROOT}/lib/${S46_CROSS_TRIPLET}")
  set(S46_CROSS_QEMU_ROOT ${S46_SYSROOT})
else()
  set(S46_CROSS_QEMU_ROOT /usr/${S46_CROSS_TRIPLET})
endif()
# ctest runs the target's test programs under qemu-user (binfmt_misc need not be registered).
# -L: where the target's dynamic loader and libraries are (the sysroot holds libc6 and the C++
# runtime of that architecture too, so it is a complete root).
find_program(S46_CROSS_QEMU_PATH ${S46_CROSS_QEMU})
if(S46_CROSS_QEMU_PATH)
  set(CMAKE_CROSSCOMPILING_EMULATOR ${S46_CROSS_QEMU_PATH} -L ${S46_CROSS_QEMU_ROOT})
endif()
