#include <catch2/catch.hpp>

#include <optional>
#include <string>
#include <type_traits>

#include "core/result.hpp"

using s46::Error;
using s46::Result;

namespace {

// A step that can fail, the way the platform's "done or why not" calls are written.
Result<void> step(bool works) {
    if (!works) return s46::fail("the step failed");
    return s46::ok();
}

// Propagating one failure through another layer keeps the message.
Result<void> two_steps(bool first, bool second) {
    if (auto r = step(first); !r) return s46::fail("first: " + r.error());
    return step(second);
}

}  // namespace

// Success must be said with ok(): nothing else turns into a Result<void> by accident.
static_assert(!std::is_default_constructible_v<Result<void>>, "`Result<void> r;` and `return {};` must not compile");
static_assert(!std::is_convertible_v<bool, Result<void>>, "`return true;` must not compile");
static_assert(!std::is_constructible_v<Result<void>, bool>);
static_assert(!std::is_constructible_v<Result<void>, int>);
static_assert(!std::is_convertible_v<Result<void>, bool>, "only explicit tests, as for Result<T>");
static_assert(std::is_convertible_v<Error, Result<void>>);
static_assert(std::is_convertible_v<s46::Done, Result<void>>);

TEST_CASE("Result<void> from ok() is a success", "[result]") {
    Result<void> r = s46::ok();
    CHECK(r.ok());
    CHECK(static_cast<bool>(r));
    CHECK(step(true).ok());
}

TEST_CASE("Result<void> from an error keeps the message", "[result]") {
    Result<void> r = s46::fail("tunnel device s46: no such device");
    CHECK_FALSE(r.ok());
    CHECK_FALSE(static_cast<bool>(r));
    CHECK(r.error() == "tunnel device s46: no such device");
    CHECK(step(false).error() == "the step failed");
}

TEST_CASE("Result<void> propagates the first failure", "[result]") {
    CHECK(two_steps(true, true).ok());
    CHECK(two_steps(false, true).error() == "first: the step failed");
    CHECK(two_steps(true, false).error() == "the step failed");
}

TEST_CASE("asking a successful Result<void> for its error throws", "[result]") {
    // As Result<T>::error() does on a value: a caller that did not look at ok() first finds
    // out at once instead of reading an empty message.
    CHECK_THROWS_AS(step(true).error(), std::bad_optional_access);
    CHECK_THROWS(Result<int>(3).error());
}

TEST_CASE("Result<void> copies and assigns both ways", "[result]") {
    Result<void> r = s46::ok();
    const Result<void> failed = s46::fail("x");
    r = failed;
    CHECK(r.error() == "x");
    r = s46::ok();
    CHECK(r.ok());
}
