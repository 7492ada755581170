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
