#include "core/net/ipv6.hpp"

#include <charconv>
#include <cstdio>
#include <vector>

#include "core/net/ipv4.hpp"
#include "core/util/hex.hpp"

namespace s46::net {

namespace {

// Parses the groups of one side of "::" into 16-bit words. A trailing dotted quad counts as two words.
bool parse_groups(std::string_view s, std::vector<std::uint16_t>& out, bool allow_v4_tail) {
    if (s.empty()) return true;
    std::size_t pos = 0;
    while (true) {
        auto colon = s.find(':', pos);
        std::string_view g = s.substr(pos, colon == std::string_view::npos ? std::string_view::npos : colon - pos);
        if (colon == std::string_view::npos && allow_v4_tail && g.find('.') != std::string_view::npos) {
            auto v4 = Ipv4Address::parse(g);
            if (!v4) return false;
            out.push_back(static_cast<std::uint16_t>(v4->value >> 16));
            out.push_back(static_cast<std::uint16_t>(v4->value & 0xffff));
            return true;
        }
        if (g.empty() || g.size() > 4) return false;
        unsigned v = 0;
        for (char c : g) {
            int h = util::hex_digit_value(c);
            if (h < 0) return false;
            v = (v << 4) | static_cast<unsigned>(h);
        }
        out.push_back(static_cast<std::uint16_t>(v));
        if (colon == std::string_view::npos) return true;
        pos = colon + 1;
    }
}

}  // namespace

Result<Ipv6Address> Ipv6Address::parse(std::string_view text) {
    auto bad = [&](const char* why) { return fail("invalid IPv6 address '" + std::string(text) + "': " + why); };
    if (text.empty() || text.size() > 45) return bad("wrong length");
    std::vector<std::uint16_t> head, tail;
    auto dc = text.find("::");
    if (dc != std::string_view::npos) {
        if (text.find("::", dc + 1) != std::string_view::npos) return bad("more than one '::'");
        if (!parse_groups(text.substr(0, dc), head, false)) return bad("bad group");
        if (!parse_groups(text.substr(dc + 2), tail, true)) return bad("bad group");
        if (head.size() + tail.size() > 7) return bad("too many groups");
    } else {
        if (!parse_groups(text, head, true)) return bad("bad group");
        if (head.size() != 8) return bad("expected eight groups");
    }
    Ipv6Address a;
    for (std::size_t i = 0; i < head.size(); ++i) {
        a.bytes[2 * i] = static_cast<std::uint8_t>(head[i] >> 8);
        a.bytes[2 * i + 1] = static_cast<std::uint8_t>(head[i]);
    }
    std::size_t base = 8 - tail.size();
    for (std::size_t i = 0; i < tail.size(); ++i) {
        a.bytes[2 * (base + i)] = static_cast<std::uint8_t>(tail[i] >> 8);
        a.bytes[2 * (base + i) + 1] = static_cast<std::uint8_t>(tail[i]);
    }
    return a;
}

std::string Ipv6Address::to_string() const {
    std::uint16_t w[8];
    for (int i = 0; i < 8; ++i) w[i] = static_cast<std::uint16_t>((bytes[2 * i] << 8) | bytes[2 * i + 1]);
    // RFC 5952 §4.2: compress the longest run of two or more zero words, the first one on a tie.
    int best = -1, best_len = 0;
    for (int i = 0; i < 8;) {
        if (w[i] != 0) { ++i; continue; }
        int j = i;
        while (j < 8 && w[j] == 0) ++j;
        if (j - i > best_len && j - i >= 2) { best = i; best_len = j - i; }
        i = j;
    }
    std::string out;
    char buf[8];
    for (int i = 0; i < 8; ++i) {
        if (i == best) {
            out += "::";
            i += best_len - 1;
            continue;
        }
        if (!out.empty() && out.back() != ':') out += ':';
        std::snprintf(buf, sizeof buf, "%x", w[i]);
        out += buf;
    }
    return out;
}

std::uint64_t Ipv6Address::bits(unsigned start, unsigned len) const {
    std::uint64_t v = 0;
    for (unsigned i = 0; i < len && start + i < 128; ++i) {
        unsigned b = start + i;
        v = (v << 1) | ((bytes[b / 8] >> (7 - b % 8)) & 1u);
    }
    return v;
}

void Ipv6Address::set_bits(unsigned start, unsigned len, std::uint64_t v) {
    for (unsigned i = 0; i < len; ++i) {
        unsigned b = start + i;
        if (b >= 128) break;
        unsigned bit = static_cast<unsigned>((v >> (len - 1 - i)) & 1u);
        auto mask = static_cast<std::uint8_t>(1u << (7 - b % 8));
        if (bit) bytes[b / 8] |= mask;
        else bytes[b / 8] &= static_cast<std::uint8_t>(~mask);
    }
}

Ipv6Prefix::Ipv6Prefix(const Ipv6Address& a, unsigned len) : address(a), length(static_cast<std::uint8_t>(len > 128 ? 128 : len)) {
    for (unsigned b = length; b < 128; ++b) address.bytes[b / 8] &= static_cast<std::uint8_t>(~(1u << (7 - b % 8)));
}

Result<Ipv6Prefix> Ipv6Prefix::parse(std::string_view text, bool allow_host_bits) {
    auto slash = text.find('/');
    auto addr = Ipv6Address::parse(text.substr(0, slash));
    if (!addr) return fail(addr.error());
    unsigned len = 128;
    if (slash != std::string_view::npos) {
        auto lt = text.substr(slash + 1);
        unsigned v = 0;
        auto [p, ec] = std::from_chars(lt.data(), lt.data() + lt.size(), v);
        if (lt.empty() || lt.size() > 3 || ec != std::errc{} || p != lt.data() + lt.size() || v > 128)
            return fail("invalid IPv6 prefix '" + std::string(text) + "': length must be 0..128");
        len = v;
    }
    Ipv6Prefix p(*addr, len);
    if (!allow_host_bits && p.address != *addr)
        return fail("invalid IPv6 prefix '" + std::string(text) + "': bits set past the prefix length");
    return p;
}

std::string Ipv6Prefix::to_string() const { return address.to_string() + '/' + std::to_string(length); }

bool Ipv6Prefix::contains(const Ipv6Address& a) const {
    unsigned full = length / 8, rem = length % 8;
    for (unsigned i = 0; i < full; ++i)
        if (a.bytes[i] != address.bytes[i]) return false;
    if (rem == 0) return true;
    auto mask = static_cast<std::uint8_t>(0xff << (8 - rem));
    return (a.bytes[full] & mask) == address.bytes[full];
}

}  // namespace s46::net
