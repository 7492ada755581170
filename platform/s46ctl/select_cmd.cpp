#include "platform/s46ctl/select_cmd.hpp"

#include <iostream>

#include "core/util/hex.hpp"
#include "dhcp/s46_codec.hpp"
#include "modes/evaluate.hpp"
#include "platform/control/protocol.hpp"
#include "platform/report/plan_json.hpp"
#include "platform/s46ctl/command.hpp"

namespace s46::ctl {

const char* const kSelectUsage =
    "usage: s46ctl select --options-hex HEX [--delegated-prefix P]... [--wan-address A]\n"
    "                     [--mode auto|dslite|lw4o6|mape] [--order LIST] [--no-match default-order|none]\n"
    "                     [--enable LIST] [--wan-mtu N] [--legacy-iid] [--gi4over6[=PREFIX]] [--json]\n"
    "  Decodes the options of a DHCPv6 Reply (each with its code and length), selects exactly one\n"
    "  softwire mode (RFC 8026 with option 111; default order mape,lw4o6,dslite) and prints its plan.\n";

Result<SelectArgs> parse_select_args(const std::vector<std::string>& args) {
    SelectArgs out;
    bool have_options = false;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string& a = args[i];
        auto value = [&](const char* flag) -> Result<std::string> {
            if (i + 1 >= args.size()) return fail(std::string(flag) + " needs a value");
            return args[++i];
        };
        // The flag's value through `parse`, with the flag named in the error.
        auto parsed = [&](const char* flag, auto parse) -> decltype(parse(std::string_view())) {
            auto v = value(flag);
            if (!v) return fail(v.error());
            auto r = parse(*v);
            if (!r) return fail(std::string(flag) + ": " + r.error());
            return r;
        };
        if (a == "--json") {
            out.json = true;
        } else if (a == "--legacy-iid") {
            out.context.legacy_iid = true;
        } else if (a == "--gi4over6") {
            out.context.gi4over6 = true;
        } else if (a.rfind("--gi4over6=", 0) == 0) {
            auto p = net::Ipv4Prefix::parse(a.substr(11));
            if (!p) return fail("--gi4over6: " + p.error());
            out.context.gi4over6 = true;
            out.context.gi4over6_prefix = *p;
        } else if (a == "--options-hex") {
            auto bytes = parsed("--options-hex", util::parse_hex);
            if (!bytes) return fail(bytes.error());
            out.options = std::move(*bytes);
            have_options = true;
        } else if (a == "--delegated-prefix") {
            auto p = parsed("--delegated-prefix", [](std::string_view t) { return net::Ipv6Prefix::parse(t); });
            if (!p) return fail(p.error());
            out.context.delegated_prefixes.push_back(*p);
        } else if (a == "--wan-address") {
            auto addr = parsed("--wan-address", net::Ipv6Address::parse);
            if (!addr) return fail(addr.error());
            out.context.wan_address = *addr;
        } else if (a == "--mode") {
            auto m = parsed("--mode", select::parse_configured_mode);
            if (!m) return fail(m.error());
            out.policy.configured = *m;
        } else if (a == "--order") {
            auto l = parsed("--order", select::parse_mode_list);
            if (!l) return fail(l.error());
            out.policy.default_order = *l;
        } else if (a == "--enable") {
            auto l = parsed("--enable", select::parse_mode_list);
            if (!l) return fail(l.error());
            out.policy.enabled = *l;
        } else if (a == "--no-match") {
            auto v = value("--no-match");
            if (!v) return fail(v.error());
            if (*v == "default-order") out.policy.no_match = select::NoMatchPolicy::default_order;
            else if (*v == "none") out.policy.no_match = select::NoMatchPolicy::none;
            else return fail("--no-match: expected default-order or none, got '" + *v + "'");
        } else if (a == "--wan-mtu") {
            auto v = value("--wan-mtu");
            if (!v) return fail(v.error());
            unsigned long n = 0;
            try {
                // Digits only: std::stoul alone would take " 1500" and wrap "-1500" around.
                if (v->empty() || v->find_first_not_of("0123456789") != std::string::npos) throw std::invalid_argument("not digits");
                n = std::stoul(*v);
            } catch (const std::exception&) {
                return fail("--wan-mtu: '" + *v + "' is not a number");
            }
            if (n < 1280 || n > 65535) return fail("--wan-mtu: " + *v + " is outside 1280..65535 (RFC 8200 minimum 1280)");
            out.context.wan_mtu = static_cast<std::uint16_t>(n);
        } else {
            return fail("unknown argument '" + a + "'");
        }
    }
    if (!have_options) return fail("--options-hex is required");
    return out;
}

