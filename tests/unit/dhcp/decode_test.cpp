// dhcp/ codec behaviour beyond the vectors: RFC 6334 §3 name checks, RFC 7598 Table 1 and field
// ranges, the left-aligned PSID, the F bit, several rules, tolerance (a bad option next to good
// ones), 111/23/88/137, and the exact reason strings.
#include <map>

#include "dhcp_test_util.hpp"

using namespace s46;
using namespace s46::dhcp;
using namespace s46::dhcp::test;

namespace {

// A RULE value with the given fixed fields, prefix octets and trailing sub-options.
Bytes rule_value(std::uint8_t flags, std::uint8_t ea, std::uint8_t p4len, const Bytes& v4, std::uint8_t p6len,
                 const Bytes& p6bytes, const Bytes& subs = {}) {
    return cat({Bytes{flags, ea, p4len}, v4, Bytes{p6len}, p6bytes, subs});
}

Bytes rule_with(std::uint8_t flags, std::uint8_t ea = 16, std::uint8_t p4len = 24, std::uint8_t p6len = 40,
                const Bytes& subs = {}) {
    Bytes p6bytes = from_hex("20010db8000000000000000000000000");
    p6bytes.resize((p6len + 7u) / 8u);
    return tlv(89, rule_value(flags, ea, p4len, from_hex("c0000200"), p6len, p6bytes, subs));
}

Bytes pp_opt(std::uint8_t offset, std::uint8_t k, std::uint16_t wire_psid) {
    return tlv(93, Bytes{offset, k, static_cast<std::uint8_t>(wire_psid >> 8), static_cast<std::uint8_t>(wire_psid)});
}

Bytes mape(const Bytes& body) { return tlv(94, body); }

std::string only_reason(const provision::S46OptionSet& s) {
    REQUIRE(s.rejected.size() == 1);
    return s.rejected[0].why;
}

const Bytes kAftr = from_hex("004000120461667472076578616d706c6503636f6d00");  // aftr.example.com
const Bytes kLw = from_hex("0060002c005c0014c00002123820010db8001234005d000400083400005a001020010db8ffff00000000000000000002");
const Bytes kMape = from_hex("005e00250059000d011018c00002002820010db800005a001020010db8ffff00000000000000000001");

}  // namespace

// ------------------------------------------------------------------------------ PSID, F bit

TEST_CASE("PORTPARAMS: the PSID is left-aligned on the wire and right-aligned in the struct", "[dhcp][psid]") {
    struct Case {
        std::uint8_t k;
        std::uint16_t wire, value;
    };
    // 0x34/8 -> 34 00 (RFC 7596 example), 3/4 -> 30 00 (Kea softwire46.json), 5/6 -> 14 00 (Kea lw4o6),
    // 127/7 -> fe 00 (dhcpkit), 0x3f/6 -> fc 00, 1/1 -> 80 00, 5/16 -> 00 05, 0xffff/16.
    for (Case c : {Case{8, 0x3400, 0x34}, Case{4, 0x3000, 3}, Case{6, 0x1400, 5}, Case{7, 0xfe00, 127}, Case{6, 0xfc00, 63},
                   Case{1, 0x8000, 1}, Case{16, 0x0005, 5}, Case{16, 0xffff, 0xffff}, Case{0, 0x0000, 0}}) {
        INFO("k " << int(c.k) << " wire " << c.wire);
        provision::PortParams pp{0, c.k, c.value};
        Bytes wire = pp_opt(0, c.k, c.wire);
        CHECK(encode(pp) == wire);
        auto s = decode(mape(cat({rule_with(1, 16, 24, 40, wire), br_opt()})));
        REQUIRE(s.rejected.empty());
        CHECK(s.mape.at(0).rules.at(0).port_params == pp);
        // The same inside a V4V6BIND.
        auto l = decode(tlv(96, cat({tlv(92, cat({from_hex("c00002123820010db8001234"), wire})), br_opt()})));
        REQUIRE(l.rejected.empty());
        CHECK(l.lw.at(0).bind->port_params == pp);
    }
}

TEST_CASE("PORTPARAMS: psid-len 0 ignores the PSID field, as Kea does", "[dhcp][psid]") {
    auto s = decode(mape(cat({rule_with(1, 16, 24, 40, pp_opt(6, 0, 0x1234)), br_opt()})));
    REQUIRE(s.rejected.empty());
    CHECK(s.mape.at(0).rules.at(0).port_params == provision::PortParams{6, 0, 0});
}

TEST_CASE("PORTPARAMS: invalid values discard the container with the field named", "[dhcp][psid]") {
    auto reason = [](std::uint8_t off, std::uint8_t k, std::uint16_t psid) {
        return only_reason(decode(mape(cat({rule_with(1, 16, 24, 40, pp_opt(off, k, psid)), br_opt()}))));
    };
    const std::string p = "OPTION_S46_CONT_MAPE: OPTION_S46_RULE/OPTION_S46_PORTPARAMS ";
    CHECK(reason(16, 0, 0) == p + "offset 16 > 15");
    CHECK(reason(0, 17, 0) == p + "psid-len 17 > 16");
    CHECK(reason(6, 11, 0) == p + "offset 6 + psid-len 11 > 16");
    CHECK(reason(1, 16, 0) == p + "offset 1 + psid-len 16 > 16");
    CHECK(reason(0, 4, 0x3100) == p + "PSID 0x3100 has bits set past psid-len 4");
    CHECK(reason(6, 8, 0x0001) == p + "PSID 0x0001 has bits set past psid-len 8");
    // Limits that are valid.
    CHECK(decode(mape(cat({rule_with(1, 16, 24, 40, pp_opt(15, 1, 0x8000)), br_opt()}))).rejected.empty());
    CHECK(decode(mape(cat({rule_with(1, 16, 24, 40, pp_opt(6, 10, 0xffc0)), br_opt()}))).rejected.empty());
    // Length.
    CHECK(only_reason(decode(mape(cat({rule_with(1, 16, 24, 40, tlv(93, from_hex("060800"))), br_opt()})))) ==
          p + "option-len 3 != 4");
    CHECK(only_reason(decode(mape(cat({rule_with(1, 16, 24, 40, tlv(93, from_hex("0608000000"))), br_opt()})))) ==
          p + "option-len 5 != 4");
    // Container-level and BIND-level 93 get the same checks.
    CHECK(only_reason(decode(mape(cat({rule_opt(), br_opt(), pp_opt(0, 17, 0)})))) ==
          "OPTION_S46_CONT_MAPE: OPTION_S46_PORTPARAMS psid-len 17 > 16");
    CHECK(only_reason(decode(tlv(96, cat({tlv(92, cat({from_hex("c00002123820010db8001234"), pp_opt(0, 4, 0x0800)})),
                                         br_opt()})))) ==
          "OPTION_S46_CONT_LW: OPTION_S46_V4V6BIND/OPTION_S46_PORTPARAMS PSID 0x0800 has bits set past psid-len 4");
}

TEST_CASE("S46_RULE: F is flags & 0x01; the other seven bits are reserved and ignored", "[dhcp][fbit]") {
    for (unsigned flags : {0x00u, 0x01u, 0x80u, 0x81u, 0xfeu, 0xffu, 0x02u, 0x03u}) {
        INFO("flags " << flags);
        auto s = decode(mape(cat({rule_with(static_cast<std::uint8_t>(flags)), br_opt()})));
        REQUIRE(s.rejected.empty());
        CHECK(s.mape.at(0).rules.at(0).forwarding == ((flags & 1) != 0));
        // The encoder writes F as 0x01 and the reserved bits only when asked to.
        CHECK(encode(s.mape.at(0).rules.at(0), static_cast<std::uint8_t>(flags & 0xfe)) == rule_with(static_cast<std::uint8_t>(flags)));
        CHECK(encode(s.mape.at(0).rules.at(0))[4] == (flags & 1));
    }
}

// ------------------------------------------------------------------------- rules and Table 1

TEST_CASE("several S46_RULEs in one container are all kept, in order (RFC 7598 §8)", "[dhcp][table1]") {
    Bytes r1 = rule_with(1, 16, 24, 40, pp_opt(6, 8, 0x3400));
    Bytes r2 = tlv(89, rule_value(0, 0, 32, from_hex("c6336405"), 64, from_hex("20010db800010203")));
    Bytes r3 = tlv(89, rule_value(0x81, 48, 0, from_hex("00000000"), 0, {}));
    auto s = decode(mape(cat({r1, br_opt("2001:db8::1"), r2, br_opt("2001:db8::2"), r3})));
    REQUIRE(s.rejected.empty());
    REQUIRE(s.mape.size() == 1);
    const auto& c = s.mape[0];
    REQUIRE(c.rules.size() == 3);
    CHECK(c.rules[0].ipv6_prefix == p6("2001:db8::/40"));
    CHECK(c.rules[0].port_params == provision::PortParams{6, 8, 0x34});
    CHECK(c.rules[1].ipv4_prefix == p4("198.51.100.5/32"));
    CHECK(c.rules[1].ipv6_prefix == p6("2001:db8:1:203::/64"));
    CHECK_FALSE(c.rules[1].forwarding);
    CHECK(c.rules[2].forwarding);
    CHECK(c.rules[2].ea_len == 48);
    CHECK(c.rules[2].ipv4_prefix == p4("0.0.0.0/0"));
    CHECK(c.rules[2].ipv6_prefix == p6("::/0"));
    CHECK(c.brs == std::vector<net::Ipv6Address>{v6("2001:db8::1"), v6("2001:db8::2")});
    // Canonical re-encoding: rules, then BRs; the reserved flag bits of r3 (0x80) are not kept.
    Bytes r3_canon = tlv(89, rule_value(0x01, 48, 0, from_hex("00000000"), 0, {}));
    CHECK(encode(s) == mape(cat({r1, r2, r3_canon, br_opt("2001:db8::1"), br_opt("2001:db8::2")})));
}

TEST_CASE("several containers of a kind are kept in message order", "[dhcp][table1]") {
    Bytes second = mape(cat({rule_with(0, 8, 16), br_opt("2001:db8::9")}));
    auto s = decode(cat({kMape, kLw, second, kLw}));
    REQUIRE(s.rejected.empty());
    REQUIRE(s.mape.size() == 2);
    CHECK(s.mape[1].brs.at(0) == v6("2001:db8::9"));
    CHECK(s.lw.size() == 2);
}

TEST_CASE("RFC 7598 Table 1: a container breaking the rules is ignored with a reason", "[dhcp][table1]") {
    const Bytes bind = from_hex("005c0014c00002123820010db8001234005d000400083400");
    const Bytes dmr = from_hex("005b00062120010db800");
    struct Case {
        Bytes option;
        std::string why;
    };
    std::vector<Case> cases = {
        {mape({}), "OPTION_S46_CONT_MAPE: mandatory OPTION_S46_RULE missing"},
        {mape(br_opt()), "OPTION_S46_CONT_MAPE: mandatory OPTION_S46_RULE missing"},
        {mape(rule_opt()), "OPTION_S46_CONT_MAPE: mandatory OPTION_S46_BR missing"},
        {mape(cat({rule_opt(), br_opt(), dmr})), "OPTION_S46_CONT_MAPE: OPTION_S46_DMR not permitted"},
        {mape(cat({rule_opt(), br_opt(), bind})), "OPTION_S46_CONT_MAPE: OPTION_S46_V4V6BIND not permitted"},
        {mape(cat({rule_opt(), br_opt(), pp_opt(6, 0, 0), pp_opt(6, 0, 0)})),
         "OPTION_S46_CONT_MAPE: more than one OPTION_S46_PORTPARAMS"},
        {mape(cat({rule_opt(), br_opt(), tlv(23, Bytes(16, 0))})), "OPTION_S46_CONT_MAPE: unsupported sub-option 23"},
        {mape(cat({rule_opt(), br_opt(), tlv(94, {})})), "OPTION_S46_CONT_MAPE: unsupported sub-option 94"},
        {tlv(95, cat({rule_opt(), dmr, br_opt()})), "OPTION_S46_CONT_MAPT: OPTION_S46_BR not permitted"},
        {tlv(95, rule_opt()), "OPTION_S46_CONT_MAPT: mandatory OPTION_S46_DMR missing"},
        {tlv(95, dmr), "OPTION_S46_CONT_MAPT: mandatory OPTION_S46_RULE missing"},
        {tlv(95, cat({rule_opt(), dmr, dmr})), "OPTION_S46_CONT_MAPT: more than one OPTION_S46_DMR"},
        {tlv(95, cat({rule_opt(), dmr, bind})), "OPTION_S46_CONT_MAPT: OPTION_S46_V4V6BIND not permitted"},
        {tlv(96, cat({bind, br_opt(), rule_opt()})), "OPTION_S46_CONT_LW: OPTION_S46_RULE not permitted"},
        {tlv(96, cat({bind, br_opt(), dmr})), "OPTION_S46_CONT_LW: OPTION_S46_DMR not permitted"},
        {tlv(96, cat({bind, bind, br_opt()})), "OPTION_S46_CONT_LW: more than one OPTION_S46_V4V6BIND"},
        {tlv(96, bind), "OPTION_S46_CONT_LW: mandatory OPTION_S46_BR missing"},
        {tlv(96, {}), "OPTION_S46_CONT_LW: mandatory OPTION_S46_BR missing"},
    };
    for (const auto& c : cases) {
        INFO(to_hex(c.option));
        // Next to a good option, which survives.
        auto s = decode(cat({c.option, kAftr}));
        CHECK(only_reason(s) == c.why);
        CHECK(s.rejected[0].option == (c.option[0] << 8 | c.option[1]));
        CHECK(s.mape.empty());
        CHECK(s.mapt.empty());
        CHECK(s.lw.empty());
        CHECK(s.aftr_name == "aftr.example.com");
    }
}

TEST_CASE("RFC 7598 Table 1: what is allowed", "[dhcp][table1]") {
    // LW without a BIND (IPv4 from DHCPv4o6), several BRs, a container-level 93.
    auto s = decode(tlv(96, cat({br_opt("2001:db8::1"), br_opt("2001:db8::2"), pp_opt(0, 8, 0x3400)})));
    REQUIRE(s.rejected.empty());
    CHECK_FALSE(s.lw.at(0).bind);
    CHECK(s.lw[0].brs.size() == 2);
    CHECK(s.lw[0].port_params == provision::PortParams{0, 8, 0x34});
    // MAP-E with a container-level 93 next to a rule-level one.
    auto m = decode(mape(cat({pp_opt(6, 4, 0x1000), rule_with(1, 16, 24, 40, pp_opt(6, 8, 0x3400)), br_opt()})));
    REQUIRE(m.rejected.empty());
    CHECK(m.mape.at(0).port_params == provision::PortParams{6, 4, 1});
    CHECK(m.mape[0].rules.at(0).port_params == provision::PortParams{6, 8, 0x34});
    // MAP-T with a container-level 93: valid (kept out of the struct, which has no field for it).
    auto t = decode(tlv(95, cat({rule_opt(), from_hex("005b00062120010db800"), pp_opt(6, 0, 0)})));
    CHECK(t.rejected.empty());
    CHECK(t.mapt.size() == 1);
}

TEST_CASE("S46_RULE / BR / DMR / BIND field ranges", "[dhcp][fields]") {
    const std::string e = "OPTION_S46_CONT_MAPE: OPTION_S46_RULE ";
    auto rule_reason = [](const Bytes& rule) { return only_reason(decode(mape(cat({rule, br_opt()})))); };
    CHECK(rule_reason(rule_with(1, 49)) == e + "ea-len 49 > 48");
    CHECK(rule_reason(rule_with(1, 60, 40)) == e + "ea-len 60 > 48");
    CHECK(rule_reason(rule_with(1, 16, 33)) == e + "prefix4-len 33 > 32");
    CHECK(rule_reason(tlv(89, rule_value(1, 16, 24, from_hex("c0000200"), 129, Bytes(17, 0)))) == e + "prefix6-len 129 > 128");
    CHECK(rule_reason(tlv(89, rule_value(1, 16, 24, from_hex("c0000200"), 200, Bytes(25, 0)))) == e + "prefix6-len 200 > 128");
    CHECK(rule_reason(tlv(89, rule_value(1, 16, 24, from_hex("c0000200"), 64, from_hex("20010db8")))) ==
          e + "prefix6-len 64 needs 8 prefix octets, only 4 left");
    CHECK(rule_reason(tlv(89, from_hex("0110180000"))) == e + "option-len 5 < 8");
    // Surplus after the prefix is read as sub-options: here 16 octets that form no valid TLV (Kea: "type 0").
    CHECK(rule_reason(tlv(89, rule_value(1, 16, 24, from_hex("c0000200"), 40, from_hex("20010db800"), Bytes(16, 0)))) ==
          e + "unsupported sub-option 0");
    CHECK(rule_reason(rule_with(1, 16, 24, 40, br_opt())) == e + "unsupported sub-option 90");
    CHECK(rule_reason(rule_with(1, 16, 24, 40, cat({pp_opt(6, 0, 0), pp_opt(6, 0, 0)}))) ==
          e + "more than one OPTION_S46_PORTPARAMS");
    CHECK(rule_reason(rule_with(1, 16, 24, 40, from_hex("005d0008060800"))) ==
          "OPTION_S46_CONT_MAPE: OPTION_S46_RULE/OPTION_S46_PORTPARAMS option-len 8 overruns OPTION_S46_RULE (3 octets left)");
    CHECK(rule_reason(rule_with(1, 16, 24, 40, from_hex("005d00"))) ==
          "OPTION_S46_CONT_MAPE: OPTION_S46_RULE/OPTION_S46_PORTPARAMS truncated option header (3 of 4 octets)");
    CHECK(rule_reason(rule_with(1, 16, 24, 40, from_hex("00"))) == e + "truncated sub-option header (1 of 4 octets)");
    // Limits that are valid: ea-len 48, prefix4-len 32, prefix6-len 128; host bits are masked.
    auto ok = decode(mape(cat({tlv(89, rule_value(1, 48, 32, from_hex("c00002ff"), 128, Bytes(16, 0xff))), br_opt()})));
    REQUIRE(ok.rejected.empty());
    CHECK(ok.mape[0].rules[0].ipv6_prefix.length == 128);
    auto masked = decode(mape(cat({tlv(89, rule_value(1, 8, 24, from_hex("c00002ff"), 36, from_hex("20010db8ff"))), br_opt()})));
    REQUIRE(masked.rejected.empty());
    CHECK(masked.mape[0].rules[0].ipv4_prefix == p4("192.0.2.0/24"));
    CHECK(masked.mape[0].rules[0].ipv6_prefix == p6("2001:db8:f000::/36"));

    // BR: exactly 16 octets.
    CHECK(only_reason(decode(mape(cat({rule_opt(), tlv(90, Bytes(15, 0x20))})))) ==
          "OPTION_S46_CONT_MAPE: OPTION_S46_BR option-len 15 != 16");
    CHECK(only_reason(decode(mape(cat({rule_opt(), tlv(90, Bytes(17, 0x20))})))) ==
          "OPTION_S46_CONT_MAPE: OPTION_S46_BR option-len 17 != 16");
    CHECK(only_reason(decode(tlv(96, tlv(90, {})))) == "OPTION_S46_CONT_LW: OPTION_S46_BR option-len 0 != 16");
    // DMR.
    CHECK(only_reason(decode(tlv(95, cat({rule_opt(), tlv(91, from_hex("81"))})))) ==
          "OPTION_S46_CONT_MAPT: OPTION_S46_DMR dmr-prefix6-len 129 > 128");
    CHECK(only_reason(decode(tlv(95, cat({rule_opt(), tlv(91, from_hex("4020010db8"))})))) ==
          "OPTION_S46_CONT_MAPT: OPTION_S46_DMR dmr-prefix6-len 64 needs 8 prefix octets, only 4 left");
    CHECK(only_reason(decode(tlv(95, cat({rule_opt(), tlv(91, from_hex("2020010db8ffff"))})))) ==
          "OPTION_S46_CONT_MAPT: OPTION_S46_DMR 2 trailing octets after dmr-ipv6-prefix");
    CHECK(only_reason(decode(tlv(95, cat({rule_opt(), tlv(91, {})})))) == "OPTION_S46_CONT_MAPT: OPTION_S46_DMR option-len 0 < 1");
    auto dmr0 = decode(tlv(95, cat({rule_opt(), tlv(91, from_hex("00"))})));
    REQUIRE(dmr0.rejected.empty());
    CHECK(dmr0.mapt.at(0).dmr == p6("::/0"));
    // BIND.
    const std::string b = "OPTION_S46_CONT_LW: OPTION_S46_V4V6BIND ";
    auto bind_reason = [](const Bytes& value) { return only_reason(decode(tlv(96, cat({tlv(92, value), br_opt()})))); };
    CHECK(bind_reason(from_hex("c6336405")) == b + "option-len 4 < 5");
    CHECK(bind_reason(from_hex("c633640581")) == b + "bindprefix6-len 129 > 128");
    CHECK(bind_reason(from_hex("c63364053820010db8")) == b + "bindprefix6-len 56 needs 7 prefix octets, only 4 left");
    CHECK(bind_reason(from_hex("c63364053820010db8ff1234005a0000")) == b + "unsupported sub-option 90");
}

// ------------------------------------------------------------------- tolerance and framing

TEST_CASE("a structurally bad option next to good ones keeps the good ones", "[dhcp][tolerance]") {
    const Bytes ia_na = from_hex("0003000c000000010000000000000000");
    const Bytes client_id = from_hex("0001000a00030001020000000001");
    const Bytes dns = from_hex("0017002020010db8000000000000000000000053" "20010db8000000000000000000000054");
    const Bytes bad_mape = from_hex("005e0009005900050110180000");  // RULE option-len 5
    const Bytes bad_prio = from_hex("006f0003005e00");
    const Bytes good_prio = from_hex("006f0004005e0060");
    auto s = decode(cat({client_id, ia_na, dns, kAftr, bad_mape, kLw, bad_prio, kMape, good_prio}));
    CHECK(s.aftr_name == "aftr.example.com");
    CHECK(s.dns_servers == std::vector<net::Ipv6Address>{v6("2001:db8::53"), v6("2001:db8::54")});
    REQUIRE(s.lw.size() == 1);
    CHECK(s.lw[0].bind->ipv4 == v4("192.0.2.18"));
    REQUIRE(s.mape.size() == 1);
    CHECK(s.mape[0].brs.at(0) == v6("2001:db8:ffff::1"));
    // The second 111 is a duplicate: only the first instance counts, and it was invalid.
    CHECK_FALSE(s.priority);
    CHECK(reasons(s) == std::vector<std::string>{
                            "OPTION_S46_CONT_MAPE: OPTION_S46_RULE option-len 5 < 8",
                            "OPTION_S46_PRIORITY: option-len 3 must be >= 2 and even",
                            "OPTION_S46_PRIORITY: ignored duplicate (only the first instance is used)",
                        });
}

TEST_CASE("framing: a truncated last option is reported and everything before it kept", "[dhcp][tolerance]") {
    // The kea.md §2.6 case: good AFTR, bad MAP-E, empty 111, good lw4o6, MAP-T overrunning the message.
    const Bytes mapt_overrun = from_hex("005f0032005900");
    auto s = decode(cat({kAftr, from_hex("005e0009005900050110180000"), from_hex("006f0000"), kLw, mapt_overrun}));
    CHECK(s.aftr_name);
    CHECK(s.lw.size() == 1);
    CHECK(reasons(s) == std::vector<std::string>{
                            "OPTION_S46_CONT_MAPE: OPTION_S46_RULE option-len 5 < 8",
                            "OPTION_S46_PRIORITY: option-len 0 must be >= 2 and even",
                            "OPTION_S46_CONT_MAPT: option-len 50 overruns the message (3 octets left)",
                        });
    // Trailing bytes that cannot even hold a header.
    CHECK(reasons(decode(cat({kAftr, from_hex("00")}))) ==
          std::vector<std::string>{"truncated option header (1 of 4 octets) at the end of the message"});
    auto t = decode(cat({kAftr, from_hex("010203")}));
    CHECK(reasons(t) == std::vector<std::string>{"option 258: truncated option header (3 of 4 octets)"});
    CHECK(t.rejected[0].option == 258);
    CHECK(t.aftr_name);
    // A truncated non-softwire option is reported too: nothing after it can be framed.
    CHECK(reasons(decode(from_hex("0003000c0000"))) ==
          std::vector<std::string>{"option 3: option-len 12 overruns the message (2 octets left)"});
    // Inside a container: a sub-option overrunning the container.
    CHECK(reasons(decode(mape(cat({rule_opt(), from_hex("005a0010200100")})))) ==
          std::vector<std::string>{"OPTION_S46_CONT_MAPE: OPTION_S46_BR option-len 16 overruns OPTION_S46_CONT_MAPE (3 octets left)"});
    // Inside a RULE: a sub-option overrunning the RULE (Kea drops it silently and keeps the rule).
    CHECK(reasons(decode(mape(cat({rule_with(1, 16, 24, 40, from_hex("005d00080608")), br_opt()})))) ==
          std::vector<std::string>{
              "OPTION_S46_CONT_MAPE: OPTION_S46_RULE/OPTION_S46_PORTPARAMS option-len 8 overruns OPTION_S46_RULE (2 octets left)"});
    CHECK(decode({}) == provision::S46OptionSet{});
}

TEST_CASE("non-softwire options are skipped without a rejection", "[dhcp][tolerance]") {
    const Bytes reply = from_hex(
        "00010004aabbccdd"                          // client id
        "0002000400000001"                          // server id
        "0019000c000000020000000000000000"          // IA_PD, empty
        "000d0002" "0000"                           // status code
        "0018000d076578616d706c6503636f6d00");      // domain list (24): not decoded
    auto s = decode(reply);
    CHECK(s == provision::S46OptionSet{});
}

// --------------------------------------------------------------------------- 64 (RFC 6334)

TEST_CASE("AFTR-Name: RFC 6334 §3 checks, first instance, first FQDN", "[dhcp][aftr]") {
    auto name_of = [](const Bytes& value) { return decode(tlv(64, value)); };
    auto why = [&](const Bytes& value) { return only_reason(name_of(value)); };
    const std::string a = "OPTION_AFTR_NAME: ";

    CHECK(name_of(value_of(kAftr)).aftr_name == "aftr.example.com");
    CHECK(why(from_hex("016100")) == a + "option-len 3 must be > 3");
    CHECK(why({}) == a + "option-len 0 must be > 3");
    CHECK(why(from_hex("0461667472c000")) == a + "compression pointer at octet 5");
    CHECK(why(from_hex("c00c0000")) == a + "compression pointer at octet 0");
    CHECK(why(from_hex("4061616161")) == a + "label length 64 > 63 at octet 0");
    CHECK(why(from_hex("2861667472 00")) == a + "label at octet 0 (length 40) runs past the end of the option");
    CHECK(why(from_hex("0461667472")) == a + "FQDN at octet 0 is not terminated by a root label");
    CHECK(why(from_hex("00000000")) == a + "first FQDN has no non-empty label");
    // option-len > 3 holds for the option but not for the first FQDN, the one used (found by fuzzing).
    CHECK(why(from_hex("01360000")) == a + "first FQDN is 3 octets long (must be > 3)");
    CHECK(name_of(from_hex("0236360000")).aftr_name == "66");
    CHECK(why(from_hex("046166745f7200")) == a + "label 1 has invalid character 0x5f");
    CHECK(why(from_hex("04616674720361 2062 00")) == a + "label 2 has invalid character 0x20");
    CHECK(why(from_hex("042d61667403636f6d00")) == a + "label 1 begins or ends with a hyphen");
    CHECK(why(from_hex("0461667472 03636f2d 00")) == a + "label 2 begins or ends with a hyphen");
    // Letters in either case, digits, inner hyphens are fine; a digit may start a label (RFC 1123).
    CHECK(name_of(from_hex("0741667452 2d3031 03436f4d00")).aftr_name == "AftR-01.CoM");
    CHECK(name_of(from_hex("03316132 00")).aftr_name == "1a2");
    // Only the first FQDN is used; later ones must still be well-formed wire format.
    auto two = name_of(cat({value_of(kAftr), from_hex("05616674723200")}));
    CHECK(two.rejected.empty());
    CHECK(two.aftr_name == "aftr.example.com");
    auto junk = name_of(cat({value_of(kAftr), from_hex("010203")}));  // M29: name followed by garbage
    CHECK(only_reason(junk) == a + "label at octet 20 (length 3) runs past the end of the option");
    // The later FQDNs are not checked for characters.
    CHECK(name_of(cat({value_of(kAftr), from_hex("015f00")})).rejected.empty());
    // 255 octets is the limit for the name (RFC 1035 §3.1).
    Bytes n255;
    for (int i = 0; i < 3; ++i) n255 = cat({n255, Bytes{63}, Bytes(63, 'a')});
    n255 = cat({n255, Bytes{61}, Bytes(61, 'b'), Bytes{0}});
    REQUIRE(n255.size() == 255);
    CHECK(name_of(n255).rejected.empty());
    Bytes n256 = cat({Bytes{1, 'c'}, n255});
    CHECK(why(n256) == a + "first FQDN is 257 octets long (> 255)");
}

