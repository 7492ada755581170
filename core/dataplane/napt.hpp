// The NAPT44 the pipeline drives (RFC 3022; RFC 4787/5382/5508 behaviour is the
// implementation's business). The pipeline only needs these entry points, so it is written
// against this small interface and core/napt's engine plugs in through napt_adapter.hpp;
// tests use a fake.
//
// Every call works in place on one whole IPv4 datagram (exactly Total Length bytes, header
// checksum valid, never a non-first fragment: the pipeline reassembles first) and leaves every
// checksum it touches right.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "core/time.hpp"
#include "core/map/port_set.hpp"
#include "core/net/ipv4.hpp"
#include "core/result.hpp"

namespace s46::dataplane {

enum class NaptAction : std::uint8_t {
    translated,  // rewritten; forward it
    hairpin,     // outbound only: addressed to one of our own mappings, rewritten both ways
                 // (source = external endpoint, destination = the internal host): deliver to
                 // the LAN (RFC 4787 REQ-9, RFC 5382 REQ-8)
    dropped,
};

struct NaptVerdict {
    NaptAction action = NaptAction::dropped;
    std::uint8_t detail = 0;        // when dropped: the implementation's reason, see NaptSeam::detail_name()
    bool resource_refusal = false;  // no room for a new mapping: RFC 5508 REQ-8 asks for ICMP 3/13
};

// The external side (RFC 7596 §5.1, RFC 7597 §5.2): the address and the ports NAPT may use.
struct NaptBinding {
    net::Ipv4Address external;
    map::PortSet ports = map::PortSet::all();
    friend bool operator==(const NaptBinding&, const NaptBinding&) = default;
};

class NaptSeam {
public:
    virtual ~NaptSeam() = default;

    // Switches to a new external address / port set and drops every mapping and session: RFC
    // 7596 §5.1 MUST flush when the IPv4 address or PSID changes. Called from configure(),
    // where allocating is allowed. On error nothing changed. Returns the sessions dropped.
    virtual Result<std::size_t> rebind(const NaptBinding& binding) = 0;
    // Drops every mapping and session, keeping the binding (NAPT switched off by a new plan).
    virtual void flush() = 0;

    // LAN -> tunnel: source address and port (or ICMP identifier) onto the external endpoint.
    virtual NaptVerdict outbound(std::span<std::uint8_t> datagram, Time now) = 0;
    // Tunnel -> LAN: destination back to the internal endpoint; ICMP errors have their quoted
    // packet translated too (RFC 5508 REQ-4).
    virtual NaptVerdict inbound(std::span<std::uint8_t> datagram, Time now) = 0;
    // `quoted` is the start of a datagram this NAPT translated outbound, as quoted in an error
    // about it (header whole, data possibly cut short). Rewrites its source back to the internal
    // endpoint, with the quoted header checksum fixed, so the LAN host recognises the error.
    // False when no mapping matches. Must not create state.
    virtual bool restore_quoted(std::span<std::uint8_t> quoted, Time now) = 0;

    // Read-only hints for Pipeline::outbound_batch, which runs them a group or two ahead of the
    // packets (core/napt/napt_batch.hpp): they request the table lines each datagram's
    // outbound() will read, so that the cache misses of a batch overlap. They must not change
    // state; the datagrams are not validated yet. The defaults do nothing.
    // The mapping line each datagram's internal endpoint hashes to (its first read).
    virtual void prefetch_outbound_mappings(std::span<const std::span<std::uint8_t>> datagrams) const { (void)datagrams; }
    // Once those lines are in: the session line the mapping found there leads to (its second
    // read, whose address depends on the first).
    virtual void prefetch_outbound_sessions(std::span<const std::span<std::uint8_t>> datagrams) const { (void)datagrams; }

    // Periodic housekeeping on the caller's timer.
    virtual void expire(Time now) = 0;

    virtual std::size_t session_count() const = 0;
    // The name of a NaptVerdict::detail, for status output (e.g. "napt_port_exhausted").
    virtual std::string_view detail_name(std::uint8_t detail) const = 0;
};

}  // namespace s46::dataplane
