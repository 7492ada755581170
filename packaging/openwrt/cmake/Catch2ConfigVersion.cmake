# Pairs with Catch2Config.cmake: answers find_package(Catch2 2) for the OpenWrt package build.
set(PACKAGE_VERSION 2.13.10)
set(PACKAGE_VERSION_COMPATIBLE TRUE)
if(PACKAGE_FIND_VERSION_MAJOR EQUAL 2)
  set(PACKAGE_VERSION_EXACT FALSE)
else()
  set(PACKAGE_VERSION_COMPATIBLE FALSE)
endif()
