#!/bin/sh
# ctest package_deb_systemd, in the guest: s46d's .deb under systemd as PID 1, as a Debian
# administrator meets it (docs/install.md "Under a running systemd"). Run by s46-vmtest.service
# (tests/packaging/deb_systemd_boot.sh) from the test's share, /s46-vmtest, which holds s46d.deb.
# Prints one PASS or FAIL line per check with what it saw; the number of FAILs goes to
# /tmp/s46-vmtest.rc, the VM's exit status. MAX_EXPOSURE is the `systemd-analyze security` score
# the unit must not exceed (set by deb_systemd_test.sh).
export PATH=/usr/sbin:/usr/bin:/sbin:/bin LC_ALL=C.UTF-8
share=/s46-vmtest
fails=0
t0=$(cut -d' ' -f1 /proc/uptime)
step() { echo "== $(cut -d' ' -f1 /proc/uptime)s: $*"; }
pass() { echo "PASS $*"; }
fail() { echo "FAIL $*"; fails=$((fails + 1)); }
check() { # WHAT CONDITION-STATUS SEEN
    if [ "$2" = 0 ]; then pass "$1: $3"; else fail "$1: $3"; fi
}
finish() { echo "$fails" > /tmp/s46-vmtest.rc; echo "scenario: $fails FAIL(s), $(cut -d' ' -f1 /proc/uptime)s uptime"; exit 0; }
mainpid() { systemctl show -P MainPID s46d; }
active() { systemctl is-active s46d 2>/dev/null; }
ctl_mode() { s46ctl status 2>/dev/null | sed -n 's/^mode *//p' | cut -d' ' -f1; }
wait_for() { # SECONDS COMMAND...: until COMMAND succeeds, 0.2 s apart
    n=$(($1 * 5)); shift
    while [ "$n" -gt 0 ]; do "$@" && return 0; sleep 0.2; n=$((n - 1)); done
    return 1
}
mode_is() { [ "$(ctl_mode)" = "$1" ]; }
new_pid_active() { p=$(mainpid); [ "$p" != 0 ] && [ "$p" != "$1" ] && [ "$(active)" = active ]; }

step "systemd $(systemctl --version | head -n1 | cut -d' ' -f2) is PID 1: $(cat /proc/1/comm); boot to the scenario ${t0}s"
if [ "$(cat /proc/1/comm)" != systemd ] || [ ! -d /run/systemd/system ]; then fail "PID 1 is not systemd"; finish; fi

# ---- dpkg -i: the maintainer scripts see /run/systemd/system ----
step "dpkg -i"
# --no-triggers: man-db's trigger, which s46d's pages activate, loads debconf's Perl for 10 to 20 s
# under TCG on every dpkg run; it is man-db's, not s46d's, and stays pending in this throwaway root.
out=$(dpkg --no-triggers -i "$share/s46d.deb" 2>&1); check "dpkg -i s46d.deb" $? "exit $?"
[ $fails = 0 ] || { echo "$out"; finish; }
st=$(systemctl is-enabled s46d 2>&1); [ "$st" = enabled ]; check "postinst enabled the unit" $? "is-enabled: $st"
st=$(active); [ "$st" = inactive ]; check "postinst did not start it (the shipped WAN is a placeholder)" $? "is-active: $st"
st=$(systemctl show -P LoadState s46d); [ "$st" = loaded ]; check "systemd loaded the unit (postinst daemon-reload)" $? "LoadState=$st"

# ---- the administrator's configuration: a WAN link, static DS-Lite, the userspace data plane ----
# No DHCPv6 server here: s46d runs no client of its own (dhcpv6.client false) and is provisioned
# by s46ctl, as it would be by OpenWrt's odhcp6c (docs/integration.md); its stored lease brings
# the mode back at every start.
ip link add s46wan0 type veth peer name s46wan1
ip link set s46wan0 up && ip link set s46wan1 up
ip -6 addr add 2001:db8:1::5/64 dev s46wan0 nodad
ip -6 route add default via 2001:db8:1::1 dev s46wan0
cp /etc/s46d/s46d.conf /tmp/s46d.conf.shipped
cat > /etc/s46d/s46d.conf <<'CONF'
{ "interfaces": { "wan": "s46wan0" },
  "static": { "dslite": { "aftr_address": "2001:db8:ffff::1" } },
  "dataplane": { "backend": "userspace" },
  "dhcpv6": { "client": false } }
