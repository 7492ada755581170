// The s46ctl subcommands that talk to a running s46d over its control socket (docs/control.md):
// status, events (alias journal), renew, provision (external DHCPv6 clients), mode, reload, portmap.
// Requests and replies are the protocol types the daemon uses (platform/control/protocol.hpp).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/result.hpp"
#include "platform/control/protocol.hpp"

namespace s46::ctl {

// Set from `s46ctl --control-socket PATH <command>`; default /run/s46d/control.sock.
std::string& control_socket_path();

int status_main(const std::vector<std::string>& args);
int renew_main(const std::vector<std::string>& args);
int provision_main(const std::vector<std::string>& args);
int events_main(const std::vector<std::string>& args);
inline int journal_main(const std::vector<std::string>& args) { return events_main(args); }
int mode_main(const std::vector<std::string>& args);
int reload_main(const std::vector<std::string>& args);
int portmap_main(const std::vector<std::string>& args);

// The requests for a subcommand's arguments (testable without a daemon). Each is validated by
// control::parse_request, so s46ctl rejects what s46d would, with the same message.
Result<control::ProvisionRequest> provision_request(const std::vector<std::string>& args);
// `now`: wall-clock seconds, for --since DURATION. Sets *as_json for --json.
Result<control::EventsRequest> events_request(const std::vector<std::string>& args, std::int64_t now, bool* as_json = nullptr);
Result<control::ModeRequest> mode_request(const std::vector<std::string>& args);
// portmap [list] [--json] | add tcp|udp PORT ADDR[:PORT] | del tcp|udp PORT.
Result<control::PortmapRequest> portmap_request(const std::vector<std::string>& args, bool* as_json = nullptr);

// A readable summary of a status object (report::status_table against the wall clock).
std::string status_text(const nlohmann::json& status);
std::string events_text(const control::EventsReply& reply);
std::string portmap_text(const control::PortmapReply& reply);
std::string forwards_text(const control::PortmapReply& reply);  // the "forwards:" lines alone

extern const char* const kStatusUsage;
extern const char* const kRenewUsage;
extern const char* const kProvisionUsage;
extern const char* const kEventsUsage;
extern const char* const kJournalUsage;
extern const char* const kModeUsage;
extern const char* const kReloadUsage;
extern const char* const kPortmapUsage;

}  // namespace s46::ctl
