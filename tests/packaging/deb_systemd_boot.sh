#!/bin/sh
# ctest package_deb_systemd, first stage: the guest's PID 1 from the initramfs (rdinit=), which
# turns the host's root into a root for systemd and hands over to it (docs/install.md "Under a
# running systemd"). The host's / is shared read-only over 9p (tag hostroot) and becomes the lower
# layer of an overlay whose upper layer is a tmpfs: the guest boots Debian 12 as it is installed
# here, with dpkg, systemd and s46d's Depends, and everything it writes stays in its own memory.
# The share of the test (tag results: the .deb, the scenario, the guest's report) is mounted on
# /s46-vmtest. Then the boot target: s46-vmtest.target runs s46-vmtest.service, which runs the
# scenario and powers off with VMTEST_RC on the console for scripts/qemu/run-vm.
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
die() { echo "VMTEST_FAIL stage 1: $*"; echo "VMTEST_RC=125"; poweroff -f; }

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
# Every module here, before systemd: the guest's root is the host's, whose /lib/modules has no
# tree for the guest's kernel, so nothing could be loaded on demand later.
while read -r ko; do
    insmod "$ko" || echo "VMTEST_WARN insmod $ko failed"
done < /etc/modules.order

mkdir -p /lower /layers /newroot
mount -t 9p -o trans=virtio,version=9p2000.L,ro,cache=loose,msize=512000 hostroot /lower ||
    die "cannot mount the host's root (9p tag hostroot)"
# QEMU exports it with readonly=on: a write must fail here, before anything else runs.
# (In a subshell: a failed redirection ends the shell that runs a special built-in.)
if (: > /lower/.s46-vmtest-write-probe) 2>/dev/null; then
    die "the host's root is writable from the guest"
fi
echo "VMTEST_NOTE hostroot read-only: a write was refused"
mount -t tmpfs -o mode=0755 layers /layers
mkdir /layers/upper /layers/work
mount -t overlay overlay -o lowerdir=/lower,upperdir=/layers/upper,workdir=/layers/work /newroot ||
    die "cannot mount the overlay of the host's root"
r=/newroot
[ -x "$r/lib/systemd/systemd" ] || die "the host's root has no /lib/systemd/systemd"

mkdir -p "$r/s46-vmtest"
mount -t 9p -o trans=virtio,version=9p2000.L results "$r/s46-vmtest" || die "cannot mount the test's share (9p tag results)"

# A /run and a /tmp of the guest's own: the host's hold its runtime state (a container's, whose
# /run/systemd would mislead systemd), and /tmp would be copied up file by file.
mount -t tmpfs -o mode=0755,nosuid,nodev run "$r/run"
mount -t tmpfs -o mode=1777,nosuid,nodev tmp "$r/tmp"
# The container marker of the host: with it, systemd believes it runs in docker and ignores the
# kernel command line (systemd.unit=). Removed in the overlay only (a whiteout in the upper layer).
rm -f "$r/.dockerenv"
# The container image's policy-rc.d (exit 101) makes deb-systemd-invoke and invoke-rc.d refuse
# every action; a Debian system has none, and the maintainer scripts must really act here.
rm -f "$r/usr/sbin/policy-rc.d"

# The boot target: nothing of multi-user.target (the host's enabled services, getty, cron), only
# basic.target (journald, tmpfiles, sockets) and the scenario.
u=$r/etc/systemd/system
cat > "$u/s46-vmtest.target" <<'UNIT'
[Unit]
Description=s46d package test (ctest package_deb_systemd)
Requires=basic.target s46-vmtest.service
After=basic.target s46-vmtest.service
AllowIsolate=yes
UNIT
cat > "$u/s46-vmtest.service" <<'UNIT'
[Unit]
Description=s46d package test scenario
After=basic.target

[Service]
Type=oneshot
ExecStart=/bin/sh -c '/bin/sh /s46-vmtest/scenario.sh 2>&1 | tee /s46-vmtest/output.log /dev/console; rc=$(cat /tmp/s46-vmtest.rc 2>/dev/null || echo 126); echo "VMTEST_RC=$rc uptime=$(cut -d" " -f1 /proc/uptime)" > /dev/console; sync; systemctl poweroff --force --force'
StandardOutput=null
UNIT
# Units of the container host that make no sense in this VM or wait for what is not there:
# consoles on absent ttys, time sync and the host's services (no network), hardware
# the VM lacks. Masked as an administrator would (a link to /dev/null).
for unit in getty.target serial-getty@ttyS0.service getty@tty1.service systemd-timesyncd.service \
            systemd-pstore.service remote-fs.target systemd-networkd.service networking.service \
            ssh.service cron.service apt-daily.timer apt-daily-upgrade.timer man-db.timer \
            dpkg-db-backup.timer e2scrub_all.timer fstrim.timer systemd-firstboot.service \
            systemd-machine-id-commit.service systemd-binfmt.service proc-sys-fs-binfmt_misc.automount \
            sys-kernel-debug.mount sys-kernel-tracing.mount sys-fs-fuse-connections.mount \
            dev-hugepages.mount dev-mqueue.mount systemd-random-seed.service \
            systemd-update-utmp.service; do
    ln -sf /dev/null "$u/$unit"
done
# What Debian's udev does for TUN (50-udev-default.rules: KERNEL=="tun", MODE="0666"): the host
# root has no udev, and the unit's DeviceAllow= lets its dynamic user open the device.
chmod 0666 /dev/net/tun 2>/dev/null || die "no /dev/net/tun (module tun)"

echo "VMTEST_NOTE switch_root to systemd uptime=$(cut -d' ' -f1 /proc/uptime)"
mount -o move /dev "$r/dev"
umount /sys /proc
exec busybox switch_root "$r" /lib/systemd/systemd
