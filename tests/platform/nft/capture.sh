#!/bin/sh
# Regenerates the reference batches of tests/platform/nft_ruleset_test.cpp: what nft 1.0.6 sends
# for each *.nft here, captured from its NETLINK_NETFILTER socket (fd 3) in a throwaway network
# namespace, as one hex line per file (*.hex). Root; needs nft, strace, python3.
set -eu
cd "$(dirname "$0")"
ns="s46nftcap$$"
ip netns add "$ns"
trap 'ip netns del "$ns"' EXIT
for f in *.nft; do
    # slot_update.nft changes the map of map_forward_mss.nft: load that first, uncaptured.
    [ "$f" = slot_update.nft ] && ip netns exec "$ns" nft -f map_forward_mss.nft
    ip netns exec "$ns" strace -o "${f%.nft}.strace" -e trace=sendmsg -e write=3 -s 65535 nft -f "$f"
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