TEST_CASE("AFTR-Name: only the first instance is used, later ones are ignored duplicates", "[dhcp][aftr]") {
    const Bytes other = encode_aftr_name("other.example.net");
    auto s = decode(cat({kAftr, other, other}));
    CHECK(s.aftr_name == "aftr.example.com");
    CHECK(s.rejected == std::vector<provision::Rejection>{
                            {64, "OPTION_AFTR_NAME: ignored duplicate (only the first instance is used)"},
                            {64, "OPTION_AFTR_NAME: ignored duplicate (only the first instance is used)"}});
    // The first instance decides even when it is invalid (RFC 6334 §5: use only the first).
    auto t = decode(cat({from_hex("00400003016100"), other}));
    CHECK_FALSE(t.aftr_name);
    CHECK(reasons(t) == std::vector<std::string>{"OPTION_AFTR_NAME: option-len 3 must be > 3",
                                                 "OPTION_AFTR_NAME: ignored duplicate (only the first instance is used)"});
    CHECK(encode_aftr_name("aftr.example.com.") == kAftr);
    CHECK(encode_aftr_name("aftr.example.com") == kAftr);
}

// ------------------------------------------------------------------------- 111, 23, 88

TEST_CASE("S46 priority (111): RFC 8026 §1.3", "[dhcp][priority]") {
    CHECK(decode(from_hex("006f0006005e00600040")).priority == std::vector<std::uint16_t>{94, 96, 64});
    // Unknown codes are kept (the selection skips them, RFC 8026 §1.4).
    CHECK(decode(from_hex("006f00041234005e")).priority == std::vector<std::uint16_t>{0x1234, 94});
    CHECK(decode(from_hex("006f0002005e")).priority == std::vector<std::uint16_t>{94});
    CHECK(only_reason(decode(from_hex("006f0003004000"))) == "OPTION_S46_PRIORITY: option-len 3 must be >= 2 and even");
    CHECK(only_reason(decode(from_hex("006f0000"))) == "OPTION_S46_PRIORITY: option-len 0 must be >= 2 and even");
    CHECK(only_reason(decode(from_hex("006f000100"))) == "OPTION_S46_PRIORITY: option-len 1 must be >= 2 and even");
    CHECK(only_reason(decode(from_hex("006f0006005e0060005e"))) == "OPTION_S46_PRIORITY: code 94 listed twice");
    CHECK(only_reason(decode(from_hex("006f000600170017005e"))) == "OPTION_S46_PRIORITY: code 23 listed twice");
    auto two = decode(from_hex("006f0002005e006f00020060"));
    CHECK(two.priority == std::vector<std::uint16_t>{94});
    CHECK(reasons(two) == std::vector<std::string>{"OPTION_S46_PRIORITY: ignored duplicate (only the first instance is used)"});
    CHECK(decode(from_hex("006f0003004000")).priority == std::nullopt);
}

TEST_CASE("DNS servers (23) and DHCPv4-over-DHCPv6 server (88)", "[dhcp][dns]") {
    auto s = decode(from_hex("0017001020010db8000000000000000000000053"));
    CHECK(s.dns_servers == std::vector<net::Ipv6Address>{v6("2001:db8::53")});
    CHECK(only_reason(decode(from_hex("0017001120010db800000000000000000000005300"))) ==
          "OPTION_DNS_SERVERS: option-len 17 is not a multiple of 16");
    CHECK(decode(from_hex("00170000")).dns_servers.empty());
    // 88 with no address: present, and the client multicasts (RFC 7341 §5).
    CHECK(decode(from_hex("00580000")).dhcp4o6_servers == std::vector<net::Ipv6Address>{});
    CHECK(decode(from_hex("0058001020010db8000000000000000000000001")).dhcp4o6_servers ==
          std::vector<net::Ipv6Address>{v6("2001:db8::1")});
    auto bad = decode(from_hex("0058000300 0000"));
    CHECK_FALSE(bad.dhcp4o6_servers.has_value());
    CHECK(reasons(bad) == std::vector<std::string>{"OPTION_DHCP4_O_DHCP6_SERVER: option-len 3 is not a multiple of 16"});
}

TEST_CASE("S46 bind IPv6 prefix (137): RFC 8539 §5.1", "[dhcp][bindprefix]") {
    // /56: 1 + 7 octets.
    auto s = decode(from_hex("008900083820010db8001234"));
    CHECK(s.rejected.empty());
    CHECK(s.bind_ipv6_prefix == p6("2001:db8:12:3400::/56"));
    // /128: a single address; /0: no prefix octets at all.
    CHECK(decode(from_hex("008900118020010db8000000000000000000000001")).bind_ipv6_prefix == p6("2001:db8::1/128"));
    CHECK(decode(from_hex("0089000100")).bind_ipv6_prefix == p6("::/0"));
    // Padding bits past the length (the sender MUST zero them) are ignored: the prefix is canonical.
    CHECK(decode(from_hex("008900051c20010dbf")).bind_ipv6_prefix == p6("2001:db0::/28"));
    CHECK(decode(from_hex("008900051c20010dbf")).rejected.empty());

    auto reason_of = [](const std::string& hex) {
        auto d = decode(from_hex(hex));
        CHECK_FALSE(d.bind_ipv6_prefix.has_value());
        return only_reason(d);
    };
    CHECK(reason_of("00890000") == "OPTION_S46_BIND_IPV6_PREFIX: option-len 0 < 1");
    CHECK(reason_of("0089000181") == "OPTION_S46_BIND_IPV6_PREFIX: bindprefix6-len 129 > 128");
    CHECK(reason_of("008900043820010d") ==
          "OPTION_S46_BIND_IPV6_PREFIX: bindprefix6-len 56 needs 7 prefix octets, only 3 left");
    // option-length is exactly 1 + (len + 7) / 8 (§5.1): no fixed 16-octet field, no sub-options.
    CHECK(reason_of("008900113820010db8001234000000000000000000") ==
          "OPTION_S46_BIND_IPV6_PREFIX: 9 trailing octets after bind-ipv6-prefix");

    // Only the first instance is used.
    auto two = decode(from_hex("008900083820010db8001234" "008900054020010db8"));
    CHECK(two.bind_ipv6_prefix == p6("2001:db8:12:3400::/56"));
    CHECK(reasons(two) == std::vector<std::string>{"OPTION_S46_BIND_IPV6_PREFIX: ignored duplicate (only the first instance is used)"});
    REQUIRE(two.rejected.size() == 1);
    CHECK(two.rejected[0].option == 137);
    // A bad 137 costs nothing else.
    auto with_lw = decode(cat({from_hex("0089000181"), kLw}));
    CHECK(with_lw.lw.size() == 1);
    CHECK_FALSE(with_lw.bind_ipv6_prefix.has_value());
}

