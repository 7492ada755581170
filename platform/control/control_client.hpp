// s46ctl's side of the control socket: send one request, read one response line.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "core/result.hpp"

namespace s46::control {

inline constexpr const char* kDefaultControlSocket = "/run/s46d/control.sock";

// Errors name the socket and what failed (not running, permission, timeout, bad response).
Result<nlohmann::json> call(const std::string& socket_path, const nlohmann::json& request, int timeout_ms = 5000);

}  // namespace s46::control
