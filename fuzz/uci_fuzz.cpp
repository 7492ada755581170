// Fuzz target: the UCI reader and its translation to s46d.conf (platform/config/uci_parse.hpp,
// uci_config.hpp), which run on every OpenWrt start over a file the user edits by hand.
//
// For every input:
//  * parse_uci accepts or names a line ("line N: ..."), N within the input;
//  * what it accepts is well formed: identifiers for types and names, one value per option,
//    each option name once per section, lines increasing;
//  * written back with single quotes (a quote as '\''), the sections read back identically;
//  * uci_to_json either fails naming the source, or yields JSON that s46d's own parser accepts.
#include <cstdint>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "fuzz/fuzz_check.hpp"
#include "platform/config/config_file.hpp"
#include "platform/config/uci_config.hpp"
#include "platform/config/uci_parse.hpp"

using namespace s46::config;

namespace {

bool identifier(const std::string& s) {
    if (s.empty()) return false;
    for (char c : s)
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-')) return false;
    return true;
}

std::string quote(const std::string& v) {
    std::string out = "'";
    for (char c : v) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return out + "'";
}

std::string write_back(const std::vector<UciSection>& sections) {
    std::string out;
    for (const auto& s : sections) {
        out += "config " + s.type + (s.name.empty() ? "" : " " + quote(s.name)) + "\n";
        for (const auto& o : s.options)
            for (const auto& v : o.values) out += std::string(o.is_list ? "\tlist " : "\toption ") + o.name + " " + quote(v) + "\n";
    }
    return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    std::size_t lines = 1;
    for (char c : text) lines += c == '\n';

    auto parsed = parse_uci(text);
    if (!parsed) {
        const std::string& e = parsed.error();
        S46_FUZZ_CHECK(e.rfind("line ", 0) == 0);
        S46_FUZZ_CHECK(std::stoul(e.substr(5)) >= 1 && std::stoul(e.substr(5)) <= lines);
    } else {
        std::size_t last = 0;
        for (const auto& s : *parsed) {
            S46_FUZZ_CHECK(identifier(s.type));
            S46_FUZZ_CHECK(s.name.empty() || identifier(s.name));
            S46_FUZZ_CHECK(s.line > last && s.line <= lines);
            last = s.line;
            for (std::size_t i = 0; i < s.options.size(); ++i) {
                const auto& o = s.options[i];
                S46_FUZZ_CHECK(identifier(o.name));
                S46_FUZZ_CHECK(!o.values.empty() && (o.is_list || o.values.size() == 1));
                S46_FUZZ_CHECK(o.line > s.line && o.line <= lines);
                for (const auto& v : o.values) S46_FUZZ_CHECK(v.find('\n') == std::string::npos);
                for (std::size_t j = 0; j < i; ++j) S46_FUZZ_CHECK(s.options[j].name != o.name);
            }
        }
        auto again = parse_uci(write_back(*parsed));
        S46_FUZZ_CHECK(again.ok());
        S46_FUZZ_CHECK(again->size() == parsed->size());
        for (std::size_t i = 0; i < parsed->size(); ++i) {
            const auto &a = (*parsed)[i], &b = (*again)[i];
            S46_FUZZ_CHECK(a.type == b.type && a.name == b.name && a.options.size() == b.options.size());
            for (std::size_t j = 0; j < a.options.size(); ++j)
                S46_FUZZ_CHECK(a.options[j].name == b.options[j].name && a.options[j].values == b.options[j].values &&
                               a.options[j].is_list == b.options[j].is_list);
        }
    }

    auto json = uci_to_json(text, "f");
    if (!json) {
        S46_FUZZ_CHECK(json.error().rfind("f:", 0) == 0);
        return 0;
    }
    S46_FUZZ_CHECK(parsed.ok());
    S46_FUZZ_CHECK(nlohmann::json::accept(*json));
    S46_FUZZ_CHECK(parse_config_text(*json, {}, "f").ok());
    return 0;
}
