#include <catch2/catch.hpp>

#include "core/select/choose.hpp"

using namespace s46::select;

namespace {

std::vector<Candidate> cands(bool mape, bool lw, bool ds) {
    return {{Mode::mape, mape, mape, ""}, {Mode::lw4o6, lw, lw, ""}, {Mode::dslite, ds, ds, ""}};
}

}  // namespace

TEST_CASE("a single valid mechanism is selected", "[select]") {
    Policy p;
    CHECK(choose(p, cands(false, false, true), std::nullopt).mode == Mode::dslite);
    CHECK(choose(p, cands(true, false, false), std::nullopt).mode == Mode::mape);
    auto d = choose(p, cands(false, true, false), std::nullopt);
    CHECK(d.mode == Mode::lw4o6);
    CHECK(d.reason == "lw4o6 is the only valid softwire configuration");
}

TEST_CASE("without 111 the default order decides (policy)", "[select]") {
    Policy p;
    CHECK(choose(p, cands(true, true, true), std::nullopt).mode == Mode::mape);
    CHECK(choose(p, cands(false, true, true), std::nullopt).mode == Mode::lw4o6);
    p.default_order = {Mode::dslite, Mode::lw4o6, Mode::mape};
    auto d = choose(p, cands(true, true, true), std::nullopt);
    CHECK(d.mode == Mode::dslite);
    CHECK(d.reason == "dslite comes first in the default order among the valid configurations");
}

TEST_CASE("RFC 8026 1.4: the first listed code that is a candidate wins", "[select][rfc8026]") {
    Policy p;
    CHECK(choose(p, cands(true, true, true), std::vector<std::uint16_t>{64, 96}).mode == Mode::dslite);
    CHECK(choose(p, cands(true, true, false), std::vector<std::uint16_t>{96, 94}).mode == Mode::lw4o6);
    // A listed mechanism that is not a candidate is passed over.
    CHECK(choose(p, cands(false, false, true), std::vector<std::uint16_t>{94, 64}).mode == Mode::dslite);
}

TEST_CASE("RFC 8026 1.4: unknown and unimplemented codes are skipped", "[select][rfc8026]") {
    Policy p;
    auto d = choose(p, cands(true, false, true), std::vector<std::uint16_t>{0x1234, 95, 88, 94});
    CHECK(d.mode == Mode::mape);
    CHECK(d.reason.find("code 94") != std::string::npos);
}

TEST_CASE("111 with no match falls back per the no-match policy", "[select][rfc8026]") {
    Policy p;
    auto d = choose(p, cands(false, true, false), std::vector<std::uint16_t>{94});
    CHECK(d.mode == Mode::lw4o6);
    CHECK(d.reason.rfind("option 111 names no valid mechanism; ", 0) == 0);
    p.no_match = NoMatchPolicy::none;
    CHECK(choose(p, cands(false, true, false), std::vector<std::uint16_t>{94}).mode == Mode::none);
}

TEST_CASE("disabled mechanisms are never chosen", "[select]") {
    Policy p;
    p.enabled = {Mode::dslite};
    CHECK(choose(p, cands(true, true, true), std::nullopt).mode == Mode::dslite);
    CHECK(choose(p, cands(true, true, false), std::vector<std::uint16_t>{94}).mode == Mode::none);
}

TEST_CASE("draft 3.2: a CPE configured for one mode ignores the others and says what is missing", "[select][draft]") {
    Policy p;
    p.configured = Mode::lw4o6;
    CHECK(choose(p, cands(true, true, true), std::vector<std::uint16_t>{94}).mode == Mode::lw4o6);
    auto d = choose(p, cands(true, false, true), std::nullopt);
    CHECK(d.mode == Mode::none);
    CHECK(d.reason == "configured for lw4o6 but the Reply carries no lw4o6 configuration (option 96 missing)");
    std::vector<Candidate> bad = {{Mode::lw4o6, true, false, "no V4V6BIND"}};
    CHECK(choose(p, bad, std::nullopt).reason == "configured for lw4o6 but its configuration is unusable: no V4V6BIND");
}

TEST_CASE("nothing usable names every offered mechanism's problem", "[select]") {
    Policy p;
    std::vector<Candidate> cs = {{Mode::mape, true, false, "no BMR for 2001:db8::/56"}, {Mode::dslite, true, false, "AFTR-Name invalid"}};
    auto d = choose(p, cs, std::nullopt);
    CHECK(d.mode == Mode::none);
    CHECK(d.reason == "no usable softwire configuration (mape: no BMR for 2001:db8::/56; dslite: AFTR-Name invalid)");
    CHECK(choose(p, {}, std::nullopt).reason == "no softwire configuration in the Reply");
}

TEST_CASE("mode lists parse strictly", "[select]") {
    CHECK(parse_mode_list("mape,lw4o6,dslite")->size() == 3);
    CHECK(parse_mode_list("dslite")->front() == Mode::dslite);
    CHECK(parse_mode_list("mape,mape").error() == "invalid mode list 'mape,mape': 'mape' listed twice");
    CHECK(parse_mode_list("mape,mapt").error() == "invalid mode list 'mape,mapt': unknown mode 'mapt' (expected mape, lw4o6 or dslite)");
    CHECK_FALSE(parse_mode_list("").ok());
    CHECK_FALSE(parse_mode_list("mape,").ok());
    CHECK(*parse_configured_mode("auto") == Mode::none);
    CHECK_FALSE(parse_configured_mode("none").ok());
}
