#include "dhcp/port_params.hpp"

#include <cstdio>

namespace s46::dhcp {

namespace {

std::string num(unsigned v) { return std::to_string(v); }

std::string hex16(unsigned v) {
    char b[8];
    std::snprintf(b, sizeof b, "0x%04x", v & 0xffffu);
    return b;
}

}  // namespace

std::variant<provision::PortParams, std::string> decode_port_params(std::span<const std::uint8_t> v,
                                                                    std::string_view name) {
    const std::string n(name);
    if (v.size() != 4) return n + " option-len " + std::to_string(v.size()) + " != 4";
    const unsigned offset = v[0], k = v[1], psid = static_cast<unsigned>(v[2] << 8 | v[3]);
    if (offset > 15) return n + " offset " + num(offset) + " > 15";
    if (k > 16) return n + " psid-len " + num(k) + " > 16";
    if (offset + k > 16) return n + " offset " + num(offset) + " + psid-len " + num(k) + " > 16";
    if (k > 0 && k < 16 && (psid & ((1u << (16 - k)) - 1u)) != 0)
        return n + " PSID " + hex16(psid) + " has bits set past psid-len " + num(k);
    provision::PortParams p;
    p.offset = static_cast<std::uint8_t>(offset);
    p.psid_len = static_cast<std::uint8_t>(k);
    p.psid = static_cast<std::uint16_t>(k == 0 ? 0u : psid >> (16 - k));
    return p;
}

}  // namespace s46::dhcp
