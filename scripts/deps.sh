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

# What the integration suites run: the real DHCPv6 server (and kea-dhcp4 behind it for
# DHCPv4-over-DHCPv6) and DNS server, namespaces, captures.
S46_TEST_DEPS=(kea-dhcp6-server kea-dhcp4-server dnsmasq-base iproute2 python3 tshark faketime conntrack)

# The style checks (docs/style.md): scripts/lint's naming check, and clang-format for changed lines.
S46_LINT_DEPS=(clang-tidy clang-format)

# What the OpenWrt packaging tests need (packaging/openwrt, tests/openwrt, tests/packaging):
# shellcheck, OpenWrt's shell (busybox-static, which the kernel tests use too; it conflicts with
# the busybox package), python3 for the .ipk reader, and qemu-user for running a cross-built s46d.
S46_OPENWRT_DEPS=(shellcheck busybox-static python3 qemu-user-static)

# What scripts/lab and the e2e conformance cases add: the scapy test peers, nft and ethtool in the namespaces.
S46_LAB_DEPS=(python3-scapy nftables ethtool iputils-ping kea-dhcp6-server kea-dhcp4-server dnsmasq-base iproute2)

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

# Cross builds (scripts/cross, docs/cross-builds.md). The toolchains and qemu-user come from
# Debian's amd64 packages; big-endian mips has a toolchain but no Debian 12 port.
S46_CROSS_TOOLCHAIN_DEPS=(qemu-user-static)
declare -A S46_CROSS_TOOLCHAIN=([aarch64]=g++-aarch64-linux-gnu [armhf]=g++-arm-linux-gnueabihf
                                [mipsel]=g++-mipsel-linux-gnu [mips]=g++-mips-linux-gnu)
declare -A S46_CROSS_DEBIAN_ARCH=([aarch64]=arm64 [armhf]=armhf [mipsel]=mipsel)
# What the platform layer links, for the target: the -dev packages and the DT_NEEDED closure of
# s46d's libraries on Debian 12 (kea-common holds libkea-*; libkea-asiolink needs OpenSSL,
# libkea-log log4cplus), plus the C and C++ runtimes and the loader for qemu-user and the guest
# (libatomic: OpenSSL's libcrypto needs it on mipsel, which lacks 64-bit atomic instructions).
# They are unpacked into a sysroot (s46_unpack_sysroot), not installed: kea-dev is not
# Multi-Arch: same, so installing kea-dev:arm64 would remove the host's kea-dev, kea-common and
# kea-dhcp6-server.
S46_CROSS_SYSROOT_PKGS=(kea-dev kea-common liblog4cplus-2.0.5 libssl3 libsqlite3-dev libsqlite3-0 libmnl-dev libmnl0
                        libnftnl-dev libnftnl11 libcap-ng-dev libcap-ng0 libc-ares-dev libc-ares2
                        libc6 libstdc++6 libgcc-s1 libatomic1)

# s46_unpack_sysroot DEBIAN_ARCH DIR PACKAGE...: downloads PACKAGE:DEBIAN_ARCH and unpacks them with
# dpkg -x into DIR, once per set of versions (DIR.packages records them). Adds the architecture to
# dpkg (root) when it is not there yet. Absolute symlinks inside DIR become relative, so DIR works
# as qemu-user's -L root and as a sysroot. Returns 2, with the packages Debian 12 lacks for that
# architecture in S46_SYSROOT_MISSING, when not all of them exist.
s46_unpack_sysroot() {
    local arch=$1 dir=$2 apt=(apt-get -o DPkg::Lock::Timeout=600 -qq) tmp deb link target wanted p
    shift 2
    local pkgs=("${@/%/:$arch}")
    S46_SYSROOT_MISSING=()
    if ! dpkg --print-foreign-architectures | grep -qx "$arch"; then
        [ "$(id -u)" = 0 ] || { echo "cross: needs 'dpkg --add-architecture $arch' (run as root)" >&2; return 1; }
        dpkg --add-architecture "$arch"
        "${apt[@]}" update
    fi
    # One apt-cache call (each costs seconds): "<package> <version>" of those that exist.
    wanted=$(apt-cache show --no-all-versions "${pkgs[@]}" 2>/dev/null | awk '/^Package:/ { p = $2 } /^Version:/ { print p, $2 }')
    for p in "$@"; do
        grep -q "^$p " <<<"$wanted" || S46_SYSROOT_MISSING+=("$p:$arch")
    done
    ((${#S46_SYSROOT_MISSING[@]} == 0)) || return 2
    if [ -d "$dir" ] && [ "$(cat "$dir.packages" 2>/dev/null)" = "$wanted" ]; then
        return 0
    fi
    echo "cross: unpacking ${#pkgs[@]} $arch packages into $dir"
    rm -rf "$dir" "$dir.packages"
    mkdir -p "$(dirname "$dir")"
    tmp=$(mktemp -d "$(dirname "$dir")/download.XXXXXX")
    chmod 0777 "$tmp"   # apt downloads as the _apt user
    (cd "$tmp" && "${apt[@]}" download "${pkgs[@]}") || { rm -rf "$tmp"; return 1; }
    mkdir -p "$dir"
    for deb in "$tmp"/*.deb; do dpkg -x "$deb" "$dir"; done
    rm -rf "$tmp"
    find "$dir" -type l -lname '/*' | while read -r link; do
        target=$(readlink "$link")
        ln -sfn "$(realpath -m --relative-to="$(dirname "$link")" "$dir$target")" "$link"
    done
    echo "$wanted" > "$dir.packages"
}
