#include "dhcp/client4o6/lease.hpp"

#include <chrono>

namespace s46::dhcp::client4o6 {

namespace {

std::string num(std::uint64_t v) { return std::to_string(v); }

Time at(Time base, std::uint32_t seconds) {
    if (seconds == kInfiniteLease) return kNever;
    return base + std::chrono::seconds(seconds);
}

}  // namespace

std::variant<LeaseTimes, std::string> apply_lease_times(std::uint32_t lease, std::optional<std::uint32_t> t1,
                                                        std::optional<std::uint32_t> t2) {
    if (lease == 0) return std::string("lease time 0");
    LeaseTimes out;
    out.lease = lease;
    // §4.4.5 defaults; an infinite lease is never renewed unless the server asks for it.
    const bool infinite = lease == kInfiniteLease;
    out.t1 = t1 ? *t1 : (infinite ? kInfiniteLease : static_cast<std::uint32_t>(lease / 2));
    out.t2 = t2 ? *t2 : (infinite ? kInfiniteLease : static_cast<std::uint32_t>(std::uint64_t{lease} * 7 / 8));
    // A server that sends only T1 beyond the default T2 leaves no sane schedule either: reject
    // rather than reorder, so what the engine uses is always what the server meant.
    if (out.t1 > out.t2)
        return "T1 " + num(out.t1) + (t1 ? "" : " (default)") + " > T2 " + num(out.t2) + (t2 ? "" : " (default)");
    if (out.t2 > out.lease) return "T2 " + num(out.t2) + " > lease time " + num(out.lease);
    return out;
}

std::variant<provision::PortParams, std::string> decode_port_params(std::span<const std::uint8_t> v) {
    if (v.size() != 4) return "option 159 length " + num(v.size()) + ", expected 4";
    const unsigned offset = v[0], k = v[1], wire = static_cast<unsigned>(v[2] << 8 | v[3]);
    if (offset > 15) return "option 159 offset " + num(offset) + " > 15";
    if (k > 16) return "option 159 PSID-len " + num(k) + " > 16";
    if (offset + k > 16) return "option 159 offset " + num(offset) + " + PSID-len " + num(k) + " > 16";
    // PSID-len 0: no PSID, the field is padding (RFC 7618 §4), so its bits are not read.
    if (k > 0 && k < 16 && (wire & ((1u << (16 - k)) - 1u)) != 0)
        return "option 159 PSID " + num(wire) + " has bits set past PSID-len " + num(k);
    provision::PortParams p;
    p.offset = static_cast<std::uint8_t>(offset);
    p.psid_len = static_cast<std::uint8_t>(k);
    p.psid = k == 0 ? 0 : static_cast<std::uint16_t>(wire >> (16 - k));
    return p;
}

LeaseTimers lease_timers(const Lease4& lease) {
    return LeaseTimers{at(lease.obtained_at, lease.times.t1), at(lease.obtained_at, lease.times.t2),
                       at(lease.obtained_at, lease.times.lease)};
}

}  // namespace s46::dhcp::client4o6
