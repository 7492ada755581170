#include "platform/config/config_file.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <set>
#include <sstream>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/provision/static_provisioning.hpp"
#include "platform/config/settings.hpp"

namespace s46::config {

namespace {

using nlohmann::json;
using R = Result<void>;

// Thrown from the parser callback: nlohmann::json keeps the last of two equal keys silently, and
// a setting written twice is almost always an edit that went wrong, so it is refused instead.
struct DuplicateKey {
    std::string message;
};

std::string type_name(const json& v) {
    switch (v.type()) {
        case json::value_t::null: return "null";
        case json::value_t::boolean: return v.get<bool>() ? "true" : "false";
        case json::value_t::string: return v.dump();
        case json::value_t::array: return "a list";
        case json::value_t::object: return "an object";
        default: return v.dump();
    }
}

std::size_t edit_distance(std::string_view a, std::string_view b) {
    std::vector<std::size_t> row(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
        std::size_t diag = row[0];
        row[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            std::size_t up = row[j];
            row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
            diag = up;
        }
    }
    return row[b.size()];
}

// "unknown key" plus the nearest known key when it is a likely typo (two edits at most) or the
// start of a known key ("ipv4" for "ipv4_address").
std::string unknown_key(std::string_view key, const std::vector<std::string>& known) {
    std::string best;
    std::size_t best_d = 3;
    for (const auto& k : known) {
        std::size_t d = key.size() >= 3 && k.rfind(key, 0) == 0 ? 1 : edit_distance(key, k);
        if (d < best_d) {
            best_d = d;
            best = k;
        }
    }
    return best.empty() ? "unknown key" : "unknown key (did you mean " + best + "?)";
}

std::vector<std::string> groups() {
    std::vector<std::string> out{"static"};
    for (const auto& s : settings()) {
        std::string g(s.path.substr(0, s.path.find('.')));
        if (std::find(out.begin(), out.end(), g) == out.end()) out.push_back(g);
    }
    return out;
}

std::vector<std::string> keys_of(std::string_view group) {
    std::vector<std::string> out;
    for (const auto& s : settings())
        if (s.path.substr(0, s.path.find('.')) == group) out.emplace_back(s.path.substr(s.path.find('.') + 1));
    return out;
}

// The value as the text a flag would carry, after checking its JSON type.
Result<std::string> as_text(const json& v, unsigned types) {
    if (v.is_string() && (types & kString)) return v.get<std::string>();
    if (v.is_number_integer() && (types & kInteger)) return v.dump();
    if (v.is_number() && (types & kReal)) return v.dump();
    if (v.is_boolean() && (types & kBool)) return std::string(v.get<bool>() ? "true" : "false");
    if (v.is_null() && (types & kNull)) return std::string("off");
    if (v.is_array() && (types & kStringList)) {
        std::string joined;
        for (const auto& item : v) {
            if (!item.is_string()) return fail("expected " + describe_types(types) + ", got a list holding " + type_name(item));
            if (!joined.empty()) joined += ',';
            joined += item.get<std::string>();
        }
        return joined;
    }
    return fail("expected " + describe_types(types) + ", got " + type_name(v));
}

// ---- the "static" section ----

Result<long long> integer_at(const json& v, long long lo, long long hi) {
    if (!v.is_number_integer()) return fail("expected an integer, got " + type_name(v));
    long long n = v.is_number_unsigned() ? static_cast<long long>(std::min<std::uint64_t>(v.get<std::uint64_t>(), INT64_MAX))
                                         : v.get<long long>();
    if (n < lo || n > hi) return fail(v.dump() + " is outside " + std::to_string(lo) + ".." + std::to_string(hi));
    return n;
}

Result<std::string> string_at(const json& v) {
    if (!v.is_string()) return fail("expected a string, got " + type_name(v));
    return v.get<std::string>();
}

template <class T>
Result<T> parsed_at(const json& v) {
    auto s = string_at(v);
    if (!s) return fail(s.error());
    auto p = T::parse(*s);
    if (!p) return fail(p.error());
    return *p;
}

// Walks an object's keys, refusing unknown ones; `on_key` returns an error without the path.
template <class F>
R each_key(const json& obj, const std::string& at, const std::vector<std::string>& known, F&& on_key) {
    if (!obj.is_object()) return fail(at + ": expected an object, got " + type_name(obj));
    for (const auto& [key, value] : obj.items()) {
        const std::string here = at + "." + key;
        if (std::find(known.begin(), known.end(), key) == known.end()) return fail(here + ": " + unknown_key(key, known));
        if (auto r = on_key(key, value); !r) return fail(here + ": " + r.error());
    }
    return ok();
}

R parse_static_dslite(const json& j, provision::StaticDsLite& out, const std::string& at) {
    return each_key(j, at, {"aftr_name", "aftr_address"}, [&](const std::string& key, const json& v) -> R {
        if (key == "aftr_name") {
            auto s = string_at(v);
            if (!s) return fail(s.error());
            out.aftr_name = *s;
        } else {
            auto a = parsed_at<net::Ipv6Address>(v);
            if (!a) return fail(a.error());
            out.aftr_address = *a;
        }
        return ok();
    });
}

R parse_static_lw4o6(const json& j, provision::StaticLw4o6& out, const std::string& at) {
    provision::PortParams pp;
    bool any_pp = false;
    auto r = each_key(j, at, {"ipv4_address", "psid_offset", "psid_length", "psid", "bind_prefix", "aftr"},
                      [&](const std::string& key, const json& v) -> R {
                          if (key == "ipv4_address") {
                              auto a = parsed_at<net::Ipv4Address>(v);
                              if (!a) return fail(a.error());
                              out.ipv4 = *a;
                          } else if (key == "bind_prefix") {
                              auto p = parsed_at<net::Ipv6Prefix>(v);
                              if (!p) return fail(p.error());
                              out.bind_prefix = *p;
                          } else if (key == "aftr") {
                              auto a = parsed_at<net::Ipv6Address>(v);
                              if (!a) return fail(a.error());
                              out.aftr = *a;
                          } else {
                              // RFC 7598 §4.5 field widths; the cross-field checks are validate()'s.
                              auto n = integer_at(v, 0, key == "psid" ? 65535 : key == "psid_length" ? 16 : 15);
                              if (!n) return fail(n.error());
                              any_pp = true;
                              if (key == "psid") pp.psid = static_cast<std::uint16_t>(*n);
                              else if (key == "psid_length") pp.psid_len = static_cast<std::uint8_t>(*n);
                              else pp.offset = static_cast<std::uint8_t>(*n);
                          }
                          return ok();
                      });
    if (!r) return r;
    if (any_pp) out.port_params = pp;
    return ok();
}

R parse_static_rule(const json& j, provision::Rule& out, const std::string& at) {
    bool has6 = false, has4 = false, has_ea = false;
    auto r = each_key(j, at, {"ipv6_prefix", "ipv4_prefix", "ea_len", "psid_offset", "forwarding"},
                      [&](const std::string& key, const json& v) -> R {
                          if (key == "ipv6_prefix") {
                              auto p = parsed_at<net::Ipv6Prefix>(v);
                              if (!p) return fail(p.error());
                              out.ipv6_prefix = *p;
                              has6 = true;
                          } else if (key == "ipv4_prefix") {
                              auto p = parsed_at<net::Ipv4Prefix>(v);
                              if (!p) return fail(p.error());
                              out.ipv4_prefix = *p;
                              has4 = true;
                          } else if (key == "ea_len") {
                              auto n = integer_at(v, 0, 48);  // RFC 7597 §5.2
                              if (!n) return fail(n.error());
                              out.ea_len = static_cast<std::uint8_t>(*n);
                              has_ea = true;
                          } else if (key == "psid_offset") {
                              auto n = integer_at(v, 0, 15);  // RFC 7598 §4.5
                              if (!n) return fail(n.error());
                              out.port_params = provision::PortParams{static_cast<std::uint8_t>(*n), 0, 0};
                          } else {
                              if (!v.is_boolean()) return fail("expected true or false, got " + type_name(v));
                              out.forwarding = v.get<bool>();
                          }
                          return ok();
                      });
    if (!r) return r;
    if (!has6) return fail(at + ": needs ipv6_prefix");
    if (!has4) return fail(at + ": needs ipv4_prefix");
    if (!has_ea) return fail(at + ": needs ea_len");
    return ok();
}

R parse_static_mape(const json& j, provision::StaticMapE& out, const std::string& at) {
    if (!j.is_object()) return fail(at + ": expected an object, got " + type_name(j));
    for (const auto& [key, v] : j.items()) {
        const std::string here = at + "." + key;
        if (key == "br") {
            auto a = parsed_at<net::Ipv6Address>(v);
            if (!a) return fail(here + ": " + a.error());
            out.br = *a;
        } else if (key == "rules") {
            if (!v.is_array() || v.empty()) return fail(here + ": expected a list of one or more rules, got " + type_name(v));
            for (std::size_t i = 0; i < v.size(); ++i) {
                provision::Rule rule;
                if (auto r = parse_static_rule(v[i], rule, here + "[" + std::to_string(i) + "]"); !r) return r;
                out.rules.push_back(rule);
            }
        } else {
            return fail(here + ": " + unknown_key(key, {"rules", "br"}));
        }
    }
    return ok();
}

// draft-ietf-softwire-unified-cpe §3.2: static parameters for one mode, which the CPE then runs.
Result<std::optional<provision::StaticProvisioning>> parse_static(const json& j) {
    if (j.is_null()) return std::optional<provision::StaticProvisioning>();
    if (!j.is_object()) return fail("static: expected an object, got " + type_name(j));
    if (j.size() > 1) return fail("static: configure one mode only (the CPE runs the mode it is configured for)");
    if (j.empty()) return std::optional<provision::StaticProvisioning>();
    const auto first = j.begin();
    const std::string mode = first.key();
    const json& section = first.value();
    const std::string at = "static." + mode;
    provision::StaticProvisioning s;
    R r = ok();
    if (mode == "dslite") {
        s.mode = select::Mode::dslite;
        r = parse_static_dslite(section, s.dslite, at);
    } else if (mode == "lw4o6") {
        s.mode = select::Mode::lw4o6;
        r = parse_static_lw4o6(section, s.lw4o6, at);
    } else if (mode == "mape") {
        s.mode = select::Mode::mape;
        r = parse_static_mape(section, s.mape, at);
    } else {
        return fail(at + ": " + unknown_key(mode, {"dslite", "lw4o6", "mape"}));
    }
    if (!r) return fail(r.error());
    auto v = provision::validate(s);
    if (!v) return fail("static." + v.error());
    return std::optional<provision::StaticProvisioning>(*v);
}

json parse_json(std::string_view text) {
    // Keys seen per open object, to refuse duplicates; names of the open objects, for the message.
    std::vector<std::set<std::string>> seen;
    std::vector<std::string> names;
    std::string pending_key;
    json::parser_callback_t cb = [&](int, json::parse_event_t event, json& parsed) {
        switch (event) {
            case json::parse_event_t::object_start:
                seen.emplace_back();
                names.push_back(pending_key);
                pending_key.clear();
                break;
            case json::parse_event_t::object_end:
                seen.pop_back();
                names.pop_back();
                break;
            case json::parse_event_t::key: {
                auto key = parsed.get<std::string>();
                if (!seen.empty() && !seen.back().insert(key).second) {
                    std::string path;
                    for (const auto& n : names)
                        if (!n.empty()) path += n + ".";
                    throw DuplicateKey{path + key + ": duplicate key"};
                }
                pending_key = key;
                break;
            }
            case json::parse_event_t::array_start: pending_key.clear(); break;
            default: break;
        }
        return true;
    };
    return json::parse(text.begin(), text.end(), cb, /*allow_exceptions=*/true, /*ignore_comments=*/true);
}

}  // namespace

Result<daemon::DaemonOptions> parse_config_text(std::string_view text, daemon::DaemonOptions base, std::string_view source) {
    const std::string prefix = std::string(source) + ": ";
    json doc;
    try {
        doc = parse_json(text);
    } catch (const DuplicateKey& d) {
        return fail(prefix + d.message);
    } catch (const json::exception& e) {
        // Parse errors, and numbers no double can hold (out_of_range 406, e.g. 1e999):
        // "[json.exception.parse_error.101] parse error at line 3, column 5: ..." without the tag.
        std::string what = e.what();
        auto tag_end = what.find("] ");
        return fail(prefix + (tag_end == std::string::npos ? what : what.substr(tag_end + 2)));
    }
    if (!doc.is_object()) return fail(prefix + "expected a JSON object of groups, got " + type_name(doc));

    const auto known_groups = groups();
    for (const auto& item : doc.items()) {
        // Named copies rather than a structured binding: clang 14 (the fuzz build) cannot capture one in a lambda.
        const std::string group = item.key();
        const json& body = item.value();
        if (std::find(known_groups.begin(), known_groups.end(), group) == known_groups.end())
            return fail(prefix + group + ": " + unknown_key(group, known_groups));
        if (group == "static") {
            auto s = parse_static(body);
            if (!s) return fail(prefix + s.error());
            base.controller.static_provisioning = *s;
            continue;
        }
        auto r = each_key(body, group, keys_of(group), [&](const std::string& key, const json& v) -> R {
            const Setting* setting = find_setting(group + "." + key);
            auto text_value = as_text(v, setting->types);
            if (!text_value) return fail(text_value.error());
            return setting->apply(base, *text_value);
        });
        if (!r) return fail(prefix + r.error());
    }
    auto finished = daemon::finish_options(std::move(base));
    if (!finished) return fail(prefix + finished.error());
    return finished;
}

Result<daemon::DaemonOptions> load_config(const std::string& path, daemon::DaemonOptions base) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return fail(path + ": cannot read: " + std::strerror(errno));
    std::ostringstream text;
    text << in.rdbuf();
    if (in.bad()) return fail(path + ": cannot read: " + std::strerror(errno));
    return parse_config_text(text.str(), std::move(base), path);
}

}  // namespace s46::config
