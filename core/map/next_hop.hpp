// Where an IPv4 packet leaves the softwire: the outer IPv6 destination and why that one. One
// type for the reference lookup (forwarding.hpp next_hop()) and the packet path's forwarder
// (core/dataplane/forwarder.hpp), so the two can be compared value for value.
#pragma once

#include <cstdint>

#include "core/net/ipv6.hpp"

namespace s46::map {

struct NextHop {
    enum class Via : std::uint8_t {
        none,    // no route: no prefix matches, or the remote endpoint is unresolved
        remote,  // the tunnel's remote endpoint: AFTR, lwAFTR or BR (RFC 7597 §5.4)
        fmr,     // a peer CE under a Forwarding Mapping Rule (RFC 7597 §5.3, mesh)
    };
    Via via = Via::none;
    net::Ipv6Address address;  // the outer IPv6 destination, unless via == none
    friend bool operator==(const NextHop&, const NextHop&) = default;
};

}  // namespace s46::map
