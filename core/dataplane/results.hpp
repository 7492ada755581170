// What the pipeline hands back. Spans point into the caller's packet buffer, the caller's
// output buffer, or memory the Pipeline owns (reassembled datagrams, generated ICMPv4 errors);
// all of them stay valid until the next call on the same Pipeline.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <variant>

#include "core/dataplane/drop_reason.hpp"
#include "core/net/ipv6.hpp"

namespace s46::dataplane {

// Send `inner` over the softwire to `remote` (sendto() on the raw IPPROTO_IPIP socket, with
// IPV6_TCLASS = traffic_class).
struct Encapsulated {
    // A constructor rather than an aggregate, so that the variant can build one in place on
    // compilers without parenthesised aggregate initialisation (clang 14).
    Encapsulated() = default;
    Encapsulated(const net::Ipv6Address& r, std::uint8_t tc, std::span<const std::uint8_t> in,
                 std::span<const std::uint8_t> whole = {})
        : remote(r), traffic_class(tc), inner(in), ipv6_packet(whole) {}

    net::Ipv6Address remote;
    std::uint8_t traffic_class = 0;          // the inner TOS (RFC 6333 §7.1)
    std::span<const std::uint8_t> inner;     // the IPv4 datagram after NAPT, MSS clamp, TTL
    std::span<const std::uint8_t> ipv6_packet;  // the whole IPv6 packet, only when an output buffer was given
};

// Write `packet` (an ICMPv4 error) to the LAN side. `dropped` says why the packet that caused it
// was not forwarded; unset for RFC 2473 §8 relays of ICMPv6 errors.
struct ReplyToLan {
    std::span<const std::uint8_t> packet;
    std::optional<DropReason> dropped;
};

// Write `packet` back to the LAN side: LAN to our own external endpoint (RFC 4787 REQ-9).
struct Hairpin {
    std::span<const std::uint8_t> packet;
};

// A fragment kept for reassembly; nothing to send yet.
struct Held {};

struct Drop {
    DropReason reason = DropReason::not_configured;
    std::uint8_t napt_detail = 0;  // napt_outbound / napt_inbound: NaptSeam::detail_name(napt_detail)
};

// Write `packet` to the LAN side (the TUN).
struct ToLan {
    std::span<const std::uint8_t> packet;
};

// The inbound packet was dropped and is answered with an ICMPv4 error sent back over the tunnel
// (RFC 7596 §5.2: 3/13 toward the lwAFTR).
struct ReplyToTunnel {
    Encapsulated reply;
    DropReason dropped = DropReason::not_our_binding;
};

using Outbound = std::variant<Encapsulated, ReplyToLan, Hairpin, Held, Drop>;
using Inbound = std::variant<ToLan, ReplyToTunnel, Held, Drop>;
using Icmpv6Relay = std::variant<ReplyToLan, Drop>;

}  // namespace s46::dataplane
