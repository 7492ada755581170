#!/usr/bin/env bash
# A cross .deb from a scripts/cross build (exit 77, skipped, without it): ctest package_deb_arm64
# (arm64, the default; scripts/test runs scripts/cross aarch64 before ctest) and
# `scripts/cross --packages` for armhf and mipsel. Checks what a cross .deb can get wrong that
# the amd64 one cannot: the architecture in its control file and of every ELF inside (machine,
# class, byte order and the ABI flags a CPU of that architecture needs), its Depends (taken from
# the native build, packaging/deb/build says why) equal to the amd64 package's, lintian clean
# for that architecture, and s46d --version of the packaged binary under qemu-user. Installing
# and running it as a service is package_deb's job on amd64.
#   tests/packaging/deb_cross_test.sh NATIVE_BUILD_DIR [arm64|armhf|mipsel]
# S46_KEEP_PACKAGES=DIR: copy the checked .deb there (scripts/cross reports its size).
# shellcheck disable=SC2016,SC2034  # check evaluates its single-quoted condition, where it expands
set -euo pipefail
src=$(cd "$(dirname "$0")/../.." && pwd)
native=$(cd "$1" && pwd)
arch=${2:-arm64}
# Per Debian architecture: the scripts/cross build, qemu-user, and what `readelf -h` must say
# (a 32-bit ARM build for soft float, or a MIPS one for n32 or 64-bit, is another Debian arch).
case $arch in
    arm64) cross=aarch64 qemu=qemu-aarch64-static machine=AArch64 class=ELF64 flags='' ;;
    armhf) cross=armhf qemu=qemu-arm-static machine=ARM class=ELF32 flags='Version5 EABI, hard-float ABI' ;;
    mipsel) cross=mipsel qemu=qemu-mipsel-static machine='MIPS R3000' class=ELF32 flags='o32' ;;
    *) echo "deb_cross_test.sh: architecture '$arch' is not arm64, armhf or mipsel" >&2; exit 2 ;;
esac
cross=$src/build-cross/$cross
sysroot=$src/build-cross/sysroot/$arch
[ -x "$cross/platform/s46d" ] || { echo "SKIP: no $arch cross build in $cross: run scripts/cross ${cross##*/} first"; exit 77; }
command -v "$qemu" >/dev/null || { echo "SKIP: $qemu is not installed (scripts/cross installs qemu-user-static)"; exit 77; }
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
failures=0
check() { if eval "$2"; then echo "ok   $1"; else echo "FAIL $1"; failures=$((failures + 1)); fi; }

(cd "$src" && S46_NATIVE_BUILD=$native packaging/deb/build --arch "$arch" --no-build --out "$t/$arch") >"$t/$arch.log" 2>&1 ||
    { cat "$t/$arch.log"; echo "FAIL packaging/deb/build --arch $arch"; exit 1; }
(cd "$src" && packaging/deb/build --no-build --build-dir "$native" --out "$t/amd64") >"$t/amd64.log" 2>&1 ||
    { cat "$t/amd64.log"; echo "FAIL packaging/deb/build (amd64)"; exit 1; }
deb=$(ls "$t/$arch"/*.deb) amd=$(ls "$t"/amd64/*.deb)

check "Architecture: $arch" '[ "$(dpkg-deb -f "$deb" Architecture)" = "$arch" ]'
check "the same Depends as the amd64 package ($(dpkg-deb -f "$amd" Depends))" \
    '[ "$(dpkg-deb -f "$deb" Depends)" = "$(dpkg-deb -f "$amd" Depends)" ]'
dpkg-deb -x "$deb" "$t/root"
for f in usr/sbin/s46d usr/bin/s46ctl; do
    header=$(readelf -h "$t/root/$f")
    check "/$f is a $machine $class little-endian ELF${flags:+ ($flags)}" \
        'grep -q "Machine: *$machine\$" <<<"$header" && grep -q "Class: *$class\$" <<<"$header" &&
         grep -q "Data: *2.s complement, little endian" <<<"$header" && grep -q "Flags: .*$flags" <<<"$header"'
    check "/$f is stripped" '! readelf -S "$t/root/$f" | grep -q "\.symtab"'
done
lintian_out=$(lintian --allow-root -I -E --pedantic "$deb" 2>&1 || true)
check "lintian has nothing to say: ${lintian_out:-nothing}" '[ -z "$lintian_out" ]'
# The target's libraries (Kea, glibc, ...) as scripts/cross unpacked them, loader included.
version=$(timeout 120 "$qemu" -L "$sysroot" "$t/root/usr/sbin/s46d" --version 2>&1 || true)
check "packaged s46d --version under $qemu: $version" '[ "${version%% *}" = s46d ]'
if [ -n "${S46_KEEP_PACKAGES:-}" ]; then
    mkdir -p "$S46_KEEP_PACKAGES" && cp "$deb" "$S46_KEEP_PACKAGES/"
fi
exit $((failures > 0))
