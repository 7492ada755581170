// External provisioning from OpenWrt's odhcp6c: its script environment (src/script.c) turned
// into the wire options s46d decodes, so the same codec validates them as a DHCPv6 Reply.
//   AFTR="aftr.example.com"                   (RFC 6334 name, dn_expand'ed)
//   MAPE/MAPT/LW4O6="[fmr,]type=..,ealen=..,prefix4len=..,prefix6len=..,ipv4prefix=..,ipv6prefix=..,
//                   [offset=..,psidlen=..,psid=..,]br=..,[br=..,] ..."   (one entry per rule, space-separated)
//   PREFIXES="2001:db8:12:3400::/56,preferred,valid[,t1,t2][,class=..][,excluded=..] ..."
//   ADDRESSES="2001:db8::100/128,preferred,valid[,t1,t2] ..."
//   RDNSS="2001:db8::53 ..."                  (option 23)
//   OPTION_111="005e0060..."                  (passthrough of requested custom options, hex)
// odhcp6c prints the PSID as the raw left-aligned 16-bit field (psid=13312 for 0x34/8).
// odhcp6c merges all containers of one kind into one list, so each kind becomes one container.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/provision/lease.hpp"
#include "core/result.hpp"

namespace s46::ctl {

// What `s46ctl provision` sends to s46d: a lease-shaped view of an external client's state.
struct ExternalProvisioning {
    std::vector<std::uint8_t> options;             // wire options (code, len, value)...
    std::vector<provision::LeasedPrefix> prefixes;
    std::vector<provision::LeasedAddress> addresses;
};

using EnvLookup = std::function<std::optional<std::string>(const std::string& name)>;

// Errors name the variable, the entry and the field.
Result<ExternalProvisioning> from_odhcp6c_env(const EnvLookup& env);

}  // namespace s46::ctl
