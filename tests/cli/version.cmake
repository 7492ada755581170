# ctest (label cli): `s46d --version` and `s46ctl --version` print one line with the program's name
# and the project version CMake was configured with, and exit 0 with nothing on stderr.
#   cmake -DS46D=... -DS46CTL=... -DVERSION=<project version> -P version.cmake
cmake_minimum_required(VERSION 3.22)
foreach(v S46D S46CTL VERSION)
  if(NOT ${v})
    message(FATAL_ERROR "pass -D${v}=...")
  endif()
endforeach()

set(failures 0)
string(REPLACE "." "\\." version_re "${VERSION}")
# name <args...>: runs the program and checks the one line "<name> <version>" or "<name> <version> (git <describe>)".
macro(expect_version name)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc STREQUAL "0" OR NOT err STREQUAL "" OR NOT out MATCHES "^${name} ${version_re}( \\(git [^ ()\n]+\\))?\n$")
    message(SEND_ERROR "${ARGN}: exit ${rc}, stdout '${out}', stderr '${err}' (expected exit 0, '${name} ${VERSION}[ (git ...)]' and no stderr)")
    math(EXPR failures "${failures} + 1")
  endif()
endmacro()

expect_version(s46d ${S46D} --version)
# --version wins over the flags around it, as --help does: no --wan-interface is needed.
expect_version(s46d ${S46D} --dataplane kernel --version)
expect_version(s46ctl ${S46CTL} --version)
expect_version(s46ctl ${S46CTL} --control-socket /nonexistent/control.sock --version)

# A bad flag next to --version is still an error (parsing is not skipped).
execute_process(COMMAND ${S46D} --version --no-such-flag RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc STREQUAL "2" OR NOT err MATCHES "unknown argument '--no-such-flag'")
  message(SEND_ERROR "s46d --version --no-such-flag: exit ${rc}, stderr '${err}' (expected exit 2 naming the flag)")
  math(EXPR failures "${failures} + 1")
endif()

if(failures GREATER 0)
  message(FATAL_ERROR "${failures} check(s) failed")
endif()
