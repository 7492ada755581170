// The control protocol (platform/control/protocol.hpp, service.hpp): round trips, every
// rejection with the field it names, and dispatch() never throwing or answering non-JSON.
#include <catch2/catch.hpp>

#include <stdexcept>
#include <string>

#include <nlohmann/json.hpp>

#include "platform/control/protocol.hpp"
#include "platform/control/service.hpp"
#include "control_samples.hpp"

using namespace s46;
using namespace s46::control;
using nlohmann::json;

namespace {

std::string parse_error(std::string_view line) {
    auto r = parse_request(line);
    REQUIRE_FALSE(r);
    return r.error();
}

template <class R>
R parsed(std::string_view line) {
    auto r = parse_request(line);
    INFO(line);
    REQUIRE(r);
    REQUIRE(std::holds_alternative<R>(*r));
    return std::get<R>(*r);
}

Request round_trip(const Request& r) {
    auto back = parse_request(request_line(r));
    REQUIRE(back);
    return *back;
}

// Answers every request; `thrower` makes every call throw instead.
struct FakeService : Service {
    bool thrower = false;
    bool refuse = false;
    int calls = 0;
    template <class R>
    Result<R> give(R r) {
        ++calls;
        if (thrower) throw std::runtime_error("boom\nsecond line");
        if (refuse) return fail("refused on purpose");
        return r;
    }
    Result<StatusReply> status(const StatusRequest&) override { return give(StatusReply{json{{"mode", "mape"}, {"bad", "\xff"}}}); }
    Result<EventsReply> events(const EventsRequest&) override {
        EventsReply r;
        r.events.push_back({1, 100, store::EventKind::mode_changed, select::Mode::none, select::Mode::mape, "selected"});
        store::Binding b;
        b.seq = 2;
        b.at = 101;
        b.mode = select::Mode::mape;
        b.tunnel_address = *net::Ipv6Address::parse("2001:db8::1");
        b.ipv4 = *net::Ipv4Address::parse("192.0.2.1");
        b.psid_offset = 6;
        b.psid_length = 8;
        b.psid = 52;
        b.port_ranges = "1232-1235";
        r.bindings.push_back(b);
        return give(r);
    }
    Result<MessageReply> renew(const RenewRequest&) override { return give(MessageReply{"renew started"}); }
    Result<StatusReply> provision(const ProvisionRequest&) override { return give(StatusReply{}); }
    Result<MessageReply> mode(const ModeRequest&) override { return give(MessageReply{"mode set"}); }
    Result<PortmapReply> portmap(const PortmapRequest&) override { return give(test::sample_portmap_reply()); }
    Result<MessageReply> reload(const ReloadRequest&) override { return give(MessageReply{"reloaded"}); }
};

json reply_of(std::string_view line, Service& s) {
    const std::string out = dispatch(line, s);
    REQUIRE(!out.empty());
    REQUIRE(out.back() == '\n');
    REQUIRE(out.find('\n') == out.size() - 1);  // exactly one line
    REQUIRE(valid_utf8(out));
    json j = json::parse(out);
    REQUIRE(j.is_object());
    REQUIRE(j["version"] == 1);
    REQUIRE(j["ok"].is_boolean());
    if (!j["ok"].get<bool>()) REQUIRE(j["error"].is_string());
    return j;
}

}  // namespace

TEST_CASE("control protocol: UTF-8 validation follows RFC 3629", "[control][protocol]") {
    CHECK(valid_utf8("plain ascii"));
    CHECK(valid_utf8("\xc3\xa9t\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"));
    std::size_t at = 99;
    CHECK_FALSE(valid_utf8("ab\xff", &at));
    CHECK(at == 2);
    CHECK_FALSE(valid_utf8("\xc0\xaf"));          // overlong '/'
    CHECK_FALSE(valid_utf8("\xe0\x80\xaf"));      // overlong, 3 bytes
    CHECK_FALSE(valid_utf8("\xf0\x80\x80\xaf"));  // overlong, 4 bytes
    CHECK_FALSE(valid_utf8("\xed\xa0\x80"));      // surrogate U+D800
    CHECK_FALSE(valid_utf8("\xf4\x90\x80\x80"));  // U+110000
    CHECK_FALSE(valid_utf8("\xe2\x82"));          // truncated
    CHECK_FALSE(valid_utf8("\x80"));              // lone continuation byte
}

