#include "core/dataplane/drop_reason.hpp"

namespace s46::dataplane {

std::string_view to_string(DropReason r) {
    switch (r) {
#define S46_DP_X(name, text) \
    case DropReason::name: return "drop_" #name;
        S46_DP_DROP_REASONS(S46_DP_X)
#undef S46_DP_X
    }
    return "drop_unknown";
}

std::string_view describe(DropReason r) {
    switch (r) {
#define S46_DP_X(name, text) \
    case DropReason::name: return text;
        S46_DP_DROP_REASONS(S46_DP_X)
#undef S46_DP_X
    }
    return "unknown reason";
}

}  // namespace s46::dataplane
