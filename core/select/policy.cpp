#include "core/select/policy.hpp"

#include <algorithm>

namespace s46::select {

bool Policy::is_enabled(Mode m) const { return std::find(enabled.begin(), enabled.end(), m) != enabled.end(); }

Result<std::vector<Mode>> parse_mode_list(std::string_view text) {
    std::vector<Mode> out;
    std::size_t pos = 0;
    while (pos <= text.size()) {
        auto comma = text.find(',', pos);
        auto item = text.substr(pos, comma == std::string_view::npos ? std::string_view::npos : comma - pos);
        auto m = mode_from_string(item);
        if (!m || *m == Mode::none)
            return fail("invalid mode list '" + std::string(text) + "': unknown mode '" + std::string(item) +
                        "' (expected mape, lw4o6 or dslite)");
        if (std::find(out.begin(), out.end(), *m) != out.end())
            return fail("invalid mode list '" + std::string(text) + "': '" + std::string(item) + "' listed twice");
        out.push_back(*m);
        if (comma == std::string_view::npos) break;
        pos = comma + 1;
    }
    return out;
}

Result<Mode> parse_configured_mode(std::string_view text) {
    if (text == "auto") return Mode::none;
    auto m = mode_from_string(text);
    if (!m || *m == Mode::none)
        return fail("invalid mode '" + std::string(text) + "' (expected auto, dslite, lw4o6 or mape)");
    return *m;
}

}  // namespace s46::select
