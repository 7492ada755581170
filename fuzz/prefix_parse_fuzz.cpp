// Fuzz target: the IPv4/IPv6 address and prefix parsers (core/net/ipv4.hpp, ipv6.hpp).
//
// For every input the parsers accept:
//  * round trip: parse(to_string(x)) succeeds and equals x;
//  * to_string is canonical: a fixed point of parse/to_string; an IPv4 address is
//    plain dotted decimal, so the accepted text must already be it; an IPv6 address
//    follows every rule of RFC 5952 §4, checked here independently of the formatter;
//  * a prefix has no bits set past its length, and the lenient parse
//    (allow_host_bits) agrees with the strict one whenever the strict one accepts.
#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/net/ipv4.hpp"
#include "core/net/ipv6.hpp"
#include "fuzz/fuzz_check.hpp"

using namespace s46::net;

namespace {

bool is_lower_hex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }

// Dotted decimal, four octets 0..255, no leading zeros.
bool canonical_ipv4_text(std::string_view s, std::uint32_t value) {
    std::uint32_t v = 0;
    int octets = 0;
    std::size_t pos = 0;
    while (true) {
        std::size_t dot = s.find('.', pos);
        std::string_view part = s.substr(pos, dot == std::string_view::npos ? std::string_view::npos : dot - pos);
        if (part.empty() || part.size() > 3 || (part.size() > 1 && part[0] == '0')) return false;
        unsigned o = 0;
        for (char c : part) {
            if (c < '0' || c > '9') return false;
            o = o * 10 + static_cast<unsigned>(c - '0');
        }
        if (o > 255) return false;
        v = (v << 8) | o;
        ++octets;
        if (dot == std::string_view::npos) break;
        pos = dot + 1;
    }
    return octets == 4 && v == value;
}

// Parses `part` (no "::") into lower-case, leading-zero-free hex groups.
bool canonical_groups(std::string_view part, std::array<std::uint16_t, 8>& out, int& n) {
    if (part.empty()) return true;
    std::size_t pos = 0;
    while (true) {
        std::size_t colon = part.find(':', pos);
        std::string_view g = part.substr(pos, colon == std::string_view::npos ? std::string_view::npos : colon - pos);
        if (g.empty() || g.size() > 4 || (g.size() > 1 && g[0] == '0') || n >= 8) return false;
        unsigned w = 0;
        for (char c : g) {
            if (!is_lower_hex(c)) return false;
            w = (w << 4) | static_cast<unsigned>(c <= '9' ? c - '0' : c - 'a' + 10);
        }
        out[static_cast<std::size_t>(n++)] = static_cast<std::uint16_t>(w);
        if (colon == std::string_view::npos) return true;
        pos = colon + 1;
    }
}

// RFC 5952 §4: lower case (§4.3), no leading zeros (§4.1), "::" replaces the longest
// run of two or more zero groups (§4.2.1-4.2.2), the first such run on a tie (§4.2.3),
// and the text denotes `a`.
bool canonical_ipv6_text(std::string_view s, const Ipv6Address& a) {
    std::array<std::uint16_t, 8> words{};
    for (int i = 0; i < 8; ++i)
        words[static_cast<std::size_t>(i)] = static_cast<std::uint16_t>((a.bytes[2 * i] << 8) | a.bytes[2 * i + 1]);

    std::array<std::uint16_t, 8> head{}, tail{};
    int nh = 0, nt = 0;
    std::size_t dc = s.find("::");
    bool compressed = dc != std::string_view::npos;
    if (compressed) {
        if (s.find("::", dc + 1) != std::string_view::npos) return false;
        if (!canonical_groups(s.substr(0, dc), head, nh) || !canonical_groups(s.substr(dc + 2), tail, nt)) return false;
    } else if (!canonical_groups(s, head, nh) || nh != 8) {
        return false;
    }
    int elided = 8 - nh - nt;
    if (compressed && elided < 2) return false;
    std::array<std::uint16_t, 8> rebuilt{};
    for (int i = 0; i < nh; ++i) rebuilt[static_cast<std::size_t>(i)] = head[static_cast<std::size_t>(i)];
    for (int i = 0; i < nt; ++i) rebuilt[static_cast<std::size_t>(8 - nt + i)] = tail[static_cast<std::size_t>(i)];
    if (rebuilt != words) return false;

    // Zero runs written out explicitly must all be shorter than the elided run (or
    // equally long and after it); with no "::" there may be no run of two or more.
    int i = 0;
    while (i < 8) {
        if (compressed && i == nh) {
            i += elided;
            continue;
        }
        if (words[static_cast<std::size_t>(i)] != 0) {
            ++i;
            continue;
        }
        int j = i;
        while (j < 8 && words[static_cast<std::size_t>(j)] == 0 && !(compressed && j == nh)) ++j;
        int run = j - i;
        if (compressed && (j == nh || i == nh + elided)) return false;  // touches the "::": not maximal
        if (!compressed && run >= 2) return false;
        if (compressed && (run > elided || (run == elided && i < nh))) return false;
        i = j;
    }
    return true;
}

