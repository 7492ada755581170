# A stand-in for OpenWrt's /lib/functions.sh: nothing the s46 scripts call from it is needed.
# shellcheck shell=sh
:
