#include <catch2/catch.hpp>

#include "core/select/state_machine.hpp"

using namespace s46::select;
using s46::Seconds;

namespace {
struct FakePlan {
    int id;
    friend bool operator==(const FakePlan&, const FakePlan&) = default;
};
using SM = StateMachine<FakePlan>;
}  // namespace

TEST_CASE("MAP-E, renew unchanged, renew preferring lw4o6 by 111, expiry", "[select][state]") {
    SM sm;
    auto t = sm.on_reply(0, {Mode::mape, "mape only"}, FakePlan{1}, 100);
    CHECK(t.kind == TransitionKind::activate);
    CHECK(t.to == Mode::mape);
    CHECK(sm.active_mode() == Mode::mape);

    t = sm.on_reply(50, {Mode::mape, "mape only"}, FakePlan{1}, 150);  // renew, nothing changed
    CHECK(t.kind == TransitionKind::none);
    CHECK(*sm.valid_until() == 150);  // but the lifetime was extended

    t = sm.on_reply(100, {Mode::lw4o6, "option 111 prefers lw4o6"}, FakePlan{2}, 200);
    CHECK(t.kind == TransitionKind::replace);
    CHECK(t.from == Mode::mape);
    CHECK(t.to == Mode::lw4o6);
    CHECK(sm.active_mode() == Mode::lw4o6);

    CHECK(sm.tick(199).kind == TransitionKind::none);
    t = sm.tick(200);
    CHECK(t.kind == TransitionKind::teardown);
    CHECK(t.from == Mode::lw4o6);
    CHECK(t.reason == "lease expired");
    CHECK(sm.active_mode() == Mode::none);
    CHECK(sm.tick(300).kind == TransitionKind::none);
}

TEST_CASE("same mode with a new plan is one replace", "[select][state]") {
    SM sm;
    sm.on_reply(0, {Mode::mape, "x"}, FakePlan{1}, 100);
    auto t = sm.on_reply(10, {Mode::mape, "x"}, FakePlan{7}, 100);
    CHECK(t.kind == TransitionKind::replace);
    CHECK(t.from == Mode::mape);
    CHECK(t.to == Mode::mape);
    CHECK(sm.active_plan()->id == 7);
}

TEST_CASE("a reply selecting nothing tears the active mode down", "[select][state]") {
    SM sm;
    CHECK(sm.on_reply(0, {Mode::none, "nothing"}, std::nullopt, 100).kind == TransitionKind::none);
    sm.on_reply(0, {Mode::dslite, "ds"}, FakePlan{1}, 100);
    auto t = sm.on_reply(5, {Mode::none, "no usable softwire configuration"}, std::nullopt, 100);
    CHECK(t.kind == TransitionKind::teardown);
    CHECK(t.reason == "no usable softwire configuration");
    CHECK(sm.reason() == "no usable softwire configuration");
}

TEST_CASE("link down tears down, link up restores a still-valid provisioning", "[select][state]") {
    SM sm;
    sm.on_reply(0, {Mode::lw4o6, "lw"}, FakePlan{3}, 100);
    auto t = sm.on_link_down();
    CHECK(t.kind == TransitionKind::teardown);
    CHECK(sm.active_mode() == Mode::none);
    // A reply while the link is down is remembered, not applied.
    CHECK(sm.on_reply(10, {Mode::lw4o6, "lw"}, FakePlan{4}, 120).kind == TransitionKind::none);
    t = sm.on_link_up(20);
    CHECK(t.kind == TransitionKind::activate);
    CHECK(sm.active_plan()->id == 4);
    sm.on_link_down();
    CHECK(sm.on_link_up(500).kind == TransitionKind::none);  // expired meanwhile
    CHECK(sm.active_mode() == Mode::none);
}

TEST_CASE("release tears down and forgets", "[select][state]") {
    SM sm;
    sm.on_reply(0, {Mode::mape, "m"}, FakePlan{1}, 100);
    auto t = sm.on_release("orderly shutdown");
    CHECK(t.kind == TransitionKind::teardown);
    CHECK_FALSE(sm.valid_until());
    CHECK(sm.on_link_up(1).kind == TransitionKind::none);
}

TEST_CASE("an already expired reply activates nothing", "[select][state]") {
    SM sm;
    CHECK(sm.on_reply(100, {Mode::mape, "m"}, FakePlan{1}, 100).kind == TransitionKind::none);
    CHECK(sm.active_mode() == Mode::none);
}

TEST_CASE("random event sequences never have more than one mode active", "[select][state][property]") {
    SM sm;
    std::uint32_t x = 12345;
    auto rnd = [&] { x = x * 1103515245u + 12345u; return (x >> 16) & 0x7fff; };
    Mode active = Mode::none;
    for (int i = 0; i < 20000; ++i) {
        Seconds now = i;
        Transition t;
        switch (rnd() % 5) {
            case 0: case 1: {
                Mode m = static_cast<Mode>(rnd() % 4);
                t = sm.on_reply(now, {m, "r"}, m == Mode::none ? std::nullopt : std::optional<FakePlan>(FakePlan{int(rnd() % 3)}), now + rnd() % 50);
                break;
            }
            case 2: t = sm.tick(now); break;
            case 3: t = sm.on_link_down(); break;
            default: t = sm.on_link_up(now); break;
        }
        // Replay the transition on a model that can hold only one mode.
        switch (t.kind) {
            case TransitionKind::activate: REQUIRE(active == Mode::none); active = t.to; break;
            case TransitionKind::replace: REQUIRE(active == t.from); active = t.to; break;
            case TransitionKind::teardown: REQUIRE(active == t.from); active = Mode::none; break;
            case TransitionKind::none: break;
        }
        REQUIRE(active == sm.active_mode());
    }
}
