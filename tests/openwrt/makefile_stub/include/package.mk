# A stand-in for OpenWrt's include/package.mk: the variables and functions the package Makefile
# uses, doing nothing, so that its own variables and defines can be read with `make -p`.
PKG_BUILD_DIR:=$(BUILD_DIR)/$(PKG_NAME)-$(PKG_VERSION)
define BuildPackage
endef
define Download
endef
