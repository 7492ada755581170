// What a mapping rule gives a CE: its IPv4 prefix, full address, or shared address + port set
// (RFC 7597 §5.2), from the EA bits of an End-user IPv6 prefix.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/map/port_set.hpp"
#include "core/map/rule.hpp"
#include "core/net/ipv4.hpp"
#include "core/net/ipv6.hpp"
#include "core/result.hpp"

namespace s46::map {

// The three cases of RFC 7597 §5.2, by o + r against 32.
enum class Ipv4Kind {
    prefix,         // o + r < 32: an IPv4 prefix of length r + o
    full_address,   // o + r = 32 (or an explicit PSID with k = 0): one whole address
    shared_address, // o + r > 32, or an explicit PSID: one address, a PSID and its port set
};

const char* to_string(Ipv4Kind kind);

struct CeBinding {
    Ipv4Kind kind = Ipv4Kind::full_address;
    net::Ipv4Prefix ipv4;                 // /32 unless kind == prefix
    PortSet ports = PortSet::all();       // every port unless kind == shared_address
    std::uint64_t ea_bits = 0;            // the o EA bits the binding came from
    std::vector<std::string> notes;       // parameters dropped on the way, and why

    friend bool operator==(const CeBinding&, const CeBinding&) = default;
};

// Whose binding is derived. An explicit PSID (RFC 7598 §4.5) is a per-CE value: the CE that
// received it MUST use it, even over PSID bits its EA field carries (own). A peer computing
// another CE's binding from the rule (forwarding §5.3, source validation §8.1) can only read
// the EA bits, so it honours the explicit PSID only where the EA field carries no PSID (peer).
enum class Perspective { own, peer };

// RFC 7597 §5.2 for an EA value (the low o bits of `ea`). Fails only when the offset (the rule's,
// or `default_offset`) leaves no room for the PSID (a + k > 16); the error names the offset.
Result<CeBinding> binding_from_ea(const Rule& rule, std::uint64_t ea, std::uint8_t default_offset,
                                  Perspective perspective = Perspective::own);

// The CE's binding for one End-user prefix under its BMR. The prefix must lie inside the rule's
// IPv6 prefix, and n + o must not exceed its length (RFC 7597 §5.2 MUST).
Result<CeBinding> derive_binding(const Rule& rule, const net::Ipv6Prefix& end_user_prefix, std::uint8_t default_offset);

}  // namespace s46::map
