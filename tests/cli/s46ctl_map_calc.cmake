# ctest (label cli): runs `s46ctl map-calc` as an operator would and checks what it prints.
#   cmake -DS46CTL=/path/to/s46ctl -P s46ctl_map_calc.cmake
# Good input: RFC 7597 App. A Ex. 1 (and Ex. 2/3 for --dest) must come out as the RFC prints it.
# Bad input: exit status 2 and exactly one line on stderr, naming the problem.
include(${CMAKE_CURRENT_LIST_DIR}/s46ctl_checks.cmake)

set(EX1_RULE "ipv6-prefix=2001:db8::/40,ipv4-prefix=192.0.2.0/24,ea-len=16")
set(EX1 --rule ${EX1_RULE} --end-user-prefix 2001:db8:12:3400::/56 --br 2001:db8:ffff::1)

# --- RFC 7597 App. A Ex. 1 as JSON -------------------------------------------------------------
run_s46ctl("ex1" 0 map-calc ${EX1} --json)
check_equal("ex1 stderr" "${err}" "")
string(JSON ipv4 GET "${out}" ipv4)
string(JSON psid GET "${out}" psid)
string(JSON psid_len GET "${out}" psid_len)
string(JSON psid_offset GET "${out}" psid_offset)
string(JSON port_count GET "${out}" port_count)
string(JSON map_ipv6 GET "${out}" map_ipv6)
string(JSON n_ranges LENGTH "${out}" port_ranges)
string(JSON first_range GET "${out}" port_ranges 0)
string(JSON second_range GET "${out}" port_ranges 1)
string(JSON last_range GET "${out}" port_ranges 62)
string(JSON bmr_v6 GET "${out}" bmr ipv6_prefix)
string(JSON bmr_v4 GET "${out}" bmr ipv4_prefix)
string(JSON bmr_ea GET "${out}" bmr ea_len)
string(JSON bmr_fmr GET "${out}" bmr fmr)
string(JSON has_next_hop ERROR_VARIABLE no_next_hop GET "${out}" next_hop)
check_equal("ex1 ipv4" "${ipv4}" "192.0.2.18")
check_equal("ex1 psid" "${psid}" "52")
check_equal("ex1 psid_len" "${psid_len}" "8")
check_equal("ex1 psid_offset" "${psid_offset}" "6")
check_equal("ex1 port_count" "${port_count}" "252")
check_equal("ex1 range count" "${n_ranges}" "63")
check_equal("ex1 first range" "${first_range}" "1232-1235")
check_equal("ex1 second range" "${second_range}" "2256-2259")
check_equal("ex1 last range" "${last_range}" "64720-64723")
check_equal("ex1 map_ipv6" "${map_ipv6}" "2001:db8:12:3400:0:c000:212:34")
check_equal("ex1 bmr ipv6_prefix" "${bmr_v6}" "2001:db8::/40")
check_equal("ex1 bmr ipv4_prefix" "${bmr_v4}" "192.0.2.0/24")
check_equal("ex1 bmr ea_len" "${bmr_ea}" "16")
check_equal("ex1 bmr fmr" "${bmr_fmr}" "OFF")
if(NOT no_next_hop)
  message(SEND_ERROR "ex1 without --dest printed a next_hop")
  math(EXPR failures "${failures} + 1")
endif()

# --- --dest: App. A Ex. 2 (mesh to a CE under the FMR) and Ex. 3 (out of the domain: the BR) -----
run_s46ctl("ex2" 0 map-calc --rule ${EX1_RULE},fmr --end-user-prefix 2001:db8:12:3400::/56
            --br 2001:db8:ffff::1 --dest 192.0.2.18:1232 --json)
string(JSON via GET "${out}" next_hop via)
string(JSON hop GET "${out}" next_hop ipv6)
check_equal("ex2 via" "${via}" "fmr")
check_equal("ex2 next hop" "${hop}" "2001:db8:12:3400:0:c000:212:34")

run_s46ctl("ex3" 0 map-calc --rule ${EX1_RULE},fmr --end-user-prefix 2001:db8:12:3400::/56
            --br 2001:db8:ffff::1 --dest 1.2.3.4:80 --json)
string(JSON via GET "${out}" next_hop via)
string(JSON hop GET "${out}" next_hop ipv6)
check_equal("ex3 via" "${via}" "br")
check_equal("ex3 next hop" "${hop}" "2001:db8:ffff::1")

# --- without --br: the BR changes no address, PSID or port; only a next hop via the BR is unknown --
run_s46ctl("no-br" 0 map-calc --rule ${EX1_RULE} --end-user-prefix 2001:db8:12:3400::/56 --json)
check_equal("no-br stderr" "${err}" "")
string(JSON ipv4 GET "${out}" ipv4)
string(JSON psid GET "${out}" psid)
string(JSON first_range GET "${out}" port_ranges 0)
string(JSON map_ipv6 GET "${out}" map_ipv6)
check_equal("no-br ipv4" "${ipv4}" "192.0.2.18")
check_equal("no-br psid" "${psid}" "52")
check_equal("no-br first range" "${first_range}" "1232-1235")
check_equal("no-br map_ipv6" "${map_ipv6}" "2001:db8:12:3400:0:c000:212:34")

run_s46ctl("no-br ex3" 0 map-calc --rule ${EX1_RULE},fmr --end-user-prefix 2001:db8:12:3400::/56
            --dest 1.2.3.4:80 --json)
