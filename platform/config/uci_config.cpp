#include "platform/config/uci_config.hpp"

#include <algorithm>
#include <map>

#include <nlohmann/json.hpp>

#include "platform/config/config_file.hpp"
#include "platform/config/settings.hpp"
#include "platform/config/uci_parse.hpp"

namespace s46::config {

namespace {

using nlohmann::json;

// The "static" section's keys (config_file.cpp parses them; settings.hpp does not list them).
struct StaticKey {
    std::string_view section;  // UCI section type
    std::string_view key;
    unsigned types;
};
constexpr StaticKey kStaticKeys[] = {
    {"static_dslite", "aftr_name", kString},   {"static_dslite", "aftr_address", kString},
    {"static_lw4o6", "ipv4_address", kString}, {"static_lw4o6", "psid_offset", kInteger},
    {"static_lw4o6", "psid_length", kInteger}, {"static_lw4o6", "psid", kInteger},
    {"static_lw4o6", "bind_prefix", kString},  {"static_lw4o6", "aftr", kString},
    {"static_mape", "br", kString},            {"mape_rule", "ipv6_prefix", kString},
    {"mape_rule", "ipv4_prefix", kString},     {"mape_rule", "ea_len", kInteger},
    {"mape_rule", "psid_offset", kInteger},    {"mape_rule", "forwarding", kBool},
};

bool is_group(std::string_view type) {
    return std::any_of(settings().begin(), settings().end(), [&](const Setting& s) {
        return s.path.substr(0, s.path.find('.')) == type;
    });
}

Result<json> uci_bool(const std::string& v) {
    // The words OpenWrt's config_get_bool accepts.
    for (const char* t : {"1", "yes", "on", "true", "enabled"})
        if (v == t) return json(true);
    for (const char* f : {"0", "no", "off", "false", "disabled"})
        if (v == f) return json(false);
    return fail("'" + v + "' is not a boolean (1/0, yes/no, on/off, true/false)");
}

Result<json> uci_number(const std::string& v, bool fraction) {
    // json::parse is strict (no leading +, no hex, no trailing text): what a JSON file may hold.
    if (v.empty() || !(v[0] == '-' || (v[0] >= '0' && v[0] <= '9'))) return fail("'" + v + "' is not a number");
    json n = json::parse(v, nullptr, /*allow_exceptions=*/false);
    if (n.is_discarded() || !n.is_number() || (!fraction && n.is_number_float())) return fail("'" + v + "' is not " + (fraction ? "a number" : "an integer"));
    return n;
}

bool looks_numeric(const std::string& v) {
    return !v.empty() && std::all_of(v.begin(), v.end(), [](char c) { return (c >= '0' && c <= '9') || c == '-' || c == '.'; });
}

std::vector<std::string> words(const std::string& v) {
    std::vector<std::string> out;
    std::size_t i = 0;
    while (i < v.size()) {
        while (i < v.size() && (v[i] == ' ' || v[i] == '\t')) ++i;
        auto j = i;
        while (j < v.size() && v[j] != ' ' && v[j] != '\t') ++j;
        if (j > i) out.emplace_back(v.substr(i, j - i));
        i = j;
    }
    return out;
}

// JSON text is UTF-8: a value that is not (a stray Latin-1 byte) is refused, not mangled.
bool valid_utf8(std::string_view v) {
    for (std::size_t i = 0; i < v.size();) {
        const auto c = static_cast<unsigned char>(v[i]);
        std::size_t n = c < 0x80 ? 0 : (c >> 5) == 0x6 ? 1 : (c >> 4) == 0xe ? 2 : (c >> 3) == 0x1e ? 3 : 4;
        if (n == 4 || i + n >= v.size() + (n == 0)) return false;
        std::uint32_t cp = n == 0 ? c : n == 1 ? (c & 0x1f) : n == 2 ? (c & 0x0f) : (c & 0x07);
        for (std::size_t k = 1; k <= n; ++k) {
            const auto d = static_cast<unsigned char>(v[i + k]);
            if ((d & 0xc0) != 0x80) return false;
            cp = (cp << 6) | (d & 0x3f);
        }
        // Overlong forms, UTF-16 surrogates and values past U+10FFFF are not UTF-8 either.
        if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) || cp > 0x10ffff ||
            (cp >= 0xd800 && cp <= 0xdfff))
            return false;
        i += n + 1;
    }
    return true;
}

// One option's value as the JSON type its key takes.
Result<json> convert(const UciOption& o, unsigned types) {
    for (const auto& v : o.values)
        if (!valid_utf8(v)) return fail("the value is not valid UTF-8");
    if (types & kStringList) {
        std::vector<std::string> items;
        if (o.is_list) items = o.values;
        else items = words(o.values.front());
        return json(items);
    }
    if (o.is_list) return fail("takes one value: use option, not list");
    const std::string& v = o.values.front();
    if ((types & kNull) && (v.empty() || (v == "off" && !(types & kString)))) return json(nullptr);
    if (types & kBool) return uci_bool(v);
    if ((types & (kInteger | kReal)) && (!(types & kString) || looks_numeric(v))) return uci_number(v, types & kReal);
    if (types & kString) return json(v);
    return fail("cannot be written in UCI");
}

// Where each JSON path came from, to report the parser's errors against the file.
using Origins = std::map<std::string, std::string>;

