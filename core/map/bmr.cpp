#include "core/map/bmr.hpp"

#include <optional>
#include <string>

namespace s46::map {

Result<BmrChoice> select_bmr(std::span<const Rule> rules, const net::Ipv6Prefix& end_user_prefix, std::uint8_t default_offset) {
    std::optional<BmrChoice> best;
    std::optional<std::size_t> longest_unusable;
    std::string unusable_why;
    for (std::size_t i = 0; i < rules.size(); ++i) {
        const Rule& rule = rules[i];
        if (!rule.ipv6_prefix.contains(end_user_prefix)) continue;
        auto binding = derive_binding(rule, end_user_prefix, default_offset);
        if (!binding) {
            if (!longest_unusable || rule.n() > rules[*longest_unusable].n()) {
                longest_unusable = i;
                unusable_why = binding.error();
            }
            continue;
        }
        if (!best || rule.n() > rules[best->index].n()) best = BmrChoice{i, std::move(*binding)};
    }
    if (best) return std::move(*best);
    if (longest_unusable)
        return fail("no usable rule for End-user prefix " + end_user_prefix.to_string() + ": rule " +
                    to_string(rules[*longest_unusable]) + ": " + unusable_why);
    return fail("no rule's ipv6-prefix contains End-user prefix " + end_user_prefix.to_string());
}

}  // namespace s46::map
