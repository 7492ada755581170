# ctest (label cli): `s46ctl select` on bad input exits 2 with exactly one stderr line
# "s46ctl select: <problem>" and nothing on stdout; one good Reply shows the check can pass.
#   cmake -DS46CTL=/path/to/s46ctl -P s46ctl_select.cmake
include(${CMAKE_CURRENT_LIST_DIR}/s46ctl_checks.cmake)

# OPTION_AFTR_NAME (64, RFC 6334) carrying aftr.example.net.
set(AFTR_HEX 004000120461667472076578616d706c65036e657400)

run_s46ctl("good reply" 0 select --options-hex ${AFTR_HEX} --wan-address 2001:db8:1::5 --json)
check_equal("good reply stderr" "${err}" "")
string(JSON mode GET "${out}" mode)
check_equal("good reply mode" "${mode}" "dslite")

# lw4o6 via DHCP 4o6 (RFC 7596 §5.1): a lw4o6 container with a BR and no V4V6BIND (96), and
# option 88 naming the 4o6 server 2001:db8::4. The mode is lw4o6, the plan waits for the exchange.
set(LW4O6_HEX 00600014005a001020010db8ffff000000000000000000020058001020010db8000000000000000000000004)
run_s46ctl("4o6 reply" 0 select --options-hex ${LW4O6_HEX} --delegated-prefix 2001:db8:12:3400::/56 --json)
check_equal("4o6 stderr" "${err}" "")
string(JSON mode GET "${out}" mode)
check_equal("4o6 mode" "${mode}" "lw4o6")
string(JSON server GET "${out}" dhcp4o6 servers 0)
check_equal("4o6 server" "${server}" "2001:db8::4")
string(JSON source GET "${out}" dhcp4o6 softwire_source)
check_equal("4o6 softwire source" "${source}" "2001:db8:12:3400::1")
string(JSON binding GET "${out}" dhcp4o6 binding)
check_equal("4o6 binding" "${binding}" "pending the DHCP 4o6 exchange")
string(JSON plan_type TYPE "${out}" plan)
check_equal("4o6 plan pending" "${plan_type}" "NULL")
run_s46ctl("4o6 text" 0 select --options-hex ${LW4O6_HEX} --delegated-prefix 2001:db8:12:3400::/56)
check_contains("${out}" "mode:     lw4o6 via DHCP 4o6" "4o6 text names the mode")
check_contains("${out}" "4o6 servers: 2001:db8::4" "4o6 text lists the server")
check_contains("${out}" "softwire source: 2001:db8:12:3400::1" "4o6 text shows the softwire source")
check_contains("${out}" "binding:  pending the DHCP 4o6 exchange" "4o6 text says the binding is pending")
# Without 88 the same container is not a candidate, and the reason names option 88.
run_s46ctl("4o6 without 88" 0 select --options-hex 00600014005a001020010db8ffff00000000000000000002
           --delegated-prefix 2001:db8:12:3400::/56)
check_contains("${out}" "mode:     none" "without 88 nothing is selected")
check_contains("${out}" "no DHCPv4-over-DHCPv6 server (option 88)" "without 88 the reason names 88")

# Each case: a label, the text stderr must contain, then the arguments after select ("|" separated).
set(bad_cases
  "no options|--options-hex is required|--json"
  "bad hex|--options-hex|--options-hex|00zz"
  "missing value|--mode needs a value|--options-hex|${AFTR_HEX}|--mode"
  "unknown mode|--mode|--options-hex|${AFTR_HEX}|--mode|6rd"
  "bad order|--order|--options-hex|${AFTR_HEX}|--order|mape,frob"
  "bad no-match|--no-match|--options-hex|${AFTR_HEX}|--no-match|maybe"
  "small mtu|--wan-mtu|--options-hex|${AFTR_HEX}|--wan-mtu|1000"
  "mtu not a number|--wan-mtu|--options-hex|${AFTR_HEX}|--wan-mtu|12ab"
  "mtu with a space|is not a number|--options-hex|${AFTR_HEX}|--wan-mtu| 1500"
  "negative mtu|is not a number|--options-hex|${AFTR_HEX}|--wan-mtu|-1500"
  "bad prefix|--delegated-prefix|--options-hex|${AFTR_HEX}|--delegated-prefix|2001:db8::/129"
  "bad wan address|--wan-address|--options-hex|${AFTR_HEX}|--wan-address|2001:db8::g"
  "bad gi4over6 prefix|--gi4over6|--options-hex|${AFTR_HEX}|--gi4over6=192.0.2.0/33"
  "unknown flag|unknown argument '--frobnicate'|--options-hex|${AFTR_HEX}|--frobnicate"
  "newline in argument|unknown argument|--options-hex|${AFTR_HEX}|--bogus\nsecond line"
)
check_bad_cases(select bad_cases PREFIXED)

s46ctl_checks_done("s46ctl select")
