#include <catch2/catch.hpp>

#include <vector>

#include "core/net/ip_protocol.hpp"
#include "core/net/tcp_packet.hpp"
#include "tests/unit/core/net/packet_builder.hpp"

using namespace s46::net;
using namespace s46::test;

namespace {
constexpr std::uint32_t kSrc = 0xc0000201, kDst = 0xc6336407;
std::uint64_t pseudo4(std::size_t len) {
    return pseudo_header_sum_v4(Ipv4Address{kSrc}, Ipv4Address{kDst}, ip_protocol::tcp, static_cast<std::uint16_t>(len));
}
std::uint16_t reference_checksum(Bytes seg) {
    put16(seg, 16, 0);
    return naive_checksum(cat({pseudo_v4(kSrc, kDst, ip_protocol::tcp, static_cast<std::uint16_t>(seg.size())), seg}));
}
// A typical SYN's options: MSS 1460, SACK permitted, timestamps, NOP, window scale 7.
const Bytes kSynOptions{0x02, 0x04, 0x05, 0xb4, 0x04, 0x02, 0x08, 0x0a, 0x00, 0x00, 0x00, 0x01,
                        0x00, 0x00, 0x00, 0x00, 0x01, 0x03, 0x03, 0x07};
}  // namespace

TEST_CASE("TCP view: every field of a SYN", "[net][tcp]") {
    Bytes seg = tcp(51000, 443, 0x01020304, 0, tcp_flag::syn | tcp_flag::ece | tcp_flag::cwr, kSynOptions, Bytes{});
    put16(seg, 18, 0x0102);
    auto v = ConstTcpView::parse(seg);
    REQUIRE(v.ok());
    CHECK(v->src_port() == 51000);
    CHECK(v->dst_port() == 443);
    CHECK(v->seq() == 0x01020304);
    CHECK(v->ack() == 0);
    CHECK(v->data_offset() == 10);
    CHECK(v->header_length() == 40);
    CHECK(v->syn());
    CHECK_FALSE(v->ack_flag());
    CHECK_FALSE(v->fin());
    CHECK_FALSE(v->rst());
    CHECK(v->has_flags(tcp_flag::ece | tcp_flag::cwr));
    CHECK(v->window() == 65535);
    CHECK(v->urgent_pointer() == 0x0102);
    CHECK(v->options().size() == 20);
    CHECK(v->options().data() == seg.data() + 20);
    CHECK(v->payload().empty());
    CHECK(v->mss() == 1460);
}

TEST_CASE("TCP view: setters", "[net][tcp]") {
    Bytes seg = tcp(1, 2, 3, 4, tcp_flag::ack, {}, Bytes{0xaa});
    auto v = TcpView::parse(seg);
    REQUIRE(v.ok());
    v->set_src_port(0x1111);
    v->set_dst_port(0x2222);
    v->set_seq(0x33333333);
    v->set_ack(0x44444444);
    v->set_flags(tcp_flag::fin | tcp_flag::ack | tcp_flag::psh);
    v->set_window(0x5555);
    v->set_urgent_pointer(0x6666);
    CHECK(v->src_port() == 0x1111);
    CHECK(v->dst_port() == 0x2222);
    CHECK(v->seq() == 0x33333333);
    CHECK(v->ack() == 0x44444444);
    CHECK(v->fin());
    CHECK(v->has_flags(tcp_flag::ack | tcp_flag::psh));
    CHECK(v->window() == 0x5555);
    CHECK(v->urgent_pointer() == 0x6666);
    CHECK(v->payload().size() == 1);
    CHECK(v->data_offset() == 5);
    CHECK(v->mss() == std::nullopt);
}

TEST_CASE("TCP view: each malformed buffer is refused with its reason", "[net][tcp]") {
    const Bytes good = tcp(1, 2, 3, 4, tcp_flag::syn, kSynOptions, Bytes{});
    auto reason = [](const Bytes& b) { return ConstTcpView::parse(b).error(); };
    CHECK(reason(good) == ParseError::none);
    CHECK(reason(Bytes(19, 0)) == ParseError::tcp_truncated);
    Bytes b = good;
    for (std::uint8_t off = 0; off < 5; ++off) {
        b[12] = static_cast<std::uint8_t>(off << 4);
        CHECK(reason(b) == ParseError::tcp_data_offset_too_small);
    }
    b[12] = 0xb0;  // 44-byte header in 40 bytes
    CHECK(reason(b) == ParseError::tcp_header_exceeds_buffer);
    CHECK(reason(Bytes(good.begin(), good.begin() + 39)) == ParseError::tcp_header_exceeds_buffer);
}

TEST_CASE("TCP view: options iterate with kinds, values and offsets", "[net][tcp]") {
    Bytes seg = tcp(1, 2, 3, 4, tcp_flag::syn, kSynOptions, Bytes{});
    auto v = ConstTcpView::parse(seg);
    REQUIRE(v.ok());
    std::vector<std::pair<std::uint8_t, std::size_t>> seen;
    for (const auto& o : v->option_range()) seen.emplace_back(o.kind, o.value.size());
    std::vector<std::pair<std::uint8_t, std::size_t>> expect{
        {tcp_option::mss, 2}, {tcp_option::sack_permitted, 0}, {tcp_option::timestamps, 8}, {tcp_option::nop, 0},
        {tcp_option::window_scale, 1}};
    CHECK(seen == expect);
    CHECK(v->option_range().well_formed());
    auto ws = v->option_range().find(tcp_option::window_scale);
    REQUIRE(ws);
    CHECK(ws->offset == 17);
    CHECK(ws->value[0] == 7);
    CHECK_FALSE(v->option_range().find(tcp_option::sack));
}

