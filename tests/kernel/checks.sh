# Sourced by the guest scenarios (tests/kernel/*_scenario.sh; tests/kernel/run puts this file at
# /usr/lib/s46-test/checks.sh): the check helpers they share. Each check prints PASS or FAIL and
# counts failures in $failed; a scenario exits with that count.

# busybox prefers its own applets to PATH, and its `ip` knows neither ip6tnl, veth nor netns.
ip() { /usr/sbin/ip "$@"; }
failed=0

pass() { echo "PASS: $1"; }
fail() { echo "FAIL: $1"; failed=$((failed + 1)); }
# check DESCRIPTION COMMAND...: the command's exit status decides.
check() {
    what=$1
    shift
    if "$@"; then pass "$what"; else fail "$what"; fi
}
# json_check DESCRIPTION JQ-FILTER COMMAND...: the command's JSON output must satisfy the filter
# (jq -e: the filter's result is true). The JSON is printed when it does not.
json_check() {
    what=$1 filter=$2
    shift 2
    out=$("$@" 2>&1)
    if printf '%s\n' "${out:-[]}" | jq -e "$filter" >/dev/null 2>&1; then
        pass "$what"
    else
        fail "$what"
        echo "  filter: $filter"
        echo "  $*: $out"
    fi
}

# The MAP-E port checks of the flowtable and MAP-E scenarios (offset 6, PSID length 8: RFC 7597
# §5.1). Port p is in the set of a PSID when p >= 1024 and the 8 bits after the 6 offset bits are
# the PSID: int(p / 4) % 256 == PSID; its block (A) is int(p / 1024).
# port_stats PROTO FILE PSID [FROM]: reads "proto source port" lines of FILE from line FROM
# (1-based, default 1) and prints "distinct outside blocks" for PROTO's lines from 192.0.2.7:
# distinct source ports, how many lie outside PSID's set (the first three named on stderr), and
# how many blocks they span.
port_stats() {
    awk -v proto="$1" -v psid="$3" -v from="${4:-1}" '
        NR >= from && $1 == proto && $2 == "192.0.2.7" {
            p = $3 + 0
            if (!(p in seen)) { n++; seen[p] = 1 }
            if (p < 1024 || int(p / 4) % 256 != psid) { out++; if (out <= 3) print "  outside: " p > "/dev/stderr" }
            blocks[int(p / 1024)] = 1
        }
        END { b = 0; for (k in blocks) b++; print n + 0, out + 0, b }' "$2"
}
# answered FILE N: the flowgen JSON in FILE says N flows were answered in its last round.
answered() {
    jq -e ".answered == $2" "$1" >/dev/null || { echo "  $(cat "$1")"; return 1; }
}
# lines FILE: FILE's line count, 0 while it does not exist.
lines() { if [ -f "$1" ]; then wc -l < "$1"; else echo 0; fi; }
