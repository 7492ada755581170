#include "platform/control/protocol.hpp"

#include <algorithm>
#include <initializer_list>

#include "core/net/ipv4.hpp"
#include "core/net/ipv6.hpp"
#include "core/util/hex.hpp"

namespace s46::control {

using nlohmann::json;

bool valid_utf8(std::string_view s, std::size_t* bad_at) {
    const auto* p = reinterpret_cast<const unsigned char*>(s.data());
    const std::size_t n = s.size();
    std::size_t i = 0;
    auto bad = [&] {
        if (bad_at) *bad_at = i;
        return false;
    };
    while (i < n) {
        const unsigned char c = p[i];
        if (c < 0x80) {
            ++i;
            continue;
        }
        std::size_t len;
        std::uint32_t cp;
        if (c >= 0xc2 && c <= 0xdf) len = 2, cp = c & 0x1f;       // 0xc0/0xc1 only start overlong forms
        else if (c >= 0xe0 && c <= 0xef) len = 3, cp = c & 0x0f;
        else if (c >= 0xf0 && c <= 0xf4) len = 4, cp = c & 0x07;  // beyond 0xf4 is past U+10FFFF
        else return bad();
        if (n - i < len) return bad();
        for (std::size_t k = 1; k < len; ++k) {
            if ((p[i + k] & 0xc0) != 0x80) return bad();
            cp = (cp << 6) | (p[i + k] & 0x3f);
        }
        // RFC 3629 §3: the shortest form only, and no UTF-16 surrogates.
        if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10ffff)) || (cp >= 0xd800 && cp <= 0xdfff))
            return bad();
        i += len;
    }
    return true;
}

namespace {

std::string field(std::string_view name) { return "field \"" + std::string(name) + "\""; }

// A value quoted in an error: short, and cut on a code point boundary so the message stays UTF-8.
std::string excerpt(std::string_view s) {
    constexpr std::size_t max_bytes = 40;
    if (s.size() <= max_bytes) return std::string(s);
    std::size_t cut = max_bytes;
    while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xc0) == 0x80) --cut;
    return std::string(s.substr(0, cut)) + "...";
}

std::string describe(const json& v) {
    if (v.is_number()) return v.dump();
    if (v.is_string()) return "a string";
    if (v.is_boolean()) return "a boolean";
    if (v.is_null()) return "null";
    if (v.is_array()) return "an array";
    return "an object";
}

std::string join(std::initializer_list<std::string_view> names) {
    std::string out;
    for (auto n : names) out += (out.empty() ? "" : ", ") + std::string(n);
    return out;
}

// Unknown fields are errors: a misspelt optional field would otherwise be silently ignored.
Result<void> only_fields(const json& obj, std::initializer_list<std::string_view> allowed, const std::string& where) {
    for (const auto& [key, value] : obj.items()) {
        if (std::find(allowed.begin(), allowed.end(), key) == allowed.end())
            return fail("unknown " + field(where + excerpt(key)) + " (allowed: " + join(allowed) + ")");
    }
    return ok();
}

Result<std::uint64_t> get_uint(const json& v, const std::string& name, std::uint64_t lo, std::uint64_t hi) {
    const std::string range = std::to_string(lo) + ".." + std::to_string(hi);
    if (!v.is_number_integer()) return fail(field(name) + ": must be an integer in " + range + ", got " + describe(v));
    std::uint64_t n;
    if (v.is_number_unsigned()) {
        n = v.get<std::uint64_t>();
    } else {
        const auto s = v.get<std::int64_t>();
        if (s < 0) return fail(field(name) + ": must be in " + range + ", got " + std::to_string(s));
        n = static_cast<std::uint64_t>(s);
    }
    if (n < lo || n > hi) return fail(field(name) + ": must be in " + range + ", got " + std::to_string(n));
    return n;
}

Result<std::string> get_string(const json& v, const std::string& name) {
    if (!v.is_string()) return fail(field(name) + ": must be a string, got " + describe(v));
    return v.get<std::string>();
}

