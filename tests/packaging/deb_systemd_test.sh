#!/usr/bin/env bash
# ctest package_deb_systemd: s46d's .deb under a running systemd. Boots Debian's amd64 kernel
# under QEMU (TCG, as the kernel tests do: docs/kernel-tests.md) with systemd as PID 1 on an
# overlay of this machine's root -- read-only over 9p, the writes on a tmpfs in the guest
# (tests/packaging/deb_systemd_boot.sh) -- and there installs the .deb built from BUILD_DIR's
# binaries, starts, reloads, kills, stops, rates and purges the service
# (tests/packaging/deb_systemd_scenario.sh; what it proves: docs/install.md).
#   tests/packaging/deb_systemd_test.sh BUILD_DIR QEMU_CACHE
# Exit status: the number of failed checks in the guest, 124/125 when the VM timed out or died
# without reporting, 77 (skipped) when QEMU or the guest kernel cannot be had, or without root
# (QEMU must read every file of / to export it).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
[ $# -eq 2 ] || { echo "usage: $0 BUILD_DIR QEMU_CACHE" >&2; exit 2; }
build_dir=$(cd "$1" && pwd) cache=$2

# The `systemd-analyze security` exposure of packaging/systemd/s46d.service under systemd 252
# (measured 2.4 "OK"); a change to the unit that raises it fails the test.
max_exposure=2.4

skip() { echo "package_deb_systemd: skipped: $*"; exit 77; }
[ "$(id -u)" = 0 ] || skip "needs root (QEMU exports the whole of / to the guest)"
for tool in qemu-system-x86_64 cpio depmod modprobe readelf; do
    command -v "$tool" >/dev/null || skip "$tool is not installed (as root: scripts/qemu/setup; scripts/test installs it too)"
done
[ -x /bin/busybox ] && ! readelf -lW /bin/busybox | grep -q INTERP ||
    skip "/bin/busybox is not Debian's static busybox (busybox-static)"
[ -d /run/systemd/system ] && echo "package_deb_systemd: note: this machine runs systemd itself; the guest still boots its own"
if ! compgen -G "$cache/amd64/kernel/boot/vmlinuz-*" >/dev/null; then
    echo "package_deb_systemd: no amd64 kernel in $cache yet, fetching it"
    "$src/scripts/qemu/setup" --arch amd64 --cache "$cache" || skip "could not fetch Debian's amd64 kernel (scripts/qemu/setup)"
fi
ktree=$cache/amd64/kernel
kernel=$(ls "$ktree"/boot/vmlinuz-*)
for f in /lib/systemd/systemd /usr/bin/dpkg /usr/bin/systemd-analyze; do
    [ -x "$f" ] || { echo "package_deb_systemd: this machine's root, the guest's, has no $f" >&2; exit 1; }
done

# The host must not have s46d before (the guest would see it) or after (nothing may leak back).
host_has_s46d() { dpkg-query -W s46d >/dev/null 2>&1 || [ -e /usr/sbin/s46d ] || [ -e /etc/s46d ]; }
if host_has_s46d; then echo "package_deb_systemd: s46d is installed on this machine: the test needs a root without it" >&2; exit 1; fi

work=$build_dir/tests/packaging/deb-systemd
rm -rf "$work"
mkdir -p "$work/share"
tmp=$(mktemp -d /tmp/s46d-deb-systemd.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
deb=$("$src/packaging/deb/build" --no-build --build-dir "$build_dir" --out "$tmp" | tail -n 1)
[ -f "$deb" ] || { echo "package_deb_systemd: packaging/deb/build made no .deb" >&2; exit 1; }
cp "$deb" "$work/share/s46d.deb"
{ echo "MAX_EXPOSURE=$max_exposure"; cat "$here/deb_systemd_scenario.sh"; } > "$work/share/scenario.sh"

# The modules the guest loads before systemd (its root has none for this kernel): the 9p share and
# the overlay for the root, veth for the WAN link, tun for the userspace data plane, autofs4 that
# systemd asks for, and nf_tables with the families s46d's feature probe looks at.
module_args=()
for m in 9p 9pnet_virtio virtio_pci overlay autofs4 veth tun nf_tables nft_chain_nat nft_nat nft_masq nft_ct; do
    module_args+=(--module "$m")
done
"$src/scripts/qemu/mkinitramfs" --out "$work/initramfs.cpio.gz" --kernel-tree "$ktree" "${module_args[@]}" \
    --busybox /bin/busybox --script "$here/deb_systemd_boot.sh" >/dev/null

# The host's / read-only (readonly=on: the guest's kernel refuses every write), multidevs=remap
# because / spans several file systems here (/work, /dev, ...).
probe=/.s46-vmtest-write-probe
rc=0
"$src/scripts/qemu/run-vm" --arch amd64 --kernel "$kernel" --initrd "$work/initramfs.cpio.gz" --memory 1024 \
    --timeout 300 --log "$work/console.log" --results "$work/share" \
    --append "rdinit=/test.sh systemd.unit=s46-vmtest.target systemd.show_status=error" \
    -- -virtfs local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap || rc=$?

grep -aq 'VMTEST_NOTE hostroot read-only' "$work/console.log" ||
    { echo "package_deb_systemd: FAIL the guest did not confirm that the host's root is read-only" >&2; [ "$rc" != 0 ] || rc=1; }
if [ -e "$probe" ] || host_has_s46d; then
    echo "package_deb_systemd: FAIL the guest's writes reached this machine's root" >&2; [ "$rc" != 0 ] || rc=1
fi
fails=$(grep -ac '^FAIL ' "$work/share/output.log" 2>/dev/null || true)
passes=$(grep -ac '^PASS ' "$work/share/output.log" 2>/dev/null || true)
echo "package_deb_systemd: ${passes:-0} PASS, ${fails:-0} FAIL; console in $work/console.log, guest output in $work/share/output.log"
exit "$rc"
