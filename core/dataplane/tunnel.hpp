// The softwire: IPv4-in-IPv6 encapsulation (RFC 2473) toward a per-packet remote endpoint.
//
// Outer header (RFC 2473 §6): source = the tunnel entry address (B4, lwB4 /128 or MAP address),
// destination = the exit point chosen per packet (AFTR, lwAFTR, BR, or a peer CE under an FMR),
// next header 4, hop limit set on its own (§6.3, default 64: the tunnel is one virtual hop),
// traffic class = the inner TOS (RFC 6333 §7.1 MUST for DS-Lite and, through RFC 7596 §5.2, for
// lw4o6; RFC 6040 §4.1 normal mode copies ECN), flow label 0 (§6.5). A Tunnel Encapsulation
// Limit (§4.1.1) is only sent when configured: several AFTR/BR implementations mishandle the
// extra 8 bytes and RFC 6333/7596/7597 do not ask for it (docs/dataplane.md, "Choices and
// deviations"), and it eats into the tunnel MTU.
//
// The userspace backend never calls encapsulate(): its raw IPPROTO_IPIP socket has the kernel
// build the header (docs/dataplane.md, "Notes for the platform backend"). The in-process paths (benchmarks, tests, a future
// AF_PACKET/AF_XDP backend) do.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "core/dataplane/drop_reason.hpp"
#include "core/net/ipv6.hpp"
#include "core/verdict.hpp"

namespace s46::dataplane {

struct TunnelParams {
    net::Ipv6Address local;                              // entry point: the outer source
    std::uint8_t hop_limit = 64;                         // RFC 2473 §6.3
    std::optional<std::uint8_t> encapsulation_limit;     // RFC 2473 §4.1.1; unset: no option
    friend bool operator==(const TunnelParams&, const TunnelParams&) = default;
};

// A decapsulated tunnel packet: the outer fields the pipeline needs and the inner IPv4 bytes.
struct Decapsulation {
    // Every refusal is bad_outer (RFC 2473 §3, §4): not IPv4-in-IPv6 to our tunnel address.
    Verdict<DropReason> verdict = Verdict<DropReason>::drop(DropReason::bad_outer);
    net::Ipv6Address src;
    net::Ipv6Address dst;
    std::uint8_t traffic_class = 0;
    std::span<std::uint8_t> inner;  // everything after the IPv6 (and Destination Options) header
};

class Tunnel {
public:
    virtual ~Tunnel() = default;

    virtual const net::Ipv6Address& local() const = 0;
    // Bytes added in front of the inner packet: 40, or 48 with the encapsulation limit option.
    virtual std::size_t overhead() const = 0;
    // Writes header(s) + inner into `out`. Returns the packet size, or 0 when `out` is too small
    // or the payload would exceed 65535 bytes (RFC 8200 §3; jumbograms are not used).
    virtual std::size_t encapsulate(const net::Ipv6Address& remote, std::uint8_t traffic_class,
                                    std::span<const std::uint8_t> inner, std::span<std::uint8_t> out) const = 0;
    // Parses a whole (reassembled) IPv6 packet addressed to local(): next header 4, possibly
    // after one Destination Options header whose options are all skippable (RFC 8200 §4.2).
    virtual Decapsulation decapsulate(std::span<std::uint8_t> packet) const = 0;
};

class Ipv4InIpv6Tunnel final : public Tunnel {
public:
    explicit Ipv4InIpv6Tunnel(const TunnelParams& params = {}) : params_(params) {}

    const TunnelParams& params() const { return params_; }
    const net::Ipv6Address& local() const override { return params_.local; }
    std::size_t overhead() const override { return params_.encapsulation_limit ? 48 : 40; }
    std::size_t encapsulate(const net::Ipv6Address& remote, std::uint8_t traffic_class, std::span<const std::uint8_t> inner,
                            std::span<std::uint8_t> out) const override;
    Decapsulation decapsulate(std::span<std::uint8_t> packet) const override;

private:
    TunnelParams params_;
};

}  // namespace s46::dataplane
