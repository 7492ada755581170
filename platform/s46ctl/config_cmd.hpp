// `s46ctl config from-uci FILE [--output OUT]`: /etc/config/s46d (UCI) to s46d.conf's JSON
// (platform/config/uci_config.hpp), checked with s46d's own parser. OpenWrt's init script and
// netifd handler run it at every start, so a bad option stops the start with its line named.
#pragma once

#include <string>
#include <vector>

namespace s46::ctl {

extern const char* const kConfigUsage;
int config_main(const std::vector<std::string>& args);

}  // namespace s46::ctl
