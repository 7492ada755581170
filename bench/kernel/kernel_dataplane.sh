#!/bin/sh
# Runs inside the QEMU guest (bench/kernel/run; docs/performance.md, "Kernel data plane"):
#   1. plan ready -> traffic, s46d's KernelDataPlane against iproute2 + nft -f (s46-dp-bench latency)
#   2. UDP throughput, lw4o6, 64 and 1400 B, LAN -> tunnel and tunnel -> LAN, on three paths in
#      the same VM: s46d's kernel data plane, s46d's userspace data plane, and the limit (a bare
#      ip6tnl with one single-range SNAT rule, set up here with ip + nft)
#   3. memory: conntrack's slab per NAPT session, and s46d's own memory at idle per backend
#   4. part "flowtable": s46d's kernel data plane with and without --flowtable, 64 and 1400 B,
#      both directions, sequentially interleaved and (pairs "fa"/"fb") two topologies at once
# Topology (as tests/kernel/dataplane_scenario.sh):
#   lan: eth0 192.168.1.2/24 == lan0 192.168.1.1/24  cpe  wan0 2001:db8:1::2/64 == v-br 2001:db8:1::1/64  br
# br decapsulates with an ip6tnl per softwire source and is the internet host 203.0.113.1.
# Every result is one line "RESULT {json}"; bench/kernel/summarize.py makes the tables.
# bench/kernel/run rewrites the knobs' line below (--reps, --seconds, --parts).
ip() { /usr/sbin/ip "$@"; }
nft() { /usr/sbin/nft "$@"; }
IP=/usr/sbin/ip  # for background jobs: `ip` is a function, and `ip ... &` would make $! a subshell
B=/usr/bin/s46-dp-bench
BLAST=/usr/bin/udp_blast
REFL=/usr/bin/ipip_reflector
reps=3 seconds=3 parts=latency,throughput,ab,memory
want() { case ",$parts," in *",$1,"*) return 0 ;; esac; return 1; }
result() { echo "RESULT $*"; }
echo "kernel $(uname -r), reps $reps, ${seconds} s per throughput case, parts $parts"

# --- the namespaces: lan, cpe, br; `topology 2` makes a second, identical set lan2, cpe2, br2
# (the concurrent comparison, part "ab")
topology() {
    x=$1
    for ns in lan$x cpe$x br$x; do
        ip netns add $ns
        ip -n $ns link set lo up
    done
    ip link add wan0 netns cpe$x type veth peer name v-br netns br$x
    ip link add lan0 netns cpe$x type veth peer name eth0 netns lan$x
    ip -n cpe$x addr add 2001:db8:1::2/64 dev wan0 nodad
    ip -n cpe$x addr add 192.168.1.1/24 dev lan0
    ip -n cpe$x link set wan0 up
    ip -n cpe$x link set lan0 up
    ip netns exec cpe$x sysctl -qw net.ipv4.ip_forward=1
    ip -n lan$x addr add 192.168.1.2/24 dev eth0
    ip -n lan$x link set eth0 up
    ip -n lan$x route add default via 192.168.1.1
    ip -n br$x addr add 2001:db8:1::1/64 dev v-br nodad
    ip -n br$x link set v-br up
    ip -n br$x addr add 203.0.113.1/32 dev lo
    # br's end of each softwire: DS-Lite's B4 (wan0's own address), the lwB4 and the MAP-E CE.
    n=0
    for local in 2001:db8:1::2 2001:db8:1::c000:207 2001:db8:1::c000:208; do
        ip -n br$x link add br$n type ip6tnl mode ipip6 local 2001:db8:1::1 remote $local encaplimit none dev v-br
        ip -n br$x link set br$n up
        n=$((n + 1))
    done
    ip -n br$x route add 192.168.1.0/24 dev br0
    ip -n br$x route add 192.0.2.7/32 dev br1
    ip -n br$x route add 192.0.2.8/32 dev br2
    # Neighbour entries before anything is timed (the first packet over a fresh veth waits for them).
    ip netns exec lan$x ping -c 2 -w 10 192.168.1.1 >/dev/null || echo "WARN: lan$x -> cpe$x ping failed"
    ip netns exec cpe$x ping -c 2 -w 10 2001:db8:1::1 >/dev/null || echo "WARN: cpe$x -> br$x ping failed"
}
topology ''

