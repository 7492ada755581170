// What the engine asks its caller to do: send a DHCPV4-QUERY, or act on a lease event. The
// caller drains them with Client::take_actions() after every call into the engine.
#pragma once

#include <cstdint>
#include <variant>
#include <vector>

#include "core/net/ipv6.hpp"
#include "dhcp/client4o6/lease.hpp"
#include "dhcp/client4o6/types.hpp"

namespace s46::dhcp::client4o6 {

inline constexpr std::uint16_t kServerPort = 547;  // RFC 7341 §5: the DHCPv6 ports
inline constexpr std::uint16_t kClientPort = 546;

// Send `bytes` (a DHCPV4-QUERY) as one UDP datagram from the source address given to start(),
// port 546, to `to`, port 547. One Send per server address of option 88, or one to ff02::1:2 when
// 88 listed none (RFC 7341 §5).
struct Send {
    MessageType type = MessageType::discover;  // the DHCPv4 message inside
    bool unicast_flag = false;                  // RFC 7341 §6.2 U flag as set in `bytes`
    std::vector<std::uint8_t> bytes;
    net::Ipv6Address to;
    std::uint16_t port = kServerPort;
};

struct LeaseObtained {  // DHCPACK in REQUESTING
    Lease4 lease;
};
struct LeaseRenewed {  // DHCPACK in RENEWING (also after a source-address change)
    Lease4 lease;
};
struct LeaseRebound {  // DHCPACK in REBINDING
    Lease4 lease;
};

// Why the lease is gone: stop using the address and the port set at once.
enum class LossReason : std::uint8_t {
    expired,   // §4.4.5: the lease ran out in REBINDING
    nak,       // DHCPNAK in RENEWING / REBINDING
    declined,  // the caller reported the address unusable (decline())
};
struct LeaseLost {
    Lease4 lease;
    LossReason reason = LossReason::expired;
};

// stop() with a lease: the DHCPRELEASE was queued (§4.4.6: no answer comes); the engine is in Init.
struct Released {
    Lease4 lease;
};

using Action = std::variant<Send, LeaseObtained, LeaseRenewed, LeaseRebound, LeaseLost, Released>;

}  // namespace s46::dhcp::client4o6
