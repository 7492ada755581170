// The softwire DHCPv6 option codec: RFC 6334 (64), RFC 7598 (89-96), RFC 8026 (111),
// RFC 8539 (137), plus 23/88.
//
// Every option is framed (dhcp/option_framer.hpp), validated and read on its own, in one pass,
// so one bad option never costs the others; whatever is ignored lands in S46OptionSet::rejected
// with a reason that names the option and the field. The codec does not use libdhcp++; the fuzz
// target checks it against libdhcp++'s reading of the same options (fuzz/s46_kea_oracle.hpp).
// What is validated, the interpretations and every reason string: docs/dhcp-options.md.
//
// The encoders serialise exactly what they are given (no validation, so fixtures can build
// invalid inputs too) and return whole options: code, option-len, value. Containers and the
// whole set use one canonical order (see encode(const S46OptionSet&)).
#pragma once

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "core/net/ipv4.hpp"
#include "core/net/ipv6.hpp"
#include "core/provision/s46_options.hpp"

namespace s46::dhcp {

// `options`: the concatenated options of a DHCPv6 Reply (everything after msg-type and
// transaction-id), each code + option-len + value. Never throws on any input.
// Options other than 23, 64, 88, 89-96, 111 and 137 (IA_NA, IA_PD, client/server id, ...) are skipped
// without a rejection, unless the message ends in a truncated option (that is always reported).
provision::S46OptionSet decode_reply_options(std::span<const std::uint8_t> options);

// One option: code, option-len (value.size(), truncated to 16 bits), value.
std::vector<std::uint8_t> encode_option(std::uint16_t code, std::span<const std::uint8_t> value);

// 93. The PSID is right-aligned in the struct and written left-aligned; bits of `psid` at or
// above 2^psid_len are dropped (psid_len 0 writes 0x0000, like Kea's writePsid).
std::vector<std::uint8_t> encode(const provision::PortParams& params);

// 89. F is written as flags bit 0x01. `reserved_flag_bits` (flags & 0xFE) lets a fixture set the
// reserved bits a receiver must ignore (e.g. Kea's 0x80 test vector); the struct does not keep them.
std::vector<std::uint8_t> encode(const provision::Rule& rule, std::uint8_t reserved_flag_bits = 0);

// 92.
std::vector<std::uint8_t> encode(const provision::V4v6Bind& bind);

// 94: RULEs, then BRs, then the container-level PORTPARAMS.
std::vector<std::uint8_t> encode(const provision::MapEContainer& container);
// 95: RULEs, then the DMR.
std::vector<std::uint8_t> encode(const provision::MapTContainer& container);
// 96: the V4V6BIND, then BRs, then the container-level PORTPARAMS.
std::vector<std::uint8_t> encode(const provision::LwContainer& container);

// 90.
std::vector<std::uint8_t> encode_br(const net::Ipv6Address& br);
// 91: dmr-prefix6-len, then ceil(len/8) prefix octets.
std::vector<std::uint8_t> encode_dmr(const net::Ipv6Prefix& dmr);
// 64: one FQDN, dotted text with or without the trailing dot, as uncompressed DNS labels
// ending in the root label. Labels are written as given (a >63-octet label is not refused).
std::vector<std::uint8_t> encode_aftr_name(std::string_view fqdn);
// 111: the codes in preference order.
std::vector<std::uint8_t> encode_priority(std::span<const std::uint16_t> codes);
// 23.
std::vector<std::uint8_t> encode_dns_servers(std::span<const net::Ipv6Address> servers);
// 88: the 4o6 servers' addresses (none: the client multicasts, RFC 7341 §5).
std::vector<std::uint8_t> encode_dhcp4o6_server(std::span<const net::Ipv6Address> servers = {});

// 137: bindprefix6-len, then ceil(len/8) prefix octets (RFC 8539 §5.1).
std::vector<std::uint8_t> encode_bind_ipv6_prefix(const net::Ipv6Prefix& prefix);

// The whole set, in the order 23 (if any servers), 64, 88, every 94, every 95, every 96, 111, 137.
// `rejected` is not encoded. decode_reply_options(encode(s)) equals `s` for any decoded `s`
// (apart from `rejected`, which comes back empty).
std::vector<std::uint8_t> encode(const provision::S46OptionSet& set);

}  // namespace s46::dhcp
