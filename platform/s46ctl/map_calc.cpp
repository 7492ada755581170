#include "platform/s46ctl/map_calc.hpp"

#include "platform/report/plan_json.hpp"

#include <charconv>
#include <iostream>
#include <set>

#include "core/map/bmr.hpp"
#include "core/map/forwarding.hpp"
#include "core/map/map_address.hpp"
#include "platform/s46ctl/command.hpp"

namespace s46::ctl {

const char* const kMapCalcUsage =
    "usage: s46ctl map-calc --rule SPEC [--rule SPEC]... --end-user-prefix PREFIX [--br ADDRESS]\n"
    "                       [--dest IPV4[:PORT]] [--legacy-iid] [--json]\n"
    "  SPEC: ipv6-prefix=P6,ipv4-prefix=P4,ea-len=O[,offset=A][,psid-len=K,psid=P][,fmr]\n"
    "        (psid is the right-aligned integer: 0x34 with psid-len 8 is psid=52; fmr sets the F flag)\n"
    "  Chooses the BMR for the End-user prefix (longest IPv6 match, RFC 7597 §5), derives the IPv4\n"
    "  address or prefix, PSID and port set (§5.1, §5.2; default offset 6) and the MAP IPv6 address\n"
    "  (§6). With --dest, the outer IPv6 destination: a CE under the longest matching FMR, or the BR\n"
    "  (\"BR not given\" without --br; the BR changes no address, PSID or port).\n"
    "  --legacy-iid uses the draft-03 interface identifier (IPv4 at byte 9). Exit 2 on bad input.\n";

namespace {

// A decimal integer no larger than `max`, or an error naming `what`.
Result<unsigned> parse_uint(std::string_view text, unsigned max, const std::string& what) {
    unsigned v = 0;
    auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (text.empty() || ec != std::errc{} || p != text.data() + text.size())
        return fail(what + ": '" + std::string(text) + "' is not a decimal number");
    if (v > max) return fail(what + ": " + std::string(text) + " is out of range (at most " + std::to_string(max) + ")");
    return v;
}

}  // namespace

Result<map::Rule> parse_rule_spec(std::string_view spec) {
    map::Rule rule;
    std::set<std::string> seen;
    std::optional<unsigned> psid_len, psid;
    std::size_t pos = 0;
    while (pos <= spec.size()) {
        auto comma = spec.find(',', pos);
        std::string_view item = spec.substr(pos, comma == std::string_view::npos ? std::string_view::npos : comma - pos);
        pos = comma == std::string_view::npos ? spec.size() + 1 : comma + 1;
        auto eq = item.find('=');
        const std::string key(item.substr(0, eq));
        const std::string_view value = eq == std::string_view::npos ? std::string_view{} : item.substr(eq + 1);
        if (key.empty()) return fail("empty item in rule spec");
        if (!seen.insert(key).second) return fail(key + " given twice");
        if (key == "fmr") {
            if (eq != std::string_view::npos) return fail("fmr takes no value");
            rule.forwarding = true;
            continue;
        }
        if (eq == std::string_view::npos) return fail(key + " needs a value (" + key + "=...)");
        if (key == "ipv6-prefix") {
            auto p = net::Ipv6Prefix::parse(value);
            if (!p) return fail("ipv6-prefix: " + p.error());
            rule.ipv6_prefix = *p;
        } else if (key == "ipv4-prefix") {
            auto p = net::Ipv4Prefix::parse(value);
            if (!p) return fail("ipv4-prefix: " + p.error());
            rule.ipv4_prefix = *p;
        } else if (key == "ea-len") {
            auto v = parse_uint(value, 255, "ea-len");
            if (!v) return fail(v.error());
            rule.ea_len = static_cast<std::uint8_t>(*v);
        } else if (key == "offset") {
            auto v = parse_uint(value, 255, "offset");
            if (!v) return fail(v.error());
            rule.psid_offset = static_cast<std::uint8_t>(*v);
        } else if (key == "psid-len") {
            auto v = parse_uint(value, 255, "psid-len");
            if (!v) return fail(v.error());
            psid_len = *v;
        } else if (key == "psid") {
            auto v = parse_uint(value, 65535, "psid");
            if (!v) return fail(v.error());
            psid = *v;
        } else {
            return fail("unknown key '" + key + "' (expected ipv6-prefix, ipv4-prefix, ea-len, offset, psid-len, psid, fmr)");
        }
    }
    for (const char* required : {"ipv6-prefix", "ipv4-prefix", "ea-len"})
        if (!seen.count(required)) return fail(std::string("missing ") + required);
    if (psid_len.has_value() != psid.has_value()) return fail(psid ? "psid needs psid-len" : "psid-len needs psid");
    if (psid_len) rule.explicit_psid = map::ExplicitPsid{static_cast<std::uint8_t>(*psid_len), static_cast<std::uint16_t>(*psid)};
    return map::validate(rule);
}

Result<MapCalcArgs> parse_map_calc_args(const std::vector<std::string>& args) {
    MapCalcArgs out;
    std::set<std::string> seen;
    for (std::size_t i = 0; i < args.size(); ++i) {
        std::string flag = args[i];
        std::optional<std::string> inline_value;  // --flag=value
        if (auto eq = flag.find('='); flag.rfind("--", 0) == 0 && eq != std::string::npos) {
            inline_value = flag.substr(eq + 1);
            flag.resize(eq);
        }
        auto value = [&]() -> Result<std::string> {
            if (inline_value) return *inline_value;
            if (i + 1 >= args.size()) return fail(flag + " needs a value");
            return args[++i];
        };
        auto once = [&]() -> Result<void> {
            if (!seen.insert(flag).second) return fail(flag + " given twice");
            return ok();
        };
        if (flag == "--json" || flag == "--legacy-iid") {
            if (inline_value) return fail(flag + " takes no value");
            if (auto o = once(); !o) return fail(o.error());
            (flag == "--json" ? out.json : out.legacy_iid) = true;
        } else if (flag == "--rule") {
            auto v = value();
            if (!v) return fail(v.error());
            auto rule = parse_rule_spec(*v);
            if (!rule) return fail("--rule " + *v + ": " + rule.error());
            out.rules.push_back(*rule);
        } else if (flag == "--end-user-prefix") {
            if (auto o = once(); !o) return fail(o.error());
            auto v = value();
            if (!v) return fail(v.error());
            auto p = net::Ipv6Prefix::parse(*v);
            if (!p) return fail("--end-user-prefix: " + p.error());
            out.end_user_prefix = *p;
        } else if (flag == "--br") {
            if (auto o = once(); !o) return fail(o.error());
            auto v = value();
            if (!v) return fail(v.error());
            auto a = net::Ipv6Address::parse(*v);
            if (!a) return fail("--br: " + a.error());
            out.br = *a;
        } else if (flag == "--dest") {
            if (auto o = once(); !o) return fail(o.error());
            auto v = value();
            if (!v) return fail(v.error());
            const auto colon = v->find(':');
            auto a = net::Ipv4Address::parse(v->substr(0, colon));
            if (!a) return fail("--dest: " + a.error());
            out.dest = *a;
            if (colon != std::string::npos) {
                auto port = parse_uint(v->substr(colon + 1), 65535, "--dest port");
                if (!port) return fail(port.error());
                out.dest_port = static_cast<std::uint16_t>(*port);
            }
        } else {
            return fail("unknown argument '" + args[i] + "' (s46ctl map-calc --help)");
        }
    }
    if (out.rules.empty()) return fail("missing --rule");
    if (!seen.count("--end-user-prefix")) return fail("missing --end-user-prefix");
    return out;
}

Result<nlohmann::json> run_map_calc(const MapCalcArgs& args) {
    const std::uint8_t default_offset = map::kMapEDefaultPsidOffset;
    auto choice = map::select_bmr(args.rules, args.end_user_prefix, default_offset);
    if (!choice) return fail(choice.error());
    const map::CeBinding& b = choice->binding;
    const bool shared = b.kind == map::Ipv4Kind::shared_address;
    const auto layout = args.legacy_iid ? map::IidLayout::draft03 : map::IidLayout::rfc7597;

    nlohmann::json ranges = nlohmann::json::array();
    b.ports.for_each_range([&](map::PortRange r) { ranges.push_back(std::to_string(r.first) + "-" + std::to_string(r.last)); });
    nlohmann::json report = {
        {"bmr", report::rule_json(args.rules[choice->index])},
        {"kind", map::to_string(b.kind)},
        {"ipv4", b.kind == map::Ipv4Kind::prefix ? b.ipv4.to_string() : b.ipv4.address.to_string()},
        {"psid_offset", shared ? nlohmann::json(b.ports.offset()) : nlohmann::json(nullptr)},
        {"psid_len", b.ports.psid_len()},
        {"psid", b.ports.psid()},
        {"port_ranges", ranges},
        {"port_count", b.ports.port_count()},
        {"map_ipv6", map::map_ipv6_address(args.end_user_prefix, b, layout).to_string()},
        {"notes", b.notes},
    };

    if (args.dest) {
        const std::uint16_t port = args.dest_port.value_or(0);
        // Without --br a placeholder stands in; an answer "via the BR" then says it was not given.
        auto hop = map::next_hop(args.rules, args.br.value_or(net::Ipv6Address{}), *args.dest, port, default_offset);
        if (!hop) return fail("--dest: " + hop.error());
        if (!args.dest_port) {
            // Without a port the answer is only meaningful if no candidate FMR routes by port.
            for (const auto& rule : args.rules)
                if (rule.forwarding && rule.ipv4_prefix.contains(*args.dest) && map::routes_by_port(rule))
                    return fail("--dest: FMR " + map::to_string(rule) + " routes by port; give --dest IPV4:PORT");
        }
        // In MAP-E the remote endpoint is the BR: the report names it so.
        const char* via = hop->via == map::NextHop::Via::fmr ? "fmr" : "br";
        if (hop->via == map::NextHop::Via::remote && !args.br)
            report["next_hop"] = {{"via", via}, {"ipv6", nullptr}, {"note", "BR not given"}};
        else report["next_hop"] = {{"via", via}, {"ipv6", hop->address.to_string()}};
    }
    return report;
}

std::string map_calc_text(const nlohmann::json& report) {
    std::string out;
    auto row = [&](const char* label, const std::string& value) {
        out += label;
        out += std::string(12 - std::string_view(label).size(), ' ') + value + '\n';
    };
    const auto& bmr = report.at("bmr");
    std::string rule = bmr.at("ipv6_prefix").get<std::string>() + ' ' + bmr.at("ipv4_prefix").get<std::string>() + " ea-len " +
                       std::to_string(bmr.at("ea_len").get<unsigned>());
    if (!bmr.at("psid_offset").is_null()) rule += " offset " + std::to_string(bmr.at("psid_offset").get<unsigned>());
    if (!bmr.at("psid").is_null())
        rule += " psid " + std::to_string(bmr.at("psid").get<unsigned>()) + "/" + std::to_string(bmr.at("psid_len").get<unsigned>());
    if (bmr.at("fmr").get<bool>()) rule += " fmr";
    row("bmr", rule);
    row("ipv4", report.at("ipv4").get<std::string>() + " (" + report.at("kind").get<std::string>() + ")");
    if (!report.at("psid_offset").is_null())
        row("psid", std::to_string(report.at("psid").get<unsigned>()) + " (psid-len " + std::to_string(report.at("psid_len").get<unsigned>()) +
                        ", offset " + std::to_string(report.at("psid_offset").get<unsigned>()) + ")");
    const auto& ranges = report.at("port_ranges");
    row("ports", std::to_string(report.at("port_count").get<unsigned>()) + " in " + std::to_string(ranges.size()) +
                     (ranges.size() == 1 ? " range" : " ranges"));
    for (std::size_t i = 0; i < ranges.size(); i += 6) {
        std::string line;
        for (std::size_t j = i; j < ranges.size() && j < i + 6; ++j) line += (j == i ? "" : " ") + ranges[j].get<std::string>();
        row("", line);
    }
    row("map ipv6", report.at("map_ipv6").get<std::string>());
    if (report.contains("next_hop")) {
        const auto& hop = report.at("next_hop");
        row("next hop", hop.at("via").get<std::string>() + " " +
                            (hop.at("ipv6").is_null() ? "(" + hop.value("note", std::string("unknown")) + ")" : hop.at("ipv6").get<std::string>()));
    }
    for (const auto& note : report.at("notes")) row("note", note.get<std::string>());
    return out;
}

int map_calc_main(const std::vector<std::string>& args) {
    auto parsed = parse_map_calc_args(args);
    auto report = parsed ? run_map_calc(*parsed) : Result<nlohmann::json>(fail(parsed.error()));
    if (!report) return usage_error("map-calc", report.error());
    if (parsed->json) std::cout << report->dump() << '\n';
    else std::cout << map_calc_text(*report);
    return 0;
}

}  // namespace s46::ctl
