// What the daemon offers on its control socket, one virtual per request kind, and dispatch():
// request line in, reply line out. The daemon implements Service; the server, the tests and the
// fuzz target call dispatch(), so validation and serialisation happen in exactly one place.
#pragma once

#include <string>
#include <string_view>

#include "core/result.hpp"
#include "platform/control/protocol.hpp"

namespace s46::control {

// Each call returns the reply or an error naming why the daemon refused; throwing is also
// tolerated (dispatch() turns any exception into an error reply) but is for bugs, not refusals.
class Service {
public:
    virtual ~Service() = default;
    virtual Result<StatusReply> status(const StatusRequest& request) = 0;
    virtual Result<EventsReply> events(const EventsRequest& request) = 0;
    virtual Result<MessageReply> renew(const RenewRequest& request) = 0;
    virtual Result<StatusReply> provision(const ProvisionRequest& request) = 0;
    virtual Result<MessageReply> mode(const ModeRequest& request) = 0;
    virtual Result<PortmapReply> portmap(const PortmapRequest& request) = 0;
    virtual Result<MessageReply> reload(const ReloadRequest& request) = 0;
};

// Parses and validates `line`, calls the service, serialises its reply. Never throws: every
// error, including the service's exceptions, becomes {"version":1,"ok":false,"error":...}. The
// result is always one line of valid UTF-8 JSON ending in '\n'.
std::string dispatch(std::string_view line, Service& service) noexcept;

}  // namespace s46::control