namespace {

// lw4o6 via DHCP 4o6: what the 4o6 client would be given, and whether the plan waits for it.
nlohmann::json dhcp4o6_json(const modes::Dhcp4o6Parameters& d, bool have_plan) {
    nlohmann::json servers = nlohmann::json::array();
    for (const auto& a : d.servers) servers.push_back(a.to_string());
    return {{"servers", servers},
            {"softwire_source", d.softwire_source.to_string()},
            {"binding", have_plan ? "from the DHCP 4o6 exchange" : "pending the DHCP 4o6 exchange"}};
}

}  // namespace

nlohmann::json run_select(const SelectArgs& args) {
    provision::S46OptionSet options = dhcp::decode_reply_options(args.options);
    modes::Evaluation ev = modes::evaluate(options, args.context, args.policy);
    nlohmann::json r = report::evaluation_json(ev);
    if (ev.dhcp4o6) r["dhcp4o6"] = dhcp4o6_json(*ev.dhcp4o6, ev.plan.has_value());
    return r;
}

std::string select_text(const nlohmann::json& r) {
    const bool via4o6 = r.contains("dhcp4o6");
    std::string s = "mode:     " + r["mode"].get<std::string>() + (via4o6 ? " via DHCP 4o6" : "") +
                    "\nreason:   " + r["reason"].get<std::string>() + "\n";
    if (via4o6) {
        const auto& d = r["dhcp4o6"];
        std::string servers;
        for (const auto& a : d["servers"]) servers += (servers.empty() ? "" : ", ") + a.get<std::string>();
        // An empty option 88: the client multicasts to All_DHCP_Relay_Agents_and_Servers (RFC 7341 §5).
        s += "4o6 servers: " + (servers.empty() ? std::string("multicast (option 88 lists none)") : servers) + "\n";
        s += "softwire source: " + d["softwire_source"].get<std::string>() + "\n";
        s += "binding:  " + d["binding"].get<std::string>() + "\n";
    }
    for (const auto& rej : r["rejected"])
        s += "ignored:  option " + std::to_string(rej["option"].get<int>()) + ": " + rej["why"].get<std::string>() + "\n";
    if (!r["plan"].is_null()) {
        for (const auto& [k, v] : r["plan"].items()) {
            std::string key = k + ":";
            key.resize(std::max<std::size_t>(key.size() + 1, 14), ' ');
            if (k == "port_ranges" && v.size() > 6) {
                s += key + v[0].get<std::string>() + ", " + v[1].get<std::string>() + ", ... " + v[v.size() - 1].get<std::string>() +
                     " (" + std::to_string(v.size()) + " ranges)\n";
            } else {
                s += key + (v.is_string() ? v.get<std::string>() : control::safe_dump(v)) + "\n";
            }
        }
    }
    return s;
}

int select_main(const std::vector<std::string>& args) {
    auto parsed = parse_select_args(args);
    if (!parsed) return usage_error("select", parsed.error());
    auto report = run_select(*parsed);
    if (parsed->json) std::cout << control::safe_dump(report, 1) << '\n';
    else std::cout << select_text(report);
    return 0;
}

}  // namespace s46::ctl
