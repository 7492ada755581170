// The s46ctl subcommands that talk to a running s46d over its control socket:
// status, renew, provision (external DHCPv6 clients) and journal.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/result.hpp"

namespace s46::ctl {

// Set from `s46ctl --control-socket PATH <command>`; default /run/s46d/control.sock.
std::string& control_socket_path();

int status_main(const std::vector<std::string>& args);
int renew_main(const std::vector<std::string>& args);
int provision_main(const std::vector<std::string>& args);
int journal_main(const std::vector<std::string>& args);

// The provision request for the arguments after "provision" (testable without a daemon).
Result<nlohmann::json> provision_request(const std::vector<std::string>& args);

// A readable summary of a status object (report::status_table against the wall clock).
std::string status_text(const nlohmann::json& status);

extern const char* const kStatusUsage;
extern const char* const kRenewUsage;
extern const char* const kProvisionUsage;
extern const char* const kJournalUsage;

}  // namespace s46::ctl
