# Debian's hardening flags (what `dpkg-buildflags` gives a package built with hardening=+all):
# fortified libc calls, stack protector, full RELRO with immediate binding; PIE is the compiler's
# default already. s46d parses what DHCPv6 servers and tunnel peers send, and the .deb ships
# these binaries (lintian checks for fortify and bindnow). Off for the sanitizer and fuzzing
# builds, and _FORTIFY_SOURCE only where the code is optimised (it needs -O1 or more).
option(S46_HARDENING "Build with Debian's hardening flags" ON)
if(S46_HARDENING AND NOT S46_SANITIZE AND NOT S46_FUZZ AND CMAKE_CXX_COMPILER_ID MATCHES "GNU|Clang")
  add_compile_options(-fstack-protector-strong $<$<NOT:$<CONFIG:Debug>>:-D_FORTIFY_SOURCE=2>)
  add_link_options(-Wl,-z,relro -Wl,-z,now)
endif()
