// s46d's log: one call per decision line, to stderr or syslog, with rate limiting.
//
// Why the rate limit: much of what s46d logs is caused by packets from the network (a DHCPv6
// server's Reply, ICMPv6 from a tunnel peer). A hostile or broken server that sends 1000 duplicate
// options per Reply must not be able to flood the journal, so identical lines (same key) beyond
// `burst` per `window` are suppressed and counted, and one summary line reports them:
//     suppressed 995 similar messages: <the last suppressed text>
// when the key's window has closed (flush(), or the key's next line). A global budget per window
// catches floods of distinct lines too (e.g. a text that embeds a changing value).
//
// Time is injected (milliseconds on a monotonic clock; s46d passes CLOCK_BOOTTIME) so tests drive
// the windows with a fake clock.
//
//     s46::log::init({.level = log::Level::info, .target = log::Target::syslog}, time::boot_now_ms);
//     s46::log::info("selected mape: " + reason);
//     s46::log::warning("reply-rejected", "option 94 ignored: " + why);   // key, text
//     s46::log::flush();   // from the once-a-second tick: emits summaries of closed windows
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace s46::log {

enum class Level : std::uint8_t { error, warning, info, debug };
enum class Target : std::uint8_t { standard_error, syslog };

std::string_view to_string(Level l);
Result<Level> parse_level(std::string_view text);    // error|warning|info|debug
Result<Target> parse_target(std::string_view text);  // stderr|syslog
// syslog facility names (RFC 5424 §6.2.1 as <syslog.h> spells them): daemon, user, local0..local7.
Result<int> parse_facility(std::string_view text);

// Milliseconds on a monotonic clock.
using Clock = std::function<std::int64_t()>;
// Receives every line that passes the level and the rate limit, without prefix or newline.
using Sink = std::function<void(Level, std::string_view text)>;

struct RateLimit {
    unsigned burst = 5;              // lines per key per window
    std::int64_t window_ms = 10000;
    unsigned global_burst = 200;     // lines per window over all keys
};

// "s46d: <level>: <text>\n" on stderr.
Sink stderr_sink();
// openlog(ident, LOG_PID, facility) once, then syslog(syslog_priority(level), "%s", text).
Sink syslog_sink(int facility, const char* ident = "s46d");
int syslog_priority(Level l);  // LOG_ERR, LOG_WARNING, LOG_INFO, LOG_DEBUG

class Logger {
public:
    Logger(Level threshold, Sink sink, Clock clock, RateLimit limit = {});

    bool enabled(Level l) const { return l <= threshold_; }
    void set_level(Level l) { threshold_ = l; }
    // `key` groups identical lines (a message template id); empty: the text itself.
    void write(Level l, std::string_view key, std::string_view text);
    void write(Level l, std::string_view text) { write(l, {}, text); }
    // Emits the summary of every window that has closed and forgets idle keys.
    void flush();

    std::uint64_t suppressed_total() const { return suppressed_total_; }

private:
    struct Window {
        std::int64_t start = 0;
        unsigned emitted = 0;
        std::uint64_t suppressed = 0;
        Level level = Level::info;
        std::string last_text;  // of the latest suppressed line
    };
    void close(Window& w, const std::string& summary_of);
    void emit(Level l, std::string_view text);

    Level threshold_;
    Sink sink_;
    Clock clock_;
    RateLimit limit_;
    std::map<std::string, Window, std::less<>> windows_;
    Window global_;
    std::uint64_t suppressed_total_ = 0;
};

struct Options {
    Level level = Level::info;
    Target target = Target::standard_error;
    int facility = -1;  // -1: LOG_DAEMON
    RateLimit limit{};
};


// The process-wide logger the free functions use. Before init(): stderr, info, a steady clock.
void init(const Options& options, Clock clock);
// Tests and the daemon's reload: replace the sink (e.g. to capture lines).
void init(Level level, Sink sink, Clock clock, RateLimit limit = {});
Logger& logger();

inline bool enabled(Level l) { return logger().enabled(l); }
inline void error(std::string_view text) { logger().write(Level::error, text); }
inline void warning(std::string_view text) { logger().write(Level::warning, text); }
inline void info(std::string_view text) { logger().write(Level::info, text); }
inline void debug(std::string_view text) { logger().write(Level::debug, text); }
inline void error(std::string_view key, std::string_view text) { logger().write(Level::error, key, text); }
inline void warning(std::string_view key, std::string_view text) { logger().write(Level::warning, key, text); }
inline void info(std::string_view key, std::string_view text) { logger().write(Level::info, key, text); }
inline void debug(std::string_view key, std::string_view text) { logger().write(Level::debug, key, text); }
inline void flush() { logger().flush(); }

}  // namespace s46::log