TEST_CASE("control protocol: requests round trip", "[control][protocol]") {
    CHECK(std::holds_alternative<StatusRequest>(round_trip(StatusRequest{})));
    CHECK(std::holds_alternative<RenewRequest>(round_trip(RenewRequest{})));
    CHECK(std::holds_alternative<PortmapRequest>(round_trip(PortmapRequest{})));
    CHECK(std::holds_alternative<ReloadRequest>(round_trip(ReloadRequest{})));
    EventsRequest e;
    e.limit = 10000;
    e.kinds = {store::EventKind::tunnel_event, store::EventKind::mode_changed};
    e.since = 1700000000;
    CHECK(std::get<EventsRequest>(round_trip(e)) == e);
    CHECK(std::get<EventsRequest>(round_trip(EventsRequest{})) == EventsRequest{});
    for (auto m : {select::Mode::none, select::Mode::dslite, select::Mode::lw4o6, select::Mode::mape})
        CHECK(std::get<ModeRequest>(round_trip(ModeRequest{m})).mode == m);
    ProvisionRequest p;
    p.options = {0x00, 0x40, 0x00, 0x02, 0xab, 0xcd};
    p.prefixes.push_back({*net::Ipv6Prefix::parse("2001:db8:12:3400::/56"), 100, 200});
    p.addresses.push_back({*net::Ipv6Address::parse("2001:db8::5"), 0, 0xffffffffu});
    CHECK(std::get<ProvisionRequest>(round_trip(p)) == p);
}

TEST_CASE("control protocol: portmap actions round trip", "[control][protocol][portmap]") {
    PortmapRequest add;
    add.action = PortmapAction::add;
    add.protocol = napt::Protocol::udp;
    add.external_port = 2258;
    add.lan_address = net::Ipv4Address(192, 168, 1, 10);
    add.lan_port = 53;
    CHECK(std::get<PortmapRequest>(round_trip(add)) == add);
    add.lan_port = 0;  // absent: the daemon takes the external port
    CHECK(std::get<PortmapRequest>(round_trip(add)) == add);
    CHECK(to_json(Request{add}).dump() ==
          R"({"action":"add","command":"portmap","external_port":2258,"lan_address":"192.168.1.10","protocol":"udp"})");
    PortmapRequest del;
    del.action = PortmapAction::del;
    del.external_port = 1233;
    CHECK(std::get<PortmapRequest>(round_trip(del)) == del);
    CHECK(to_json(Request{del}).dump() == R"({"action":"del","command":"portmap","external_port":1233,"protocol":"tcp"})");
    PortmapRequest list;
    list.action = PortmapAction::list;
    CHECK(std::get<PortmapRequest>(round_trip(list)) == list);
    // A plain show is the request every s46ctl sent before actions existed.
    CHECK(to_json(Request{PortmapRequest{}}).dump() == R"({"command":"portmap"})");
    CHECK(parsed<PortmapRequest>(R"({"command":"portmap","action":"show"})") == PortmapRequest{});
}

