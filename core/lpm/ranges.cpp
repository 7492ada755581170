#include "core/lpm/ranges.hpp"

namespace s46::lpm {

namespace {

struct Open {
    std::uint32_t last;  // last address the prefix covers
    NextHopId next_hop;
};

// Appends a range, letting a later range at the same start win (it comes from a longer,
// more specific prefix) and merging with an equal predecessor.
void emit(std::vector<Range>& out, std::uint32_t start, NextHopId next_hop) {
    if (!out.empty() && out.back().start == start) out.pop_back();
    if (!out.empty() && out.back().next_hop == next_hop) return;
    out.push_back({start, next_hop});
}

}  // namespace

std::vector<Range> expand_to_ranges(std::span<const Route> routes) {
    // Prefixes are nested or disjoint, so in (address, length) order a stack of the prefixes
    // that are still open gives the owner of every address: the innermost open one. The bottom
    // sentinel stands for "no route" over the whole space.
    std::vector<Range> out;
    out.reserve(2 * routes.size() + 1);
    std::vector<Open> open;
    open.reserve(33);
    open.push_back({0xffffffffu, kNoRoute});
    emit(out, 0, kNoRoute);

    // Closes the innermost open prefix; its parent owns what follows it.
    auto close_top = [&] {
        const std::uint32_t last = open.back().last;
        open.pop_back();
        if (last != 0xffffffffu) emit(out, last + 1, open.back().next_hop);
    };

    for (const Route& r : routes) {
        const std::uint32_t first = r.prefix.address.value;
        while (open.back().last < first) close_top();
        emit(out, first, r.next_hop);
        open.push_back({first | ~r.prefix.mask(), r.next_hop});
    }
    while (open.size() > 1) close_top();
    return out;
}

}  // namespace s46::lpm
