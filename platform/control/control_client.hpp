// s46ctl's side of the control socket: send one request, read one reply line.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "core/result.hpp"
#include "platform/control/protocol.hpp"

namespace s46::control {

inline constexpr const char* kDefaultControlSocket = "/run/s46d/control.sock";

// Sends `request_line` (one '\n'-terminated line) and returns the reply line parsed as JSON.
// Errors name the socket and what failed (not running, permission, timeout, not JSON).
Result<nlohmann::json> call_raw(const std::string& socket_path, const std::string& request_line, int timeout_ms = 5000);

// The typed call: sends `request`, checks the reply's version and ok (a refusal becomes
// fail("s46d refused: ...")) and converts it to Reply.
template <class Reply>
Result<Reply> call(const std::string& socket_path, const Request& request, int timeout_ms = 5000) {
    auto reply = call_raw(socket_path, request_line(request), timeout_ms);
    if (!reply) return fail(reply.error());
    auto typed = reply_from_json<Reply>(*reply);
    // A refusal is the daemon's own words; only a reply we cannot read needs the socket named.
    if (!typed) return fail(typed.error().rfind("s46d refused: ", 0) == 0 ? typed.error() : "control socket " + socket_path + ": " + typed.error());
    return typed;
}

}  // namespace s46::control
