// A MAP mapping rule (RFC 7597 §5): the three rule parameters plus the port parameters an
// OPTION_S46_PORTPARAMS may add (RFC 7598 §4.5), validated once so the arithmetic in the other
// core/map files can rely on the bounds.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "core/net/ipv4.hpp"
#include "core/net/ipv6.hpp"
#include "core/provision/s46_options.hpp"
#include "core/result.hpp"

namespace s46::map {

// Default PSID offset `a` when no PORTPARAMS gives one: RFC 7597 §5.1 for MAP (6, excluding
// ports 0-1023), RFC 7596 §5.1 for lw4o6 (0, SHOULD: one contiguous range).
inline constexpr std::uint8_t kMapEDefaultPsidOffset = 6;
inline constexpr std::uint8_t kLw4o6DefaultPsidOffset = 0;

// A PSID handed out explicitly (RFC 7598 §4.5), right-aligned: PSID 0x34 with k = 8 is 52.
struct ExplicitPsid {
    std::uint8_t len = 0;     // k, 1..16
    std::uint16_t value = 0;  // < 2^k
    friend bool operator==(const ExplicitPsid&, const ExplicitPsid&) = default;
};

struct Rule {
    net::Ipv6Prefix ipv6_prefix;              // Rule IPv6 prefix, length n
    net::Ipv4Prefix ipv4_prefix;              // Rule IPv4 prefix, length r
    std::uint8_t ea_len = 0;                  // o, 0..48
    std::optional<std::uint8_t> psid_offset;  // a; unset = the mechanism's default
    std::optional<ExplicitPsid> explicit_psid;
    bool forwarding = false;                  // F flag: the rule is also an FMR (RFC 7598 §4.1)

    unsigned n() const { return ipv6_prefix.length; }
    unsigned r() const { return ipv4_prefix.length; }
    unsigned o() const { return ea_len; }
    // q: how many EA bits carry the PSID (RFC 7597 §5.2: o - p when o + r > 32, else none).
    unsigned ea_psid_bits() const { return o() + r() > 32 ? o() + r() - 32 : 0; }
    // How many EA bits extend the IPv4 prefix: min(o, p).
    unsigned ea_ipv4_bits() const { return o() - ea_psid_bits(); }

    friend bool operator==(const Rule&, const Rule&) = default;
};

// Checks every bound RFC 7597 §5 and RFC 7598 §4.1/§4.5 put on a rule, in field order.
// Returns the rule itself when valid; otherwise an error that names the offending field.
// Bounds that depend on the End-user prefix (n + o) or on the default offset are checked where
// those are known (derivation.hpp).
Result<Rule> validate(const Rule& rule);

// A provisioned OPTION_S46_RULE as a MAP rule. Port parameters inside the rule win over a
// container-level OPTION_S46_PORTPARAMS (the narrower scope applies). A PSID-len of 0 means the
// PSID field is ignored (RFC 7598 §4.5), so it yields no explicit PSID, but its offset still counts.
Result<Rule> from_provision(const provision::Rule& rule, const std::optional<provision::PortParams>& container_params);

// "2001:db8::/40 192.0.2.0/24 ea-len 16[ offset 6][ psid 52/8][ fmr]", for messages and the CLI.
std::string to_string(const Rule& rule);

}  // namespace s46::map
