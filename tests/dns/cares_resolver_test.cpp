// CaresResolver against a real DNS server (dnsmasq) on loopback, driven by a real io_context.
// All traffic stays on ::1 / 127.0.0.1.
#include <catch2/catch.hpp>

#include <algorithm>
#include <asio/io_context.hpp>
#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "platform/dns/cares_resolver.hpp"
#include "tests/dns/dnsmasq_server.hpp"

using namespace std::chrono_literals;
using s46::dns::AftrResult;
using s46::dns::CaresResolver;
using s46::dns::CaresResolverOptions;
using s46::dns::test::DnsmasqServer;
using s46::dns::test::SilentServer;
using s46::net::Ipv6Address;
using Clock = std::chrono::steady_clock;

namespace {

Ipv6Address ip(const char* t) { return *Ipv6Address::parse(t); }
const std::vector<Ipv6Address> kLoopback = {ip("::1")};

// aftr.example.com: two AAAA at the default TTL; ttl.example.com: two with their own TTLs;
// v4only.example.com: an A record only. Anything else under example.com is NXDOMAIN; names
// elsewhere are REFUSED (no upstream).
std::vector<std::string> zone() {
    return {"--local=/example.com/",
            "--local-ttl=60",
            "--host-record=aftr.example.com,2001:db8::1",
            "--host-record=aftr.example.com,2001:db8::2",
            "--host-record=ttl.example.com,2001:db8::10,300",
            "--host-record=ttl.example.com,2001:db8::11,45",
            "--host-record=v4only.example.com,192.0.2.1"};
}

CaresResolverOptions options_for(std::uint16_t port) {
    CaresResolverOptions o;
    o.port = port;
    o.attempt_timeout = 500ms;
    o.tries = 2;
    o.deadline = 5s;
    return o;
}

// Runs the loop until the callback has fired or `limit` passes; returns the result, if any.
struct Outcome {
    std::optional<AftrResult> result;
    int calls = 0;
    Clock::duration elapsed{};
};

Outcome resolve(asio::io_context& io, CaresResolver& r, const std::string& name,
                const std::vector<Ipv6Address>& servers, Clock::duration limit = 10s) {
    Outcome out;
    auto start = Clock::now();
    r.resolve(name, servers, [&](AftrResult res) {
        ++out.calls;
        out.result = std::move(res);
        out.elapsed = Clock::now() - start;
    });
    io.restart();
    while (out.calls == 0 && Clock::now() - start < limit) io.run_one_for(20ms);
    return out;
}

void settle(asio::io_context& io, Clock::duration d) {
    io.restart();
    io.run_for(d);
}

std::string asked(std::uint16_t port) { return "asked [::1]:" + std::to_string(port); }
const std::string kRefused = "every server refused or failed the query (REFUSED, SERVFAIL, NOTIMP or port unreachable), ";

std::size_t open_fds() {
    auto it = std::filesystem::directory_iterator("/proc/self/fd");
    return static_cast<std::size_t>(std::distance(it, std::filesystem::directory_iterator{}));
}

// The usual setup: dnsmasq on [::1] serving zone(), and a resolver asking it.
struct LocalServer {
    DnsmasqServer dns{{"::1"}, zone()};
    asio::io_context io;
    CaresResolver r{io, options_for(dns.port())};
};

}  // namespace

TEST_CASE_METHOD(LocalServer, "resolves every AAAA record with the answer's TTL", "[dns][cares]") {

    auto out = resolve(io, r, "aftr.example.com", kLoopback);
    REQUIRE(out.calls == 1);
    INFO(dns.log());
    REQUIRE(out.result->ok());
    auto addrs = (*out.result)->addresses;
    std::sort(addrs.begin(), addrs.end());  // dnsmasq may rotate the order
    CHECK(addrs == std::vector<Ipv6Address>{ip("2001:db8::1"), ip("2001:db8::2")});
    CHECK((*out.result)->ttl == 60s);
}

TEST_CASE_METHOD(LocalServer, "the TTL is the smallest in the answer set", "[dns][cares]") {

    auto out = resolve(io, r, "ttl.example.com", kLoopback);
    REQUIRE(out.calls == 1);
    REQUIRE(out.result->ok());
    CHECK((*out.result)->addresses.size() == 2);
    CHECK((*out.result)->ttl == 45s);
}

TEST_CASE_METHOD(LocalServer, "the name is asked exactly as given, also with a trailing dot", "[dns][cares]") {

    auto out = resolve(io, r, "aftr.example.com.", kLoopback);
    REQUIRE(out.calls == 1);
    REQUIRE(out.result->ok());
    CHECK((*out.result)->addresses.size() == 2);
    // No search-domain variants reached the server: only the one AAAA question.
    auto log = dns.log();
    INFO(log);
    CHECK(log.find("query[AAAA] aftr.example.com from ::1") != std::string::npos);
    CHECK(log.find("query[A]") == std::string::npos);
}

