// s46ctl's daemon subcommands without a daemon: the requests their arguments make (validated
// by the protocol's own parser) and the text views of the replies.
#include <catch2/catch.hpp>

#include "control_samples.hpp"
#include "platform/s46ctl/daemon_cmds.hpp"

using namespace s46;
using Catch::Matchers::Contains;

TEST_CASE("s46ctl events: arguments become an EventsRequest", "[s46ctl][events]") {
    bool as_json = false;
    auto r = ctl::events_request({"--kind", "tunnel_event,mode_changed", "--since", "10m", "--limit", "5", "--json"}, 100000, &as_json);
    REQUIRE(r);
    CHECK(as_json);
    CHECK(r->limit == 5);
    CHECK(r->kinds == std::vector<store::EventKind>{store::EventKind::tunnel_event, store::EventKind::mode_changed});
    CHECK(r->since == 100000 - 600);
    CHECK(ctl::events_request({"--since", "1700000000"}, 0)->since == 1700000000);
    CHECK(ctl::events_request({"--since", "2d"}, 1000)->since == 0);  // not before the epoch
    CHECK(ctl::events_request({}, 0)->limit == control::kDefaultEventsLimit);
}

TEST_CASE("s46ctl events: bad arguments are named", "[s46ctl][events]") {
    CHECK_THAT(ctl::events_request({"--limit", "0"}, 0).error(), Contains("--limit '0' is not a number in 1..10000"));
    CHECK_THAT(ctl::events_request({"--limit", "10001"}, 0).error(), Contains("--limit '10001'"));
    CHECK_THAT(ctl::events_request({"--limit", "x"}, 0).error(), Contains("--limit 'x'"));
    CHECK_THAT(ctl::events_request({"--limit"}, 0).error(), Contains("--limit needs a value"));
    CHECK_THAT(ctl::events_request({"--kind", "mode_changed,nope"}, 0).error(), Contains("--kind: unknown event kind 'nope'"));
    CHECK_THAT(ctl::events_request({"--kind", ""}, 0).error(), Contains("--kind: unknown event kind ''"));
    CHECK_THAT(ctl::events_request({"--since", "10w"}, 0).error(), Contains("--since '10w' is neither epoch seconds nor a duration"));
    CHECK_THAT(ctl::events_request({"--since", "-5"}, 0).error(), Contains("--since '-5'"));
    CHECK_THAT(ctl::events_request({"--since", "999999999999"}, 0).error(), Contains("field \"since\": must be in 0..253402300799"));
    CHECK_THAT(ctl::events_request({"--verbose"}, 0).error(), Contains("unknown argument '--verbose'"));
}

TEST_CASE("s46ctl mode: set auto|dslite|lw4o6|mape", "[s46ctl][mode]") {
    CHECK(ctl::mode_request({"set", "auto"})->mode == select::Mode::none);
    CHECK(ctl::mode_request({"set", "lw4o6"})->mode == select::Mode::lw4o6);
    CHECK_THAT(ctl::mode_request({"set", "none"}).error(), Contains("mode 'none' is not auto, dslite, lw4o6 or mape"));
    CHECK_THAT(ctl::mode_request({"set"}).error(), Contains("expected 'mode set auto|dslite|lw4o6|mape'"));
    CHECK_THAT(ctl::mode_request({"get", "auto"}).error(), Contains("expected 'mode set"));
}

TEST_CASE("s46ctl provision: lifetimes are checked as s46d checks them", "[s46ctl][provision]") {
    auto r = ctl::provision_request({"--options-hex", "0040000100", "--delegated-prefix", "2001:db8:12:3400::/56,100,200"});
    REQUIRE(r);
    REQUIRE(r->prefixes.size() == 1);
    CHECK(r->prefixes[0].valid_lifetime == 200);
    CHECK(r->options.size() == 5);
    CHECK_THAT(ctl::provision_request({"--options-hex", "00", "--wan-address", "2001:db8::1,300,200"}).error(),
               Contains("field \"addresses[0].preferred_lifetime\": 300 exceeds valid_lifetime 200"));
    CHECK_THAT(ctl::provision_request({"--options-hex", "00", "--wan-address", "2001:db8::1,1,4294967296"}).error(),
               Contains("--wan-address: lifetime '4294967296'"));
    CHECK_THAT(ctl::provision_request({"--options-hex", "00", "--delegated-prefix", "2001:db8::1/56"}).error(), Contains("--delegated-prefix: "));
    CHECK_THAT(ctl::provision_request({"--options-hex", "0"}).error(), Contains("--options-hex: "));
    CHECK_THAT(ctl::provision_request({}).error(), Contains("give exactly one of --options-hex and --odhcp6c-env"));
}

