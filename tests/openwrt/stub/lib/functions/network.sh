# A stand-in for OpenWrt's /lib/functions/network.sh: the WAN6 interface is $STUB_WAN6 and
# interface wan6's device is $STUB_WAN6_DEVICE (empty: not up yet).
# shellcheck shell=sh
network_find_wan6() { eval "$1=\${STUB_WAN6-}"; }
network_get_device() { eval "$1=\${STUB_WAN6_DEVICE-}"; }
