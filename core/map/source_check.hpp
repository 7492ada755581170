// Inbound source validation on a MAP node (RFC 7597 §8.1, MUST): a decapsulated packet's inner
// IPv4 source and port must be ones the outer IPv6 source is entitled to under the MAP rules.
#pragma once

#include <cstdint>
#include <optional>
#include <span>

#include "core/map/rule.hpp"
#include "core/net/ipv4.hpp"
#include "core/net/ipv6.hpp"

namespace s46::map {

enum class SourceCheckMode {
    // §8.1 as written: derive the IPv4 address/prefix and PSID from the EA bits of the outer
    // source, and require the inner source address and port to fall inside them.
    ea_bits,
    // Additionally require the whole outer source to equal the address recomputed from the inner
    // source address and port (the Linux MAP-E FMR patch): also catches forged interface IDs.
    full_address,
};

// Each drop names the counter it would bump.
enum class SourceVerdict {
    accept,
    accept_from_br,       // the BR's address is exempt (§8.1)
    drop_no_rule,         // no rule's IPv6 prefix contains the outer source
    drop_rule_unusable,   // the rule's offset leaves no room for its PSID
    drop_ipv4,           // inner source address outside what the EA bits allow
    drop_port,           // inner source port outside the allowed port set
    drop_address_mismatch, // full_address mode: outer source is not the recomputed MAP address
};

const char* to_string(SourceVerdict verdict);

struct SourceDecision {
    SourceVerdict verdict = SourceVerdict::drop_no_rule;
    std::optional<std::size_t> rule;  // the rule the source matched, if any
    bool accepted() const { return verdict == SourceVerdict::accept || verdict == SourceVerdict::accept_from_br; }
};

// The rule is the one whose IPv6 prefix is the longest match for the outer source (ties: first).
// `rules` is whatever rule set the caller validates against (normally all rules of the domain).
SourceDecision check_source(std::span<const Rule> rules, const net::Ipv6Address& br, const net::Ipv6Address& outer_src,
                            net::Ipv4Address inner_src, std::uint16_t inner_port, std::uint8_t default_offset,
                            SourceCheckMode mode);

}  // namespace s46::map