TEST_CASE("control protocol: every bad portmap field is refused with its name", "[control][protocol][portmap]") {
    using Catch::Matchers::Contains;
    const std::string add = R"({"command":"portmap","action":"add",)";
    CHECK_THAT(parse_error(R"({"command":"portmap","action":"open"})"), Contains("field \"action\": \"open\" is not show, list, add or del"));
    CHECK_THAT(parse_error(R"({"command":"portmap","action":1})"), Contains("field \"action\": must be a string"));
    CHECK_THAT(parse_error(R"({"command":"portmap","protocol":"tcp"})"), Contains("unknown field \"protocol\" (allowed: command, action)"));
    CHECK_THAT(parse_error(R"({"command":"portmap","action":"list","external_port":1})"), Contains("unknown field \"external_port\""));
    CHECK_THAT(parse_error(R"({"command":"portmap","action":"del","protocol":"tcp","external_port":1,"lan_address":"192.168.1.1"})"),
               Contains("unknown field \"lan_address\" (allowed: command, action, protocol, external_port)"));
    CHECK_THAT(parse_error(add + R"("external_port":1233,"lan_address":"192.168.1.10"})"), Contains("field \"protocol\": missing (tcp or udp)"));
    CHECK_THAT(parse_error(add + R"("protocol":"icmp","external_port":1233,"lan_address":"192.168.1.10"})"),
               Contains("field \"protocol\": \"icmp\" is not tcp or udp"));
    CHECK_THAT(parse_error(add + R"("protocol":6,"external_port":1233,"lan_address":"192.168.1.10"})"), Contains("field \"protocol\": must be a string"));
    CHECK_THAT(parse_error(add + R"("protocol":"tcp","lan_address":"192.168.1.10"})"), Contains("field \"external_port\": missing"));
    CHECK_THAT(parse_error(add + R"("protocol":"tcp","external_port":0,"lan_address":"192.168.1.10"})"),
               Contains("field \"external_port\": must be in 1..65535, got 0"));
    CHECK_THAT(parse_error(add + R"("protocol":"tcp","external_port":65536,"lan_address":"192.168.1.10"})"),
               Contains("field \"external_port\": must be in 1..65535, got 65536"));
    CHECK_THAT(parse_error(add + R"("protocol":"tcp","external_port":"80","lan_address":"192.168.1.10"})"),
               Contains("field \"external_port\": must be an integer"));
    CHECK_THAT(parse_error(add + R"("protocol":"tcp","external_port":1233})"), Contains("field \"lan_address\": missing"));
    CHECK_THAT(parse_error(add + R"("protocol":"tcp","external_port":1233,"lan_address":"192.168.1"})"), Contains("field \"lan_address\": "));
    CHECK_THAT(parse_error(add + R"("protocol":"tcp","external_port":1233,"lan_address":"2001:db8::1"})"), Contains("field \"lan_address\": "));
    CHECK_THAT(parse_error(add + R"("protocol":"tcp","external_port":1233,"lan_address":"0.0.0.0"})"),
               Contains("field \"lan_address\": 0.0.0.0 is in 0.0.0.0/8"));
    CHECK_THAT(parse_error(add + R"("protocol":"tcp","external_port":1233,"lan_address":"255.255.255.255"})"),
               Contains("field \"lan_address\": 255.255.255.255 is the broadcast address"));
    CHECK_THAT(parse_error(add + R"("protocol":"tcp","external_port":1233,"lan_address":"239.1.1.1"})"),
               Contains("field \"lan_address\": 239.1.1.1 is a multicast address"));
    CHECK_THAT(parse_error(add + R"("protocol":"tcp","external_port":1233,"lan_address":"127.0.0.1"})"),
               Contains("field \"lan_address\": 127.0.0.1 is a loopback address"));
    CHECK_THAT(parse_error(add + R"("protocol":"tcp","external_port":1233,"lan_address":"192.168.1.10","lan_port":0})"),
               Contains("field \"lan_port\": must be in 1..65535, got 0"));
    CHECK_THAT(parse_error(add + R"("protocol":"tcp","external_port":1233,"lan_address":"192.168.1.10","lan_port":70000})"),
               Contains("field \"lan_port\": must be in 1..65535, got 70000"));
    CHECK_THAT(parse_error(add + R"("protocol":"tcp","external_port":1233,"lan_address":"192.168.1.10","lan_host":"x"})"),
               Contains("unknown field \"lan_host\""));
}

TEST_CASE("control protocol: defaults and aliases", "[control][protocol]") {
    CHECK(parsed<EventsRequest>(R"({"command":"events"})").limit == kDefaultEventsLimit);
    CHECK(parsed<EventsRequest>(R"({"command":"journal","limit":7})").limit == 7);  // s46ctl before protocol 1
    CHECK(parsed<EventsRequest>(R"({"command":"events","kind":["tunnel_event","tunnel_event"]})").kinds.size() == 1);
    auto p = parsed<ProvisionRequest>(R"({"command":"provision","options_hex":"","prefixes":[{"prefix":"2001:db8::/56"}]})");
    REQUIRE(p.prefixes.size() == 1);
    CHECK(p.prefixes[0].preferred_lifetime == kDefaultPreferredLifetime);
    CHECK(p.prefixes[0].valid_lifetime == kDefaultValidLifetime);
    CHECK(parsed<ModeRequest>(R"({"command":"mode","set":"auto"})").mode == select::Mode::none);
    CHECK(parsed<StatusRequest>("{\"command\":\"status\"}\r\n") == StatusRequest{});
}

