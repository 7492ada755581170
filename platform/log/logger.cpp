#include "platform/log/logger.hpp"

#include <syslog.h>
#include <time.h>

#include <chrono>
#include <cstdio>
#include <memory>
#include <utility>

namespace s46::log {

namespace {

// Bounds the per-key table: keys are message templates, but a text used as its own key could be
// made unique per packet. Past this many live keys a new key is governed by the global budget only.
constexpr std::size_t kMaxKeys = 256;

}  // namespace

int syslog_priority(Level l) {
    switch (l) {
        case Level::error: return LOG_ERR;
        case Level::warning: return LOG_WARNING;
        case Level::info: return LOG_INFO;
        case Level::debug: return LOG_DEBUG;
    }
    return LOG_INFO;
}

namespace {

std::int64_t steady_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

}  // namespace

std::string_view to_string(Level l) {
    switch (l) {
        case Level::error: return "error";
        case Level::warning: return "warning";
        case Level::info: return "info";
        case Level::debug: return "debug";
    }
    return "info";
}

Result<Level> parse_level(std::string_view text) {
    for (Level l : {Level::error, Level::warning, Level::info, Level::debug})
        if (text == to_string(l)) return l;
    return fail("'" + std::string(text) + "' is not error, warning, info or debug");
}

Result<Target> parse_target(std::string_view text) {
    if (text == "stderr") return Target::standard_error;
    if (text == "syslog") return Target::syslog;
    return fail("'" + std::string(text) + "' is not stderr or syslog");
}

Result<int> parse_facility(std::string_view text) {
    static constexpr std::pair<std::string_view, int> kNames[] = {
        {"daemon", LOG_DAEMON}, {"user", LOG_USER},     {"local0", LOG_LOCAL0}, {"local1", LOG_LOCAL1},
        {"local2", LOG_LOCAL2}, {"local3", LOG_LOCAL3}, {"local4", LOG_LOCAL4}, {"local5", LOG_LOCAL5},
        {"local6", LOG_LOCAL6}, {"local7", LOG_LOCAL7},
    };
    for (const auto& [name, value] : kNames)
        if (text == name) return value;
    return fail("'" + std::string(text) + "' is not daemon, user or local0..local7");
}

Sink stderr_sink() {
    return [](Level l, std::string_view text) {
        // One fprintf per line: stderr is unbuffered, and a single write keeps lines whole.
        std::fprintf(stderr, "s46d: %s: %.*s\n", std::string(to_string(l)).c_str(), static_cast<int>(text.size()), text.data());
    };
}

Sink syslog_sink(int facility, const char* ident) {
    // openlog keeps the ident pointer; the caller's string (a literal by default) must outlive it.
    ::openlog(ident, LOG_PID, facility);
    return [](Level l, std::string_view text) {
        std::string line(text);  // syslog wants a C string; the text may not be terminated
        ::syslog(syslog_priority(l), "%s", line.c_str());
    };
}

Logger::Logger(Level threshold, Sink sink, Clock clock, RateLimit limit)
    : threshold_(threshold), sink_(std::move(sink)), clock_(std::move(clock)), limit_(limit) {
    global_.start = clock_();
}

void Logger::emit(Level l, std::string_view text) {
    if (sink_) sink_(l, text);
}

void Logger::close(Window& w, const std::string& summary_of) {
    if (w.suppressed > 0) {
        std::string line = "suppressed " + std::to_string(w.suppressed) + " " + summary_of + ": " + w.last_text;
        emit(w.level, line);
    }
    w.emitted = 0;
    w.suppressed = 0;
    w.last_text.clear();
}

void Logger::write(Level l, std::string_view key, std::string_view text) {
    if (!enabled(l)) return;
    const std::int64_t now = clock_();
    if (key.empty()) key = text;

    Window* w = nullptr;
    if (auto it = windows_.find(key); it != windows_.end()) {
        w = &it->second;
    } else if (windows_.size() < kMaxKeys) {
        w = &windows_.emplace(std::string(key), Window{}).first->second;
        w->start = now;
    }
    auto suppress = [&](Window& win) {
        ++win.suppressed;
        ++suppressed_total_;
        win.level = l;
        win.last_text.assign(text);
    };
    if (w) {
        if (now - w->start >= limit_.window_ms) {
            close(*w, "similar messages");
            w->start = now;
        }
        if (w->emitted >= limit_.burst) return suppress(*w);
    }
    if (now - global_.start >= limit_.window_ms) {
        close(global_, "messages over the log rate limit, the last");
        global_.start = now;
    }
    if (global_.emitted >= limit_.global_burst) return suppress(global_);
    if (w) ++w->emitted;
    ++global_.emitted;
    emit(l, text);
}

void Logger::flush() {
    const std::int64_t now = clock_();
    for (auto it = windows_.begin(); it != windows_.end();) {
        if (now - it->second.start >= limit_.window_ms) {
            close(it->second, "similar messages");
            it = windows_.erase(it);  // idle: a new line opens a fresh window
        } else {
            ++it;
        }
    }
    if (now - global_.start >= limit_.window_ms) {
        close(global_, "messages over the log rate limit, the last");
        global_.start = now;
    }
}

namespace {

std::unique_ptr<Logger>& instance() {
    static std::unique_ptr<Logger> l = std::make_unique<Logger>(Level::info, stderr_sink(), steady_ms);
    return l;
}

}  // namespace

void init(const Options& options, Clock clock) {
    Sink sink = options.target == Target::syslog ? syslog_sink(options.facility < 0 ? LOG_DAEMON : options.facility) : stderr_sink();
    init(options.level, std::move(sink), std::move(clock), options.limit);
}

void init(Level level, Sink sink, Clock clock, RateLimit limit) {
    instance() = std::make_unique<Logger>(level, std::move(sink), clock ? std::move(clock) : Clock(steady_ms), limit);
}

Logger& logger() { return *instance(); }

}  // namespace s46::log
