#include "core/napt/drop_reason.hpp"

namespace s46::napt {

std::string_view to_string(DropReason r) {
    switch (r) {
#define S46_NAPT_X(name, text) \
    case DropReason::name: return "napt_" #name;
        S46_NAPT_DROP_REASONS(S46_NAPT_X)
#undef S46_NAPT_X
    }
    return "napt_unknown";
}

std::string_view describe(DropReason r) {
    switch (r) {
#define S46_NAPT_X(name, text) \
    case DropReason::name: return text;
        S46_NAPT_DROP_REASONS(S46_NAPT_X)
#undef S46_NAPT_X
    }
    return "unknown reason";
}

}  // namespace s46::napt