struct Lifetimes {
    std::uint32_t preferred = kDefaultPreferredLifetime, valid = kDefaultValidLifetime;
};

// RFC 8415 §21.6/§21.22: a valid lifetime of 0 withdraws the lease, and a preferred lifetime
// beyond the valid one is discarded by clients; neither describes a lease to provision from.
Result<Lifetimes> lifetimes(const json& item, const std::string& where) {
    Lifetimes l;
    if (item.contains("valid_lifetime")) {
        auto v = get_uint(item["valid_lifetime"], where + "valid_lifetime", 1, 0xffffffffu);
        if (!v) return fail(v.error());
        l.valid = static_cast<std::uint32_t>(*v);
    }
    if (item.contains("preferred_lifetime")) {
        auto v = get_uint(item["preferred_lifetime"], where + "preferred_lifetime", 0, 0xffffffffu);
        if (!v) return fail(v.error());
        l.preferred = static_cast<std::uint32_t>(*v);
    }
    if (l.preferred > l.valid)
        return fail(field(where + "preferred_lifetime") + ": " + std::to_string(l.preferred) + " exceeds valid_lifetime " +
                    std::to_string(l.valid));
    return l;
}

// prefixes[] / addresses[]: objects {"<key>": text, "preferred_lifetime", "valid_lifetime"}.
template <class Item, class Parse>
Result<std::vector<Item>> lease_items(const json& req, const char* name, const char* key, Parse parse) {
    std::vector<Item> out;
    if (!req.contains(name)) return out;
    const json& list = req[name];
    if (!list.is_array()) return fail(field(name) + ": must be an array, got " + describe(list));
    if (list.size() > kMaxLeaseItems)
        return fail(field(name) + ": at most " + std::to_string(kMaxLeaseItems) + " entries, got " + std::to_string(list.size()));
    for (std::size_t i = 0; i < list.size(); ++i) {
        const std::string where = std::string(name) + "[" + std::to_string(i) + "]";
        const json& item = list[i];
        if (!item.is_object()) return fail(field(where) + ": must be an object, got " + describe(item));
        if (auto ok = only_fields(item, {key, "preferred_lifetime", "valid_lifetime"}, where + "."); !ok) return fail(ok.error());
        if (!item.contains(key)) return fail(field(where + "." + key) + ": missing");
        auto text = get_string(item[key], where + "." + key);
        if (!text) return fail(text.error());
        auto value = parse(*text);
        if (!value) return fail(field(where + "." + key) + ": " + value.error());
        auto l = lifetimes(item, where + ".");
        if (!l) return fail(l.error());
        out.push_back(Item{*value, l->preferred, l->valid});
    }
    return out;
}

Result<Request> parse_events(const json& req) {
    if (auto ok = only_fields(req, {"command", "limit", "kind", "since"}, ""); !ok) return fail(ok.error());
    EventsRequest r;
    if (req.contains("limit")) {
        auto v = get_uint(req["limit"], "limit", 1, kMaxEventsLimit);
        if (!v) return fail(v.error());
        r.limit = static_cast<std::uint32_t>(*v);
    }
    if (req.contains("kind")) {
        const json& kinds = req["kind"];
        if (!kinds.is_array() || kinds.empty())
            return fail(field("kind") + ": must be a non-empty array of event kinds, got " + describe(kinds));
        for (std::size_t i = 0; i < kinds.size(); ++i) {
            const std::string where = "kind[" + std::to_string(i) + "]";
            auto text = get_string(kinds[i], where);
            if (!text) return fail(text.error());
            auto k = store::event_kind_from_string(*text);
            if (!k) {
                std::string known;
                for (auto kind : store::kEventKinds) known += (known.empty() ? "" : ", ") + std::string(store::to_string(kind));
                return fail(field(where) + ": unknown event kind \"" + excerpt(*text) + "\" (" + known + ")");
            }
            if (std::find(r.kinds.begin(), r.kinds.end(), *k) == r.kinds.end()) r.kinds.push_back(*k);
        }
    }
    if (req.contains("since")) {
        auto v = get_uint(req["since"], "since", 0, static_cast<std::uint64_t>(kMaxSince));
        if (!v) return fail(v.error());
        r.since = static_cast<std::int64_t>(*v);
    }
    return Request{r};
}

