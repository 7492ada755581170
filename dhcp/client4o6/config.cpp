#include "dhcp/client4o6/config.hpp"

namespace s46::dhcp::client4o6 {

std::optional<std::string> validate(const ClientConfig& c) {
    if (c.client_id.size() == 1) return std::string("client_id of 1 octet (RFC 2132 §9.14: at least 2)");
    if (c.client_id.size() > 255) return "client_id of " + std::to_string(c.client_id.size()) + " octets (at most 255)";
    if (c.max_initial_delay < Time(0)) return std::string("max_initial_delay is negative");
    if (c.restart_delay < Time(0)) return std::string("restart_delay is negative");
    return std::nullopt;
}

}  // namespace s46::dhcp::client4o6
