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
