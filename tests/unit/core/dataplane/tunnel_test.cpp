// RFC 2473 encapsulation: the outer header fields (§6), the optional Tunnel Encapsulation
// Limit (§4.1.1) and decapsulation.
#include "core/dataplane/tunnel.hpp"
#include "tests/unit/core/dataplane/dp_fixture.hpp"

using namespace s46;
using namespace s46::dataplane;
using namespace s46::dataplane::test;

namespace {

const net::Ipv6Address local = b4_local;
const net::Ipv6Address remote = aftr;

Bytes encap(const Ipv4InIpv6Tunnel& t, std::uint8_t tc, const Bytes& inner) {
    Bytes out(inner.size() + 64, 0xee);
    const std::size_t n = t.encapsulate(remote, tc, inner, out);
    REQUIRE(n == inner.size() + t.overhead());
    out.resize(n);
    return out;
}

}  // namespace

TEST_CASE("tunnel: outer header per RFC 2473 §6 (next header 4, hop limit 64, TC copied, flow label 0)", "[dataplane][rfc2473]") {
    Ipv4InIpv6Tunnel t(TunnelParams{local, 64, std::nullopt});
    const Bytes inner = udp_packet(lan_host, 1000, server, 53);
    const Bytes p = encap(t, 0xb8, inner);
    CHECK(p[0] >> 4 == 6);
    CHECK(((p[0] & 0x0f) << 4 | p[1] >> 4) == 0xb8);                   // traffic class (RFC 6333 §7.1)
    CHECK(((p[1] & 0x0f) << 16 | p[2] << 8 | p[3]) == 0);                // flow label 0 (§6.5)
    CHECK(get16(p, 4) == inner.size());
    CHECK(p[6] == 4);                                                    // IPv4 (§3)
    CHECK(p[7] == 64);                                                   // §6.3 default
    CHECK(Bytes(p.begin() + 8, p.begin() + 24) == Bytes(local.bytes.begin(), local.bytes.end()));
    CHECK(Bytes(p.begin() + 24, p.begin() + 40) == Bytes(remote.bytes.begin(), remote.bytes.end()));
    CHECK(Bytes(p.begin() + 40, p.end()) == inner);
    CHECK(t.overhead() == 40);
}

TEST_CASE("tunnel: hop limit is configurable (RFC 2473 §6.3)", "[dataplane][rfc2473]") {
    Ipv4InIpv6Tunnel t(TunnelParams{local, 17, std::nullopt});
    CHECK(encap(t, 0, udp_packet(lan_host, 1, server, 2))[7] == 17);
}

TEST_CASE("tunnel: encapsulation limit only when configured, as a Destination Options header (RFC 2473 §4.1.1)",
          "[dataplane][rfc2473]") {
    Ipv4InIpv6Tunnel t(TunnelParams{local, 64, std::uint8_t{4}});
    const Bytes inner = udp_packet(lan_host, 1000, server, 53);
    const Bytes p = encap(t, 0, inner);
    CHECK(t.overhead() == 48);
    CHECK(p[6] == 60);                     // Destination Options
    CHECK(get16(p, 4) == inner.size() + 8);
    CHECK(p[40] == 4);                     // next header: IPv4
    CHECK(p[41] == 0);                     // 8 bytes
    CHECK(p[42] == 4);                     // option type 4: Tunnel Encapsulation Limit
    CHECK(p[43] == 1);
    CHECK(p[44] == 4);                     // the limit
    CHECK(p[45] == 1);                     // PadN filling the unit
    CHECK(Bytes(p.begin() + 48, p.end()) == inner);
}

TEST_CASE("tunnel: encapsulate refuses a short buffer and a payload over 65535", "[dataplane][rfc2473]") {
    Ipv4InIpv6Tunnel t(TunnelParams{local, 64, std::uint8_t{4}});
    const Bytes inner = udp_packet(lan_host, 1, server, 2);
    Bytes small(inner.size() + 47);
    CHECK(t.encapsulate(remote, 0, inner, small) == 0);
    Bytes big(65535, 0x45), out(65535 + 48);
    CHECK(t.encapsulate(remote, 0, big, out) == 0);  // 65535 + 8 does not fit Payload Length
    Ipv4InIpv6Tunnel plain(TunnelParams{local, 64, std::nullopt});
    CHECK(plain.encapsulate(remote, 0, big, out) == 65535 + 40);
}

TEST_CASE("tunnel: decapsulation round trip, with and without the limit option", "[dataplane][rfc2473]") {
    const Bytes inner = udp_packet(server, 53, lan_host, 1000);
    for (auto limit : {std::optional<std::uint8_t>{}, std::optional<std::uint8_t>{3}}) {
        Ipv4InIpv6Tunnel sender(TunnelParams{remote, 64, limit});
        Bytes p(inner.size() + 48);
        p.resize(sender.encapsulate(local, 0x28, inner, p));
        Ipv4InIpv6Tunnel t(TunnelParams{local, 64, std::nullopt});
        auto d = t.decapsulate(p);
        REQUIRE(d.verdict.passed());
        CHECK(d.src == remote);
        CHECK(d.dst == local);
        CHECK(d.traffic_class == 0x28);
        CHECK(bytes(d.inner) == inner);
    }
}

TEST_CASE("tunnel: decapsulation refuses other destinations, other payloads and unskippable options", "[dataplane][rfc2473]") {
    Ipv4InIpv6Tunnel t(TunnelParams{local, 64, std::nullopt});
    const Bytes inner = udp_packet(server, 53, lan_host, 1000);
    Bytes wrong_dst = ipv6_packet(remote, v6("2001:db8:100::2"), 4, inner);
    CHECK(t.decapsulate(wrong_dst).verdict.reason() == DropReason::bad_outer);
    Bytes v6_in_v6 = ipv6_packet(remote, local, 41, inner);
    CHECK(t.decapsulate(v6_in_v6).verdict.reason() == DropReason::bad_outer);
    Bytes truncated = ipv6_packet(remote, local, 4, inner);
    truncated.resize(50);
    CHECK(t.decapsulate(truncated).verdict.reason() == DropReason::bad_outer);
    // A Destination Options header with an option whose type says "discard if unknown" (01xxxxxx).
    Bytes opts{4, 0, 0x42, 1, 0, 1, 1, 0};
    Bytes with_opts = ipv6_packet(remote, local, 60, join(opts, inner));
    CHECK(t.decapsulate(with_opts).verdict.reason() == DropReason::bad_outer);
    opts[2] = 0x1e;  // 00xxxxxx: skip
    Bytes skippable = ipv6_packet(remote, local, 60, join(opts, inner));
    auto d = t.decapsulate(skippable);
    REQUIRE(d.verdict.passed());
    CHECK(bytes(d.inner) == inner);
}
