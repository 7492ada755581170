#include "core/dataplane/icmp_error.hpp"

#include <algorithm>
#include <cstring>

#include "core/net/checksum.hpp"
#include "core/net/icmpv4_packet.hpp"
#include "core/net/ip_protocol.hpp"

namespace s46::dataplane {

namespace {

bool unicast_host(net::Ipv4Address a) {
    const std::uint32_t v = a.value;
    const std::uint8_t top = static_cast<std::uint8_t>(v >> 24);
    return top != 0 && top != 127 && top < 224;  // 0/8, 127/8, 224/4 multicast, 240/4 and broadcast
}

}  // namespace

bool may_send_icmp_error(net::ConstIpv4View quoted) {
    if (quoted.fragment_offset() != 0) return false;
    if (!unicast_host(quoted.src())) return false;
    const std::uint32_t dst = quoted.dst().value;
    if (dst == 0xffffffffu || (dst >> 28) == 0xe) return false;
    if (quoted.protocol() == net::ip_protocol::icmp) {
        auto body = quoted.payload();
        if (!body.empty()) {
            switch (body[0]) {
                case net::icmpv4_type::destination_unreachable:
                case net::icmpv4_type::source_quench:
                case net::icmpv4_type::redirect:
                case net::icmpv4_type::time_exceeded:
                case net::icmpv4_type::parameter_problem: return false;
                default: break;
            }
        }
    }
    return true;
}

std::span<std::uint8_t> build_icmp_error(std::span<std::uint8_t> out, net::Ipv4Address src, net::Ipv4Address dst,
                                         std::uint8_t type, std::uint8_t code, std::uint32_t rest,
                                         std::span<const std::uint8_t> quoted, std::uint16_t identification) {
    const std::size_t q = std::min(quoted.size(), kIcmpErrorMaxSize - 28);
    const std::size_t total = 28 + q;
    std::uint8_t* p = out.data();
    p[0] = 0x45;
    p[1] = 0xc0;  // precedence 6, internetwork control (RFC 1812 §4.3.2.5)
    net::store_be16(p + 2, static_cast<std::uint16_t>(total));
    net::store_be16(p + 4, identification);
    net::store_be16(p + 6, 0);
    p[8] = 64;
    p[9] = net::ip_protocol::icmp;
    net::store_be16(p + 10, 0);
    net::store_be32(p + 12, src.value);
    net::store_be32(p + 16, dst.value);
    net::store_be16(p + 10, net::internet_checksum(std::span<const std::uint8_t>(p, 20)));
    p[20] = type;
    p[21] = code;
    net::store_be16(p + 22, 0);
    net::store_be32(p + 24, rest);
    std::memcpy(p + 28, quoted.data(), q);
    net::store_be16(p + 22, net::internet_checksum(std::span<const std::uint8_t>(p + 20, 8 + q)));
    return out.first(total);
}

}  // namespace s46::dataplane
