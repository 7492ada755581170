// Pipeline's configuration as the packet path reads it: everything derived from one Plan, built
// in configure() and swapped in whole. Private to the pipeline_*.cpp files.
#pragma once

#include <optional>
#include <vector>

#include "core/dataplane/fmr_rules.hpp"
#include "core/dataplane/forwarder.hpp"
#include "core/dataplane/pipeline.hpp"
#include "core/dataplane/tunnel.hpp"
#include "core/map/port_set.hpp"
#include "core/map/rule.hpp"
#include "core/net/ipv4.hpp"
#include "core/select/mode.hpp"

namespace s46::dataplane {

struct Pipeline::State {
    select::Mode mode = select::Mode::none;
    bool napt = false;
    Ipv4InIpv6Tunnel tunnel;
    PlanForwarder forwarder;
    bool uses_ports = false;                     // forwarder.uses_ports(), read once
    std::optional<net::Ipv6Address> remote;      // AFTR, lwAFTR or BR
    net::Ipv4Prefix ipv4;                        // the binding's address (/32) or prefix
    map::PortSet ports = map::PortSet::all();    // the binding's port set
    std::optional<net::Ipv4Prefix> lan_prefix;   // GI-4over6
    PacketPathRules source_rules;                // MAP-E: the FMRs for RFC 7597 §8.1
    std::uint16_t tunnel_mtu = 1460;
    net::Ipv4Address icmp_source;
    bool legacy_iid = false;
};

}  // namespace s46::dataplane
