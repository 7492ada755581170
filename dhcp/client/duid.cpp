#include "dhcp/client/duid.hpp"

namespace s46::dhcp::client {

namespace {

std::vector<std::uint8_t> with_type(std::uint16_t type) {
    return {static_cast<std::uint8_t>(type >> 8), static_cast<std::uint8_t>(type & 0xff)};
}

}  // namespace

std::vector<std::uint8_t> duid_ll(const std::array<std::uint8_t, 6>& mac) {
    auto d = with_type(3);
    d.push_back(0x00);  // hardware type 1: Ethernet (IANA ARP hardware types)
    d.push_back(0x01);
    d.insert(d.end(), mac.begin(), mac.end());
    return d;
}

std::vector<std::uint8_t> duid_en(std::uint32_t enterprise_number, std::span<const std::uint8_t> identifier) {
    auto d = with_type(2);
    for (int shift = 24; shift >= 0; shift -= 8) d.push_back(static_cast<std::uint8_t>(enterprise_number >> shift));
    d.insert(d.end(), identifier.begin(), identifier.end());
    return d;
}

std::vector<std::uint8_t> duid_uuid(const std::array<std::uint8_t, 16>& uuid) {
    auto d = with_type(4);
    d.insert(d.end(), uuid.begin(), uuid.end());
    return d;
}

}  // namespace s46::dhcp::client