Result<Request> parse_provision(const json& req) {
    if (auto ok = only_fields(req, {"command", "options_hex", "prefixes", "addresses"}, ""); !ok) return fail(ok.error());
    ProvisionRequest r;
    if (!req.contains("options_hex")) return fail(field("options_hex") + ": missing");
    auto text = get_string(req["options_hex"], "options_hex");
    if (!text) return fail(text.error());
    auto bytes = util::parse_hex(*text);
    if (!bytes) return fail(field("options_hex") + ": " + bytes.error());
    if (bytes->size() > kMaxOptionsBytes)
        return fail(field("options_hex") + ": at most " + std::to_string(kMaxOptionsBytes) + " bytes, got " + std::to_string(bytes->size()));
    r.options = std::move(*bytes);
    auto prefixes = lease_items<provision::LeasedPrefix>(req, "prefixes", "prefix", [](const std::string& t) { return net::Ipv6Prefix::parse(t); });
    if (!prefixes) return fail(prefixes.error());
    r.prefixes = std::move(*prefixes);
    auto addresses = lease_items<provision::LeasedAddress>(req, "addresses", "address", [](const std::string& t) { return net::Ipv6Address::parse(t); });
    if (!addresses) return fail(addresses.error());
    r.addresses = std::move(*addresses);
    return Request{r};
}

Result<Request> parse_mode(const json& req) {
    if (auto ok = only_fields(req, {"command", "set"}, ""); !ok) return fail(ok.error());
    if (!req.contains("set")) return fail(field("set") + ": missing (auto, dslite, lw4o6 or mape)");
    auto text = get_string(req["set"], "set");
    if (!text) return fail(text.error());
    if (*text == "auto") return Request{ModeRequest{select::Mode::none}};
    auto m = select::mode_from_string(*text);
    if (!m || *m == select::Mode::none) return fail(field("set") + ": \"" + excerpt(*text) + "\" is not auto, dslite, lw4o6 or mape");
    return Request{ModeRequest{*m}};
}

// portmap: the fields each action takes (docs/control.md).
Result<Request> parse_portmap(const json& req) {
    PortmapRequest r;
    if (req.contains("action")) {
        auto text = get_string(req["action"], "action");
        if (!text) return fail(text.error());
        if (*text == "show") r.action = PortmapAction::show;
        else if (*text == "list") r.action = PortmapAction::list;
        else if (*text == "add") r.action = PortmapAction::add;
        else if (*text == "del") r.action = PortmapAction::del;
        else return fail(field("action") + ": \"" + excerpt(*text) + "\" is not show, list, add or del");
    }
    const bool add = r.action == PortmapAction::add, del = r.action == PortmapAction::del;
    auto ok = add   ? only_fields(req, {"command", "action", "protocol", "external_port", "lan_address", "lan_port"}, "")
              : del ? only_fields(req, {"command", "action", "protocol", "external_port"}, "")
                    : only_fields(req, {"command", "action"}, "");
    if (!ok) return fail(ok.error());
    if (!add && !del) return Request{r};

    if (!req.contains("protocol")) return fail(field("protocol") + ": missing (tcp or udp)");
    auto proto = get_string(req["protocol"], "protocol");
    if (!proto) return fail(proto.error());
    auto p = napt::forward_protocol_named(*proto);
    if (!p) return fail(field("protocol") + ": \"" + excerpt(*proto) + "\" is not tcp or udp");
    r.protocol = *p;
    if (!req.contains("external_port")) return fail(field("external_port") + ": missing");
    auto port = get_uint(req["external_port"], "external_port", 1, 65535);
    if (!port) return fail(port.error());
    r.external_port = static_cast<std::uint16_t>(*port);
    if (del) return Request{r};

    if (!req.contains("lan_address")) return fail(field("lan_address") + ": missing");
    auto text = get_string(req["lan_address"], "lan_address");
    if (!text) return fail(text.error());
    auto address = net::Ipv4Address::parse(*text);
    if (!address) return fail(field("lan_address") + ": " + address.error());
    if (auto why = napt::lan_address_problem(*address)) return fail(field("lan_address") + ": " + *why);
    r.lan_address = *address;
    if (req.contains("lan_port")) {
        auto lan_port = get_uint(req["lan_port"], "lan_port", 1, 65535);
        if (!lan_port) return fail(lan_port.error());
        r.lan_port = static_cast<std::uint16_t>(*lan_port);
    }
    return Request{r};
}

