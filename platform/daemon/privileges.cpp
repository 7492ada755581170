#include "platform/daemon/privileges.hpp"

#include <cap-ng.h>
#include <grp.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace s46::daemon {

namespace {

// One path at a time, never recursively: a configured state directory could be a shared one
// (/var/lib), and s46d must not take over what is not its own. Missing paths are skipped.
Result<void> hand_over(const std::string& path, uid_t uid, gid_t gid) {
    if (::lchown(path.c_str(), uid, gid) != 0 && errno != ENOENT)
        return fail("cannot hand " + path + " to uid " + std::to_string(uid) + ": " + std::strerror(errno));
    return ok();
}

}  // namespace

Result<std::string> drop_privileges(const PrivilegeDrop& drop) {
    capng_clear(CAPNG_SELECT_BOTH);
    if (capng_updatev(CAPNG_ADD, static_cast<capng_type_t>(CAPNG_EFFECTIVE | CAPNG_PERMITTED), CAP_NET_ADMIN, CAP_NET_RAW,
                      CAP_NET_BIND_SERVICE, -1) != 0)
        return fail("cannot build the capability set");
    const char* kept = "CAP_NET_ADMIN, CAP_NET_RAW, CAP_NET_BIND_SERVICE";

    if (drop.user.empty()) {
        if (!drop.group.empty()) return fail("a group to run as (" + drop.group + ") needs a user too");
        // Without CAP_SETPCAP the bounding set cannot change; the process's own sets still can.
        const bool bounding = capng_have_capability(CAPNG_EFFECTIVE, CAP_SETPCAP);
        if (capng_apply(bounding ? CAPNG_SELECT_BOTH : CAPNG_SELECT_CAPS) != 0)
            return fail(std::string("cannot drop capabilities to ") + kept);
        return std::string("kept only ") + kept + (bounding ? "" : " (bounding set unchanged: no CAP_SETPCAP)");
    }

    const passwd* pw = ::getpwnam(drop.user.c_str());
    if (!pw) return fail("user '" + drop.user + "' does not exist");
    const uid_t uid = pw->pw_uid;
    gid_t gid = pw->pw_gid;
    if (!drop.group.empty()) {
        const group* gr = ::getgrnam(drop.group.c_str());
        if (!gr) return fail("group '" + drop.group + "' does not exist");
        gid = gr->gr_gid;
    }
    for (const auto& p : drop.must_write) {
        struct stat st{};
        if (::stat(p.c_str(), &st) != 0) return fail("cannot look at " + p + ": " + std::strerror(errno));
        const bool writable = (st.st_uid == uid && (st.st_mode & S_IWUSR)) || (st.st_gid == gid && (st.st_mode & S_IWGRP)) ||
                              (st.st_mode & S_IWOTH);
        if (!writable)
            return fail(p + " is not writable by " + drop.user + " (owner uid " + std::to_string(st.st_uid) +
                        "): give it to that user, or let s46d create it");
    }
    for (const auto& p : drop.writable)
        if (auto r = hand_over(p, uid, gid); !r) return fail(r.error());
    // capng_change_id keeps the selected capabilities across setuid (PR_SET_KEEPCAPS), drops the
    // supplementary groups of root and clears the bounding set of everything else.
    if (int rc = capng_change_id(static_cast<int>(uid), static_cast<int>(gid),
                                 static_cast<capng_flags_t>(CAPNG_DROP_SUPP_GRP | CAPNG_CLEAR_BOUNDING));
        rc != 0)
        return fail("cannot switch to user " + drop.user + " (capng_change_id: " + std::to_string(rc) + ")");
    return std::string("running as ") + drop.user + " (uid " + std::to_string(uid) + ", gid " + std::to_string(gid) +
           ") with only " + kept;
}

}  // namespace s46::daemon