TEST_CASE("control protocol: every rejection names its reason", "[control][protocol]") {
    using Catch::Matchers::Contains;
    using Catch::Matchers::StartsWith;
    // Framing and syntax.
    CHECK_THAT(parse_error("{\"command\":\"status\",\"x\":\"\xff\"}"), Contains("not valid UTF-8 (byte 25)"));
    CHECK_THAT(parse_error("{\"command\":\"\xc0\xaf\"}"), Contains("not valid UTF-8"));  // overlong form
    CHECK_THAT(parse_error(std::string(kMaxRequestBytes + 1, ' ')), Contains("longer than 262144 bytes"));
    CHECK_THAT(parse_error(""), Contains("empty request"));
    CHECK_THAT(parse_error("{\"command\":"), StartsWith("request is not JSON"));
    CHECK_THAT(parse_error("[1,2]"), Contains("must be a JSON object, got an array"));
    CHECK_THAT(parse_error("{}"), Contains("field \"command\": missing"));
    CHECK_THAT(parse_error(R"({"command":5})"), Contains("field \"command\": must be a string, got 5"));
    CHECK_THAT(parse_error(R"({"command":"fly"})"), Contains("field \"command\": unknown command \"fly\""));
    CHECK_THAT(parse_error(R"({"command":"status","command":"renew"})"), Contains("field \"command\": given more than once"));
    CHECK_THAT(parse_error(R"({"command":"provision","options_hex":"","prefixes":[{"prefix":"2001:db8::/56","prefix":"2001:db8::/48"}]})"),
               Contains("field \"prefixes[0].prefix\": given more than once"));
    CHECK_THAT(parse_error(R"({"command":"provision","options_hex":"","addresses":[{"address":"2001:db8::1"},{"address":"2001:db8::2","valid_lifetime":9,"valid_lifetime":9}]})"),
               Contains("field \"addresses[1].valid_lifetime\": given more than once"));
    CHECK(parse_request(R"({"command":"provision","options_hex":"","prefixes":[{"prefix":"2001:db8::/56"},{"prefix":"2001:db8:1::/56"}]})"));
    // Unknown fields, at the top and inside lease items.
    CHECK_THAT(parse_error(R"({"command":"status","verbose":true})"), Contains("unknown field \"verbose\""));
    CHECK_THAT(parse_error(R"({"command":"renew","limit":1})"), Contains("unknown field \"limit\""));
    CHECK_THAT(parse_error(R"({"command":"events","limt":1})"), Contains("unknown field \"limt\" (allowed: command, limit, kind, since)"));
    CHECK_THAT(parse_error(R"({"command":"provision","options_hex":"","prefixes":[{"prefix":"2001:db8::/56","valid":1}]})"),
               Contains("unknown field \"prefixes[0].valid\""));
    // events
    CHECK_THAT(parse_error(R"({"command":"events","limit":0})"), Contains("field \"limit\": must be in 1..10000, got 0"));
    CHECK_THAT(parse_error(R"({"command":"events","limit":10001})"), Contains("field \"limit\": must be in 1..10000, got 10001"));
    CHECK_THAT(parse_error(R"({"command":"events","limit":-3})"), Contains("field \"limit\": must be in 1..10000, got -3"));
    CHECK_THAT(parse_error(R"({"command":"events","limit":2.5})"), Contains("field \"limit\": must be an integer in 1..10000, got 2.5"));
    CHECK_THAT(parse_error(R"({"command":"events","limit":"5"})"), Contains("field \"limit\": must be an integer in 1..10000, got a string"));
    CHECK_THAT(parse_error(R"({"command":"events","limit":true})"), Contains("got a boolean"));
    CHECK_THAT(parse_error(R"({"command":"events","kind":"tunnel_event"})"), Contains("field \"kind\": must be a non-empty array"));
    CHECK_THAT(parse_error(R"({"command":"events","kind":[]})"), Contains("field \"kind\": must be a non-empty array"));
    CHECK_THAT(parse_error(R"({"command":"events","kind":["mode_changed",3]})"), Contains("field \"kind[1]\": must be a string"));
    CHECK_THAT(parse_error(R"({"command":"events","kind":["bogus"]})"), Contains("field \"kind[0]\": unknown event kind \"bogus\""));
    // The message lists every kind the store knows, the newest included.
    CHECK_THAT(parse_error(R"({"command":"events","kind":["bogus"]})"), Contains("(mode_changed, ") && Contains(", dhcp4o6_client)"));
    CHECK_THAT(parse_error(R"({"command":"events","since":-1})"), Contains("field \"since\": must be in 0..253402300799, got -1"));
    CHECK_THAT(parse_error(R"({"command":"events","since":253402300800})"), Contains("field \"since\": must be in 0..253402300799"));
    CHECK_THAT(parse_error(R"({"command":"events","since":null})"), Contains("field \"since\": must be an integer in 0..253402300799, got null"));
    // mode
    CHECK_THAT(parse_error(R"({"command":"mode"})"), Contains("field \"set\": missing"));
    CHECK_THAT(parse_error(R"({"command":"mode","set":"none"})"), Contains("field \"set\": \"none\" is not auto, dslite, lw4o6 or mape"));
    CHECK_THAT(parse_error(R"({"command":"mode","set":"mapt"})"), Contains("field \"set\": \"mapt\" is not auto"));
    CHECK_THAT(parse_error(R"({"command":"mode","set":["auto"]})"), Contains("field \"set\": must be a string, got an array"));
    // provision
    CHECK_THAT(parse_error(R"({"command":"provision"})"), Contains("field \"options_hex\": missing"));
    CHECK_THAT(parse_error(R"({"command":"provision","options_hex":7})"), Contains("field \"options_hex\": must be a string"));
    CHECK_THAT(parse_error(R"({"command":"provision","options_hex":"0g"})"), StartsWith("field \"options_hex\": "));
    CHECK_THAT(parse_error(R"({"command":"provision","options_hex":"abc"})"), StartsWith("field \"options_hex\": "));
    CHECK_THAT(parse_error("{\"command\":\"provision\",\"options_hex\":\"" + std::string(2 * 65536, 'a') + "\"}"),
               Contains("field \"options_hex\": at most 65535 bytes, got 65536"));
    CHECK_THAT(parse_error(R"({"command":"provision","options_hex":"","prefixes":{}})"), Contains("field \"prefixes\": must be an array, got an object"));
    {
        json many = {{"command", "provision"}, {"options_hex", ""}, {"addresses", json::array()}};
        for (int i = 0; i < 17; ++i) many["addresses"].push_back({{"address", "2001:db8::1"}});
        CHECK_THAT(parse_error(many.dump()), Contains("field \"addresses\": at most 16 entries, got 17"));
    }
    CHECK_THAT(parse_error(R"({"command":"provision","options_hex":"","prefixes":["2001:db8::/56"]})"),
               Contains("field \"prefixes[0]\": must be an object, got a string"));
    CHECK_THAT(parse_error(R"({"command":"provision","options_hex":"","prefixes":[{}]})"), Contains("field \"prefixes[0].prefix\": missing"));
    CHECK_THAT(parse_error(R"({"command":"provision","options_hex":"","prefixes":[{"prefix":"2001:db8::1/56"}]})"),
               StartsWith("field \"prefixes[0].prefix\": "));
    CHECK_THAT(parse_error(R"({"command":"provision","options_hex":"","addresses":[{"address":"192.0.2.1"}]})"),
               StartsWith("field \"addresses[0].address\": "));
    CHECK_THAT(parse_error(R"({"command":"provision","options_hex":"","addresses":[{"address":5}]})"),
               Contains("field \"addresses[0].address\": must be a string, got 5"));
    CHECK_THAT(parse_error(R"({"command":"provision","options_hex":"","addresses":[{"address":"2001:db8::1","valid_lifetime":0}]})"),
               Contains("field \"addresses[0].valid_lifetime\": must be in 1..4294967295, got 0"));
    CHECK_THAT(parse_error(R"({"command":"provision","options_hex":"","addresses":[{"address":"2001:db8::1","valid_lifetime":4294967296}]})"),
               Contains("field \"addresses[0].valid_lifetime\": must be in 1..4294967295, got 4294967296"));
    CHECK_THAT(parse_error(R"({"command":"provision","options_hex":"","prefixes":[{"prefix":"2001:db8::/56","preferred_lifetime":-1}]})"),
               Contains("field \"prefixes[0].preferred_lifetime\": must be in 0..4294967295, got -1"));
    CHECK_THAT(parse_error(R"({"command":"provision","options_hex":"","prefixes":[{"prefix":"2001:db8::/56","preferred_lifetime":300,"valid_lifetime":200}]})"),
               Contains("field \"prefixes[0].preferred_lifetime\": 300 exceeds valid_lifetime 200"));
}