TEST_CASE("s46ctl portmap and events: text views", "[s46ctl][portmap]") {
    const control::PortmapReply p = control::test::sample_portmap_reply();
    CHECK(ctl::portmap_text(p) ==
          "mode:        mape\nipv4:        192.0.2.1\npsid:        52 (offset 6, length 8)\nports:       8 in 2 range(s)\n"
          "  1232-1235\n  2256-2259\nnapt:        on, 3 session(s) of 65536\n"
          "forwards:    2\n  tcp 1233 -> 192.168.1.10:22\n"
          "  udp 4000 -> 192.168.1.11:5060  (disabled: port 4000 is not in this CPE's port set (192.0.2.1, PSID 52 of 8 bits, "
          "offset 6: 1232-1235, 2256-2259, ... 63 ranges))\n");
    control::PortmapReply empty;
    CHECK(ctl::forwards_text(empty) == "forwards:    none\n");
    control::EventsReply e;
    e.events.push_back({1, 100, store::EventKind::lease_obtained, select::Mode::none, select::Mode::none, "lease"});
    CHECK(ctl::events_text(e) == "100  lease_obtained  lease\n");
}

TEST_CASE("s46ctl portmap: arguments to requests, every mistake named", "[s46ctl][portmap]") {
    using Catch::Matchers::Contains;
    bool as_json = false;
    auto show = ctl::portmap_request({"--json"}, &as_json);
    REQUIRE(show);
    CHECK(show->action == control::PortmapAction::show);
    CHECK(as_json);
    CHECK(ctl::portmap_request({"list"})->action == control::PortmapAction::list);
    auto add = ctl::portmap_request({"add", "tcp", "1233", "192.168.1.10:22"});
    REQUIRE(add);
    CHECK(add->action == control::PortmapAction::add);
    CHECK(add->protocol == napt::Protocol::tcp);
    CHECK(add->external_port == 1233);
    CHECK(add->lan_address == net::Ipv4Address(192, 168, 1, 10));
    CHECK(add->lan_port == 22);
    CHECK(ctl::portmap_request({"add", "udp", "2258", "192.168.1.11"})->lan_port == 0);  // the daemon takes 2258
    auto del = ctl::portmap_request({"del", "udp", "2258"});
    REQUIRE(del);
    CHECK(del->action == control::PortmapAction::del);
    CHECK(del->protocol == napt::Protocol::udp);

    CHECK_THAT(ctl::portmap_request({"--all"}).error(), Contains("unknown argument '--all'"));
    CHECK_THAT(ctl::portmap_request({"list", "x"}).error(), Contains("unknown argument 'x'"));
    CHECK_THAT(ctl::portmap_request({"add", "tcp", "1233"}).error(), Contains("expected 'portmap add tcp|udp EXTERNAL_PORT LAN_ADDR[:PORT]'"));
    CHECK_THAT(ctl::portmap_request({"del", "tcp"}).error(), Contains("expected 'portmap del tcp|udp EXTERNAL_PORT'"));
    CHECK_THAT(ctl::portmap_request({"add", "sctp", "1233", "192.168.1.10"}).error(), Contains("protocol 'sctp' is not tcp or udp"));
    CHECK_THAT(ctl::portmap_request({"add", "tcp", "0", "192.168.1.10"}).error(), Contains("external port '0' is not a port number"));
    CHECK_THAT(ctl::portmap_request({"add", "tcp", "70000", "192.168.1.10"}).error(), Contains("external port '70000'"));
    CHECK_THAT(ctl::portmap_request({"add", "tcp", "1233", "192.168.1"}).error(), Contains("LAN address '192.168.1'"));
    CHECK_THAT(ctl::portmap_request({"add", "tcp", "1233", "192.168.1.10:"}).error(), Contains("LAN port ''"));
    CHECK_THAT(ctl::portmap_request({"add", "tcp", "1233", "192.168.1.10:99999"}).error(), Contains("LAN port '99999'"));
    // The daemon's own checks run here too, with its words.
    CHECK_THAT(ctl::portmap_request({"add", "tcp", "1233", "224.0.0.1"}).error(), Contains("field \"lan_address\": 224.0.0.1 is a multicast address"));
}