bool ipv6_host_bits_zero(const Ipv6Prefix& p) {
    for (unsigned b = p.length; b < 128; ++b)
        if (p.address.bits(b, 1) != 0) return false;
    return true;
}

void check_ipv4(std::string_view text) {
    auto a = Ipv4Address::parse(text);
    if (a) {
        std::string s = a->to_string();
        S46_FUZZ_CHECK(s == text);  // the parser accepts nothing but canonical dotted decimal
        S46_FUZZ_CHECK(canonical_ipv4_text(s, a->value));
        auto again = Ipv4Address::parse(s);
        S46_FUZZ_CHECK(again && *again == *a);
    }
    for (bool lenient : {false, true}) {
        auto p = Ipv4Prefix::parse(text, lenient);
        if (!p) continue;
        S46_FUZZ_CHECK(p->length <= 32);
        S46_FUZZ_CHECK((p->address.value & ~ipv4_mask(p->length)) == 0);
        std::string s = p->to_string();
        auto slash = s.find('/');
        S46_FUZZ_CHECK(slash != std::string::npos && canonical_ipv4_text(s.substr(0, slash), p->address.value));
        S46_FUZZ_CHECK(s.substr(slash + 1) == std::to_string(p->length));
        auto again = Ipv4Prefix::parse(s);
        S46_FUZZ_CHECK(again && *again == *p && again->to_string() == s);
        if (!lenient) {
            auto loose = Ipv4Prefix::parse(text, true);
            S46_FUZZ_CHECK(loose && *loose == *p);
        }
    }
}

void check_ipv6(std::string_view text) {
    auto a = Ipv6Address::parse(text);
    if (a) {
        std::string s = a->to_string();
        S46_FUZZ_CHECK(canonical_ipv6_text(s, *a));
        auto again = Ipv6Address::parse(s);
        S46_FUZZ_CHECK(again && *again == *a && again->to_string() == s);
    }
    for (bool lenient : {false, true}) {
        auto p = Ipv6Prefix::parse(text, lenient);
        if (!p) continue;
        S46_FUZZ_CHECK(p->length <= 128);
        S46_FUZZ_CHECK(ipv6_host_bits_zero(*p));
        std::string s = p->to_string();
        auto slash = s.find('/');
        S46_FUZZ_CHECK(slash != std::string::npos && canonical_ipv6_text(s.substr(0, slash), p->address));
        S46_FUZZ_CHECK(s.substr(slash + 1) == std::to_string(p->length));
        auto again = Ipv6Prefix::parse(s);
        S46_FUZZ_CHECK(again && *again == *p && again->to_string() == s);
        if (!lenient) {
            auto loose = Ipv6Prefix::parse(text, true);
            S46_FUZZ_CHECK(loose && *loose == *p);
        }
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view text(reinterpret_cast<const char*>(data), size);
    check_ipv4(text);
    check_ipv6(text);
    return 0;
}
