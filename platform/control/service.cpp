#include "platform/control/service.hpp"

#include <exception>

namespace s46::control {

namespace {

template <class Reply>
std::string answer(Result<Reply> r) {
    if (!r) return error_line(r.error());
    nlohmann::json body = *r;
    return ok_line(std::move(body));
}

std::string call(const Request& request, Service& s) {
    return std::visit(
        [&s](const auto& r) -> std::string {
            using R = std::decay_t<decltype(r)>;
            if constexpr (std::is_same_v<R, StatusRequest>) return answer(s.status(r));
            else if constexpr (std::is_same_v<R, EventsRequest>) return answer(s.events(r));
            else if constexpr (std::is_same_v<R, RenewRequest>) return answer(s.renew(r));
            else if constexpr (std::is_same_v<R, ProvisionRequest>) return answer(s.provision(r));
            else if constexpr (std::is_same_v<R, ModeRequest>) return answer(s.mode(r));
            else if constexpr (std::is_same_v<R, PortmapRequest>) return answer(s.portmap(r));
            else return answer(s.reload(r));
        },
        request);
}

}  // namespace

std::string dispatch(std::string_view line, Service& service) noexcept {
    try {
        auto request = parse_request(line);
        if (!request) return error_line(request.error());
        try {
            return call(*request, service);
        } catch (const std::exception& e) {
            // A handler bug must not take the daemon down; the caller learns which command failed.
            return error_line("internal error in " + std::string(command_name(*request)) + ": " + e.what());
        } catch (...) {
            return error_line("internal error in " + std::string(command_name(*request)));
        }
    } catch (...) {
        // Only allocation failure gets here; a short fixed reply is the best left to try.
        return std::string("{\"error\":\"internal error\",\"ok\":false,\"version\":1}\n");
    }
}

}  // namespace s46::control
