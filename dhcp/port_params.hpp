// The port-set layout that OPTION_S46_PORTPARAMS (93, RFC 7598 §4.5) and OPTION_V4_PORTPARAMS
// (159, RFC 7618 §4) share: offset (1 octet), PSID-len (1 octet), PSID (16 bits, left-aligned).
// One decoder for both, so the softwire codec and the DHCPv4-over-DHCPv6 client accept and
// refuse exactly the same port sets with the same words. No Kea.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <variant>

#include "core/provision/s46_options.hpp"

namespace s46::dhcp {

// `value` (the option value, without code and length) -> offset / PSID-len / PSID (right-aligned),
// or a text naming what is wrong, starting with `name` (how the caller calls the option:
// "OPTION_S46_CONT_LW/OPTION_S46_PORTPARAMS", "option 159"). Refused: a value other than
// 4 octets; offset > 15, PSID-len > 16 or offset + PSID-len > 16 (RFC 7598 §4.5, RFC 7597 §5.1);
// PSID bits set past PSID-len (left-aligned, RFC 7598 §4.5, RFC 7618 §4). PSID-len 0: the PSID
// field is padding and its bits are not read (Kea does the same).
std::variant<provision::PortParams, std::string> decode_port_params(std::span<const std::uint8_t> value,
                                                                    std::string_view name);

}  // namespace s46::dhcp
