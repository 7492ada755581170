#include <catch2/catch.hpp>

#include <map>

#include "dhcp/s46_codec.hpp"
#include "platform/s46ctl/odhcp6c_env.hpp"

using namespace s46;

namespace {

ctl::EnvLookup env_of(std::map<std::string, std::string> vars) {
    return [vars](const std::string& name) -> std::optional<std::string> {
        auto it = vars.find(name);
        return it == vars.end() ? std::nullopt : std::optional<std::string>(it->second);
    };
}

}  // namespace

TEST_CASE("odhcp6c MAPE environment becomes a MAP-E container (raw left-aligned PSID)", "[s46ctl][odhcp6c]") {
    // As odhcp6c's script.c prints it: PSID 0x34/8 is the raw field 13312.
    auto ext = ctl::from_odhcp6c_env(env_of({
        {"MAPE", "fmr,type=map-e,ealen=16,prefix4len=24,prefix6len=40,ipv4prefix=192.0.2.0,ipv6prefix=2001:db8::,"
                 "offset=6,psidlen=8,psid=13312,br=2001:db8:ffff::1, "},
        {"PREFIXES", "2001:db8:12:3400::/56,3000,4000,1000,2000"},
        {"ADDRESSES", "2001:db8::100/128,3000,4000"},
        {"RDNSS", "2001:db8::53 2001:db8::54"},
    }));
    REQUIRE(ext.ok());
    auto set = dhcp::decode_reply_options(ext->options);
    CHECK(set.rejected.empty());
    REQUIRE(set.mape.size() == 1);
    const auto& rule = set.mape[0].rules.at(0);
    CHECK(rule.forwarding);
    CHECK(rule.ea_len == 16);
    CHECK(rule.ipv4_prefix.to_string() == "192.0.2.0/24");
    CHECK(rule.ipv6_prefix.to_string() == "2001:db8::/40");
    REQUIRE(rule.port_params);
    CHECK(*rule.port_params == provision::PortParams{6, 8, 0x34});
    CHECK(set.mape[0].brs.at(0).to_string() == "2001:db8:ffff::1");
    CHECK(set.dns_servers.size() == 2);
    REQUIRE(ext->prefixes.size() == 1);
    CHECK(ext->prefixes[0].prefix.to_string() == "2001:db8:12:3400::/56");
    CHECK(ext->prefixes[0].valid_lifetime == 4000);
    REQUIRE(ext->addresses.size() == 1);
    CHECK(ext->addresses[0].address.to_string() == "2001:db8::100");
}

TEST_CASE("odhcp6c LW4O6 and AFTR environment", "[s46ctl][odhcp6c]") {
    auto ext = ctl::from_odhcp6c_env(env_of({
        {"LW4O6", "type=lw4o6,prefix4len=32,prefix6len=56,ipv4prefix=192.0.2.18,ipv6prefix=2001:db8:12:3400::,"
                  "offset=0,psidlen=8,psid=13312,br=2001:db8:ffff::2,"},
        {"AFTR", "aftr.example.com other.example.net"},
        {"OPTION_111", "00600040"},
    }));
    REQUIRE(ext.ok());
    auto set = dhcp::decode_reply_options(ext->options);
    CHECK(set.rejected.empty());
    REQUIRE(set.lw.size() == 1);
    REQUIRE(set.lw[0].bind);
    CHECK(set.lw[0].bind->ipv4.to_string() == "192.0.2.18");
    CHECK(*set.lw[0].bind->port_params == provision::PortParams{0, 8, 0x34});
    CHECK(set.aftr_name == "aftr.example.com");  // only the first FQDN (RFC 6334 §5)
    CHECK(set.priority == std::vector<std::uint16_t>{96, 64});
}

TEST_CASE("bad odhcp6c environment is refused naming the variable and field", "[s46ctl][odhcp6c]") {
    CHECK(ctl::from_odhcp6c_env(env_of({{"MAPE", "type=map-e,ealen=x"}})).error() == "MAPE: ealen='x' is not a number in 0..255");
    CHECK(ctl::from_odhcp6c_env(env_of({{"LW4O6", "type=lw4o6,psidlen=8,psid=13313"}})).error() ==
          "LW4O6: psid=13313 has bits set below the top psidlen=8 bits");
    CHECK(ctl::from_odhcp6c_env(env_of({{"MAPE", "type=map-e,bogus=1"}})).error() == "MAPE: unknown field 'bogus'");
    CHECK(ctl::from_odhcp6c_env(env_of({{"PREFIXES", "2001:db8::/56,3000"}})).error() ==
          "PREFIXES: '2001:db8::/56,3000' needs prefix/len,preferred,valid");
    CHECK(ctl::from_odhcp6c_env(env_of({{"OPTION_111", "0g"}})).error().rfind("OPTION_111: invalid hex", 0) == 0);
}
