// What the engine asks its caller to do: send a datagram, or act on a lease event. The caller
// drains them with Client::take_actions() after every call into the engine.
#pragma once

#include <cstdint>
#include <variant>
#include <vector>

#include "core/net/ipv6.hpp"
#include "core/provision/lease.hpp"
#include "core/provision/s46_options.hpp"
#include "dhcp/client/types.hpp"

namespace s46::dhcp::client {

// ff02::1:2, All_DHCP_Relay_Agents_and_Servers (§7.1). RFC 8415 removed unicast for Request,
// Renew and Release (the Server Unicast option is obsolete, §21.12), so every message goes here.
net::Ipv6Address all_dhcp_relay_agents_and_servers();
inline constexpr std::uint16_t kServerPort = 547;  // §7.2
inline constexpr std::uint16_t kClientPort = 546;  // §7.2: the caller binds this

// Send `bytes` as one UDP datagram from port 546 to `to`, port 547, on the WAN link.
struct Send {
    MessageType type = MessageType::solicit;
    std::vector<std::uint8_t> bytes;
    net::Ipv6Address to;
    std::uint16_t port = kServerPort;
};

// A Reply to Request (or Solicit with Rapid Commit), Renew or Rebind was accepted. `options` is
// the codec's reading of the Reply (decode_reply_options over lease.options): two Replies that
// provision the same softwire compare equal, so the caller can skip re-selecting the mode.
struct LeaseEvent {
    provision::Lease lease;
    provision::S46OptionSet options;
};
struct LeaseObtained : LeaseEvent {};  // a new binding (Request, Rapid Commit, NoBinding recovery)
struct LeaseRenewed : LeaseEvent {};   // Reply to Renew
struct LeaseRebound : LeaseEvent {};   // Reply to Rebind (also after link-up and restore())

// The valid lifetimes ran out (or a Renew/Rebind Reply withdrew every lease): stop using them.
struct LeaseExpired {
    provision::Lease lease;
};

// The Release exchange ended (Reply or REL_MAX_RC transmissions); the engine is in Init.
struct Released {};

// Stateless mode (§18.2.6): a Reply to Information-request.
struct InformationReceived {
    provision::S46OptionSet options;
    std::vector<std::uint8_t> raw_options;  // the Reply's top-level options
    std::uint32_t refresh_seconds = 0;      // §21.23 as applied (0xffffffff: never)
};

using Action = std::variant<Send, LeaseObtained, LeaseRenewed, LeaseRebound, LeaseExpired, Released, InformationReceived>;

}  // namespace s46::dhcp::client
