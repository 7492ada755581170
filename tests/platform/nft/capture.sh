#!/bin/sh
# Regenerates the reference batches of tests/platform/nft_ruleset_test.cpp: what nft 1.0.6 sends
# for each *.nft here, captured from its NETLINK_NETFILTER socket (fd 3) in a throwaway network
# namespace, as one hex line per file (*.hex). Root; needs nft, strace, python3.
# flowtable_*.nft: a kernel without nf_flow_table (CONFIG_NF_FLOW_TABLE) refuses the batch with
# ENOENT, but only after nft has sent it, so their bytes are captured on such a kernel too; their
# acceptance is proven in the QEMU guest (tests/kernel/flowtable_scenario.sh).
set -eu
cd "$(dirname "$0")"
ns="s46nftcap$$"
ip netns add "$ns"
trap 'ip netns del "$ns"' EXIT
for f in *.nft; do
    # slot_update.nft and replan.nft change map_forward_mss.nft's table: load that first,
    # uncaptured. replan.nft replaces the snat rule by its handle, 9 in a fresh table.
    case "$f" in
    slot_update.nft | replan.nft)
        ip netns exec "$ns" nft -f map_forward_mss.nft
        ip netns exec "$ns" nft -a list chain ip s46d nat_postrouting | grep -q 'map @slots # handle 9$' ||
            { echo "capture.sh: the snat rule's handle is not 9" >&2; exit 1; } ;;
    esac
    case "$f" in
    flowtable_*) ip netns exec "$ns" strace -o "${f%.nft}.strace" -e trace=sendmsg -e write=3 -s 65535 nft -f "$f" 2>/dev/null || true ;;
    *) ip netns exec "$ns" strace -o "${f%.nft}.strace" -e trace=sendmsg -e write=3 -s 65535 nft -f "$f" ;;
    esac
    # The first sendmsg on fd 3 is the batch (nft 1.0.6 sends a whole -f file as one batch).
    python3 - "${f%.nft}.strace" > "${f%.nft}.hex" <<'PY'
import sys
out, on = [], False
for line in open(sys.argv[1]):
    if line.startswith("sendmsg(3"):
        if on: break
        on = True
    elif on and line.startswith(" | "):
        out += line[10:59].split()
print("".join(out))
PY
    rm -f "${f%.nft}.strace"
done
ip netns exec "$ns" nft list ruleset >/dev/null