# --- 1. plan ready -> traffic
if want latency; then
    ip netns exec cpe $B latency --reps "$reps" | sed 's/^/RESULT /'
fi

# --- 2. throughput
lw_local=2001:db8:1::c000:207
limit_up() {  # [namespace suffix]
    c=cpe${1:-}
    ip -n $c link add s46tnl0 mtu 1460 type ip6tnl mode ipip6 local $lw_local remote 2001:db8:1::1 encaplimit none dev wan0
    ip -n $c addr add $lw_local/128 dev wan0 nodad
    ip -n $c addr add 192.0.2.7/32 dev s46tnl0
    ip -n $c link set s46tnl0 up
    ip -n $c route add default dev s46tnl0
    ip netns exec $c /usr/sbin/nft -f - <<'EOF'
table ip snat1 {
    chain post {
        type nat hook postrouting priority srcnat; policy accept;
        oifname "s46tnl0" meta l4proto { tcp, udp } snat to 192.0.2.7:1024-65535
        oifname "s46tnl0" meta l4proto icmp snat to 192.0.2.7
    }
}
EOF
}
limit_down() {  # [namespace suffix]
    c=cpe${1:-}
    ip -n $c link del s46tnl0
    ip -n $c addr del $lw_local/128 dev wan0
    ip netns exec $c /usr/sbin/nft delete table ip snat1
}
host_pid=''
path_up() {
    case $1 in
        limit) limit_up ;;
        *)
            rm -f /tmp/ready
            $IP netns exec cpe $B host --dataplane "$1" --ready /tmp/ready 2>/tmp/host.err &
            host_pid=$!
            i=0
            while [ ! -e /tmp/ready ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
            [ -e /tmp/ready ] || { echo "WARN: $1 did not come up"; cat /tmp/host.err; }
            ;;
    esac
    ip netns exec lan ping -c 1 -w 10 203.0.113.1 >/dev/null || echo "WARN: no ping through $1"
}
path_down() {
    case $1 in
        limit) limit_down ;;
        *) kill "$host_pid"; wait "$host_pid"; cat /tmp/host.err ;;
    esac
}
busy() { awk '/^cpu / { print $2 + $3 + $4 + $7 + $8, $5 + $6 }' /proc/stat; }
# Each path has source ports of its own: conntrack entries outlive a path, and one with another
# path's NAT binding would carry it over (the TUN path would get packets SNATed by the kernel).
sports_of() { case $1 in kernel) echo 40000-40015 ;; limit) echo 41000-41015 ;; kernelft) echo 45000-45015 ;; *) echo 42000-42015 ;; esac; }
case_run() {  # path direction size rep
    sp=$(sports_of $1)
    b0=$(busy)
    if [ "$2" = out ]; then
        $IP netns exec br $BLAST recv --bind 203.0.113.1 --ports 9 --seconds $((seconds + 10)) --idle 1 > /tmp/rx.json &
        rx=$!
        sleep 0.3
        ip netns exec lan $BLAST send --dst 203.0.113.1 --port 9 --size "$3" --seconds "$seconds" --sports $sp > /tmp/tx.json
        wait $rx
    else
        $IP netns exec br $REFL blast --bind 2001:db8:1::1 --flows 16 --size "$3" --seconds "$seconds" --learn-timeout 10 > /tmp/tx.json &
        tx=$!
        sleep 0.3
        ip netns exec lan $BLAST prime-recv --dst 203.0.113.1 --port 9 --sports $sp --size 64 \
            --seconds $((seconds + 10)) --idle 1 > /tmp/rx.json
        wait $tx
    fi
    b1=$(busy)
    result "{\"bench\":\"${case_bench:-throughput}\",\"path\":\"$1\",\"dir\":\"$2\",\"size\":$3,\"rep\":$4,\"tx\":$(cat /tmp/tx.json),\"rx\":$(cat /tmp/rx.json),\"cpu0\":\"$b0\",\"cpu1\":\"$b1\"}"
}
# Interleaved as finely as a path switch allows: for every case (direction, size) the three
# paths run back to back, in an order that rotates with the case and the rep, so that a slow
# spell of the shared host (TCG) hits each path alike.
if want throughput; then
    rep=0 k=0
    while [ $rep -lt "$reps" ]; do
        for size in 64 1400; do
            for dir in out in; do
                case $((k % 3)) in
                    0) order="kernel limit userspace" ;;
                    1) order="limit userspace kernel" ;;
                    2) order="userspace kernel limit" ;;
                esac
                k=$((k + 1))
                for path in $order; do
                    path_up $path
                    case_run $path $dir $size $rep
                    path_down $path
                done
            done
        done
        rep=$((rep + 1))
    done
