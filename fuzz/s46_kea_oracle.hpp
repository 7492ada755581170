// libdhcp++'s reading of the softwire options, as an oracle for dhcp::decode_reply_options.
//
// The product decoder (dhcp/s46_decode.cpp) frames, validates and reads every option itself.
// Kea 2.2 reads the same options through its option definitions (the container option spaces,
// OptionCustom::read*, Option6AddrLst); this oracle runs that reading on each option the product
// accepted and says where the two disagree. A disagreement means a check or a conversion is
// wrong on one side: reply_decode_fuzz aborts on it.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>

namespace s46::fuzz {

// `tlv`: one whole top-level DHCPv6 option (code, option-len, value) that
// dhcp::decode_reply_options accepts on its own (no rejection). Returns nullopt when libdhcp++
// reads the same values, otherwise what differs (or what libdhcp++ threw). Options libdhcp++
// is not asked about (64, unknown codes) always agree.
std::optional<std::string> kea_disagreement(std::span<const std::uint8_t> tlv);

}  // namespace s46::fuzz
