# Shared by the s46ctl cli scripts (cmake -P): the S46CTL check, a failure count, the equality
# and substring checks, and the bad-input loop. Include it, make the checks, then call
# s46ctl_checks_done(<what>) to fail the script when any check failed.
#   include(${CMAKE_CURRENT_LIST_DIR}/s46ctl_checks.cmake)
cmake_minimum_required(VERSION 3.22)
if(NOT S46CTL)
  message(FATAL_ERROR "pass -DS46CTL=<path to s46ctl>")
endif()

set(failures 0)

macro(check_equal what actual expected)
  if(NOT "${actual}" STREQUAL "${expected}")
    message(SEND_ERROR "${what}: got '${actual}', expected '${expected}'")
    math(EXPR failures "${failures} + 1")
  endif()
endmacro()

# Runs `s46ctl <arguments>`, leaving its exit status, stdout and stderr in rc, out and err, and
# checks the exit status ("<what> exit status").
macro(run_s46ctl what expected_rc)
  execute_process(COMMAND ${S46CTL} ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  check_equal("${what} exit status" "${rc}" "${expected_rc}")
endmacro()

# Fails with <message> when <haystack> does not contain <needle>.
macro(check_contains haystack needle message)
  string(FIND "${haystack}" "${needle}" at)
  if(at EQUAL -1)
    message(SEND_ERROR "${message}")
    math(EXPR failures "${failures} + 1")
  endif()
endmacro()

# Runs `s46ctl <subcommand> <arguments>` for each case in the list named <cases_var> and checks
# exit status 2, nothing on stdout and exactly one stderr line containing the case's needle;
# with PREFIXED, that line must also start with "s46ctl <subcommand>: ".
# Each case: a label, the text stderr must contain, then the arguments ("|" separated).
macro(check_bad_cases subcommand cases_var)
  set(bad_case_options ${ARGN})
  foreach(case IN LISTS ${cases_var})
    string(REPLACE "|" ";" fields "${case}")
    list(POP_FRONT fields label needle)
    execute_process(COMMAND ${S46CTL} ${subcommand} ${fields}
                    RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
    check_equal("${label}: exit status" "${rc}" "2")
    check_equal("${label}: stdout" "${out}" "")
    string(REGEX MATCHALL "\n" newlines "${err}")
    list(LENGTH newlines lines)
    check_equal("${label}: stderr line count (stderr: ${err})" "${lines}" "1")
    if("PREFIXED" IN_LIST bad_case_options)
      string(FIND "${err}" "s46ctl ${subcommand}: " at)
      check_equal("${label}: stderr starts with 's46ctl ${subcommand}: ' (stderr: ${err})" "${at}" "0")
    endif()
    check_contains("${err}" "${needle}" "${label}: stderr '${err}' does not name '${needle}'")
  endforeach()
endmacro()

macro(s46ctl_checks_done what)
  if(failures GREATER 0)
    message(FATAL_ERROR "${what}: ${failures} check(s) failed")
  endif()
  message(STATUS "${what}: all checks passed")
endmacro()
