# For the OpenWrt package build only (Makefile: -DCatch2_DIR): OpenWrt has no Catch2, and the
# package builds s46d and s46ctl alone. This satisfies the test directories' find_package(Catch2)
# so the tree configures; a test target that used it would fail to compile, and none is built.
set(Catch2_FOUND TRUE)
set(Catch2_VERSION 2.13.10)
if(NOT TARGET Catch2::Catch2)
  add_library(Catch2::Catch2 INTERFACE IMPORTED)
endif()
