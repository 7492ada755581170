#!/usr/bin/env bash
# ctest package_deb_arm64: the arm64 .deb from the aarch64 cross build (scripts/cross aarch64,
# which scripts/test runs before ctest; exit 77, skipped, without it). Checks what a cross .deb
# can get wrong that the amd64 one cannot: the architecture in its control file and of every ELF
# inside, its Depends (taken from the native build, packaging/deb/build says why) equal to the
# amd64 package's, lintian clean for arm64, and s46d --version of the packaged binary under
# qemu-user. Installing and running it as a service is package_deb's job on amd64.
#   tests/packaging/deb_cross_test.sh NATIVE_BUILD_DIR
# shellcheck disable=SC2016  # check evaluates its single-quoted condition, where it expands
set -euo pipefail
src=$(cd "$(dirname "$0")/../.." && pwd)
native=$(cd "$1" && pwd)
cross=$src/build-cross/aarch64
sysroot=$src/build-cross/sysroot/arm64
[ -x "$cross/platform/s46d" ] || { echo "SKIP: no aarch64 cross build in $cross: run scripts/cross aarch64 first"; exit 77; }
command -v qemu-aarch64-static >/dev/null || { echo "SKIP: qemu-user-static is not installed (scripts/cross installs it)"; exit 77; }
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
failures=0
check() { if eval "$2"; then echo "ok   $1"; else echo "FAIL $1"; failures=$((failures + 1)); fi; }

(cd "$src" && S46_NATIVE_BUILD=$native packaging/deb/build --arch arm64 --no-build --out "$t/arm64") >"$t/arm64.log" 2>&1 ||
    { cat "$t/arm64.log"; echo "FAIL packaging/deb/build --arch arm64"; exit 1; }
(cd "$src" && packaging/deb/build --no-build --build-dir "$native" --out "$t/amd64") >"$t/amd64.log" 2>&1 ||
    { cat "$t/amd64.log"; echo "FAIL packaging/deb/build (amd64)"; exit 1; }
arm=$(ls "$t"/arm64/*.deb) amd=$(ls "$t"/amd64/*.deb)

check "Architecture: arm64" '[ "$(dpkg-deb -f "$arm" Architecture)" = arm64 ]'
check "the same Depends as the amd64 package ($(dpkg-deb -f "$amd" Depends))" \
    '[ "$(dpkg-deb -f "$arm" Depends)" = "$(dpkg-deb -f "$amd" Depends)" ]'
dpkg-deb -x "$arm" "$t/root"
for f in usr/sbin/s46d usr/bin/s46ctl; do
    check "/$f is an AArch64 ELF" 'readelf -h "$t/root/$f" | grep -q "Machine: *AArch64"'
    check "/$f is stripped" '! readelf -S "$t/root/$f" | grep -q "\.symtab"'
done
lintian_out=$(lintian --allow-root -I -E --pedantic "$arm" 2>&1 || true)
check "lintian has nothing to say: ${lintian_out:-nothing}" '[ -z "$lintian_out" ]'
# The target's libraries (Kea, glibc, ...) as scripts/cross unpacked them, loader included.
version=$(timeout 120 qemu-aarch64-static -L "$sysroot" "$t/root/usr/sbin/s46d" --version 2>&1 || true)
check "packaged s46d --version under qemu-user: $version" '[ "${version%% *}" = s46d ]'
exit $((failures > 0))