template <class R>
Result<Request> no_fields(const json& req) {
    if (auto ok = only_fields(req, {"command"}, ""); !ok) return fail(ok.error());
    return Request{R{}};
}

std::string mode_text(select::Mode m) { return m == select::Mode::none ? "auto" : std::string(select::to_string(m)); }

}  // namespace

std::string_view to_string(PortmapAction a) {
    switch (a) {
        case PortmapAction::show: return "show";
        case PortmapAction::list: return "list";
        case PortmapAction::add: return "add";
        case PortmapAction::del: return "del";
    }
    return "?";
}

std::string_view command_name(const Request& r) {
    static constexpr std::string_view kNames[] = {"status", "events", "renew", "provision", "mode", "portmap", "reload"};
    static_assert(std::size(kNames) == std::variant_size_v<Request>);
    return kNames[r.index()];
}

Result<Request> parse_request(std::string_view line) {
    if (!line.empty() && line.back() == '\n') line.remove_suffix(1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.size() > kMaxRequestBytes) return fail("request longer than " + std::to_string(kMaxRequestBytes) + " bytes");
    std::size_t bad_at = 0;
    // Checked before parsing: nlohmann accepts some invalid UTF-8 in strings, and echoing such a
    // string back would make dump() throw.
    if (!valid_utf8(line, &bad_at)) return fail("request is not valid UTF-8 (byte " + std::to_string(bad_at) + ")");
    if (line.find_first_not_of(" \t\r") == std::string_view::npos) return fail("empty request");
    json req;
    // RFC 8259 §4 leaves duplicate names' meaning open and nlohmann keeps the last one; a
    // request saying two things at once is refused instead of guessed at.
    // Where the parser is, to name a duplicate by its path ("prefixes[0].prefix").
    struct Frame {
        bool array = false;
        std::size_t index = 0;          // arrays: the element being read
        std::string key;                // objects: the member being read
        std::vector<std::string> seen;  // objects: names so far
    };
    std::vector<Frame> frames;
    std::optional<std::string> duplicate;
    auto path = [&frames](const std::string& last) {
        std::string out;
        for (std::size_t i = 0; i + 1 < frames.size(); ++i)
            out += frames[i].array ? "[" + std::to_string(frames[i].index) + "]" : (out.empty() ? "" : ".") + frames[i].key;
        return out + (out.empty() ? "" : ".") + last;
    };
    auto element_done = [&frames] {
        if (!frames.empty() && frames.back().array) ++frames.back().index;
    };
    auto callback = [&](int, json::parse_event_t event, json& parsed) {
        switch (event) {
            case json::parse_event_t::object_start: frames.push_back({false, 0, {}, {}}); break;
            case json::parse_event_t::array_start: frames.push_back({true, 0, {}, {}}); break;
            case json::parse_event_t::object_end:
            case json::parse_event_t::array_end:
                if (!frames.empty()) frames.pop_back();
                element_done();
                break;
            case json::parse_event_t::value: element_done(); break;
            case json::parse_event_t::key: {
                if (frames.empty()) break;
                auto name = parsed.get<std::string>();
                auto& seen = frames.back().seen;
                if (std::find(seen.begin(), seen.end(), name) != seen.end()) {
                    if (!duplicate) duplicate = path(excerpt(name));
                } else {
                    seen.push_back(name);
                }
                frames.back().key = std::move(name);
                break;
            }
        }
        return true;
    };
    try {
        req = json::parse(line, callback);
    } catch (const json::exception& e) {
        return fail(std::string("request is not JSON: ") + e.what());
    }
    if (duplicate) return fail(field(*duplicate) + ": given more than once");
    if (!req.is_object()) return fail("request must be a JSON object, got " + describe(req));
    if (!req.contains("command")) return fail(field("command") + ": missing");
    auto cmd = get_string(req["command"], "command");
    if (!cmd) return fail(cmd.error());
    if (*cmd == "status") return no_fields<StatusRequest>(req);
    if (*cmd == "events" || *cmd == "journal") return parse_events(req);  // "journal": s46ctl before protocol 1
    if (*cmd == "renew") return no_fields<RenewRequest>(req);
    if (*cmd == "provision") return parse_provision(req);
    if (*cmd == "mode") return parse_mode(req);
    if (*cmd == "portmap") return parse_portmap(req);
    if (*cmd == "reload") return no_fields<ReloadRequest>(req);
    return fail(field("command") + ": unknown command \"" + excerpt(*cmd) + "\" (status, events, renew, provision, mode, portmap, reload)");
}

