// Shared set-up for the NAPT tests: a translator on the documentation external address
// and one-line wrappers that translate a copy and report what came out.
#pragma once

#include <catch2/catch.hpp>

#include <utility>

#include "core/napt/napt.hpp"
#include "tests/unit/core/napt/napt_packets.hpp"

namespace s46::napt::test {

inline Config base_config() {
    Config c;
    c.external = net::Ipv4Address{external_address};
    return c;
}

inline Napt make_napt(const Config& c = base_config()) {
    auto r = Napt::create(c);
    INFO((r.ok() ? std::string() : r.error()));
    REQUIRE(r.ok());
    return std::move(*r);
}

inline map::PortSet port_set(unsigned a, unsigned k, unsigned psid) {
    auto s = map::PortSet::make(a, k, psid);
    REQUIRE(s.ok());
    return *s;
}

struct Translated {
    Outcome outcome;
    Bytes packet;  // after translation (unchanged on a drop)
};

inline Translated out(Napt& n, Bytes p, std::int64_t t_s = 0) {
    Outcome o = n.translate_outbound(p, at_s(t_s));
    return {o, std::move(p)};
}

inline Translated in(Napt& n, Bytes p, std::int64_t t_s = 0) {
    Outcome o = n.translate_inbound(p, at_s(t_s));
    return {o, std::move(p)};
}

// Two translators (or a translator and the model) counted the same: every drop reason, the
// traffic and the state counters. Flush counters are left out: the tests that use this never flush.
inline void check_same_counters(const Counters& a, const Counters& b) {
#define S46_NAPT_X(name, text) CHECK(a.name == b.name);
    S46_NAPT_DROP_REASONS(S46_NAPT_X)
#undef S46_NAPT_X
    CHECK(a.outbound_packets == b.outbound_packets);
    CHECK(a.outbound_translated == b.outbound_translated);
    CHECK(a.outbound_hairpinned == b.outbound_hairpinned);
    CHECK(a.outbound_dropped == b.outbound_dropped);
    CHECK(a.inbound_packets == b.inbound_packets);
    CHECK(a.inbound_translated == b.inbound_translated);
    CHECK(a.inbound_dropped == b.inbound_dropped);
    CHECK(a.icmp_errors_translated == b.icmp_errors_translated);
    CHECK(a.mappings_created == b.mappings_created);
    CHECK(a.mappings_removed == b.mappings_removed);
    CHECK(a.sessions_created == b.sessions_created);
    CHECK(a.sessions_expired == b.sessions_expired);
}

// The external port a LAN endpoint's outbound UDP packet got.
inline std::uint16_t udp_out_port(Napt& n, std::uint32_t src, std::uint16_t sport, std::uint32_t dst, std::uint16_t dport,
                                  std::int64_t t_s = 0) {
    auto r = out(n, udp_packet(src, sport, dst, dport), t_s);
    REQUIRE(r.outcome.action() == Action::forward);
    return endpoints(r.packet).sport;
}

}  // namespace s46::napt::test
