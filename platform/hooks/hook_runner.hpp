// Runs the vendor hooks (docs/integration.md): every executable in the hooks directory, in name
// order, once per softwire event (up, change, down), one at a time and events in the order they
// happened, without blocking s46d's event loop. Each hook gets the event's JSON on standard
// input and its environment (platform/hooks/hook_call.hpp), runs in a process group of its own
// and is killed with that group when it outlives the timeout. Its exit status and the tail of
// its output are logged.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <asio.hpp>

#include "platform/hooks/hook_call.hpp"

namespace s46::hooks {

struct HookRunnerOptions {
    std::string directory = "/etc/s46d/hooks.d";
    std::chrono::milliseconds timeout = std::chrono::seconds(10);
};

class HookRunner {
public:
    // `log(problem, line)`: problem = a hook failed, timed out or could not start.
    using Log = std::function<void(bool problem, const std::string& line)>;

    HookRunner(asio::io_context& io, HookRunnerOptions options, Log log);
    ~HookRunner();
    HookRunner(const HookRunner&) = delete;
    HookRunner& operator=(const HookRunner&) = delete;

    // Queues the hooks for one event. The directory is read when the event's turn comes, so a
    // hook installed while s46d runs is used from the next event on. A missing directory means
    // no hooks.
    void run(HookCall call);

    // At shutdown, with the event loop no longer running: finishes the running hook and runs
    // what is queued, blocking, for at most `budget` in total; what does not fit is killed or
    // skipped, and logged.
    void drain(std::chrono::milliseconds budget);

    bool idle() const { return !child_ && queue_.empty() && pending_.empty(); }
    std::uint64_t runs() const { return runs_; }
    std::uint64_t failures() const { return failures_; }

    // The executables of `directory` a run would use, in order: regular files with an execute
    // bit, not hidden, no editor or package-manager leftovers (name~, .dpkg-*, .opkg, -opkg, .apk-new).
    static std::vector<std::string> list_hooks(const std::string& directory);

private:
    struct Child;
    void start_next();
    void on_exit();
    void finish(int status, bool timed_out);
    void read_output();

    asio::io_context& io_;
    HookRunnerOptions options_;
    Log log_;
    std::deque<HookCall> queue_;
    std::deque<std::string> pending_;   // the current event's hooks not yet started
    HookCall current_;                   // the event they run for
    std::unique_ptr<Child> child_;
    std::uint64_t runs_ = 0, failures_ = 0;
};

}  // namespace s46::hooks
