#include "dhcp/client4o6/envelope.hpp"

#include <dhcp/dhcp6.h>
#include <dhcp/option.h>
#include <dhcp/pkt6.h>
#include <exceptions/exceptions.h>

#include <boost/make_shared.hpp>
#include <exception>
#include <string>

#include "dhcp/client4o6/types.hpp"
#include "dhcp/option_framer.hpp"

namespace s46::dhcp::client4o6 {

namespace {

namespace kea = isc::dhcp;

Rejection reject(Reject r, std::string detail) { return Rejection{r, std::move(detail)}; }

}  // namespace

std::vector<std::uint8_t> wrap_query(std::span<const std::uint8_t> dhcpv4, bool unicast) {
    kea::Pkt6 query(kDhcpv4Query, unicast ? kUnicastFlag : 0u);
    query.addOption(boost::make_shared<kea::Option>(kea::Option::V6, kOptDhcpv4Msg,
                                                    kea::OptionBuffer(dhcpv4.begin(), dhcpv4.end())));
    query.pack();
    const auto& buf = query.getBuffer();
    const auto* p = static_cast<const std::uint8_t*>(buf.getData());
    return std::vector<std::uint8_t>(p, p + buf.getLength());
}

std::variant<std::vector<std::uint8_t>, Rejection> unwrap_response(std::span<const std::uint8_t> d) {
    if (d.size() < 4) return reject(Reject::truncated_envelope, std::to_string(d.size()) + " octet(s)");
    if (d[0] != kDhcpv4Response)
        return reject(Reject::not_dhcpv4_response, "DHCPv6 message type " + std::to_string(d[0]));
    // libdhcp++ stops silently at a top-level option that overruns the message; walk the TLVs
    // first so a truncated datagram is named as such.
    unsigned msg_options = 0;
    for (Dhcpv6OptionWalker walk(d.subspan(4)); !walk.done();) {
        const OptionFrame f = walk.next();
        if (f.kind == OptionFrame::Kind::short_header)
            return reject(Reject::truncated_envelope, std::to_string(f.have) + " octet(s) trail the last option");
        if (f.kind == OptionFrame::Kind::overrun)
            return reject(Reject::truncated_envelope, "option " + std::to_string(f.code) + " length " +
                                                         std::to_string(f.len) + " overruns the message");
        if (f.code == kOptDhcpv4Msg) ++msg_options;
    }
    if (msg_options == 0) return reject(Reject::missing_dhcpv4_message, "no option 87");
    if (msg_options > 1) return reject(Reject::duplicate_dhcpv4_message, std::to_string(msg_options) + " options 87");
    try {
        kea::Pkt6 response(d.data(), d.size());
        response.unpack();
        const kea::OptionPtr msg = response.getOption(kOptDhcpv4Msg);
        if (!msg) return reject(Reject::malformed_envelope, "libdhcp++ dropped option 87");
        return msg->getData();
    } catch (const isc::Exception& e) {
        return reject(Reject::malformed_envelope, std::string("libdhcp++: ") + e.what());
    } catch (const std::exception& e) {
        return reject(Reject::malformed_envelope, e.what());
    }
}

}  // namespace s46::dhcp::client4o6