json to_json(const Request& request) {
    json j = {{"command", std::string(command_name(request))}};
    std::visit(
        [&j](const auto& r) {
            using R = std::decay_t<decltype(r)>;
            if constexpr (std::is_same_v<R, EventsRequest>) {
                j["limit"] = r.limit;
                if (!r.kinds.empty()) {
                    j["kind"] = json::array();
                    for (auto k : r.kinds) j["kind"].push_back(std::string(store::to_string(k)));
                }
                if (r.since) j["since"] = *r.since;
            } else if constexpr (std::is_same_v<R, ProvisionRequest>) {
                j["options_hex"] = util::to_hex(r.options);
                j["prefixes"] = json::array();
                for (const auto& p : r.prefixes)
                    j["prefixes"].push_back({{"prefix", p.prefix.to_string()}, {"preferred_lifetime", p.preferred_lifetime}, {"valid_lifetime", p.valid_lifetime}});
                j["addresses"] = json::array();
                for (const auto& a : r.addresses)
                    j["addresses"].push_back({{"address", a.address.to_string()}, {"preferred_lifetime", a.preferred_lifetime}, {"valid_lifetime", a.valid_lifetime}});
            } else if constexpr (std::is_same_v<R, ModeRequest>) {
                j["set"] = mode_text(r.mode);
            } else if constexpr (std::is_same_v<R, PortmapRequest>) {
                // A plain show stays {"command":"portmap"}, as every s46ctl sent it before actions.
                if (r.action == PortmapAction::show) return;
                j["action"] = std::string(to_string(r.action));
                if (r.action == PortmapAction::list) return;
                j["protocol"] = std::string(napt::protocol_name(r.protocol));
                j["external_port"] = r.external_port;
                if (r.action == PortmapAction::del) return;
                j["lan_address"] = r.lan_address.to_string();
                if (r.lan_port) j["lan_port"] = r.lan_port;
            }
        },
        request);
    return j;
}

std::string request_line(const Request& r) { return safe_dump(to_json(r)) + "\n"; }

// ---- replies ----

std::string safe_dump(const json& j, int indent) { return j.dump(indent, ' ', false, json::error_handler_t::replace); }

std::string ok_line(json body) {
    if (!body.is_object()) body = json::object();
    body["version"] = kProtocolVersion;
    body["ok"] = true;
    return safe_dump(body) + "\n";
}