std::string describe(const UciSection& s, const UciOption* o, std::string_view source) {
    std::string at = std::string(source) + ":" + std::to_string(o ? o->line : s.line) + ": ";
    std::string sec = "config " + s.type + (s.name.empty() ? "" : " '" + s.name + "'");
    return o ? at + "option " + o->name + " (" + sec + ")" : at + sec;
}

// "<source>: tunnel.mtu: 99 is outside 1280..65535" -> "<source>:12: option mtu (config tunnel): 99 ..."
std::string relocate(const std::string& error, std::string_view source, const Origins& origins) {
    std::string rest = error;
    const std::string prefix = std::string(source) + ": ";
    if (rest.rfind(prefix, 0) == 0) rest = rest.substr(prefix.size());
    auto colon = rest.find(": ");
    std::string path = colon == std::string::npos ? std::string() : rest.substr(0, colon);
    // The longest recorded path the error's path starts with: an option, else its section.
    for (std::string p = path; !p.empty();) {
        if (auto it = origins.find(p); it != origins.end()) return it->second + ": " + rest.substr(colon + 2) + " (" + path + ")";
        auto cut = p.find_last_of(".[");
        if (cut == std::string::npos) break;
        p = p.substr(0, cut);
    }
    return prefix + rest;
}

}  // namespace

Result<std::string> uci_to_json(std::string_view uci_text, std::string_view source) {
    auto sections = parse_uci(uci_text);
    if (!sections) {
        // "line N: ..." -> "<source>:N: ..."
        std::string e = sections.error();
        if (e.rfind("line ", 0) == 0) e = std::string(source) + ":" + e.substr(5);
        return fail(e);
    }
    json doc = json::object();
    Origins origins;
    std::map<std::string, std::size_t> seen;  // section type -> line
    std::string static_mode;                  // the static_* section's mode, if any
    const UciSection* static_section = nullptr;
    json rules = json::array();
    std::vector<const UciSection*> rule_sections;

    for (const auto& s : *sections) {
        if (s.type != "mape_rule") {
            if (auto it = seen.find(s.type); it != seen.end())
                return fail(describe(s, nullptr, source) + ": a second '" + s.type + "' section (the first is at line " +
                            std::to_string(it->second) + ")");
            seen[s.type] = s.line;
        }
        if (s.type == "s46d") {
            for (const auto& o : s.options) {
                if (o.name != "enabled") return fail(describe(s, &o, source) + ": unknown option (config s46d has only enabled)");
                if (auto b = uci_bool(o.values.front()); !b || o.is_list) return fail(describe(s, &o, source) + ": " + (b ? "takes one value" : b.error()));
            }
            continue;
        }
        const bool is_static = s.type.rfind("static_", 0) == 0 || s.type == "mape_rule";
        if (!is_static && !is_group(s.type))
            return fail(describe(s, nullptr, source) +
                        ": unknown section type (interfaces, selection, dataplane, tunnel, napt, icmp, hooks, tunnel_events, "
                        "dhcpv6, state, control, log, privileges, static_dslite, static_lw4o6, static_mape, mape_rule, s46d)");
        std::string base;
        json* target = nullptr;
        if (is_static) {
            if (s.type == "mape_rule") {
                rules.push_back(json::object());
                rule_sections.push_back(&s);
                base = "static.mape.rules[" + std::to_string(rules.size() - 1) + "]";
                target = &rules.back();
            } else {
                std::string mode = s.type.substr(7);
                if (mode != "dslite" && mode != "lw4o6" && mode != "mape")
                    return fail(describe(s, nullptr, source) + ": unknown section type (static_dslite, static_lw4o6 or static_mape)");
                if (static_section)
                    return fail(describe(s, nullptr, source) + ": a second static section (" + static_section->type +
                                " at line " + std::to_string(static_section->line) +
                                "): the CPE is configured for one mode");
                static_section = &s;
                static_mode = mode;
                base = "static." + mode;
                target = &doc["static"][mode];
                *target = json::object();
            }
        } else {
            base = s.type;
            target = &doc[s.type];
            *target = json::object();
        }
        origins[base] = describe(s, nullptr, source);
        for (const auto& o : s.options) {
            unsigned types = 0;
            if (is_static) {
                for (const auto& k : kStaticKeys)
                    if (k.section == s.type && k.key == o.name) types = k.types;
            } else if (const Setting* setting = find_setting(s.type + "." + o.name)) {
                types = setting->types;
            }
            if (types == 0) return fail(describe(s, &o, source) + ": unknown option (docs/configuration.md lists the keys)");
            auto v = convert(o, types);
            if (!v) return fail(describe(s, &o, source) + ": " + v.error());
            (*target)[o.name] = *v;
            origins[base + "." + o.name] = describe(s, &o, source);
        }
    }
    if (!rules.empty()) {
        if (static_mode != "mape")
            return fail(describe(*rule_sections.front(), nullptr, source) + ": mape_rule sections need a static_mape section");
        doc["static"]["mape"]["rules"] = rules;
    }

    // The daemon's own parser decides the rest (ranges, words, cross-setting rules).
    const std::string text = doc.dump(4) + "\n";
    if (auto checked = parse_config_text(text, {}, source); !checked) return fail(relocate(checked.error(), source, origins));
    return text;
}

}  // namespace s46::config
