// parse_aaaa_answer on hand-built DNS responses (RFC 1035 §4.1 wire format), and the status texts.
#include <catch2/catch.hpp>

#include <ares.h>

#include <cstdint>
#include <string>
#include <vector>

#include "platform/dns/aaaa_answer.hpp"
#include "platform/dns/cares_status.hpp"

using s46::dns::describe_ares_status;
using s46::dns::parse_aaaa_answer;
using s46::net::Ipv6Address;

namespace {

using Bytes = std::vector<std::uint8_t>;

void put16(Bytes& b, unsigned v) {
    b.push_back(static_cast<std::uint8_t>(v >> 8));
    b.push_back(static_cast<std::uint8_t>(v));
}
void put32(Bytes& b, std::uint32_t v) {
    put16(b, v >> 16);
    put16(b, v & 0xffff);
}
Bytes labels(const std::string& name) {
    Bytes b;
    std::size_t start = 0;
    while (start < name.size()) {
        auto dot = name.find('.', start);
        if (dot == std::string::npos) dot = name.size();
        b.push_back(static_cast<std::uint8_t>(dot - start));
        b.insert(b.end(), name.begin() + static_cast<long>(start), name.begin() + static_cast<long>(dot));
        start = dot + 1;
    }
    b.push_back(0);
    return b;
}

struct Record {
    Bytes owner;  // wire-format name (or a compression pointer)
    unsigned type;
    std::uint32_t ttl;
    Bytes rdata;
};

const Bytes kQname = {0xc0, 0x0c};  // pointer to the question name at offset 12

Record aaaa(const char* addr, std::uint32_t ttl, Bytes owner = kQname) {
    auto a = Ipv6Address::parse(addr);
    return {owner, 28, ttl, Bytes(a->bytes.begin(), a->bytes.end())};
}

// A response to "AAAA aftr.example.com" with rcode NOERROR.
Bytes response(const std::vector<Record>& answers, const std::string& qname = "aftr.example.com") {
    Bytes b;
    put16(b, 0x1234);  // id
    put16(b, 0x8180);  // QR, RD, RA
    put16(b, 1);
    put16(b, static_cast<unsigned>(answers.size()));
    put16(b, 0);
    put16(b, 0);
    auto q = labels(qname);
    b.insert(b.end(), q.begin(), q.end());
    put16(b, 28);
    put16(b, 1);
    for (const auto& r : answers) {
        b.insert(b.end(), r.owner.begin(), r.owner.end());
        put16(b, r.type);
        put16(b, 1);
        put32(b, r.ttl);
        put16(b, static_cast<unsigned>(r.rdata.size()));
        b.insert(b.end(), r.rdata.begin(), r.rdata.end());
    }
    return b;
}

Ipv6Address ip(const char* t) { return *Ipv6Address::parse(t); }

}  // namespace

TEST_CASE("every AAAA record and the smallest TTL", "[dns][answer]") {
    auto pkt = response({aaaa("2001:db8::1", 300), aaaa("2001:db8::2", 45)});
    auto r = parse_aaaa_answer(pkt.data(), pkt.size());
    REQUIRE(r.ok());
    CHECK(r->addresses == std::vector<Ipv6Address>{ip("2001:db8::1"), ip("2001:db8::2")});
    CHECK(r->ttl == std::chrono::seconds(45));
}

TEST_CASE("a single record", "[dns][answer]") {
    auto pkt = response({aaaa("2001:db8:ffff::a", 3600)});
    auto r = parse_aaaa_answer(pkt.data(), pkt.size());
    REQUIRE(r.ok());
    CHECK(r->addresses == std::vector<Ipv6Address>{ip("2001:db8:ffff::a")});
    CHECK(r->ttl == std::chrono::seconds(3600));
}

TEST_CASE("duplicate records are kept once", "[dns][answer]") {
    auto pkt = response({aaaa("2001:db8::1", 60), aaaa("2001:db8::1", 60), aaaa("2001:db8::2", 60)});
    auto r = parse_aaaa_answer(pkt.data(), pkt.size());
    REQUIRE(r.ok());
    CHECK(r->addresses.size() == 2);
}

TEST_CASE("through a CNAME the chain's smallest TTL counts", "[dns][answer]") {
    // aftr.example.com CNAME real.example.net (ttl 20); real.example.net AAAA 2001:db8::7 (ttl 300)
    auto target = labels("real.example.net");
    auto pkt = response({{kQname, 5, 20, target}, aaaa("2001:db8::7", 300, target)});
    auto r = parse_aaaa_answer(pkt.data(), pkt.size());
    REQUIRE(r.ok());
    CHECK(r->addresses == std::vector<Ipv6Address>{ip("2001:db8::7")});
    CHECK(r->ttl == std::chrono::seconds(20));
}

TEST_CASE("a NOERROR answer with no AAAA is an error", "[dns][answer]") {
    auto pkt = response({});
    auto r = parse_aaaa_answer(pkt.data(), pkt.size());
    REQUIRE_FALSE(r.ok());
    CHECK(r.error() == "no AAAA records (the name exists)");
}

TEST_CASE("a truncated or absent packet is malformed", "[dns][answer]") {
    auto pkt = response({aaaa("2001:db8::1", 60)});
    pkt.resize(pkt.size() - 5);
    auto r = parse_aaaa_answer(pkt.data(), pkt.size());
    REQUIRE_FALSE(r.ok());
    CHECK(r.error() == "malformed DNS response");
    CHECK(parse_aaaa_answer(nullptr, 0).error() == "malformed DNS response");
}

TEST_CASE("more records than kept: the first kMaxAaaaRecords", "[dns][answer]") {
    std::vector<Record> many;
    std::vector<std::string> texts;
    for (int i = 1; i <= 40; ++i) texts.push_back("2001:db8::" + std::to_string(i));
    for (const auto& t : texts) many.push_back(aaaa(t.c_str(), static_cast<std::uint32_t>(100 + texts.size())));
    auto pkt = response(many);
    auto r = parse_aaaa_answer(pkt.data(), pkt.size());
    REQUIRE(r.ok());
    CHECK(r->addresses.size() == static_cast<std::size_t>(s46::dns::kMaxAaaaRecords));
    CHECK(r->addresses.front() == ip("2001:db8::1"));
}

TEST_CASE("c-ares statuses read as plain causes with the rcode", "[dns][answer]") {
    CHECK(describe_ares_status(ARES_ENOTFOUND) == "name does not exist (NXDOMAIN)");
    CHECK(describe_ares_status(ARES_ESERVFAIL) == "server failure (SERVFAIL)");
    CHECK(describe_ares_status(ARES_EREFUSED) == "query refused (REFUSED)");
    CHECK(describe_ares_status(ARES_ETIMEOUT) == "no answer (every try timed out)");
    CHECK(describe_ares_status(ARES_ECONNREFUSED) ==
          "every server refused or failed the query (REFUSED, SERVFAIL, NOTIMP or port unreachable)");
    CHECK_FALSE(describe_ares_status(ARES_ENOMEM).empty());  // falls back to ares_strerror
}
