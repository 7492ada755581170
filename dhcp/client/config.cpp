#include "dhcp/client/config.hpp"

#include <algorithm>

#include "core/provision/s46_options.hpp"
#include "dhcp/client/duid.hpp"

namespace s46::dhcp::client {

std::optional<std::string> validate(const ClientConfig& c) {
    if (c.duid.size() < 3 || c.duid.size() > kMaxDuidLength)
        return "DUID must be 3..130 octets (RFC 8415 §11.1), got " + std::to_string(c.duid.size());
    if (!c.stateless && !c.request_na && !c.request_pd) return "stateful mode needs IA_NA or IA_PD";
    if (c.pd_hint_length > 128) return "prefix length hint above 128";
    if (c.max_initial_delay.count() < 0) return "negative initial delay";
    return std::nullopt;
}

std::vector<std::uint16_t> option_request(const ClientConfig& c, bool information_request) {
    using namespace provision;
    std::vector<std::uint16_t> oro{kOptionDnsServers, kOptionDomainList, kOptionAftrName, kOptionS46ContMapE,
                                   kOptionS46ContMapT, kOptionS46ContLw, kOptionS46Priority};
    if (information_request) {
        oro.push_back(kOptInformationRefreshTime);  // §21.23: MUST be requested in Information-request
        oro.push_back(kOptInfMaxRt);                // §18.2.6
    } else {
        oro.push_back(kOptSolMaxRt);  // §18.2.1
    }
    for (auto code : c.extra_oro)
        if (std::find(oro.begin(), oro.end(), code) == oro.end()) oro.push_back(code);
    return oro;
}

}  // namespace s46::dhcp::client