TEST_CASE_METHOD(LocalServer, "NXDOMAIN is a clear error", "[dns][cares]") {

    auto out = resolve(io, r, "missing.example.com", kLoopback);
    REQUIRE(out.calls == 1);
    REQUIRE_FALSE(out.result->ok());
    CHECK(out.result->error() == "name does not exist (NXDOMAIN), " + asked(dns.port()));
}

TEST_CASE_METHOD(LocalServer, "a name with no AAAA record is a clear error", "[dns][cares]") {

    auto out = resolve(io, r, "v4only.example.com", kLoopback);
    REQUIRE(out.calls == 1);
    REQUIRE_FALSE(out.result->ok());
    CHECK(out.result->error() == "no AAAA records (the name exists), " + asked(dns.port()));
}

// c-ares 1.18 cannot tell a REFUSED answer from an unreachable port; the text says so.
TEST_CASE_METHOD(LocalServer, "a refusing server is a clear error", "[dns][cares]") {

    auto out = resolve(io, r, "aftr.example.org", kLoopback);  // not local, no upstream
    REQUIRE(out.calls == 1);
    REQUIRE_FALSE(out.result->ok());
    CHECK(out.result->error() == kRefused + asked(dns.port()));
}

TEST_CASE("a silent server times out within the configured retry schedule", "[dns][cares]") {
    SilentServer silent;
    asio::io_context io;
    CaresResolverOptions o = options_for(silent.port());
    o.attempt_timeout = 100ms;
    o.tries = 2;  // c-ares waits 100 ms, then 200 ms
    o.deadline = 3s;
    CaresResolver r(io, o);

    auto out = resolve(io, r, "aftr.example.com", kLoopback);
    REQUIRE(out.calls == 1);
    REQUIRE_FALSE(out.result->ok());
    CHECK(out.result->error() == "no answer (every try timed out), " + asked(silent.port()));
    CHECK(out.elapsed >= 250ms);
    CHECK(out.elapsed < 1500ms);
}

TEST_CASE("the deadline cuts a longer retry schedule short", "[dns][cares]") {
    SilentServer silent;
    asio::io_context io;
    CaresResolverOptions o = options_for(silent.port());
    o.attempt_timeout = 1000ms;
    o.tries = 3;  // c-ares alone would take 7 s
    o.deadline = 300ms;
    CaresResolver r(io, o);

    auto out = resolve(io, r, "aftr.example.com", kLoopback);
    REQUIRE(out.calls == 1);
    REQUIRE_FALSE(out.result->ok());
    CHECK(out.result->error() == "no answer within 300 ms, " + asked(silent.port()));
    CHECK(out.elapsed >= 290ms);
    CHECK(out.elapsed < 1500ms);
    settle(io, 200ms);  // nothing else arrives
    CHECK(out.calls == 1);
}

TEST_CASE("a port nobody listens on fails fast, not at the deadline", "[dns][cares]") {
    auto port = s46::dns::test::pick_loopback_port();
    asio::io_context io;
    CaresResolverOptions o = options_for(port);
    o.deadline = 5s;
    CaresResolver r(io, o);

    auto out = resolve(io, r, "aftr.example.com", kLoopback);
    REQUIRE(out.calls == 1);
    REQUIRE_FALSE(out.result->ok());
    CHECK(out.result->error() == kRefused + asked(port));
    CHECK(out.elapsed < 4s);
}

TEST_CASE("a silent first server falls through to the second", "[dns][cares]") {
    // Same port, two loopback addresses: silent on [::1], dnsmasq on 127.0.0.1, reached as the
    // IPv4-mapped IPv6 address (c-ares still uses an IPv6 socket).
    SilentServer silent;
    DnsmasqServer dns({"127.0.0.1"}, zone(), silent.port());
    asio::io_context io;
    CaresResolverOptions o = options_for(silent.port());
    o.attempt_timeout = 200ms;
    CaresResolver r(io, o);

    auto out = resolve(io, r, "aftr.example.com", {ip("::1"), ip("::ffff:127.0.0.1")});
    REQUIRE(out.calls == 1);
    INFO(dns.log());
    REQUIRE(out.result->ok());
    CHECK((*out.result)->addresses.size() == 2);
    CHECK(out.elapsed >= 150ms);  // the first server had its try
}

