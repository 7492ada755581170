# A stand-in for OpenWrt's include/cmake.mk: where the CMake build directory is.
CMAKE_BINARY_DIR:=$(PKG_BUILD_DIR)
