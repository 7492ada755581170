#include "platform/store/move_aside.hpp"

#include <chrono>
#include <ctime>
#include <filesystem>
#include <system_error>

namespace s46::store {
namespace {

std::string utc_stamp() {
    std::time_t t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y%m%dT%H%M%SZ", &tm);
    return buf;
}

// Two bad files within a second (a crash loop) must not overwrite the first one kept.
std::string free_target(const std::string& path) {
    namespace fs = std::filesystem;
    std::error_code ec;
    std::string target = path + ".corrupt-" + utc_stamp();
    for (int n = 1; fs::exists(target, ec) || fs::exists(target + "-wal", ec); ++n)
        target = path + ".corrupt-" + utc_stamp() + "-" + std::to_string(n);
    return target;
}

}  // namespace

Result<std::string> move_aside_wal(const std::string& path) {
    namespace fs = std::filesystem;
    std::error_code ec;
    std::string target = free_target(path);
    fs::rename(path + "-wal", target + "-wal", ec);
    if (ec) return fail("cannot move " + path + "-wal aside to " + target + "-wal: " + ec.message());
    fs::remove(path + "-shm", ec);
    if (ec) return fail("moved " + path + "-wal aside but cannot remove " + path + "-shm: " + ec.message());
    return target + "-wal";
}

Result<std::string> move_aside(const std::string& path) {
    namespace fs = std::filesystem;
    std::error_code ec;
    std::string target = free_target(path);

    fs::rename(path, target, ec);
    if (ec) return fail("cannot move " + path + " aside to " + target + ": " + ec.message());

    // A stale -wal next to a fresh database would be replayed into it; it belongs to the old file.
    if (fs::exists(path + "-wal", ec)) {
        fs::rename(path + "-wal", target + "-wal", ec);
        if (ec) return fail("moved " + path + " aside but not its -wal file: " + ec.message());
    }
    fs::remove(path + "-shm", ec);
    if (ec) return fail("moved " + path + " aside but cannot remove its -shm file: " + ec.message());
    return target;
}

}  // namespace s46::store