TEST_CASE("an empty server list fails through the loop, not inside resolve()", "[dns][cares]") {
    asio::io_context io;
    CaresResolver r(io, options_for(53));
    int calls = 0;
    std::optional<AftrResult> got;
    r.resolve("aftr.example.com", {}, [&](AftrResult res) {
        ++calls;
        got = std::move(res);
    });
    CHECK(calls == 0);
    settle(io, 50ms);
    REQUIRE(calls == 1);
    CHECK(got->error() == "no DNS servers to ask (DHCPv6 option 23 gave none)");
}

TEST_CASE("an empty name is refused", "[dns][cares]") {
    asio::io_context io;
    CaresResolver r(io, options_for(53));
    auto out = resolve(io, r, "", kLoopback, 1s);
    REQUIRE(out.calls == 1);
    CHECK(out.result->error() == "no AFTR name to resolve");
}

TEST_CASE("cancel() drops the callback; the resolver is reusable", "[dns][cares]") {
    SilentServer silent;
    DnsmasqServer dns({"::1"}, zone());
    asio::io_context io;
    CaresResolverOptions o = options_for(silent.port());
    o.attempt_timeout = 100ms;
    o.deadline = 300ms;
    CaresResolver r(io, o);

    int calls = 0;
    r.resolve("aftr.example.com", kLoopback, [&](AftrResult) { ++calls; });
    settle(io, 50ms);
    r.cancel();
    settle(io, 500ms);  // past the deadline and c-ares's schedule
    CHECK(calls == 0);
    r.cancel();  // idempotent

    CaresResolver again(io, options_for(dns.port()));
    auto out = resolve(io, again, "aftr.example.com", kLoopback);
    REQUIRE(out.calls == 1);
    CHECK(out.result->ok());
}

TEST_CASE("cancel() after the answer arrived but before delivery still wins", "[dns][cares]") {
    asio::io_context io;
    CaresResolver r(io, options_for(53));
    int calls = 0;
    r.resolve("aftr.example.com", {}, [&](AftrResult) { ++calls; });  // result already posted
    r.cancel();
    settle(io, 50ms);
    CHECK(calls == 0);
}

TEST_CASE_METHOD(LocalServer, "a new resolve() supersedes the one in flight", "[dns][cares]") {

    int first = 0;
    r.resolve("missing.example.com", kLoopback, [&](AftrResult) { ++first; });
    auto out = resolve(io, r, "aftr.example.com", kLoopback);
    settle(io, 100ms);
    CHECK(first == 0);
    REQUIRE(out.calls == 1);
    CHECK(out.result->ok());

    // and the same resolver goes on answering
    auto again = resolve(io, r, "ttl.example.com", kLoopback);
    REQUIRE(again.calls == 1);
    CHECK((*again.result)->ttl == 45s);
}

TEST_CASE_METHOD(LocalServer, "a resolve() from inside the callback works", "[dns][cares]") {

    std::vector<std::string> seen;
    r.resolve("missing.example.com", kLoopback, [&](AftrResult first) {
        seen.push_back(first.ok() ? "ok" : first.error());
        r.resolve("aftr.example.com", kLoopback, [&](AftrResult second) {
            seen.push_back(second.ok() ? "ok" : second.error());
        });
    });
    auto start = Clock::now();
    while (seen.size() < 2 && Clock::now() - start < 5s) {
        io.restart();
        io.run_one_for(20ms);
    }
    REQUIRE(seen.size() == 2);
    CHECK(seen[0] == "name does not exist (NXDOMAIN), " + asked(dns.port()));
    CHECK(seen[1] == "ok");
}

TEST_CASE("destroying the resolver mid-lookup is safe and silent", "[dns][cares]") {
    SilentServer silent;
    asio::io_context io;
    int calls = 0;
    {
        CaresResolverOptions o = options_for(silent.port());
        o.attempt_timeout = 50ms;
        o.deadline = 200ms;
        CaresResolver r(io, o);
        r.resolve("aftr.example.com", kLoopback, [&](AftrResult) { ++calls; });
        settle(io, 20ms);
    }
    settle(io, 400ms);  // any handler still queued must find the resolver gone
    CHECK(calls == 0);
}

TEST_CASE_METHOD(LocalServer, "many lookups in a row leave no sockets behind", "[dns][cares]") {
    auto before = open_fds();
    for (int i = 0; i < 50; ++i) {
        auto out = resolve(io, r, i % 2 ? "aftr.example.com" : "missing.example.com", kLoopback);
        REQUIRE(out.calls == 1);
        CHECK(out.result->ok() == (i % 2 == 1));
    }
    settle(io, 20ms);
    CHECK(open_fds() == before);
}
