// The one mechanism that names drop reasons. Each layer that refuses packets keeps its own
// reason enum, because each is its own set of counters (core/dataplane/drop_reason.hpp for the
// pipeline, core/napt/drop_reason.hpp for the NAPT44 engine), written as an X-macro list
// X(name, description) so that the enum, the counter fields and the exported names cannot drift
// apart. Next to its enum, each layer specialises ReasonTable with the exported names (its
// prefix + name) and descriptions, generated from the same list; the lookups are written here once.
#pragma once

#include <cstddef>
#include <cstdint>
#include <iterator>
#include <string_view>

// For the X-macro lists: one enumerator, one description.
#define S46_REASON_ENUMERATOR(name, text) name,
#define S46_REASON_TEXT(name, text) std::string_view(text),

namespace s46 {

// Specialised for each reason enum: `static constexpr std::string_view names[]` (the exported
// counter names, in enumerator order), `texts[]` (one line each, citing the rule where there is
// one) and `unknown` (the name of a value outside the list).
template <class Reason>
struct ReasonTable;

template <class Reason>
inline constexpr std::size_t kReasonCount = std::size(ReasonTable<Reason>::names);

// The exported counter name, e.g. "drop_ttl_exceeded" or "napt_port_exhausted".
template <class Reason>
constexpr std::string_view reason_name(Reason r) {
    const auto i = static_cast<std::size_t>(r);
    return i < kReasonCount<Reason> ? ReasonTable<Reason>::names[i] : ReasonTable<Reason>::unknown;
}

// One line saying what the reason means.
template <class Reason>
constexpr std::string_view reason_text(Reason r) {
    const auto i = static_cast<std::size_t>(r);
    return i < kReasonCount<Reason> ? ReasonTable<Reason>::texts[i] : std::string_view("unknown reason");
}

// The sum of a layer's per-reason drop counters: `counters.drop(r)` over every reason.
template <class Reason, class Counters>
constexpr std::uint64_t sum_of_drops(const Counters& counters) {
    std::uint64_t sum = 0;
    for (std::size_t i = 0; i < kReasonCount<Reason>; ++i) sum += counters.drop(static_cast<Reason>(i));
    return sum;
}

}  // namespace s46
