// Choosing the Basic Mapping Rule for an End-user prefix (RFC 7597 §5, RFC 7598 §4.1 note):
// the longest match of the End-user prefix against the rules' IPv6 prefixes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "core/map/derivation.hpp"
#include "core/map/rule.hpp"
#include "core/net/ipv6.hpp"
#include "core/result.hpp"

namespace s46::map {

struct BmrChoice {
    std::size_t index = 0;  // into the rules passed in
    CeBinding binding;
};

// Among the rules usable for `end_user_prefix` (their IPv6 prefix contains it and a binding can
// be derived: n + o fits, the offset leaves room for the PSID), the one with the longest IPv6
// prefix; on a tie, the first. Longer rules that are not usable are passed over, so a usable
// shorter rule still serves. With no usable rule the error is the reason the longest matching
// rule was unusable, or that no rule's prefix contains the End-user prefix.
Result<BmrChoice> select_bmr(std::span<const Rule> rules, const net::Ipv6Prefix& end_user_prefix, std::uint8_t default_offset);

}  // namespace s46::map