TEST_CASE("control protocol: replies round trip through the client's parser", "[control][protocol]") {
    FakeService s;
    auto events = reply_from_json<EventsReply>(reply_of(R"({"command":"events"})", s));
    REQUIRE(events);
    REQUIRE(events->events.size() == 1);
    CHECK(events->events[0].kind == store::EventKind::mode_changed);
    CHECK(events->events[0].to == select::Mode::mape);
    REQUIRE(events->bindings.size() == 1);
    CHECK(events->bindings[0].ipv4->to_string() == "192.0.2.1");
    CHECK(events->bindings[0].psid == 52);
    auto pm = reply_from_json<PortmapReply>(reply_of(R"({"command":"portmap"})", s));
    REQUIRE(pm);
    CHECK(pm->port_ranges == std::vector<std::string>{"1232-1235", "2256-2259"});
    CHECK(pm->napt_sessions == 3u);
    CHECK(pm->ipv4 == "192.0.2.1");
    CHECK(pm->forwards == test::sample_portmap_reply().forwards);
    CHECK_FALSE(pm->message);
    auto msg = reply_from_json<MessageReply>(reply_of(R"({"command":"renew"})", s));
    REQUIRE(msg);
    CHECK(msg->message == "renew started");
    // A status carrying invalid UTF-8 (e.g. an interface name) is dumped with U+FFFD, not thrown.
    auto st = reply_from_json<StatusReply>(reply_of(R"({"command":"status"})", s));
    REQUIRE(st);
    CHECK(st->status["bad"] == "\xef\xbf\xbd");
}

