// The MAP rules the packet path uses, prepared once in configure().
//
// core/map's forwarding and source-check functions return Result<> and may attach explanatory
// notes; both allocate, and only for rule shapes that are fixed per rule. Preparing the rules
// here keeps every per-packet call on the non-allocating branch:
//  * an explicit PSID on a rule that yields an IPv4 prefix (o + r < 32) is dropped: RFC 7598
//    §4.5 discards it anyway, and core/map would only attach a note saying so;
//  * a rule whose offset leaves no room for its PSID (a + k > 16) can address no CE: it is left
//    out and configure() reports it, instead of failing on every packet.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/map/rule.hpp"
#include "core/map/source_check.hpp"
#include "core/net/ipv4.hpp"
#include "core/net/ipv6.hpp"

namespace s46::dataplane {

// MAP-E: RFC 7597 §5.1 default offset for rules without PORTPARAMS.
inline constexpr std::uint8_t kDefaultPsidOffset = map::kMapEDefaultPsidOffset;

// MAP rules ready for the packet path, in their given order. Only prepare() fills one, and it
// keeps only rules that passed the checks above, so every per-packet call below stays on
// core/map's non-allocating branch by construction.
class PacketPathRules {
public:
    PacketPathRules() = default;
    // Every usable rule of `rules`, in order; one note per rule left out.
    static PacketPathRules prepare(std::span<const map::Rule> rules, std::vector<std::string>& notes);

    // The prepared rules `picks` name, by their index in this table, in that order (the
    // forwarder groups the rules by IPv4 prefix).
    PacketPathRules pick(std::span<const std::size_t> picks) const;

    std::span<const map::Rule> rules() const { return rules_; }
    std::size_t size() const { return rules_.size(); }
    bool empty() const { return rules_.empty(); }

    // The MAP IPv6 address of the CE that owns dst:port under rules()[i] (RFC 7597 §5.3,
    // map::ce_address), laid out as draft-03 when `legacy_iid` (Plan::legacy_iid: the whole
    // domain uses that layout).
    std::optional<net::Ipv6Address> peer_ce_address(std::size_t i, net::Ipv4Address dst, std::uint16_t port,
                                                    bool legacy_iid) const;

    // RFC 7597 §8.1 (map::check_source) for a decapsulated packet from `outer_src`; full_address
    // compares with the address in the domain's IID layout.
    bool peer_source_valid(const net::Ipv6Address& br, const net::Ipv6Address& outer_src, net::Ipv4Address inner_src,
                           std::uint16_t inner_port, map::SourceCheckMode mode, bool legacy_iid) const;

    // Which of the given rules prepare() kept: the index in this table of each, or nullopt.
    // Only for building the forwarder; the order of `rules` is what prepare() was given.
    const std::vector<std::optional<std::size_t>>& kept() const { return kept_; }

private:
    std::vector<map::Rule> rules_;
    std::vector<std::optional<std::size_t>> kept_;
};

}  // namespace s46::dataplane