TEST_CASE("TCP view: EOL ends the walk; bad lengths mark it malformed", "[net][tcp]") {
    auto walk = [](const Bytes& opts) {
        std::vector<std::uint8_t> kinds;
        TcpOptionRange<const std::uint8_t> r{std::span<const std::uint8_t>(opts)};
        for (const auto& o : r) kinds.push_back(o.kind);
        return std::make_pair(kinds, r.well_formed());
    };
    CHECK(walk({}) == std::make_pair(std::vector<std::uint8_t>{}, true));
    CHECK(walk({0x01, 0x00, 0x02, 0x04}) == std::make_pair(std::vector<std::uint8_t>{1}, true));  // after EOL: ignored
    CHECK(walk({0x01, 0x02}) == std::make_pair(std::vector<std::uint8_t>{1}, false));            // kind without length
    CHECK(walk({0x02, 0x01, 0x00, 0x00}) == std::make_pair(std::vector<std::uint8_t>{}, false));  // length < 2
    CHECK(walk({0x01, 0x02, 0x05, 0x00}) == std::make_pair(std::vector<std::uint8_t>{1}, false)); // runs past the area
    CHECK(walk({0x1e, 0x02, 0x01, 0x01}) == std::make_pair(std::vector<std::uint8_t>{0x1e, 1, 1}, true));
}

TEST_CASE("TCP view: MSS requires length 4", "[net][tcp]") {
    Bytes seg = tcp(1, 2, 3, 4, tcp_flag::syn, Bytes{0x02, 0x03, 0x05, 0x01}, Bytes{});  // length 3
    CHECK(ConstTcpView::parse(seg)->mss() == std::nullopt);
}

TEST_CASE("TCP view: checksum against the naive reference", "[net][tcp]") {
    Bytes seg = tcp(51000, 443, 1, 2, tcp_flag::ack | tcp_flag::psh, {}, Bytes{'G', 'E', 'T', ' ', '/'});
    auto v = TcpView::parse(seg);
    REQUIRE(v.ok());
    v->update_checksum(pseudo4(seg.size()));
    CHECK(v->checksum() == reference_checksum(seg));
    CHECK(v->checksum_valid(pseudo4(seg.size())));
    seg[20] ^= 1;
    CHECK_FALSE(v->checksum_valid(pseudo4(seg.size())));
}

TEST_CASE("TCP view: MSS clamping at even and odd offsets keeps the checksum right", "[net][tcp]") {
    struct Case {
        const char* name;
        Bytes options;
    };
    for (const auto& c : {Case{"even offset", {0x02, 0x04, 0x05, 0xb4}},
                          Case{"odd offset after one NOP", {0x01, 0x02, 0x04, 0x05, 0xb4, 0x00, 0x00, 0x00}},
                          Case{"two MSS options", {0x02, 0x04, 0x23, 0x28, 0x01, 0x02, 0x04, 0x05, 0xb4, 0x00, 0x00, 0x00}}}) {
        INFO(c.name);
        Bytes seg = tcp(51000, 443, 7, 0, tcp_flag::syn, c.options, Bytes{1, 2, 3});
        auto v = TcpView::parse(seg);
        REQUIRE(v.ok());
        v->update_checksum(pseudo4(seg.size()));
        CHECK_FALSE(v->clamp_mss(9000));  // nothing above the limit
        CHECK(v->clamp_mss(1400));
        for (const auto& o : v->option_range())
            if (o.kind == tcp_option::mss) CHECK(get16(Bytes(o.value.begin(), o.value.end()), 0) == 1400);
        CHECK(v->checksum() == reference_checksum(seg));
        CHECK(v->checksum_valid(pseudo4(seg.size())));
        CHECK_FALSE(v->clamp_mss(1400));
    }
}

TEST_CASE("TCP view: incremental helpers for a NAPT rewrite", "[net][tcp]") {
    Bytes seg = tcp(51000, 443, 7, 8, tcp_flag::ack, {}, Bytes{1, 2, 3});
    auto v = TcpView::parse(seg);
    REQUIRE(v.ok());
    v->update_checksum(pseudo4(seg.size()));
    // Source 192.0.2.1:51000 -> 203.0.113.9:2048
    v->set_src_port(2048);
    v->adjust_checksum16(51000, 2048);
    v->adjust_checksum32(kSrc, 0xcb007109);
    auto pseudo = pseudo_header_sum_v4(Ipv4Address{0xcb007109}, Ipv4Address{kDst}, ip_protocol::tcp,
                                       static_cast<std::uint16_t>(seg.size()));
    CHECK(v->checksum() == v->compute_checksum(pseudo));
    CHECK(v->checksum_valid(pseudo));
}
