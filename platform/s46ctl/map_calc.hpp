// `s46ctl map-calc`: the MAP-E / lw4o6 arithmetic of core/map from the command line, so an
// operator can check what a CE will derive from a set of rules before provisioning them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/map/rule.hpp"
#include "core/net/ipv4.hpp"
#include "core/net/ipv6.hpp"
#include "core/result.hpp"

namespace s46::ctl {

struct MapCalcArgs {
    std::vector<map::Rule> rules;            // --rule, in order (ties in rule choice go to the first)
    net::Ipv6Prefix end_user_prefix;         // --end-user-prefix
    // --br: optional, since the BR changes no address, PSID or port; only --dest's next hop
    // out of the domain needs it (RFC 7597 §5.4).
    std::optional<net::Ipv6Address> br;
    std::optional<net::Ipv4Address> dest;    // --dest IPV4[:PORT]
    std::optional<std::uint16_t> dest_port;
    bool legacy_iid = false;                 // --legacy-iid: draft-03 interface identifier
    bool json = false;
};

// "ipv6-prefix=2001:db8::/40,ipv4-prefix=192.0.2.0/24,ea-len=16[,offset=N][,psid-len=K,psid=P][,fmr]",
// validated (core/map/rule.hpp). Errors name the key.
Result<map::Rule> parse_rule_spec(std::string_view spec);

// Parses the arguments after "map-calc". Errors name the flag and what is wrong.
Result<MapCalcArgs> parse_map_calc_args(const std::vector<std::string>& args);

// BMR choice, derivation, port set, MAP address and (with --dest) next hop, as one JSON object:
// bmr, kind, ipv4, psid_offset, psid_len, psid, port_ranges, port_count, map_ipv6, notes[, next_hop].
Result<nlohmann::json> run_map_calc(const MapCalcArgs& args);

// The same report as an aligned table.
std::string map_calc_text(const nlohmann::json& report);

// The subcommand: prints the report, returns 0, or one line on stderr and kExitUsage.
int map_calc_main(const std::vector<std::string>& args);

extern const char* const kMapCalcUsage;

}  // namespace s46::ctl