CONF
cp /etc/s46d/s46d.conf /tmp/s46d.conf.good

# ---- 1. start ----
step "systemctl start s46d"
systemctl start s46d; check "systemctl start" $? "exit $?"
wait_for 10 sh -c 's46ctl status >/dev/null 2>&1'
st=$(active); [ "$st" = active ]; check "is-active" $? "$st"
pid=$(mainpid)
s46ctl provision --options-hex 0017001020010db8000000000000000000000053 \
    --delegated-prefix 2001:db8:12:3400::/56 --wan-address 2001:db8:1::5 >/tmp/provision.log 2>&1
check "s46ctl provision" $? "$(tr '\n' ' ' </tmp/provision.log)"
wait_for 10 mode_is dslite; check "s46ctl status through /run/s46d/control.sock" $? "mode '$(ctl_mode)'"
[ -S /run/s46d/control.sock ]; check "control socket" $? "$(ls -l /run/s46d/control.sock 2>&1)"
uid=$(awk '/^Uid:/ { print $3 }' "/proc/$pid/status")
[ -n "$uid" ] && [ "$uid" != 0 ] && [ "$uid" != 65534 ]; check "main PID $pid runs as a dynamic user" $? "euid $uid ($(getent passwd "$uid" | cut -d: -f1))"
# CAP_NET_BIND_SERVICE (10), CAP_NET_ADMIN (12), CAP_NET_RAW (13): 0x3400, nothing else.
for f in CapEff CapPrm CapBnd; do
    v=$(awk -v f="$f:" '$1 == f { print $2 }' "/proc/$pid/status")
    [ "$v" = 0000000000003400 ]; check "$f is exactly net_admin,net_raw,net_bind_service" $? "$v"
done
v=$(awk '$1 == "NoNewPrivs:" { print $2 }' "/proc/$pid/status"); [ "$v" = 1 ]; check "NoNewPrivs" $? "$v"
v=$(awk '$1 == "Seccomp:" { print $2 }' "/proc/$pid/status"); [ "$v" = 2 ]; check "Seccomp (filter mode)" $? "$v"
st=$(stat -c '%U %a' /var/lib/private/s46d 2>&1); [ -f /var/lib/private/s46d/state.db ]
check "StateDirectory under DynamicUser with state.db" $? "/var/lib/private/s46d: $st; $(ls /var/lib/private/s46d 2>&1 | tr '\n' ' ')"
l=$(readlink /var/lib/s46d); [ "$l" = private/s46d ]; check "/var/lib/s46d links to the private directory" $? "-> $l"
ip link show s46tun0 >/dev/null 2>&1; check "the userspace data plane's TUN link s46tun0" $? "$(ip -br link show s46tun0 2>&1)"

# ---- 2. reload, good and bad ----
step "systemctl reload s46d"
# What s46d logs from here on: journalctl --after-cursor with the journal's cursor now.
cursor() { journalctl -q -n 0 --show-cursor | sed -n 's/^-- cursor: //p'; }
logged_since() { journalctl -q -u s46d -o cat --after-cursor "$1" | grep "$2" | tail -n 1; }
c=$(cursor)
systemctl reload s46d; check "systemctl reload" $? "exit $?"
wait_for 5 sh -c "journalctl -q -u s46d -o cat --after-cursor '$c' | grep -q 'configuration reloaded'"
check "journal shows s46d's reload message" $? "$(logged_since "$c" 'configuration reloaded')"
p=$(mainpid); [ "$p" = "$pid" ]; check "same PID after reload" $? "$pid -> $p"
printf '{ "interfaces": { "wan": "s46wan0" }, "dataplane": { "backend": "userspace" }, "tunnel": { "mtu": 99 } }\n' > /etc/s46d/s46d.conf
c=$(cursor)
systemctl reload s46d; check "systemctl reload with a broken file" $? "exit $?"
wait_for 5 sh -c "journalctl -q -u s46d -o cat --after-cursor '$c' | grep -q 'reload rejected'"
msg=$(logged_since "$c" 'reload rejected')
echo "$msg" | grep -q 'tunnel.mtu'; check "journal names what is wrong" $? "$msg"
st=$(active); p=$(mainpid); [ "$st" = active ] && [ "$p" = "$pid" ]; check "still active, same PID" $? "$st, $pid -> $p"
mode_is dslite; check "status still answers with the running configuration" $? "mode '$(ctl_mode)'"
cp /tmp/s46d.conf.good /etc/s46d/s46d.conf