TEST_CASE("137 encodes as len + ceil(len/8) octets and round-trips in the whole set", "[dhcp][bindprefix][roundtrip]") {
    CHECK(to_hex(encode_bind_ipv6_prefix(p6("2001:db8:12:3400::/56"))) == "008900083820010db8001234");
    CHECK(to_hex(encode_bind_ipv6_prefix(p6("::/0"))) == "0089000100");
    CHECK(to_hex(encode_bind_ipv6_prefix(p6("2001:db8::1/128"))) == "008900118020010db8000000000000000000000001");
    provision::S46OptionSet set = decode(cat({kLw, from_hex("00580000")}));
    set.bind_ipv6_prefix = p6("2001:db8:12:3480::/57");
    auto again = decode(encode(set));
    CHECK(again.rejected.empty());
    CHECK(again == set);
}

TEST_CASE("top-level 89-93 are ignored (RFC 7598 defines them inside containers)", "[dhcp][toplevel]") {
    for (const Bytes& o : {rule_opt(), br_opt(), from_hex("005b00062120010db800"), from_hex("005c0005c000020000"),
                           pp_opt(6, 8, 0x3400)}) {
        auto s = decode(cat({o, kAftr}));
        REQUIRE(s.rejected.size() == 1);
        std::uint16_t code = static_cast<std::uint16_t>(o[0] << 8 | o[1]);
        CHECK(s.rejected[0].option == code);
        const char* names[] = {"OPTION_S46_RULE", "OPTION_S46_BR", "OPTION_S46_DMR", "OPTION_S46_V4V6BIND",
                               "OPTION_S46_PORTPARAMS"};
        CHECK(s.rejected[0].why == std::string(names[code - 89]) + ": ignored outside an S46 container");
        CHECK(s.aftr_name);
    }
}

// ------------------------------------------------------------------------ round trip

TEST_CASE("decode(encode(decode(x))) == decode(x) on every vector and matrix reply", "[dhcp][roundtrip]") {
    std::vector<Bytes> inputs;
    const json options = load_vectors("options.json");
    for (const auto& vec : decoded_option_vectors(options)) inputs.push_back(vec.wire);
    const json matrix = load_vectors("option-matrix.json");
    for (const auto& row : matrix.at("option_matrix")) inputs.push_back(from_hex(row.at("reply_options_hex")));
    CHECK(inputs.size() == 15 + 20);
    for (const auto& in : inputs) {
        INFO(to_hex(in));
        auto first = decode(in);
        auto again = decode(encode(first));
        CHECK(again.rejected.empty());
        CHECK(again == without_rejections(first));
    }
}

TEST_CASE("option matrix replies: the codec's part of each selector trace", "[dhcp][matrix]") {
    std::map<std::string, std::vector<std::string>> want = {
        {"M03", {"OPTION_AFTR_NAME: option-len 3 must be > 3"}},
        {"M19", {"OPTION_S46_PRIORITY: option-len 3 must be >= 2 and even"}},
        {"M21", {"OPTION_S46_CONT_MAPE: mandatory OPTION_S46_BR missing"}},
        {"M23", {"OPTION_S46_CONT_MAPE: OPTION_S46_V4V6BIND not permitted"}},
        {"M26", {"OPTION_S46_CONT_LW: mandatory OPTION_S46_BR missing"}},
        {"M28", {"OPTION_S46_CONT_MAPE: OPTION_S46_RULE ea-len 49 > 48"}},
    };
    const json matrix = load_vectors("option-matrix.json");
    CHECK(matrix.at("option_matrix").size() == 20);
    for (const auto& row : matrix.at("option_matrix")) {
        const std::string id = row.at("id");
        INFO(id);
        auto s = decode(from_hex(row.at("reply_options_hex")));
        CHECK(reasons(s) == want[id]);
    }
}
