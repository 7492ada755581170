#!/bin/sh
# Runs inside the QEMU guest for `conformance/e2e/run --dataplane kernel` (tests/lab/vmcpe.py):
# the guest is the CPE under test. Its two virtio NICs sit on taps in the host's "cpe" namespace,
# bridged to the veths the lab's LAN host and ISP router are linked to. The NICs are found by
# their MAC addresses and renamed wan0 / lan0, configured as tests/lab/topology.py configures the
# CPE namespace, and s46d runs with the kernel data plane from the configuration the host wrote
# into the 9p share (/mnt/results: s46d.conf, s46d.args, one extra flag per line).
# The host talks to s46d's control socket through the share: it writes req/<id>.args (s46ctl's
# arguments, one per line) and this script answers with req/<id>.out and req/<id>.rc. The host
# ends the run by creating /mnt/results/stop: s46d gets SIGTERM (its teardown runs) and the
# script exits with s46d's exit status (0 = clean shutdown), or 3 when s46d died before that.
ip() { /usr/sbin/ip "$@"; }
share=/mnt/results
ctl() { /usr/bin/s46ctl --control-socket /run/s46d.sock "$@"; }
say() { echo "VMCPE $* uptime=$(cut -d' ' -f1 /proc/uptime)"; }

[ -d "$share" ] && [ -f "$share/s46d.conf" ] || { echo "FAIL: no s46d.conf in the 9p share"; exit 2; }
wan_mac=$(cat "$share/wan.mac") lan_mac=$(cat "$share/lan.mac")
for dev in /sys/class/net/*; do
    name=${dev##*/}
    case $(cat "$dev/address") in
        "$wan_mac") ip link set "$name" name wan0 ;;
        "$lan_mac") ip link set "$name" name lan0 ;;
    esac
done
ip link show dev wan0 >/dev/null 2>&1 && ip link show dev lan0 >/dev/null 2>&1 ||
    { echo "FAIL: NICs $wan_mac / $lan_mac not found"; ip link; exit 2; }

# As the lab's CPE namespace: no DAD, no RAs, IPv4 forwarding; static WAN address and default route.
for key in all default wan0 lan0; do
    sysctl -qw "net.ipv6.conf.$key.accept_dad=0" "net.ipv6.conf.$key.accept_ra=0" 2>/dev/null
done
sysctl -qw net.ipv4.ip_forward=1
ip link set lo up
ip link set wan0 up
ip link set lan0 up
ip addr add 10.0.0.1/24 dev lan0
ip -6 addr add 2001:db8:0:1::2/64 dev wan0 nodad
ip -6 route add default via 2001:db8:0:1::1 dev wan0
say "network up"

mkdir -p "$share/req"
set --
[ -f "$share/s46d.args" ] && while IFS= read -r a; do [ -n "$a" ] && set -- "$@" "$a"; done < "$share/s46d.args"
/usr/bin/s46d --config "$share/s46d.conf" "$@" > "$share/s46d.log" 2>&1 &
s46d_pid=$!
for _ in $(seq 200); do
    [ -S /run/s46d.sock ] && break
    kill -0 "$s46d_pid" 2>/dev/null || break
    sleep 0.1
done
if [ -S /run/s46d.sock ]; then
    say "s46d up pid $s46d_pid"
    echo "$s46d_pid" > "$share/ready"
else
    say "s46d did not open its control socket"
    echo "s46d did not start" > "$share/ready"
fi

# Requests from the host until it asks us to stop (or s46d dies).
while [ ! -e "$share/stop" ]; do
    for req in "$share"/req/*.args; do
        [ -e "$req" ] || continue
        id=${req%.args}
        set --
        while IFS= read -r a; do [ -n "$a" ] && set -- "$@" "$a"; done < "$req"
        rm -f "$req"
        ctl "$@" > "$id.tmp" 2>&1
        echo $? > "$id.rctmp"
        mv "$id.tmp" "$id.out"
        mv "$id.rctmp" "$id.rc"
    done
    if ! kill -0 "$s46d_pid" 2>/dev/null; then
        wait "$s46d_pid"
        rc=$?
        say "s46d exited by itself with $rc"
        echo "$rc" > "$share/s46d.exit"
        # keep answering (with errors) until the host stops the run
        while [ ! -e "$share/stop" ]; do
            for req in "$share"/req/*.args; do
                [ -e "$req" ] || continue
                id=${req%.args}; rm -f "$req"
                echo "s46d is not running (exit $rc)" > "$id.out"; echo 1 > "$id.rc"
            done
            sleep 0.1
        done
        exit 3
    fi
    sleep 0.05
done
say "stop requested"
# The guest's view while s46d was up, for a failure report (output.log in the share).
echo "--- ip addr"; ip -br addr
echo "--- ip -4 route show table all"; ip -4 route show table all | grep -v '^local\|^broadcast'
echo "--- ip rule"; ip rule
echo "--- ip neigh"; ip neigh
echo "--- ip -s link"; ip -s -br link
echo "--- nft list ruleset"; /usr/sbin/nft list ruleset 2>&1 | head -60
kill -TERM "$s46d_pid"
wait "$s46d_pid"
rc=$?
echo "$rc" > "$share/s46d.exit"
say "s46d exit $rc"
# What the kernel data plane left behind (a clean exit removes its link, routes and table).
ip -d link show dev s46tnl0 2>/dev/null && echo "LEFTOVER: s46tnl0"
/usr/sbin/nft list table ip s46d >/dev/null 2>&1 && echo "LEFTOVER: table ip s46d"
exit "$rc"