# ---- 3. Restart=on-failure ----
step "kill -9 the main PID"
rsec=$(systemctl show -P RestartUSec s46d)
kill -9 "$pid"
wait_for 15 new_pid_active "$pid"; rc=$? p=$(mainpid)
check "restarted after RestartSec=$rsec" $rc "$pid -> $p, $(active), NRestarts=$(systemctl show -P NRestarts s46d)"
wait_for 10 mode_is dslite; check "the stored lease brings the mode back" $? "mode '$(ctl_mode)'"
pid=$p

# ---- 4. stop ----
step "systemctl stop s46d"
systemctl stop s46d; check "systemctl stop" $? "exit $?"
st=$(active); [ "$st" = inactive ]; check "is-active" $? "$st"
res=$(systemctl show -P Result s46d) code=$(systemctl show -P ExecMainStatus s46d)
[ "$res" = success ] && [ "$code" = 0 ]; check "clean exit" $? "Result=$res ExecMainStatus=$code"
! ip link show s46tun0 >/dev/null 2>&1; check "s46tun0 is gone" $? "$(ip -br link show s46tun0 2>&1)"
[ ! -e /run/s46d ]; check "RuntimeDirectory removed" $? "$(ls -d /run/s46d 2>&1)"

# ---- 5. exposure ----
step "systemd-analyze security s46d"
score=$(systemd-analyze security --no-pager s46d 2>/dev/null | sed -n 's/.*Overall exposure level for s46d.service: \([0-9.]*\).*/\1/p')
echo "exposure: $score (limit ${MAX_EXPOSURE:-unset})"
[ -n "$score" ] && awk -v s="$score" -v m="${MAX_EXPOSURE:-0}" 'BEGIN { exit !(s <= m) }'
check "exposure score within the limit" $? "$score <= ${MAX_EXPOSURE:-unset}"

# ---- 6. purge, the service running: prerm must stop it ----
step "systemctl start s46d, then dpkg --purge s46d"
# (Mode none now: the clean stop above released the lease, as a stop should.)
systemctl start s46d && wait_for 10 sh -c 's46ctl status >/dev/null 2>&1'
check "running again before the purge" $? "$(active), PID $(mainpid)"
out=$(dpkg --no-triggers --purge s46d 2>&1); check "dpkg --purge" $? "$(echo "$out" | tail -n 1)"
step "purged"
! pgrep -x s46d >/dev/null; check "prerm stopped s46d" $? "s46d processes: '$(pgrep -x s46d | tr '\n' ' ')'"
! ip link show s46tun0 >/dev/null 2>&1; check "s46tun0 is gone after the purge" $? "$(ip -br link show s46tun0 2>&1)"
[ ! -e /lib/systemd/system/s46d.service ]; check "unit file gone" $? "$(ls /lib/systemd/system/s46d.service 2>&1)"
out=$(systemctl status s46d 2>&1); rc=$?
[ "$rc" = 4 ] && echo "$out" | grep -q 'could not be found'; check "systemctl status: not found" $? "exit $rc: $(echo "$out" | head -n 1)"
left=$(ls -d /etc/s46d /var/lib/private/s46d /var/lib/s46d /etc/systemd/system/s46d.service \
           /etc/systemd/system/multi-user.target.wants/s46d.service 2>/dev/null | tr '\n' ' ')
[ -z "$left" ]; check "configuration, state and enablement gone" $? "left: '${left}'"
finish