TEST_CASE("control protocol: the client rejects replies it cannot trust", "[control][protocol]") {
    CHECK_THAT(check_reply(json::array()).error(), Catch::Matchers::Contains("not a JSON object"));
    CHECK_THAT(check_reply(json{{"ok", true}}).error(), Catch::Matchers::Contains("no protocol version"));
    CHECK_THAT(check_reply(json{{"version", 2}, {"ok", true}}).error(), Catch::Matchers::Contains("protocol version 2"));
    CHECK_THAT(check_reply(json{{"version", 1}}).error(), Catch::Matchers::Contains("no boolean \"ok\""));
    CHECK(check_reply(json{{"version", 1}, {"ok", false}, {"error", "nope"}}).error() == "s46d refused: nope");
    CHECK_THAT(reply_from_json<PortmapReply>(json{{"version", 1}, {"ok", true}}).error(), Catch::Matchers::StartsWith("malformed reply"));
    CHECK_THAT(reply_from_json<StatusReply>(json{{"version", 1}, {"ok", true}, {"status", 3}}).error(),
               Catch::Matchers::StartsWith("malformed reply"));
}

TEST_CASE("control dispatch: never throws, always one JSON line with version 1", "[control][dispatch]") {
    FakeService ok, refusing, throwing;
    refusing.refuse = true;
    throwing.thrower = true;
    const char* lines[] = {
        R"({"command":"status"})", R"({"command":"events","limit":3})", R"({"command":"renew"})",
        R"({"command":"provision","options_hex":""})", R"({"command":"mode","set":"dslite"})", R"({"command":"portmap"})",
        R"({"command":"reload"})", "\xff\xfe", "{\"command\":\"\xed\xa0\x80\"}", "null", "{", "{\"command\":\"status\"}\n{\"x\":1}",
        "\"\\ud800\"",  // an escaped lone surrogate: valid UTF-8 text, rejected by the JSON parser
    };
    for (const char* line : lines) {
        INFO(line);
        json a = reply_of(line, ok);
        json b = reply_of(line, refusing);
        json c = reply_of(line, throwing);
        if (b["ok"] == false && a["ok"] == true) CHECK(b["error"] == "refused on purpose");
        if (!c["ok"].get<bool>() && a["ok"].get<bool>()) {
            CHECK_THAT(c["error"].get<std::string>(), Catch::Matchers::StartsWith("internal error in "));
            CHECK(c["error"].get<std::string>().find('\n') == std::string::npos);
        }
    }
    CHECK(ok.calls == 7);
    CHECK(reply_of(std::string(kMaxRequestBytes + 10, 'x'), ok)["error"] == "request longer than 262144 bytes");
}