string(JSON via GET "${out}" next_hop via)
string(JSON hop_type TYPE "${out}" next_hop ipv6)
string(JSON note GET "${out}" next_hop note)
check_equal("no-br ex3 via" "${via}" "br")
check_equal("no-br ex3 next hop" "${hop_type}" "NULL")
check_equal("no-br ex3 note" "${note}" "BR not given")

run_s46ctl("no-br ex3 table" 0 map-calc --rule ${EX1_RULE},fmr --end-user-prefix 2001:db8:12:3400::/56
            --dest 1.2.3.4:80)
check_contains("${out}" "next hop    br (BR not given)" "no-br table lacks 'next hop    br (BR not given)':\n${out}")

# Ex. 2 needs no BR: the destination is a CE under the FMR.
run_s46ctl("no-br ex2" 0 map-calc --rule ${EX1_RULE},fmr --end-user-prefix 2001:db8:12:3400::/56
            --dest 192.0.2.18:1232 --json)
string(JSON hop GET "${out}" next_hop ipv6)
check_equal("no-br ex2 next hop" "${hop}" "2001:db8:12:3400:0:c000:212:34")

# --- --legacy-iid and the table form ------------------------------------------------------------
execute_process(COMMAND ${S46CTL} map-calc ${EX1} --legacy-iid --json RESULT_VARIABLE rc OUTPUT_VARIABLE out)
string(JSON map_ipv6 GET "${out}" map_ipv6)
check_equal("legacy map_ipv6" "${map_ipv6}" "2001:db8:12:3400:c0:2:1200:3400")

run_s46ctl("table" 0 map-calc ${EX1})
foreach(needle "192.0.2.18 (shared-ipv4)" "252 in 63 ranges" "1232-1235" "2001:db8:12:3400:0:c000:212:34")
  check_contains("${out}" "${needle}" "table output lacks '${needle}':\n${out}")
endforeach()

# --- usage ----------------------------------------------------------------------------------------
run_s46ctl("--help" 0 --help)
check_contains("${out}" "map-calc" "s46ctl --help does not list map-calc")
run_s46ctl("no-argument" 2)
check_contains("${err}" "usage:" "s46ctl with no arguments does not print usage")

# --- bad input: exit 2, one stderr line naming the problem ---------------------------------------
# Each case: a label, the text stderr must contain, then the arguments after map-calc ("|" separated).
set(bad_cases
  "unparsable prefix|--end-user-prefix|--rule|${EX1_RULE}|--end-user-prefix|2001:db8:12:3400::/129|--br|2001:db8:ffff::1"
  "ipv6-prefix host bits|ipv6-prefix|--rule|ipv6-prefix=2001:db8::1/40,ipv4-prefix=192.0.2.0/24,ea-len=16|--end-user-prefix|2001:db8:12:3400::/56|--br|2001:db8:ffff::1"
  "invalid rule ea-len|ea-len 49|--rule|ipv6-prefix=2001:db8::/40,ipv4-prefix=192.0.2.0/24,ea-len=49|--end-user-prefix|2001:db8:12:3400::/56|--br|2001:db8:ffff::1"
  "invalid rule offset|offset 16|--rule|${EX1_RULE},offset=16|--end-user-prefix|2001:db8:12:3400::/56|--br|2001:db8:ffff::1"
  "psid too wide|PSID 16|--rule|${EX1_RULE},psid-len=4,psid=16|--end-user-prefix|2001:db8:12:3400::/56|--br|2001:db8:ffff::1"
  "unknown rule key|unknown key 'ealen'|--rule|ipv6-prefix=2001:db8::/40,ipv4-prefix=192.0.2.0/24,ealen=16|--end-user-prefix|2001:db8:12:3400::/56|--br|2001:db8:ffff::1"
  "no matching rule|no rule's ipv6-prefix contains|--rule|${EX1_RULE}|--end-user-prefix|2001:db9::/56|--br|2001:db8:ffff::1"
  "end-user prefix too short|n+o exceeds End-user prefix length|--rule|${EX1_RULE}|--end-user-prefix|2001:db8:12::/48|--br|2001:db8:ffff::1"
  "unknown flag|unknown argument '--frobnicate'|--rule|${EX1_RULE}|--end-user-prefix|2001:db8:12:3400::/56|--br|2001:db8:ffff::1|--frobnicate"
  "missing value|--br needs a value|--rule|${EX1_RULE}|--end-user-prefix|2001:db8:12:3400::/56|--br"
  "missing flag|missing --end-user-prefix|--rule|${EX1_RULE}|--br|2001:db8:ffff::1"
  "missing rule|missing --rule|--end-user-prefix|2001:db8:12:3400::/56"
  "bad br|--br|--rule|${EX1_RULE}|--end-user-prefix|2001:db8:12:3400::/56|--br|2001:db8::zz"
  "br twice|--br given twice|--rule|${EX1_RULE}|--end-user-prefix|2001:db8:12:3400::/56|--br|2001:db8:ffff::1|--br|2001:db8:ffff::1"
  "newline in argument|unknown argument|--rule|${EX1_RULE}|--end-user-prefix|2001:db8:12:3400::/56|--bogus\nsecond line"
  "dest needs a port|routes by port|--rule|${EX1_RULE},fmr|--end-user-prefix|2001:db8:12:3400::/56|--br|2001:db8:ffff::1|--dest|192.0.2.18"
  "bad dest port|--dest port|--rule|${EX1_RULE}|--end-user-prefix|2001:db8:12:3400::/56|--br|2001:db8:ffff::1|--dest|192.0.2.18:70000"
)
check_bad_cases(map-calc bad_cases)

s46ctl_checks_done("s46ctl map-calc")
