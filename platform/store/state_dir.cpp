#include "platform/store/state_dir.hpp"

#include <sys/stat.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <system_error>

namespace s46::store {
namespace {

std::string octal(mode_t m) {
    char buf[8];
    std::snprintf(buf, sizeof buf, "%04o", static_cast<unsigned>(m & 07777));
    return buf;
}

}  // namespace

Result<StateDir> prepare_state_dir(const std::string& path) {
    namespace fs = std::filesystem;
    StateDir out;
    std::error_code ec;
    fs::path p(path);
    if (p.has_parent_path() && p.parent_path() != p.root_path()) {
        fs::create_directories(p.parent_path(), ec);
        if (ec) return fail("state directory " + path + ": creating its parent: " + ec.message());
    }
    if (::mkdir(path.c_str(), 0700) == 0) {
        // mkdir applies the umask; the mode must be exactly 0700 whatever the umask (one that
        // masks owner bits would leave a directory s46d cannot use).
        if (::chmod(path.c_str(), 0700) != 0)
            return fail("state directory " + path + ": setting mode 0700: " + std::strerror(errno));
        out.created = true;
        return out;
    }
    if (errno != EEXIST) return fail("state directory " + path + ": " + std::strerror(errno));

    struct stat st{};
    if (::stat(path.c_str(), &st) != 0) return fail("state directory " + path + ": " + std::strerror(errno));
    if (!S_ISDIR(st.st_mode)) return fail("state directory " + path + " exists and is not a directory");
    // Reported, not changed: the operator may share the directory on purpose, but should know.
    if (st.st_mode & (S_IWGRP | S_IWOTH))
        out.warnings.push_back("state directory " + path + " is " +
                               ((st.st_mode & S_IWOTH) ? "world-writable" : "group-writable") + " (mode " +
                               octal(st.st_mode) + "): others could replace state.db; chmod 700 it");
    return out;
}

}  // namespace s46::store
