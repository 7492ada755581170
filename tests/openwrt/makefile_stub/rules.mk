# A stand-in for an OpenWrt tree's rules.mk: just enough for `make -pn` to read
# packaging/openwrt/Makefile (tests/openwrt/makefile_test.py). Nothing is built.
INCLUDE_DIR:=$(TOPDIR)/include
DL_DIR:=$(TOPDIR)/dl
BUILD_DIR:=$(TOPDIR)/build_dir
.DEFAULT_GOAL:=stub-nothing
stub-nothing: ; @:
