// The encoders: a plain serialiser (no Kea), so that fixtures can write values libdhcp++'s own
// writers refuse (psid-len 17, ea-len 49, ...). tests/unit/dhcp checks it against the vectors
// byte for byte and against libdhcp++'s OptionCustom packing for valid values.
#include <algorithm>

#include "dhcp/s46_codec.hpp"

namespace s46::dhcp {

namespace {

using Bytes = std::vector<std::uint8_t>;

void put16(Bytes& b, std::uint16_t v) {
    b.push_back(static_cast<std::uint8_t>(v >> 8));
    b.push_back(static_cast<std::uint8_t>(v & 0xff));
}

void put32(Bytes& b, std::uint32_t v) {
    put16(b, static_cast<std::uint16_t>(v >> 16));
    put16(b, static_cast<std::uint16_t>(v & 0xffff));
}

void append(Bytes& b, const Bytes& more) { b.insert(b.end(), more.begin(), more.end()); }

// prefix-len, then ceil(len/8) octets of the (already canonical, zero-padded) prefix.
void put_prefix6(Bytes& b, const net::Ipv6Prefix& p) {
    b.push_back(p.length);
    std::size_t n = (p.length + 7u) / 8u;
    b.insert(b.end(), p.address.bytes.begin(), p.address.bytes.begin() + static_cast<std::ptrdiff_t>(n));
}

}  // namespace

std::vector<std::uint8_t> encode_option(std::uint16_t code, std::span<const std::uint8_t> value) {
    Bytes b;
    b.reserve(4 + value.size());
    put16(b, code);
    put16(b, static_cast<std::uint16_t>(value.size()));
    b.insert(b.end(), value.begin(), value.end());
    return b;
}

std::vector<std::uint8_t> encode(const provision::PortParams& pp) {
    Bytes v{pp.offset, pp.psid_len};
    std::uint16_t wire = 0;
    if (pp.psid_len > 0 && pp.psid_len <= 16) {
        std::uint32_t mask = (1u << pp.psid_len) - 1u;
        wire = static_cast<std::uint16_t>((pp.psid & mask) << (16 - pp.psid_len));
    } else if (pp.psid_len > 16) {
        wire = pp.psid;  // an invalid psid-len: write the field as given
    }
    put16(v, wire);
    return encode_option(provision::kOptionS46PortParams, v);
}

std::vector<std::uint8_t> encode(const provision::Rule& rule, std::uint8_t reserved_flag_bits) {
    Bytes v;
    v.push_back(static_cast<std::uint8_t>((reserved_flag_bits & 0xfe) | (rule.forwarding ? 1 : 0)));
    v.push_back(rule.ea_len);
    v.push_back(rule.ipv4_prefix.length);
    put32(v, rule.ipv4_prefix.address.value);
    put_prefix6(v, rule.ipv6_prefix);
    if (rule.port_params) append(v, encode(*rule.port_params));
    return encode_option(provision::kOptionS46Rule, v);
}

std::vector<std::uint8_t> encode(const provision::V4v6Bind& bind) {
    Bytes v;
    put32(v, bind.ipv4.value);
    put_prefix6(v, bind.bind_prefix);
    if (bind.port_params) append(v, encode(*bind.port_params));
    return encode_option(provision::kOptionS46V4v6Bind, v);
}

std::vector<std::uint8_t> encode_br(const net::Ipv6Address& br) {
    return encode_option(provision::kOptionS46Br, br.bytes);
}

std::vector<std::uint8_t> encode_dmr(const net::Ipv6Prefix& dmr) {
    Bytes v;
    put_prefix6(v, dmr);
    return encode_option(provision::kOptionS46Dmr, v);
}

std::vector<std::uint8_t> encode(const provision::MapEContainer& c) {
    Bytes v;
    for (const auto& r : c.rules) append(v, encode(r));
    for (const auto& br : c.brs) append(v, encode_br(br));
    if (c.port_params) append(v, encode(*c.port_params));
    return encode_option(provision::kOptionS46ContMapE, v);
}

std::vector<std::uint8_t> encode(const provision::MapTContainer& c) {
    Bytes v;
    for (const auto& r : c.rules) append(v, encode(r));
    append(v, encode_dmr(c.dmr));
    return encode_option(provision::kOptionS46ContMapT, v);
}

std::vector<std::uint8_t> encode(const provision::LwContainer& c) {
    Bytes v;
    if (c.bind) append(v, encode(*c.bind));
    for (const auto& br : c.brs) append(v, encode_br(br));
    if (c.port_params) append(v, encode(*c.port_params));
    return encode_option(provision::kOptionS46ContLw, v);
}

std::vector<std::uint8_t> encode_aftr_name(std::string_view fqdn) {
    if (!fqdn.empty() && fqdn.back() == '.') fqdn.remove_suffix(1);
    Bytes v;
    while (!fqdn.empty()) {
        std::size_t dot = std::min(fqdn.find('.'), fqdn.size());
        std::string_view label = fqdn.substr(0, dot);
        v.push_back(static_cast<std::uint8_t>(label.size()));
        v.insert(v.end(), label.begin(), label.end());
        fqdn.remove_prefix(dot == fqdn.size() ? dot : dot + 1);
    }
    v.push_back(0);
    return encode_option(provision::kOptionAftrName, v);
}

std::vector<std::uint8_t> encode_priority(std::span<const std::uint16_t> codes) {
    Bytes v;
    for (std::uint16_t c : codes) put16(v, c);
    return encode_option(provision::kOptionS46Priority, v);
}

namespace {
Bytes address_list(std::span<const net::Ipv6Address> addresses) {
    Bytes v;
    for (const auto& a : addresses) v.insert(v.end(), a.bytes.begin(), a.bytes.end());
    return v;
}
}  // namespace

std::vector<std::uint8_t> encode_dns_servers(std::span<const net::Ipv6Address> servers) {
    return encode_option(provision::kOptionDnsServers, address_list(servers));
}

std::vector<std::uint8_t> encode_dhcp4o6_server(std::span<const net::Ipv6Address> servers) {
    return encode_option(provision::kOptionDhcp4o6Server, address_list(servers));
}

std::vector<std::uint8_t> encode_bind_ipv6_prefix(const net::Ipv6Prefix& prefix) {
    Bytes v;
    put_prefix6(v, prefix);
    return encode_option(provision::kOptionS46BindIpv6Prefix, v);
}

std::vector<std::uint8_t> encode(const provision::S46OptionSet& set) {
    Bytes b;
    if (!set.dns_servers.empty()) append(b, encode_dns_servers(set.dns_servers));
    if (set.aftr_name) append(b, encode_aftr_name(*set.aftr_name));
    if (set.dhcp4o6_servers) append(b, encode_dhcp4o6_server(*set.dhcp4o6_servers));
    for (const auto& c : set.mape) append(b, encode(c));
    for (const auto& c : set.mapt) append(b, encode(c));
    for (const auto& c : set.lw) append(b, encode(c));
    if (set.priority) append(b, encode_priority(*set.priority));
    if (set.bind_ipv6_prefix) append(b, encode_bind_ipv6_prefix(*set.bind_ipv6_prefix));
    return b;
}

}  // namespace s46::dhcp
