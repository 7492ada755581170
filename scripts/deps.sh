# Sourced by scripts/test and scripts/lab: install the Debian 12 packages that are missing.
# Idempotent: apt-get runs only when something is absent.
s46_install_deps() {
    local wanted=("$@") missing=()
    for p in "${wanted[@]}"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
    done
    ((${#missing[@]})) || return 0
    if [ "$(id -u)" != 0 ]; then
        echo "missing Debian packages: ${missing[*]} (run as root, or install them)" >&2
        return 1
    fi
    echo "installing: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    # Other jobs on a shared CI machine may hold the dpkg lock: wait for it rather than fail.
    local apt=(apt-get -o DPkg::Lock::Timeout=600)
    "${apt[@]}" install -y --no-install-recommends "${missing[@]}" >/dev/null ||
        { "${apt[@]}" update >/dev/null && "${apt[@]}" install -y --no-install-recommends "${missing[@]}" >/dev/null; }
}

S46_BUILD_DEPS=(build-essential cmake g++ pkg-config libmnl-dev libnftnl-dev libnetfilter-conntrack-dev libcap-ng-dev libc-ares-dev libasio-dev catch2 nlohmann-json3-dev libbenchmark-dev
                kea-dev libboost-dev clang-14 libfuzzer-14-dev libclang-rt-14-dev libsqlite3-dev sqlite3 tshark)

# What the integration suites run: the real DHCPv6 server and DNS server, namespaces, captures.
S46_TEST_DEPS=(kea-dhcp6-server dnsmasq-base iproute2 python3 tshark faketime conntrack)

# What the OpenWrt packaging tests need (packaging/openwrt, tests/openwrt, tests/packaging):
# shellcheck, OpenWrt's shell (busybox-static, which the kernel tests use too; it conflicts with
# the busybox package), python3 for the .ipk reader, and qemu-user for running a cross-built s46d.
S46_OPENWRT_DEPS=(shellcheck busybox-static python3 qemu-user-static)

# What scripts/lab and the e2e conformance cases add: the scapy test peers, nft and ethtool in the namespaces.
S46_LAB_DEPS=(python3-scapy nftables ethtool iputils-ping kea-dhcp6-server dnsmasq-base iproute2)

# What the .deb's build and test need (packaging/deb/build, tests/packaging): dpkg-shlibdeps and
# dpkg-gencontrol, readelf, lintian, systemd-analyze (which looks up the unit's man pages with man),
# strace (s46d's system calls against the unit's filter).
S46_PACKAGE_DEPS=(dpkg-dev binutils lintian systemd man-db strace)

# What the kernel tests (tests/kernel, docs/kernel-tests.md) need on the host: QEMU, the guest's
# static busybox, the initramfs tools (cpio; depmod/modprobe from kmod; readelf from binutils) and
# the guest userland copied from the host (iproute2, nftables, jq for reading `ip -j`).
S46_QEMU_DEPS=(qemu-system-x86 busybox-static cpio kmod binutils iproute2 nftables jq)
# scripts/qemu/setup --arch arm64 adds: the arm64 system emulator and the aarch64 cross compiler.
S46_QEMU_ARM64_DEPS=(qemu-system-arm g++-aarch64-linux-gnu)
