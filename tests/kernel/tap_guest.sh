#!/bin/sh
# Runs inside the QEMU guest for tests/kernel/tap-ping: the guest as the CPE under test, its
# virtio NIC (eth0) joined by a tap device to a network namespace on the host. Brings eth0 up with
# 2001:db8:2::2/64, pings the host side (2001:db8:2::1) once, then waits for the host's verdict
# on pinging the guest, which the host writes to the 9p share (/mnt/results/host-ping).
# Exit status: 0 when both directions worked.
ip() { /usr/sbin/ip "$@"; }

failed=0
if ! ip link show dev eth0 >/dev/null 2>&1; then
    echo "FAIL: no eth0 (virtio_net not loaded, or no NIC attached)"
    exit 1
fi
ip link set lo up
ip addr add 2001:db8:2::2/64 dev eth0 nodad
ip link set eth0 up
echo "TAP_GUEST_READY uptime=$(cut -d' ' -f1 /proc/uptime) carrier=$(cat /sys/class/net/eth0/carrier)"
# The first packet waits for neighbour discovery: -w is a deadline.
if ping -6 -c 1 -w 10 2001:db8:2::1 >/dev/null; then
    echo "PASS: guest -> host ping over the tap"
else
    echo "FAIL: guest -> host ping over the tap"
    failed=$((failed + 1))
fi
verdict=
for _ in $(seq 600); do
    verdict=$(cat /mnt/results/host-ping 2>/dev/null)
    [ -n "$verdict" ] && break
    sleep 0.1
done
case $verdict in
    ok*) echo "PASS: host -> guest ping over the tap ($verdict)" ;;
    *) echo "FAIL: host -> guest ping over the tap (${verdict:-no verdict from the host within 60 s})"
       failed=$((failed + 1)) ;;
esac
ip -s link show dev eth0
exit $failed
