# ctest (label cli): s46ctl's daemon subcommands as an operator runs them, without a daemon.
#   cmake -DS46CTL=/path/to/s46ctl -P s46ctl_daemon_cmds.cmake
# Bad input: exit status 2 and exactly one line on stderr naming the problem. No daemon at the
# socket: exit status 1 and one line naming the socket.
cmake_minimum_required(VERSION 3.22)
if(NOT S46CTL)
  message(FATAL_ERROR "pass -DS46CTL=<path to s46ctl>")
endif()

set(failures 0)
set(sock /nonexistent-s46-test/control.sock)
macro(expect rc_expected stderr_regex)
  execute_process(COMMAND ${S46CTL} --control-socket ${sock} ${ARGN}
                  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  string(REGEX MATCHALL "\n" lines "${err}")
  list(LENGTH lines n)
  if(NOT rc STREQUAL "${rc_expected}" OR NOT n EQUAL 1 OR NOT err MATCHES "${stderr_regex}")
    message(SEND_ERROR "s46ctl ${ARGN}: exit ${rc} (expected ${rc_expected}), stderr '${err}' (expected one line matching '${stderr_regex}')")
    math(EXPR failures "${failures} + 1")
  endif()
endmacro()

expect(2 "^s46ctl events: --limit '0' is not a number in 1..10000" events --limit 0)
expect(2 "^s46ctl journal: |^s46ctl events: --kind: unknown event kind 'bogus'" journal --kind bogus)
expect(2 "^s46ctl events: --since 'yesterday'" events --since yesterday)
expect(2 "^s46ctl mode: mode 'mapt' is not auto, dslite, lw4o6 or mape" mode set mapt)
expect(2 "^s46ctl mode: expected 'mode set" mode)
expect(2 "^s46ctl reload: unknown argument 'now'" reload now)
expect(2 "^s46ctl portmap: unknown argument '--all'" portmap --all)
expect(2 "^s46ctl portmap: protocol 'icmp' is not tcp or udp" portmap add icmp 1233 192.168.1.10)
expect(2 "^s46ctl portmap: external port '80x'" portmap del tcp 80x)
expect(2 "^s46ctl portmap: field \"lan_address\": 255.255.255.255 is the broadcast address" portmap add udp 1233 255.255.255.255)
expect(2 "^s46ctl provision: field \"prefixes.0..preferred_lifetime\": 9 exceeds valid_lifetime 8"
       provision --options-hex 00 --delegated-prefix 2001:db8::/56,9,8)
expect(1 "^s46ctl status: cannot reach s46d at ${sock}" status)
expect(1 "^s46ctl portmap: cannot reach s46d" portmap)
expect(1 "^s46ctl portmap: cannot reach s46d" portmap add tcp 1233 192.168.1.10:22)
expect(1 "^s46ctl mode: cannot reach s46d" mode set auto)
expect(1 "^s46ctl events: cannot reach s46d" events --kind tunnel_event --since 1h)

if(failures GREATER 0)
  message(FATAL_ERROR "${failures} check(s) failed")
endif()