std::string error_line(std::string_view message) {
    // "One line naming the problem": the JSON escapes would keep the reply one line anyway, but
    // the operator reads the text, and a service's exception text may carry line breaks.
    std::string text(message);
    std::replace_if(text.begin(), text.end(), [](char c) { return c == '\n' || c == '\r'; }, ' ');
    if (text.empty()) text = "unspecified error";
    return safe_dump(json{{"version", kProtocolVersion}, {"ok", false}, {"error", text}}) + "\n";
}

Result<json> check_reply(const json& reply) {
    if (!reply.is_object()) return fail("malformed reply: not a JSON object");
    if (!reply.contains("version")) return fail("malformed reply: no protocol version (an s46d older than this s46ctl?)");
    if (!reply["version"].is_number_integer() || reply["version"].get<std::int64_t>() != kProtocolVersion)
        return fail("reply has protocol version " + reply["version"].dump() + ", this s46ctl speaks " + std::to_string(kProtocolVersion));
    if (!reply.contains("ok") || !reply["ok"].is_boolean()) return fail("malformed reply: no boolean \"ok\"");
    if (!reply["ok"].get<bool>()) {
        const json& e = reply.contains("error") ? reply["error"] : json();
        return fail("s46d refused: " + (e.is_string() ? e.get<std::string>() : std::string("(no reason given)")));
    }
    return reply;
}

void to_json(json& j, const StatusReply& r) { j = {{"status", r.status}}; }
void from_json(const json& j, StatusReply& r) {
    r.status = j.at("status");
    if (!r.status.is_object()) throw std::invalid_argument("\"status\" is not an object");
}

void to_json(json& j, const MessageReply& r) { j = {{"message", r.message}}; }
void from_json(const json& j, MessageReply& r) { r.message = j.at("message").get<std::string>(); }

namespace {

template <class T>
T parsed(Result<T> r, const char* what) {
    if (!r) throw std::invalid_argument(std::string(what) + ": " + r.error());
    return std::move(*r);
}

select::Mode mode_named(const std::string& s) {
    if (s == "auto") return select::Mode::none;
    auto m = select::mode_from_string(s);
    if (!m) throw std::invalid_argument("unknown mode \"" + excerpt(s) + "\"");
    return *m;
}

}  // namespace

void to_json(json& j, const EventsReply& r) {
    json events = json::array(), bindings = json::array();
    for (const auto& e : r.events)
        events.push_back({{"seq", e.seq}, {"at", e.at}, {"kind", std::string(store::to_string(e.kind))},
                          {"from", std::string(select::to_string(e.from))}, {"to", std::string(select::to_string(e.to))}, {"detail", e.detail}});
    for (const auto& b : r.bindings) {
        json row = {{"seq", b.seq}, {"at", b.at}, {"mode", std::string(select::to_string(b.mode))}, {"tunnel_address", b.tunnel_address.to_string()},
                    {"psid_offset", b.psid_offset}, {"psid_len", b.psid_length}, {"psid", b.psid}, {"port_ranges", b.port_ranges}};
        if (b.ipv4) row["ipv4"] = b.ipv4->to_string();
        bindings.push_back(row);
    }
    j = {{"events", events}, {"bindings", bindings}};
}

