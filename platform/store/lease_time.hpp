// The store boundary for lease times. In memory a lease's obtained_at is seconds on the boot
// clock; the boot clock restarts at every boot, so the store also keeps the wall-clock time
// and enough context (boot_id, whether the wall clock was synchronised) to decide at restore
// how much of the lease is left. Pure: the clocks come in as a time::ClockReading.
//
// The trust rule (docs/time.md):
//   same boot        the boot clock never jumped: the stored boot-clock time is used as is,
//                    whatever the wall clock did meanwhile (an NTP step of a year changes nothing).
//   another boot     only the wall clock spans a reboot. It is believed only when it was
//   (or unknown)     synchronised both at save and now and has not gone backwards; otherwise
//                    the lease is dropped and the client Solicits afresh (RFC 8415 §18.2.1).
//   expired          a lease past its valid lifetime is gone (RFC 8415 §18.2.10.1, §21.4).
#pragma once

#include <optional>
#include <string>

#include "core/provision/lease.hpp"
#include "platform/time/clock.hpp"

namespace s46::store {

// A lease as the store keeps it. `lease.obtained_at` is wall-clock seconds.
struct StoredLease {
    provision::Lease lease;
    // Boot-clock seconds of obtained_at on the boot identified by boot_id. Absent in rows
    // written before schema version 2, which had only the wall clock.
    std::optional<s46::Seconds> obtained_at_boot;
    std::string boot_id;  // empty: unknown (unreadable at save, or a version-1 row)
    // Whether the wall clock was synchronised when the row was written; absent in
    // version-1 rows (docs/time.md: they are judged by the wall clock now).
    std::optional<bool> wall_synchronized;
    friend bool operator==(const StoredLease&, const StoredLease&) = default;
};

// What a restore decided. No lease: nothing to restore (found false), or a stored lease that
// cannot be trusted or has expired (found true, note says why; the caller clears it).
struct LeaseRestore {
    std::optional<provision::Lease> lease;  // obtained_at on the boot clock of `now`
    bool found = false;                     // a lease was stored, restored or not
    std::string note;                       // how it was trusted, or why it was dropped
};

// A boot-clock lease as stored at `now`.
StoredLease to_stored(const provision::Lease& boot_lease, const time::ClockReading& now);

// Whether `stored` can be trusted at `now`, and the lease back on the boot clock if so.
LeaseRestore from_stored(const StoredLease& stored, const time::ClockReading& now);

// Whether re-storing `boot_lease` at `now` would change what `stored` says; equal rows are
// not rewritten (flash wear). A wall-clock difference of up to a second is rounding and slew.
bool same_as_stored(const StoredLease& stored, const provision::Lease& boot_lease, const time::ClockReading& now);

}  // namespace s46::store
