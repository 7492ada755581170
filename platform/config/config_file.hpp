// s46d.conf: a JSON object of groups of settings (docs/configuration.md), read only when
// --config or --check-config names it. Flags given with it override it (daemon_options.hpp).
//
// The file fills the same DaemonOptions the flags fill, through the same per-setting parsers
// (settings.hpp). Comments (// and /* */) are accepted. Unknown keys, duplicate keys, wrong types
// and bad values are refused with the key's path: "s46d.conf: tunnel.encapsulation_limit: 300 is
// outside 0..255".
#pragma once

#include <string>
#include <string_view>

#include "core/result.hpp"
#include "platform/daemon/daemon_options.hpp"

namespace s46::config {

// Where the packaged service keeps it; read only when named (no implicit default file).
inline constexpr const char* kDefaultConfigPath = "/etc/s46d/s46d.conf";

// Reads and parses `path` on top of `base`. Errors start with "<path>: ".
Result<daemon::DaemonOptions> load_config(const std::string& path, daemon::DaemonOptions base = {});

// The same for text in memory; errors start with "<source>: ".
Result<daemon::DaemonOptions> parse_config_text(std::string_view text, daemon::DaemonOptions base,
                                                std::string_view source = "s46d.conf");

}  // namespace s46::config