void from_json(const json& j, EventsReply& r) {
    r = {};
    for (const auto& e : j.at("events")) {
        store::Event ev;
        ev.seq = e.at("seq").get<std::int64_t>();
        ev.at = e.at("at").get<std::int64_t>();
        auto kind = store::event_kind_from_string(e.at("kind").get<std::string>());
        if (!kind) throw std::invalid_argument("unknown event kind " + e.at("kind").dump());
        ev.kind = *kind;
        ev.from = mode_named(e.at("from").get<std::string>());
        ev.to = mode_named(e.at("to").get<std::string>());
        ev.detail = e.at("detail").get<std::string>();
        r.events.push_back(std::move(ev));
    }
    for (const auto& b : j.at("bindings")) {
        store::Binding x;
        x.seq = b.at("seq").get<std::int64_t>();
        x.at = b.at("at").get<std::int64_t>();
        x.mode = mode_named(b.at("mode").get<std::string>());
        x.tunnel_address = parsed(net::Ipv6Address::parse(b.at("tunnel_address").get<std::string>()), "tunnel_address");
        if (b.contains("ipv4")) x.ipv4 = parsed(net::Ipv4Address::parse(b["ipv4"].get<std::string>()), "ipv4");
        x.psid_offset = b.at("psid_offset").get<std::uint8_t>();
        x.psid_length = b.at("psid_len").get<std::uint8_t>();
        x.psid = b.at("psid").get<std::uint16_t>();
        x.port_ranges = b.at("port_ranges").get<std::string>();
        r.bindings.push_back(std::move(x));
    }
}

void to_json(json& j, const PortmapReply& r) {
    j = {{"mode", std::string(select::to_string(r.mode))},
         {"psid_offset", r.psid_offset},
         {"psid_len", r.psid_len},
         {"psid", r.psid},
         {"port_ranges", r.port_ranges},
         {"port_count", r.port_count},
         {"napt", r.napt}};
    if (r.ipv4) j["ipv4"] = *r.ipv4;
    if (r.napt_sessions) j["napt_sessions"] = *r.napt_sessions;
    if (r.napt_max_sessions) j["napt_max_sessions"] = *r.napt_max_sessions;
    json forwards = json::array();
    for (const auto& f : r.forwards) {
        json row = {{"protocol", std::string(napt::protocol_name(f.forward.protocol))},
                    {"external_port", f.forward.external_port},
                    {"lan_address", f.forward.lan_address.to_string()},
                    {"lan_port", f.forward.lan_port},
                    {"enabled", f.enabled}};
        if (!f.enabled) row["disabled_because"] = f.why_disabled;
        forwards.push_back(row);
    }
    j["forwards"] = forwards;
    if (r.message) j["message"] = *r.message;
}

void from_json(const json& j, PortmapReply& r) {
    r = {};
    auto m = select::mode_from_string(j.at("mode").get<std::string>());
    if (!m) throw std::invalid_argument("unknown mode " + j.at("mode").dump());
    r.mode = *m;
    if (j.contains("ipv4")) r.ipv4 = j["ipv4"].get<std::string>();
    r.psid_offset = j.at("psid_offset").get<std::uint8_t>();
    r.psid_len = j.at("psid_len").get<std::uint8_t>();
    r.psid = j.at("psid").get<std::uint16_t>();
    r.port_ranges = j.at("port_ranges").get<std::vector<std::string>>();
    r.port_count = j.at("port_count").get<std::uint32_t>();
    r.napt = j.at("napt").get<bool>();
    if (j.contains("napt_sessions")) r.napt_sessions = j["napt_sessions"].get<std::uint64_t>();
    if (j.contains("napt_max_sessions")) r.napt_max_sessions = j["napt_max_sessions"].get<std::uint64_t>();
    if (j.contains("forwards")) {  // absent from an s46d before static forwards
        for (const auto& f : j["forwards"]) {
            napt::ForwardState s;
            auto p = napt::forward_protocol_named(f.at("protocol").get<std::string>());
            if (!p) throw std::invalid_argument("unknown forward protocol " + f.at("protocol").dump());
            s.forward.protocol = *p;
            s.forward.external_port = f.at("external_port").get<std::uint16_t>();
            s.forward.lan_address = parsed(net::Ipv4Address::parse(f.at("lan_address").get<std::string>()), "lan_address");
            s.forward.lan_port = f.at("lan_port").get<std::uint16_t>();
            s.enabled = f.at("enabled").get<bool>();
            if (!s.enabled) s.why_disabled = f.value("disabled_because", std::string());
            r.forwards.push_back(std::move(s));
        }
    }
    if (j.contains("message")) r.message = j["message"].get<std::string>();
}

}  // namespace s46::control
