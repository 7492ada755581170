// The DHCPv4-over-DHCPv6 lease s46d keeps next to the DHCPv6 lease (RFC 7341, RFC 8539): what
// the lw4o6 plan is built from when the binding comes from DHCP 4o6 (RFC 7596 §5.1). Stored so a
// restart with silent servers brings the mode back, under the same time trust rule as the
// DHCPv6 lease (lease_time.hpp, docs/time.md).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "core/net/ipv4.hpp"
#include "core/provision/dhcp4o6_binding.hpp"
#include "core/time.hpp"
#include "platform/time/clock.hpp"

namespace s46::store {

// `obtained_at` is boot-clock seconds in memory (like provision::Lease) and wall-clock seconds
// in a StoredDhcp4o6Lease. lease_time 0xffffffff is infinite (RFC 2131 §3.3).
struct Dhcp4o6Lease {
    provision::Dhcp4o6Binding binding;
    net::Ipv4Address server_id;  // option 54
    std::uint32_t lease_time = 0;
    std::uint32_t t1 = 0;
    std::uint32_t t2 = 0;
    s46::Seconds obtained_at = 0;
    friend bool operator==(const Dhcp4o6Lease&, const Dhcp4o6Lease&) = default;
};

struct StoredDhcp4o6Lease {
    Dhcp4o6Lease lease;  // obtained_at: wall-clock seconds
    s46::Seconds obtained_at_boot = 0;
    std::string boot_id;
    bool wall_synchronized = false;
    friend bool operator==(const StoredDhcp4o6Lease&, const StoredDhcp4o6Lease&) = default;
};

// What a restore decided; as LeaseRestore: no lease with found true means "stored but not
// trusted or expired", and `note` says why.
struct Dhcp4o6LeaseRestore {
    std::optional<Dhcp4o6Lease> lease;  // obtained_at on the boot clock of `now`
    bool found = false;
    std::string note;
};

StoredDhcp4o6Lease to_stored(const Dhcp4o6Lease& boot_lease, const time::ClockReading& now);
Dhcp4o6LeaseRestore from_stored(const StoredDhcp4o6Lease& stored, const time::ClockReading& now);

}  // namespace s46::store
