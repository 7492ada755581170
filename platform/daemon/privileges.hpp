// After setup s46d needs only three capabilities: CAP_NET_ADMIN (links, addresses, routes,
// TUN, nftables), CAP_NET_RAW (the IPIP raw socket) and CAP_NET_BIND_SERVICE (DHCPv6 client
// port 546, bound again when the WAN interface comes back). Everything else is dropped, from the
// bounding set too when the process may change it, and the process can move to an unprivileged
// user and group (what a packaged service runs as).
#pragma once

#include <string>
#include <vector>

#include "core/result.hpp"

namespace s46::daemon {

struct PrivilegeDrop {
    std::string user;   // empty: keep the current user
    std::string group;  // empty: the user's primary group
    // Paths the new user must still write (the state directory and its database files): each is
    // handed to the user before the switch, not recursively. Only when the switch happens. The
    // control socket stays root's: at exit a user may fail to unlink it, and the next start
    // replaces it as stale (a service manager's runtime directory belongs to the user anyway).
    std::vector<std::string> writable;
    // Paths the new user must already be able to write (an existing state directory): s46d
    // refuses to switch rather than take them over.
    std::vector<std::string> must_write;
};

// Returns a one-line description of what the process now runs with, or why it could not drop
// (unknown user, not allowed): s46d refuses to run with more than it asked for.
Result<std::string> drop_privileges(const PrivilegeDrop& drop);

}  // namespace s46::daemon
