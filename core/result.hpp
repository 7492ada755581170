// Result<T>: a value or an error message that names what was wrong.
// Result<void>: done, or the error that says why not (`return ok();` / `return fail("...");`).
// The pure core never throws on bad input; parsers and validators return this.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace s46 {

struct Error {
    std::string message;
};

template <class T>
class Result {
public:
    Result(T value) : v_(std::move(value)) {}            // NOLINT: implicit by design
    Result(Error error) : v_(std::move(error)) {}         // NOLINT: implicit by design

    bool ok() const { return v_.index() == 0; }
    explicit operator bool() const { return ok(); }

    T& value() & { return std::get<0>(v_); }
    const T& value() const& { return std::get<0>(v_); }
    T&& value() && { return std::get<0>(std::move(v_)); }
    T& operator*() & { return value(); }
    const T& operator*() const& { return value(); }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }

    const std::string& error() const { return std::get<1>(v_).message; }

private:
    std::variant<T, Error> v_;
};

// The success marker Result<void> is built from. A type of its own rather than a default
// constructor or a bool, so success is always spelled `ok()`: `return {};` and `return true;`
// do not compile, and neither does a Result<void> declared without saying which it is.
struct Done {
    explicit constexpr Done() = default;
};
constexpr Done ok() { return Done{}; }

// Done, or why not. [[nodiscard]]: a call that can fail and is not looked at is a bug.
template <>
class [[nodiscard]] Result<void> {
public:
    Result(Done) {}                                        // NOLINT: implicit by design
    Result(Error error) : error_(std::move(error)) {}      // NOLINT: implicit by design

    bool ok() const { return !error_.has_value(); }
    explicit operator bool() const { return ok(); }

    // Only on failure: asking a success for its error throws std::bad_optional_access, as
    // Result<T>::error() throws on a value.
    const std::string& error() const { return error_.value().message; }

private:
    std::optional<Error> error_;
};

inline Error fail(std::string message) { return Error{std::move(message)}; }

}  // namespace s46