fi

# --- 2b. the same comparison at the same time: two identical topologies, both pushed flat out
# at once, so that the vCPU's speed (the host's load) is the same for both. A/A: the limit in
# both (what the instrument reads when nothing differs); A/B: s46d's kernel data plane in cpe,
# the limit in cpe2. Which sender starts first alternates.
ab_case() {  # label direction size rep first
    # ports of their own per pair in cpe: an entry with the limit's binding must not serve s46d's path
    case $1 in aa) sp=43000-43015 ;; ab) sp=44000-44015 ;; fa) sp=46000-46015 ;; *) sp=47000-47015 ;; esac
    if [ "$2" = out ]; then
        $IP netns exec br $BLAST recv --bind 203.0.113.1 --ports 9 --seconds $((seconds + 10)) --idle 1 > /tmp/rx1.json &
        r1=$!
        $IP netns exec br2 $BLAST recv --bind 203.0.113.1 --ports 9 --seconds $((seconds + 10)) --idle 1 > /tmp/rx2.json &
        r2=$!
        sleep 0.3
        if [ "$5" = 1 ]; then a='' b=2; else a=2 b=''; fi
        $IP netns exec lan$a $BLAST send --dst 203.0.113.1 --port 9 --size "$3" --seconds "$seconds" --sports $sp > /tmp/tx$a.json &
        t1=$!
        $IP netns exec lan$b $BLAST send --dst 203.0.113.1 --port 9 --size "$3" --seconds "$seconds" --sports $sp > /tmp/tx$b.json &
        t2=$!
        wait $t1 $t2 $r1 $r2
        mv /tmp/tx.json /tmp/tx1.json
    else
        $IP netns exec br $REFL blast --bind 2001:db8:1::1 --flows 16 --size "$3" --seconds "$seconds" --learn-timeout 10 > /tmp/tx1.json &
        t1=$!
        $IP netns exec br2 $REFL blast --bind 2001:db8:1::1 --flows 16 --size "$3" --seconds "$seconds" --learn-timeout 10 > /tmp/tx2.json &
        t2=$!
        sleep 0.3
        $IP netns exec lan $BLAST prime-recv --dst 203.0.113.1 --port 9 --sports $sp --size 64 --seconds $((seconds + 10)) --idle 1 > /tmp/rx1.json &
        r1=$!
        $IP netns exec lan2 $BLAST prime-recv --dst 203.0.113.1 --port 9 --sports $sp --size 64 --seconds $((seconds + 10)) --idle 1 > /tmp/rx2.json &
        r2=$!
        wait $t1 $t2 $r1 $r2
    fi
    result "{\"bench\":\"${ab_bench:-ab}\",\"pair\":\"$1\",\"dir\":\"$2\",\"size\":$3,\"rep\":$4,\"first\":$5,\"a\":{\"tx\":$(cat /tmp/tx1.json),\"rx\":$(cat /tmp/rx1.json)},\"b\":{\"tx\":$(cat /tmp/tx2.json),\"rx\":$(cat /tmp/rx2.json)}}"
}
if want ab; then
    topology 2
    rep=0
    while [ $rep -lt "$reps" ]; do
        for pair in aa ab; do
            if [ $pair = aa ]; then limit_up; else path_up kernel; fi
            limit_up 2
            ip netns exec lan ping -c 1 -w 10 203.0.113.1 >/dev/null || echo "WARN: no ping through cpe"
            ip netns exec lan2 ping -c 1 -w 10 203.0.113.1 >/dev/null || echo "WARN: no ping through cpe2"
            for size in 64 1400; do
                for dir in out in; do ab_case $pair $dir $size $rep $(((rep + ${#pair}) % 2 + 1)); done
            done
            if [ $pair = aa ]; then limit_down; else path_down kernel; fi
            limit_down 2
        done
        rep=$((rep + 1))
    done
fi

# --- 2c. --flowtable: s46d's kernel data plane with the nftables flowtable on lan0 and s46tnl0
# (docs/dataplane.md "Flowtable") against the same without it. Sequential: per case the two
# back to back, the order alternating. Concurrent ("ft_ab"): pair fa = without in cpe and cpe2
# (the A/A control), pair fb = with in cpe, without in cpe2.
host_up() {  # namespace suffix, flowtable 0|1
    rm -f /tmp/ready$1
    $IP netns exec cpe$1 $B host --dataplane kernel --store /tmp/dp-bench-host$1 --flowtable "$2" --ready /tmp/ready$1 2>/tmp/host$1.err &
    eval "host_pid$1=$!"
    i=0
    while [ ! -e /tmp/ready$1 ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
    [ -e /tmp/ready$1 ] || { echo "WARN: host in cpe$1 did not come up"; cat /tmp/host$1.err; }
}
# Not in a $(...) subshell: wait must be the shell that started the host, or the next host
# would come up while this one still tears down.
host_down() {  # namespace suffix, label: stops the host, then reports the counters it printed at exit
    eval "p=\$host_pid$1"
    kill "$p"; wait "$p"
    c=$(grep -o 'counters {.*}' /tmp/host$1.err | sed 's/^counters //' | tail -1)
    result "{\"bench\":\"ft_counters\",\"label\":\"$2\",\"counters\":${c:-null}}"
}
if want flowtable; then
    rep=0 k=0
    while [ $rep -lt "$reps" ]; do
        for size in 64 1400; do
            for dir in out in; do
                if [ $((k % 2)) = 0 ]; then order="kernel kernelft"; else order="kernelft kernel"; fi
                k=$((k + 1))
                for path in $order; do
                    if [ $path = kernelft ]; then host_up '' 1; else host_up '' 0; fi
                    ip netns exec lan ping -c 1 -w 10 203.0.113.1 >/dev/null || echo "WARN: no ping through $path"
                    case_bench=flowtable; case_run $path $dir $size $rep; case_bench=""
                    host_down '' "$path $dir $size $rep"
                done
            done
        done
        rep=$((rep + 1))
    done
    ip netns list | grep -q '^lan2' || topology 2
    rep=0
    while [ $rep -lt "$reps" ]; do
        for pair in fa fb; do
            if [ $pair = fa ]; then host_up '' 0; else host_up '' 1; fi
            host_up 2 0
            ip netns exec lan ping -c 1 -w 10 203.0.113.1 >/dev/null || echo "WARN: no ping through cpe"
            ip netns exec lan2 ping -c 1 -w 10 203.0.113.1 >/dev/null || echo "WARN: no ping through cpe2"
            for size in 64 1400; do
                for dir in out in; do ab_bench=ft_ab; ab_case $pair $dir $size $rep $((rep % 2 + 1)); ab_bench=""; done
            done
            host_down '' "$pair cpe $rep"
            host_down 2 "$pair cpe2 $rep"
        done
        rep=$((rep + 1))
    done
fi

# --- 3. memory
slab_kib() { awk '/^Slab:/ { print $2 }' /proc/meminfo; }
ct_count() { cat /proc/sys/net/netfilter/nf_conntrack_count 2>/dev/null || ip netns exec cpe cat /proc/sys/net/netfilter/nf_conntrack_count; }
if want memory; then
    $B napt-memory | sed 's/^/RESULT /'
    obj=$(cat /sys/kernel/slab/nf_conntrack/object_size 2>/dev/null)
    slab=$(cat /sys/kernel/slab/nf_conntrack/slab_size 2>/dev/null)
    line=$(grep '^nf_conntrack ' /proc/slabinfo 2>/dev/null | awk '{ print $4 }')
    result "{\"bench\":\"conntrack_slab\",\"object_size\":${obj:-null},\"slab_size\":${slab:-null},\"slabinfo_objsize\":${line:-null},\"merged_into\":\"$(readlink /sys/kernel/slab/nf_conntrack 2>/dev/null)\"}"
    # Slab growth per conntrack entry with NAT: 4096 UDP flows through the limit path (a
    # 64 Ki port range, so every flow gets its own mapping to one destination).
    limit_up
    ip netns exec cpe sysctl -qw net.netfilter.nf_conntrack_udp_timeout=600
    ip netns exec cpe sysctl -qw net.netfilter.nf_conntrack_udp_timeout_stream=600
    ulimit -n 16384
    $IP netns exec br $BLAST recv --bind 203.0.113.1 --ports 9 --seconds 30 --idle 2 > /dev/null &
    rx=$!
    sleep 0.3
    sync; echo 3 > /proc/sys/vm/drop_caches
    c0=$(ip netns exec cpe cat /proc/sys/net/netfilter/nf_conntrack_count); s0=$(slab_kib)
    a0=$(grep '^nf_conntrack ' /proc/slabinfo | awk '{ print $2 }')
    ip netns exec lan $BLAST send --dst 203.0.113.1 --port 9 --size 64 --count 1 --sports 20000-24095 > /tmp/tx.json
    sleep 1
    c1=$(ip netns exec cpe cat /proc/sys/net/netfilter/nf_conntrack_count); s1=$(slab_kib)
    a1=$(grep '^nf_conntrack ' /proc/slabinfo | awk '{ print $2 }')
    kill $rx 2>/dev/null; wait $rx 2>/dev/null
    result "{\"bench\":\"conntrack_growth\",\"ct_before\":$c0,\"ct_after\":$c1,\"slab_kib_before\":$s0,\"slab_kib_after\":$s1,\"active_objs_before\":${a0:-null},\"active_objs_after\":${a1:-null},\"tx\":$(cat /tmp/tx.json)}"
    grep -E '^(nf_conntrack|kmalloc-(32|64|96|128|192) )' /proc/slabinfo
    limit_down
    # The 4 096 entries would outlive this part (600 s) and s46d's kernel backend dumps cpe's
    # conntrack table when it starts: under TCG on arm64 that dump outlasts its 2 s limit. The
    # guest has no conntrack(8) to flush them; a namespace's entries go with it.
    ip netns del lan; ip netns del cpe; ip netns del br
    topology ''

    # Waits by the clock, not by a count of tries: under TCG on a loaded host (the arm64 guest of
    # bench/kernel/run --arch arm64) one `ip` takes up to seconds and s46d a minute to come up.
    # wait_for SECONDS PID COMMAND...: until COMMAND succeeds; gives up when PID (s46d) exits or
    # SECONDS pass, and says which.
    wait_for() {
        t_end=$(($(date +%s) + $1)) wpid=$2
        shift 2
        until "$@"; do
            kill -0 "$wpid" 2>/dev/null || { echo "WARN: s46d (pid $wpid) exited while waiting for: $*"; return 1; }
            [ "$(date +%s)" -lt $t_end ] || { echo "WARN: gave up waiting for: $*"; return 1; }
            sleep 0.2
        done
    }
    link_up() { ip -n cpe link show dev "$1" >/dev/null 2>&1; }
    lw4o6_up() { ip netns exec cpe /usr/bin/s46ctl --control-socket "$1" status 2>/dev/null | grep -q lw4o6; }

    # s46d itself at idle, per backend, in lw4o6 (192.0.2.9, offset 6, PSID length 8, PSID 52),
    # provisioned through s46ctl as bench/tun_forwarding.py does (no DHCPv6 server in the VM):
    # OPTION_S46_CONT_LW { V4V6BIND 192.0.2.9 2001:db8:1::/64 { PORTPARAMS 6 8 52 } BR 2001:db8:1::1 }.
    lw_hex=0060002d005c0015c00002094020010db800010000005d000406083400005a001020010db8000100000000000000000001
    ip -n br route add 192.0.2.9/32 dev br1  # until the lwB4 address is known
    for backend in kernel userspace none; do
        st_dir=/tmp/s46d-$backend
        mkdir -p $st_dir
        $IP netns exec cpe /usr/bin/s46d --wan-interface wan0 --dataplane $backend --state-dir $st_dir \
            --control-socket $st_dir/control.sock --hooks-dir /nonexistent > $st_dir.log 2>&1 &
        pid=$!
        wait_for 300 $pid test -S $st_dir/control.sock
        ip netns exec cpe /usr/bin/s46ctl --control-socket $st_dir/control.sock provision --options-hex $lw_hex \
            --delegated-prefix 2001:db8:1::/64 > /dev/null || echo "WARN: s46ctl provision failed"
        case $backend in
            kernel) wait_for 120 $pid link_up s46tnl0 ;;
            userspace) wait_for 120 $pid link_up s46tun0 ;;
            none) wait_for 120 $pid lw4o6_up $st_dir/control.sock ;;
        esac
        # br's lwAFTR end for the lwB4 address s46d chose (RFC 7597 §6 interface identifier)
        b4=$(ip -n cpe -6 addr show dev wan0 | awk '/inet6 2001:db8:1::c000:209/ { sub("/.*", "", $2); print $2 }')
        up=false
        if [ -n "$b4" ] && [ "$backend" != none ]; then
            ip -n br link add br9 type ip6tnl mode ipip6 local 2001:db8:1::1 remote $b4 encaplimit none dev v-br
            ip -n br link set br9 up
            ip -n br route replace 192.0.2.9/32 dev br9
            ip netns exec lan ping -c 2 -w 10 203.0.113.1 >/dev/null && up=true
        fi
        sleep 3
        r=$(awk '/^(Rss|Pss|Private_Dirty|Private_Clean|Shared_Clean|Shared_Dirty|Anonymous):/ { printf "\"%s\":%s,", substr($1, 1, length($1) - 1), $2 }' /proc/$pid/smaps_rollup)
        st=$(awk '/^(VmRSS|RssAnon|RssFile|VmHWM):/ { printf "\"%s\":%s,", substr($1, 1, length($1) - 1), $2 }' /proc/$pid/status)
        # where the private pages are: per mapping (the initramfs is tmpfs, so the pages of the
        # mapped binary and libraries count as dirty; on a flash filesystem they are clean)
        awk -v b=$backend '/^[0-9a-f]+-[0-9a-f]+ / { n = ($6 == "" ? "[anon]" : $6) }
            /^Private_Dirty:/ { pd[n] += $2 } /^Anonymous:/ { an[n] += $2 }
            END { for (n in pd) if (pd[n] >= 64) printf "SMAPS %s %s Private_Dirty %d Anonymous %d\n", b, n, pd[n], an[n] }' /proc/$pid/smaps
        result "{\"bench\":\"s46d_memory\",\"backend\":\"$backend\",\"lwb4\":\"$b4\",\"ping\":$up,${r}${st}\"unit\":\"KiB\"}"
        kill $pid; wait $pid
        ip -n br link del br9 2>/dev/null
        tail -n 8 $st_dir.log
    done

    # s46d with 16 384 NAPT sessions, per backend: a full address (PSID length 0) so that every
    # LAN source port gets its own mapping; OPTION_S46_CONT_LW { V4V6BIND 192.0.2.9
    # 2001:db8:1::/64 { PORTPARAMS 0 0 0 } BR 2001:db8:1::1 }. One datagram per flow from 16 384
    # LAN source ports; the sessions are then counted where they live (conntrack for the kernel
    # backend, core/napt for the userspace one) and s46d's memory is read as above.
    full_hex=0060002d005c0015c00002094020010db800010000005d000400000000005a001020010db8000100000000000000000001
    nflows=16384
    ulimit -n $((nflows + 256))
    ip netns exec cpe sysctl -qw net.netfilter.nf_conntrack_udp_timeout=600
    # nf_conntrack_max is global (writable from the initial namespace only); at its default for
    # 512 MiB of guest memory (4 096), early drop would evict unreplied entries to make room.
    sysctl -qw net.netfilter.nf_conntrack_max=65536
    for backend in kernel userspace; do
        st_dir=/tmp/s46d-full-$backend
        mkdir -p $st_dir
        $IP netns exec cpe /usr/bin/s46d --wan-interface wan0 --dataplane $backend --state-dir $st_dir \
            --control-socket $st_dir/control.sock --hooks-dir /nonexistent --napt-host-share all > $st_dir.log 2>&1 &
        pid=$!
        wait_for 300 $pid test -S $st_dir/control.sock
        ip netns exec cpe /usr/bin/s46ctl --control-socket $st_dir/control.sock provision --options-hex $full_hex \
            --delegated-prefix 2001:db8:1::/64 > /dev/null || echo "WARN: s46ctl provision failed"
        dev=s46tnl0; [ $backend = userspace ] && dev=s46tun0
        wait_for 120 $pid link_up $dev
        b4=$(ip -n cpe -6 addr show dev wan0 | awk '/inet6 2001:db8:1::c000:209/ { sub("/.*", "", $2); print $2 }')
        if [ -n "$b4" ]; then
            ip -n br link add br9 type ip6tnl mode ipip6 local 2001:db8:1::1 remote $b4 encaplimit none dev v-br
            ip -n br link set br9 up
            ip -n br route replace 192.0.2.9/32 dev br9
        fi
        # --seconds: the arm64 guest under TCG sends about 100 datagrams/s, so the 16 384 take
        # about 3 min; the receiver stops 3 s after the last one (--idle) anyway.
        $IP netns exec br $BLAST recv --bind 203.0.113.1 --ports 9 --seconds 600 --idle 3 > /tmp/rx-full.json &
        rx=$!
        sleep 0.3
        ip netns exec lan $BLAST send --dst 203.0.113.1 --port 9 --size 64 --count 1 --rate 1000 \
            --sports 20000-$((20000 + nflows - 1)) > /tmp/tx-full.json
        sleep 3
        case $backend in
            kernel) sessions=$(ip netns exec cpe cat /proc/sys/net/netfilter/nf_conntrack_count) ;;
            userspace) sessions=$(ip netns exec cpe /usr/bin/s46ctl --control-socket $st_dir/control.sock status --json |
                                   grep -o '"napt_sessions": *[0-9]*' | grep -o '[0-9]*$') ;;
        esac
        r=$(awk '/^(Rss|Pss|Private_Dirty|Private_Clean|Shared_Clean|Shared_Dirty|Anonymous):/ { printf "\"%s\":%s,", substr($1, 1, length($1) - 1), $2 }' /proc/$pid/smaps_rollup)
        st=$(awk '/^(VmRSS|RssAnon|RssFile|VmHWM):/ { printf "\"%s\":%s,", substr($1, 1, length($1) - 1), $2 }' /proc/$pid/status)
        kill $rx 2>/dev/null; wait $rx 2>/dev/null
        # where flows were lost, if any: every nonzero counter of status
        ip netns exec cpe /usr/bin/s46ctl --control-socket $st_dir/control.sock status --json |
            grep -oE '"[a-z0-9_]+": *[1-9][0-9]*' | sed "s/^/COUNTER $backend /"
        result "{\"bench\":\"s46d_memory_sessions\",\"backend\":\"$backend\",\"lwb4\":\"$b4\",\"flows\":$nflows,\"sessions\":${sessions:-null},\"delivered\":$(cat /tmp/rx-full.json),${r}${st}\"unit\":\"KiB\"}"
        kill $pid; wait $pid
        ip -n br link del br9 2>/dev/null
        ip netns exec cpe conntrack -F 2>/dev/null
        tail -n 4 $st_dir.log
    done
fi
exit 0
