#include "core/dataplane/napt_adapter.hpp"

#include "core/napt/protocol.hpp"
#include "core/napt/rewrite.hpp"
#include "core/net/icmpv4_packet.hpp"
#include "core/net/ipv4_packet.hpp"

namespace s46::dataplane {

namespace {

NaptVerdict dropped(napt::DropReason r) {
    return NaptVerdict{NaptAction::dropped, static_cast<std::uint8_t>(r), napt::is_resource_refusal(r)};
}

}  // namespace

Result<PortSetNapt> PortSetNapt::create(const napt::Config& config) {
    auto engine = napt::Napt::create(config);
    if (!engine) return fail(engine.error());
    return PortSetNapt(std::move(*engine));
}

Result<std::size_t> PortSetNapt::rebind(const NaptBinding& binding) { return engine_.replan(binding.external, binding.ports); }

NaptVerdict PortSetNapt::outbound(std::span<std::uint8_t> datagram, Time now) {
    const auto o = engine_.translate_outbound(datagram, now);
    switch (o.action()) {
        case napt::Action::forward: return NaptVerdict{NaptAction::translated};
        case napt::Action::drop: return dropped(*o.reason());
        case napt::Action::hairpin: break;
    }
    // RFC 4787 REQ-9a: now addressed from our external endpoint to another host's mapping.
    const auto back = engine_.translate_inbound(datagram, now);
    if (!back.ok()) return dropped(*back.reason());
    return NaptVerdict{NaptAction::hairpin};
}

NaptVerdict PortSetNapt::inbound(std::span<std::uint8_t> datagram, Time now) {
    const auto o = engine_.translate_inbound(datagram, now);
    return o.ok() ? NaptVerdict{NaptAction::translated} : dropped(*o.reason());
}

bool PortSetNapt::restore_quoted(std::span<std::uint8_t> quoted, Time now) {
    auto ip = net::Ipv4View::parse_embedded(quoted);
    if (!ip || ip->fragment_offset() != 0) return false;
    const auto proto = napt::protocol_from_ip(ip->protocol());
    if (!proto) return false;
    std::span<std::uint8_t> l4 = ip->payload();
    if (l4.size() < 8) return false;  // RFC 792: the quote holds at least 64 bits of data
    if (*proto == napt::Protocol::icmp && l4[0] != net::icmpv4_type::echo_request) return false;
    if (ip->src() != engine_.config().external) return false;
    const std::size_t port_at = *proto == napt::Protocol::icmp ? napt::rewrite::icmp_identifier : napt::rewrite::src_port;
    const std::uint16_t external_port = net::load_be16(&l4[port_at]);
    const auto m = engine_.find_mapping_by_external(*proto, external_port, now);
    if (!m) return false;

    // The pipeline computes the enclosing error's checksum once the quote is final.
    napt::rewrite::quoted_endpoint(*ip, *proto, napt::rewrite::ipv4_src, port_at, m->internal_address.value, m->internal_port, 0);
    return true;
}

void PortSetNapt::expire(Time now) { engine_.expire(now, engine_.session_slots() / 16 + 1); }

std::string_view PortSetNapt::detail_name(std::uint8_t detail) const {
    return napt::to_string(static_cast<napt::DropReason>(detail));
}

}  // namespace s46::dataplane
