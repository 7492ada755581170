#!/usr/bin/env bash
# ctest package_deb (root; exit 77, skipped, otherwise): builds the .deb from BUILD_DIR's s46d and
# s46ctl, runs lintian on it, and installs it into an isolated root -- an overlay of this machine's
# / in a private mount namespace, its upper layer on a tmpfs that vanishes with the namespace, so
# the host's files and dpkg database are never written (checked below). Inside, as dpkg left it:
# the versions, --check-config of the shipped file, the conffile, stripped binaries,
# `systemd-analyze verify` of the unit, s46d run as the unit runs it (an unprivileged user with
# only the unit's three capabilities, in a private network namespace) and with the userspace data
# plane, both under strace, every system call and socket family checked against the unit's
# filters; then `dpkg --purge` and nothing of s46d left in the overlay's upper layer.
#   tests/packaging/deb_install_test.sh BUILD_DIR PROJECT_VERSION
# shellcheck disable=SC2016  # the single-quoted scripts run in the chroot, where they expand
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)

if [ "${1:-}" = --inside ]; then
    # ---- in the private mount namespace: $2 the test's directory, $3 the .deb, $4 the version ----
    t=$2 deb=$3 version=$4
    fail() { echo "package_deb: $*" >&2; exit 1; }
    step() { echo "package_deb: ${SECONDS}s: $*"; }
    mount -t tmpfs -o mode=0755 s46d-deb-test "$t"
    mkdir "$t/upper" "$t/work" "$t/root"
    mount -t overlay overlay -o "lowerdir=/,upperdir=$t/upper,workdir=$t/work" "$t/root"
    # Never run dpkg unless / really is the overlay.
    [ "$(findmnt -no FSTYPE "$t/root")" = overlay ] || fail "the overlay is not mounted"
    r=$t/root
    # Fresh /dev, /run, /tmp and /proc: nothing in them is the host's, and an absent
    # /run/systemd/system tells the maintainer scripts that systemd is not running here.
    [ -c /dev/net/tun ] || fail "no /dev/net/tun here (modprobe tun): the userspace data plane cannot be checked"
    mount -t tmpfs -o mode=0755 dev "$r/dev"
    mkdir "$r/dev/net"
    for d in null zero urandom random net/tun; do touch "$r/dev/$d"; mount --bind "/dev/$d" "$r/dev/$d"; done
    mount -t tmpfs -o mode=0755 run "$r/run"
    mount -t tmpfs -o mode=1777 tmp "$r/tmp"
    mount -t proc proc "$r/proc"
    cp "$deb" "$r/tmp/s46d.deb"
    # man-db's trigger re-indexes every man page on install and purge (seconds); the package's
    # pages are checked below. Its documented switch: no auto-update file, no re-index.
    rm -f "$r/var/lib/man-db/auto-update"
    in_root() { chroot "$r" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LC_ALL=C.UTF-8 "$@"; }

    step "dpkg -i"
    in_root dpkg -i /tmp/s46d.deb >"$t/dpkg-install.log" 2>&1 || { cat "$t/dpkg-install.log" >&2; fail "dpkg -i failed"; }

    out=$(in_root s46d --version)
    [[ "$out" =~ ^s46d\ ${version//./\\.}( \(git [^\)]+\))?$ ]] || fail "s46d --version: '$out'"
    out=$(in_root s46ctl --version)
    [[ "$out" =~ ^s46ctl\ ${version//./\\.}( \(git [^\)]+\))?$ ]] || fail "s46ctl --version: '$out'"
    out=$(in_root s46d --check-config /etc/s46d/s46d.conf 2>&1) || fail "s46d --check-config of the shipped file: $out"
    [ "$out" = "/etc/s46d/s46d.conf: ok" ] || fail "s46d --check-config: '$out'"

    # The conffile, registered with the checksum of the file the repository ships.
    want="/etc/s46d/s46d.conf $(md5sum <"$src/packaging/s46d.conf" | cut -d' ' -f1)"
    got=$(in_root dpkg-query -W -f='${Conffiles}' s46d | sed 's/^ *//')
    [ "$got" = "$want" ] || fail "conffiles: '$got', expected '$want'"
    for b in /usr/sbin/s46d /usr/bin/s46ctl; do
        ! readelf -S "$r$b" | grep -Eq '\.(symtab|debug_info|comment)\b' || fail "$b is not stripped"
    done
    for m in s46d s46ctl; do [ -f "$r/usr/share/man/man8/$m.8.gz" ] || fail "no $m(8)"; done
    [ -L "$r/etc/systemd/system/multi-user.target.wants/s46d.service" ] || fail "postinst did not enable s46d.service"

    # An administrator's edit of the conffile survives a reinstallation (the upgrade path of the
    # maintainer scripts: prerm upgrade, postinst configure with the old version). No prompt: the
    # package's copy did not change, so dpkg keeps the edit; stdin is empty so a prompt fails.
    sed -i 's/"wan": "eth0"/"wan": "wan0"/' "$r/etc/s46d/s46d.conf"
    grep -q '"wan": "wan0"' "$r/etc/s46d/s46d.conf" || fail "could not edit the conffile (its wan line changed?)"
    step "dpkg -i again (upgrade path)"
    in_root dpkg -i /tmp/s46d.deb </dev/null >"$t/dpkg-upgrade.log" 2>&1 || { cat "$t/dpkg-upgrade.log" >&2; fail "dpkg -i over itself failed"; }
    grep -q '"wan": "wan0"' "$r/etc/s46d/s46d.conf" || fail "the edited conffile was replaced by the reinstallation"
    sed -i 's/"wan": "wan0"/"wan": "eth0"/' "$r/etc/s46d/s46d.conf"

    # The unit as systemd reads it: syntax, every directive known, ExecStart executable, the
    # man pages of Documentation= present. Any output is a finding.
    step "systemd-analyze verify"
    out=$(in_root systemd-analyze verify /lib/systemd/system/s46d.service 2>&1) || fail "systemd-analyze verify: $out"
    [ -z "$out" ] || fail "systemd-analyze verify: $out"

    # s46d as the unit runs it, with the shipped configuration: the directories systemd makes for
    # StateDirectory= (DynamicUser: /var/lib/private/s46d behind a link) and RuntimeDirectory=,
    # owned by the service's user, which keeps only the unit's three capabilities. (systemd keeps
    # /var/lib/private 0700 but opens it in the service's own mount namespace; here it is 0755.)
    # Under strace: every system call and socket family it uses must pass the unit's filters.
    # It solicits, is provisioned with DS-Lite (an AFTR name to resolve: c-ares), reloads by
    # SIGHUP and by s46ctl, answers events, and stops on SIGTERM with status 0.
    caps=+net_admin,+net_raw,+net_bind_service
    install -d -m 0755 "$r/var/lib/private"
    install -d -m 0700 -o nobody -g nogroup "$r/var/lib/private/s46d"
    ln -s private/s46d "$r/var/lib/s46d"
    install -d -m 0755 -o nobody -g nogroup "$r/run/s46d"
    install -d -m 0777 "$r/tmp/trace"
    step "s46d as the unit's user"
    in_root unshare -n -m sh -c '
        mount -t sysfs sysfs /sys  # this network namespace'"'"'s interfaces (s46d reads the MAC there)
        ip link set lo up && ip link add eth0 type veth peer name eth1 && ip link set eth0 up && ip link set eth1 up
        ip -6 addr add 2001:db8:1::5/64 dev eth0 nodad
        setpriv --reuid=nobody --regid=nogroup --clear-groups --no-new-privs --inh-caps=-all,'"$caps"' \
            --ambient-caps=-all,'"$caps"' --bounding-set=-all,'"$caps"' \
            strace -f -qq -o /tmp/trace/s46d s46d --config /etc/s46d/s46d.conf 2>/tmp/s46d.log &
        tracer=$!
        for i in $(seq 100); do s46ctl status >/tmp/status 2>/dev/null && grep -q Soliciting /tmp/status && break; sleep 0.1; done
        pid=$(pgrep -P $tracer -x s46d)
        # OPTION_AFTR_NAME aftr.example.net and OPTION_DNS_SERVERS 2001:db8::53 (RFC 6334, RFC 3646).
        s46ctl provision --options-hex 004000120461667472076578616d706c65036e6574000017001020010db8000000000000000000000053 \
            --delegated-prefix 2001:db8:12:3400::/56 --wan-address 2001:db8:1::5 >>/tmp/s46d.log 2>&1
        kill -HUP $pid; s46ctl reload >>/tmp/s46d.log 2>&1; s46ctl events >>/tmp/s46d.log 2>&1
        kill -TERM $pid 2>/dev/null
        for i in $(seq 100); do kill -0 $tracer 2>/dev/null || break; sleep 0.1; done
        kill -KILL $pid $tracer 2>/dev/null; wait $tracer; echo "exit $?" >>/tmp/s46d.log' || true
    grep -q "^DHCPv6 *Soliciting on eth0" "$r/tmp/status" 2>/dev/null ||
        fail "s46d as the unit's user did not come up: $(cat "$r/tmp/status" "$r/tmp/s46d.log" 2>/dev/null)"
    grep -q "^exit 0$" "$r/tmp/s46d.log" || fail "s46d did not stop cleanly: $(cat "$r/tmp/s46d.log")"
    grep -q "activate none -> dslite" "$r/tmp/s46d.log" || fail "s46d was not provisioned: $(cat "$r/tmp/s46d.log")"
    [ -f "$r/var/lib/private/s46d/state.db" ] || fail "s46d wrote no state.db in its state directory"
    "$here/unit_sandbox_check.py" "$r/lib/systemd/system/s46d.service" "$r/tmp/trace/s46d" || fail "the unit's sandbox would refuse what s46d does"

    # The packet path's system calls too (TUN, raw IPIP and ICMPv6 sockets, NAPT): the userspace
    # data plane with a static lw4o6 binding, a port forward and a ping through the softwire. As
    # root, since /dev/net/tun may be root's only on a test machine (Debian's udev makes it 0666
    # for the unit's user); s46d then drops to the same three capabilities itself.
    step "s46d's userspace data plane"
    cat >"$r/tmp/lw4o6.conf" <<'CONF'
{ "interfaces": { "wan": "eth0" }, "dataplane": { "backend": "userspace" },
  "static": { "lw4o6": { "ipv4_address": "192.0.2.18", "psid_offset": 0, "psid_length": 8, "psid": 52,
                         "bind_prefix": "2001:db8:12:3400::/56", "aftr": "2001:db8:ffff::2" } },
  "state": { "directory": "/tmp/state-userspace" }, "control": { "socket": "/tmp/userspace.sock" } }
CONF
    in_root unshare -n -m sh -c '
        mount -t sysfs sysfs /sys
        ip link set lo up && ip link add eth0 type veth peer name eth1 && ip link set eth0 up && ip link set eth1 up
        ip -6 addr add 2001:db8:1::5/64 dev eth0 nodad && ip -6 route add default dev eth0
        strace -f -qq -o /tmp/trace/userspace s46d --config /tmp/lw4o6.conf 2>/tmp/userspace.log &
        tracer=$!
        ctl() { s46ctl --control-socket /tmp/userspace.sock "$@"; }
        for i in $(seq 100); do ctl status >/dev/null 2>&1 && break; sleep 0.1; done
        pid=$(pgrep -P $tracer -x s46d)
        ctl provision --options-hex 0017001020010db8000000000000000000000053 \
            --delegated-prefix 2001:db8:12:3400::/56 --wan-address 2001:db8:1::5 >>/tmp/userspace.log 2>&1
        for i in $(seq 100); do ctl status >/tmp/userspace.status 2>&1; grep -q "^mode *lw4o6" /tmp/userspace.status && break; sleep 0.1; done
        ctl portmap add tcp 13313 192.168.1.10 >>/tmp/userspace.log 2>&1
        ip addr add 192.168.1.2/24 dev lo && ip route add 198.51.100.0/24 dev s46tun0 &&
            ping -c 2 -i 0.2 -W 1 -I 192.168.1.2 198.51.100.1 >/dev/null 2>&1
        ctl status >/tmp/userspace.status 2>&1
        kill -TERM $pid 2>/dev/null
        for i in $(seq 100); do kill -0 $tracer 2>/dev/null || break; sleep 0.1; done
        kill -KILL $pid $tracer 2>/dev/null; wait $tracer; echo "exit $?" >>/tmp/userspace.log' || true
    grep -q "^mode *lw4o6" "$r/tmp/userspace.status" 2>/dev/null ||
        fail "the userspace data plane did not come up: $(cat "$r/tmp/userspace.status" "$r/tmp/userspace.log" 2>/dev/null)"
    grep -q "^NAPT *[1-9][0-9]* sessions in use" "$r/tmp/userspace.status" ||
        fail "the ping did not pass the NAPT: $(cat "$r/tmp/userspace.status")"
    grep -q "^exit 0$" "$r/tmp/userspace.log" || fail "s46d (userspace) did not stop cleanly: $(cat "$r/tmp/userspace.log")"
    "$here/unit_sandbox_check.py" "$r/lib/systemd/system/s46d.service" "$r/tmp/trace/userspace" || fail "the unit's sandbox would refuse what the data plane does"

    step "dpkg --purge"
    in_root dpkg --purge s46d >"$t/dpkg-purge.log" 2>&1 || { cat "$t/dpkg-purge.log" >&2; fail "dpkg --purge failed"; }
    ! in_root dpkg-query -W s46d >/dev/null 2>&1 || fail "s46d is still known to dpkg after the purge"

    # What the upper layer still holds is what install + purge changed. Allowed: dpkg's own
    # database and log, man-db's switch removed above, the formatted pages man cached when
    # systemd-analyze looked up Documentation=, /var/lib/private (systemd's, made above as
    # systemd would and never removed by it), and directories that exist on the host (copied up
    # when something was created in them). Anything else is left behind.
    left=$(cd "$t/upper" && find . -mindepth 1 | sed 's|^\./||' | sort | while read -r p; do
        case "$p" in
            var/lib/dpkg | var/lib/dpkg/* | var/log/dpkg.log | var/lib/man-db/auto-update | var/lib/private) continue ;;
            var/cache/man/cat8/s46d.8.gz | var/cache/man/cat8/s46ctl.8.gz) continue ;;
        esac
        if [ -d "$t/upper/$p" ] && [ ! -L "$t/upper/$p" ] && [ -d "/$p" ] && [ ! -L "/$p" ]; then continue; fi
        echo "/$p"
    done)
    [ -z "$left" ] || fail "left behind after dpkg --purge: $(tr '\n' ' ' <<<"$left")"
    step "installed, checked, ran and purged cleanly"
    exit 0
fi

# ---- on the host ----
[ $# -eq 2 ] || { echo "usage: $0 BUILD_DIR PROJECT_VERSION" >&2; exit 2; }
build_dir=$1 version=$2
if [ "$(id -u)" != 0 ]; then
    echo "package_deb: needs root (a mount namespace, overlayfs, chroot): skipped" >&2
    exit 77
fi
t=$(mktemp -d /tmp/s46d-deb-test.XXXXXX)
trap 'rm -rf "$t"' EXIT

deb=$("$src/packaging/deb/build" --no-build --build-dir "$build_dir" --out "$t/out" | tail -n 1)
[ -f "$deb" ] || { echo "package_deb: packaging/deb/build made no .deb" >&2; exit 1; }

# lintian: no error, warning or info tag (overrides are in packaging/deb/lintian-overrides).
# As nobody: lintian warns when it runs as root.
chmod 0755 "$t" "$t/out"
install -d -o nobody "$t/home"
if ! setpriv --reuid=nobody --regid=nogroup --clear-groups env HOME="$t/home" lintian -I --fail-on error,warning,info "$deb"; then
    echo "package_deb: lintian found the tags above" >&2
    exit 1
fi

# The host must not have s46d (the installed package would hide what the .deb brings), and must
# not have it afterwards: everything dpkg wrote went to the namespace's overlay. (Not a checksum
# of the whole database: another apt on a shared machine may change it meanwhile.)
host_has_s46d() { dpkg-query -W s46d >/dev/null 2>&1 || [ -e /usr/sbin/s46d ] || [ -e /etc/s46d ]; }
if host_has_s46d; then echo "package_deb: s46d is installed on this machine: the test needs a root without it" >&2; exit 1; fi
mkdir "$t/ns"
unshare -m --propagation private "$0" --inside "$t/ns" "$deb" "$version"
if host_has_s46d; then echo "package_deb: the installation reached the host's root" >&2; exit 1; fi
