// s46d's logger: levels, the per-key rate limit with its summary line, the global budget, and the
// process-wide functions, all with a fake clock and a capturing sink.
#include <catch2/catch.hpp>

#include <syslog.h>

#include <string>
#include <vector>

#include "platform/log/logger.hpp"

using namespace s46;

namespace {

struct Capture {
    std::vector<std::string> lines;
    std::int64_t now = 1000;
    log::Sink sink() {
        return [this](log::Level l, std::string_view text) { lines.push_back(std::string(log::to_string(l)) + ": " + std::string(text)); };
    }
    log::Clock clock() {
        return [this] { return now; };
    }
};

}  // namespace

TEST_CASE("logger: levels up to the threshold pass", "[log]") {
    Capture c;
    log::Logger l(log::Level::warning, c.sink(), c.clock());
    l.write(log::Level::error, "e");
    l.write(log::Level::warning, "w");
    l.write(log::Level::info, "i");
    l.write(log::Level::debug, "d");
    CHECK(c.lines == std::vector<std::string>{"error: e", "warning: w"});
    CHECK(l.enabled(log::Level::warning));
    CHECK_FALSE(l.enabled(log::Level::info));
    l.set_level(log::Level::debug);
    l.write(log::Level::debug, "d");
    CHECK(c.lines.back() == "debug: d");
}

TEST_CASE("logger: 1000 identical lines become 5 lines and one summary", "[log]") {
    Capture c;
    log::Logger l(log::Level::info, c.sink(), c.clock());
    for (int i = 0; i < 1000; ++i) l.write(log::Level::warning, "reply-option", "option 94 ignored: duplicate #" + std::to_string(i));
    CHECK(c.lines.size() == 5);
    CHECK(l.suppressed_total() == 995);
    // The window has not closed: nothing yet.
    c.now += 9999;
    l.flush();
    CHECK(c.lines.size() == 5);
    c.now += 1;
    l.flush();
    REQUIRE(c.lines.size() == 6);
    CHECK(c.lines.back() == "warning: suppressed 995 similar messages: option 94 ignored: duplicate #999");
    // A closed window that suppressed nothing says nothing; the next line opens a fresh window.
    c.now += 20000;
    l.flush();
    CHECK(c.lines.size() == 6);
    l.write(log::Level::warning, "reply-option", "again");
    CHECK(c.lines.back() == "warning: again");
}

TEST_CASE("logger: the summary also comes with the key's next allowed line", "[log]") {
    Capture c;
    log::Logger l(log::Level::info, c.sink(), c.clock(), log::RateLimit{2, 1000, 100});
    for (int i = 0; i < 4; ++i) l.write(log::Level::info, "same text");
    l.write(log::Level::info, "other text");  // its own key: not limited by the first
    CHECK(c.lines == std::vector<std::string>{"info: same text", "info: same text", "info: other text"});
    c.now += 1000;
    l.write(log::Level::info, "same text");
    CHECK(c.lines == std::vector<std::string>{"info: same text", "info: same text", "info: other text",
                                              "info: suppressed 2 similar messages: same text", "info: same text"});
}

TEST_CASE("logger: distinct lines share a global budget", "[log]") {
    Capture c;
    log::Logger l(log::Level::info, c.sink(), c.clock(), log::RateLimit{5, 1000, 3});
    for (int i = 0; i < 10; ++i) l.write(log::Level::error, "line " + std::to_string(i));
    CHECK(c.lines.size() == 3);
    c.now += 1000;
    l.flush();
    REQUIRE(c.lines.size() == 4);
    CHECK(c.lines.back() == "error: suppressed 7 messages over the log rate limit, the last: line 9");
}

TEST_CASE("logger: names of levels, targets and facilities", "[log]") {
    CHECK(*log::parse_level("debug") == log::Level::debug);
    CHECK(log::parse_level("verbose").error() == "'verbose' is not error, warning, info or debug");
    CHECK(*log::parse_target("syslog") == log::Target::syslog);
    CHECK(log::parse_target("journal").error() == "'journal' is not stderr or syslog");
    CHECK(*log::parse_facility("daemon") == LOG_DAEMON);
    CHECK(*log::parse_facility("local3") == LOG_LOCAL3);
    CHECK(log::parse_facility("kern").error() == "'kern' is not daemon, user or local0..local7");
    CHECK(log::syslog_priority(log::Level::warning) == LOG_WARNING);
    CHECK(log::syslog_priority(log::Level::debug) == LOG_DEBUG);
}

TEST_CASE("logger: the process-wide functions write through init's sink", "[log]") {
    Capture c;
    log::init(log::Level::info, c.sink(), c.clock());
    log::info("selected mape: only valid configuration");
    log::debug("not shown");
    log::error("store", "cannot write");
    CHECK(c.lines == std::vector<std::string>{"info: selected mape: only valid configuration", "error: cannot write"});
    CHECK_FALSE(log::enabled(log::Level::debug));
    log::init(log::Level::info, log::stderr_sink(), nullptr);  // leave the default behind for other tests
}
