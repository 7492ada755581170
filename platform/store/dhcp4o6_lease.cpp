#include "platform/store/dhcp4o6_lease.hpp"

#include <utility>

#include "platform/store/lease_time.hpp"

namespace s46::store {
namespace {

// The trust rule lives once, in lease_time: it is applied to a DHCPv6-shaped lease whose only
// lifetime is the DHCPv4 lease time, which is exactly what the rule needs (when, and for how long).
provision::Lease time_carrier(s46::Seconds obtained_at, std::uint32_t lease_time) {
    provision::Lease l;
    l.obtained_at = obtained_at;
    l.addresses.push_back({net::Ipv6Address{}, lease_time, lease_time});
    return l;
}

}  // namespace

StoredDhcp4o6Lease to_stored(const Dhcp4o6Lease& boot_lease, const time::ClockReading& now) {
    const StoredLease carrier = to_stored(time_carrier(boot_lease.obtained_at, boot_lease.lease_time), now);
    StoredDhcp4o6Lease s;
    s.lease = boot_lease;
    s.lease.obtained_at = carrier.lease.obtained_at;
    s.obtained_at_boot = boot_lease.obtained_at;
    s.boot_id = now.boot_id;
    s.wall_synchronized = now.wall_synchronized;
    return s;
}

Dhcp4o6LeaseRestore from_stored(const StoredDhcp4o6Lease& stored, const time::ClockReading& now) {
    StoredLease carrier;
    carrier.lease = time_carrier(stored.lease.obtained_at, stored.lease.lease_time);
    carrier.obtained_at_boot = stored.obtained_at_boot;
    carrier.boot_id = stored.boot_id;
    carrier.wall_synchronized = stored.wall_synchronized;
    LeaseRestore r = from_stored(carrier, now);
    Dhcp4o6LeaseRestore out{std::nullopt, true, std::move(r.note)};
    if (r.lease) {
        out.lease = stored.lease;
        out.lease->obtained_at = r.lease->obtained_at;
    }
    return out;
}

}  // namespace s46::store
