#include "modes/evaluate.hpp"

#include <algorithm>

#include "modes/dslite/plan.hpp"
#include "modes/lw4o6/plan.hpp"
#include "modes/mape/plan.hpp"

namespace s46::modes {

namespace {

bool offered(select::Mode m, const provision::S46OptionSet& o) {
    std::uint16_t code = select::option_code(m);
    bool rejected = std::any_of(o.rejected.begin(), o.rejected.end(), [&](const auto& r) { return r.option == code; });
    switch (m) {
        case select::Mode::dslite: return o.aftr_name.has_value() || rejected;
        case select::Mode::lw4o6: return !o.lw.empty() || rejected;
        case select::Mode::mape: return !o.mape.empty() || rejected;
        case select::Mode::none: break;
    }
    return false;
}

// The codec's reason for an offered mechanism that never reached the plan builder.
std::string codec_reason(select::Mode m, const provision::S46OptionSet& o) {
    for (const auto& r : o.rejected)
        if (r.option == select::option_code(m)) return r.why;
    return {};
}

}  // namespace

Result<Plan> build_plan(select::Mode mode, const provision::S46OptionSet& options, const PlanContext& ctx) {
    switch (mode) {
        case select::Mode::dslite: return dslite::build_plan(options, ctx);
        case select::Mode::lw4o6: return lw4o6::build_plan(options, ctx);
        case select::Mode::mape: return mape::build_plan(options, ctx);
        case select::Mode::none: break;
    }
    return fail("no mode");
}

namespace {

// One mode's provisioning: lw4o6 may be valid with its plan still pending the DHCP 4o6 exchange.
Result<lw4o6::Provisioning> provision(select::Mode m, const provision::S46OptionSet& options, const PlanContext& ctx) {
    if (m == select::Mode::lw4o6) return lw4o6::provision(options, ctx);
    auto built = build_plan(m, options, ctx);
    if (!built) return fail(built.error());
    return lw4o6::Provisioning{std::move(*built), std::nullopt};
}

}  // namespace

Evaluation evaluate(const provision::S46OptionSet& options, const PlanContext& ctx, const select::Policy& policy) {
    Evaluation ev;
    ev.rejected = options.rejected;
    std::vector<lw4o6::Provisioning> provisioned;
    for (select::Mode m : select::kAllModes) {
        select::Candidate c;
        c.mode = m;
        c.offered = offered(m, options);
        lw4o6::Provisioning got;
        if (c.offered) {
            auto built = provision(m, options, ctx);
            if (built) {
                c.valid = true;
                c.via_dhcp4o6 = built->dhcp4o6.has_value();
                got = std::move(*built);
            } else {
                std::string codec = codec_reason(m, options);
                // When the codec dropped every instance, its reason is the real one.
                c.why_not = codec.empty() ? built.error() : codec;
                // A configuration the codec accepted but no plan could use (e.g. no BMR for the
                // delegated prefix) is ignored too, so it is reported alongside the codec's rejections.
                if (codec.empty()) ev.rejected.push_back({select::option_code(m), built.error()});
            }
        }
        ev.candidates.push_back(std::move(c));
        provisioned.push_back(std::move(got));
    }
    ev.decision = select::choose(policy, ev.candidates, options.priority);
    for (std::size_t i = 0; i < select::kAllModes.size(); ++i) {
        if (select::kAllModes[i] != ev.decision.mode) continue;
        ev.plan = std::move(provisioned[i].plan);
        ev.dhcp4o6 = std::move(provisioned[i].dhcp4o6);
    }
    return ev;
}

}  // namespace s46::modes
