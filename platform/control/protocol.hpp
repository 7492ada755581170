// The control protocol between s46d and s46ctl, defined once (docs/control.md): one JSON request
// line in, one JSON reply line out, per connection. Requests are parsed and validated here as
// data, so the daemon's handlers only ever see well-typed values, and s46ctl builds and reads
// messages with the same code the daemon uses.
#pragma once

#include <cstddef>
#include <cstdint>
#include <exception>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/napt/static_forward.hpp"
#include "core/provision/lease.hpp"
#include "core/result.hpp"
#include "core/select/mode.hpp"
#include "platform/store/state_store.hpp"

namespace s46::control {

// Every reply carries it; a client seeing another value knows the daemon speaks another protocol.
inline constexpr int kProtocolVersion = 1;
// Requests larger than this are refused: the socket is local, but a stuck client must not grow memory.
inline constexpr std::size_t kMaxRequestBytes = 256 * 1024;
// Bounds of the request fields (docs/control.md lists them).
inline constexpr std::uint32_t kMaxEventsLimit = 10000;  // the store keeps at most this many journal rows
inline constexpr std::uint32_t kDefaultEventsLimit = 50;
inline constexpr std::int64_t kMaxSince = 253402300799;  // 9999-12-31T23:59:59Z
inline constexpr std::size_t kMaxLeaseItems = 16;        // prefixes or addresses in one provision
inline constexpr std::size_t kMaxOptionsBytes = 65535;   // a DHCPv6 message's options fit in this
// Lifetimes an external client reports when it gives none (what `s46ctl provision` always did).
inline constexpr std::uint32_t kDefaultPreferredLifetime = 3600;
inline constexpr std::uint32_t kDefaultValidLifetime = 7200;

// ---- requests ----
struct StatusRequest {
    friend bool operator==(const StatusRequest&, const StatusRequest&) = default;
};
// The journal (and the binding log, when no kind filter is given).
struct EventsRequest {
    std::uint32_t limit = kDefaultEventsLimit;  // 1..kMaxEventsLimit; the newest rows
    std::vector<store::EventKind> kinds;        // empty: every kind
    std::optional<std::int64_t> since;          // wall-clock seconds; rows at or after it
    friend bool operator==(const EventsRequest&, const EventsRequest&) = default;
};
struct RenewRequest {
    friend bool operator==(const RenewRequest&, const RenewRequest&) = default;
};
// What an external DHCPv6 client obtained: the Reply's raw options and its IA_PD / IA_NA.
struct ProvisionRequest {
    std::vector<std::uint8_t> options;
    std::vector<provision::LeasedPrefix> prefixes;
    std::vector<provision::LeasedAddress> addresses;
    friend bool operator==(const ProvisionRequest&, const ProvisionRequest&) = default;
};
// Mode::none means "auto", as in select::Policy::configured.
struct ModeRequest {
    select::Mode mode = select::Mode::none;
    friend bool operator==(const ModeRequest&, const ModeRequest&) = default;
};
// show: the port set, NAPT sessions and static forwards (no "action" field means show);
// list: the static forwards only (works without an active mode);
// add / del: one static forward (core/napt/static_forward.hpp), keyed by protocol and port.
enum class PortmapAction : std::uint8_t { show, list, add, del };
struct PortmapRequest {
    PortmapAction action = PortmapAction::show;
    napt::Protocol protocol = napt::Protocol::tcp;  // add, del: tcp or udp
    std::uint16_t external_port = 0;                 // add, del: 1..65535
    net::Ipv4Address lan_address;                    // add: a unicast host
    std::uint16_t lan_port = 0;                      // add: 1..65535; 0 (absent) = external_port
    friend bool operator==(const PortmapRequest&, const PortmapRequest&) = default;
};
std::string_view to_string(PortmapAction a);
struct ReloadRequest {
    friend bool operator==(const ReloadRequest&, const ReloadRequest&) = default;
};

using Request = std::variant<StatusRequest, EventsRequest, RenewRequest, ProvisionRequest, ModeRequest, PortmapRequest,
                             ReloadRequest>;

// The wire name of a request ("status", "events", ...).
std::string_view command_name(const Request& r);

// Validates one request line (a trailing "\n" or "\r\n" is allowed): valid UTF-8, at most
// kMaxRequestBytes, a JSON object with a known "command", every field of the right type and
// range, no unknown field. Errors name the field ("field \"limit\": ...").
Result<Request> parse_request(std::string_view line);
nlohmann::json to_json(const Request& r);
// The request as sent: one line, terminated by '\n'.
std::string request_line(const Request& r);

// ---- replies ----
// Every reply object also has "version": 1 and "ok": true; an error reply is
// {"version": 1, "ok": false, "error": "<one line>"} and nothing else.
struct StatusReply {
    nlohmann::json status = nlohmann::json::object();  // free-form: the report code owns its fields
};
struct EventsReply {
    std::vector<store::Event> events;      // oldest first
    std::vector<store::Binding> bindings;  // oldest first; empty when a kind filter was given
};
// renew, mode, reload: what the daemon did, for the operator.
struct MessageReply {
    std::string message;
};
struct PortmapReply {
    select::Mode mode = select::Mode::none;
    std::optional<std::string> ipv4;       // address or prefix text; absent for mode none
    std::uint8_t psid_offset = 0;
    std::uint8_t psid_len = 0;
    std::uint16_t psid = 0;
    std::vector<std::string> port_ranges;  // "lo-hi", ascending (report::port_ranges_json)
    std::uint32_t port_count = 0;          // ports in port_ranges
    bool napt = false;                     // whether s46d translates (NAPT44) for the LAN
    std::optional<std::uint64_t> napt_sessions;      // present when a data plane counts them
    std::optional<std::uint64_t> napt_max_sessions;  // the configured bound, same condition
    std::vector<napt::ForwardState> forwards;        // every configured static forward, in the order added
    std::optional<std::string> message;              // add / del: what was done
};

void to_json(nlohmann::json& j, const StatusReply& r);
void from_json(const nlohmann::json& j, StatusReply& r);
void to_json(nlohmann::json& j, const EventsReply& r);
void from_json(const nlohmann::json& j, EventsReply& r);
void to_json(nlohmann::json& j, const MessageReply& r);
void from_json(const nlohmann::json& j, MessageReply& r);
void to_json(nlohmann::json& j, const PortmapReply& r);
void from_json(const nlohmann::json& j, PortmapReply& r);

// Serialises a reply body (version and ok added) or an error, as one '\n'-terminated line of
// valid UTF-8: strings that are not UTF-8 are dumped with U+FFFD in place of bad bytes.
std::string ok_line(nlohmann::json body);
std::string error_line(std::string_view message);
// nlohmann's dump() with invalid UTF-8 replaced rather than thrown (type_error 316).
std::string safe_dump(const nlohmann::json& j, int indent = -1);

// The client side: checks version and ok (an error reply becomes fail(its "error")), then
// converts. Errors name what was wrong with the reply.
Result<nlohmann::json> check_reply(const nlohmann::json& reply);
template <class Reply>
Result<Reply> reply_from_json(const nlohmann::json& reply) {
    auto checked = check_reply(reply);
    if (!checked) return fail(checked.error());
    try {
        return checked->template get<Reply>();
    } catch (const std::exception& e) {  // nlohmann's errors and from_json's invalid_argument
        return fail(std::string("malformed reply: ") + e.what());
    }
}

// True when `s` is well-formed UTF-8 (RFC 3629 §4: no overlong forms, no surrogates, at most
// U+10FFFF). Returns the offset of the first bad byte through `bad_at` when not.
bool valid_utf8(std::string_view s, std::size_t* bad_at = nullptr);

}  // namespace s46::control
