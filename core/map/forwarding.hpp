// Outbound forwarding on a MAP-E CE (RFC 7597 §5.3, §5.4): which tunnel endpoint an IPv4
// packet goes to. A destination inside an FMR's IPv4 prefix goes straight to the CE that owns
// it (mesh); everything else goes to the BR.
//
// The FMR choice here is a linear longest match over a short rule list: it is the reference
// the forwarding engine's core/lpm table can be checked against, not the data-path lookup.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "core/map/next_hop.hpp"
#include "core/map/rule.hpp"
#include "core/net/ipv4.hpp"
#include "core/net/ipv6.hpp"
#include "core/result.hpp"

namespace s46::map {

// Whether the CE a rule leads to depends on the destination port, not just the address: the EA
// bits carry a PSID (o + r > 32), or the rule pins one CE's explicit PSID (App. A Ex. 5).
bool routes_by_port(const Rule& rule);

// The FMR for dst:port: among rules with the F flag whose IPv4 prefix contains dst, the longest
// (RFC 7597 §5.3 "longest match"; the Linux FMR patch takes the first, which is wrong when
// prefixes nest). A rule that pins one CE's explicit PSID and whose EA bits carry none (App. A
// Ex. 5) only matches ports of that PSID: its route is port-aware. Ties go to the first rule.
std::optional<std::size_t> select_fmr(std::span<const Rule> rules, net::Ipv4Address dst, std::uint16_t port,
                                      std::uint8_t default_offset);

// The MAP IPv6 address of the CE that owns dst:port under `rule` (RFC 7597 §5.3): EA bits =
// the IPv4 suffix bits after the rule prefix, then (shared addresses) the PSID read from the
// port with the rule's offset; address = rule prefix | EA | zero subnet-ID | interface identifier.
// `dst` must lie inside the rule's IPv4 prefix. Fails when the offset leaves no room for the PSID.
Result<net::Ipv6Address> ce_address(const Rule& rule, net::Ipv4Address dst, std::uint16_t port, std::uint8_t default_offset);

// Outer IPv6 destination for an IPv4 packet to dst:port: the owning CE under the selected FMR
// (Via::fmr; select_fmr() names the rule), or the BR when no FMR matches (Via::remote, RFC 7597
// §5.4; with no F rules this is hub-and-spoke).
Result<NextHop> next_hop(std::span<const Rule> rules, const net::Ipv6Address& br, net::Ipv4Address dst, std::uint16_t port,
                         std::uint8_t default_offset);

}  // namespace s46::map
