#include <string>
#include <variant>

#include "dhcp/client4o6/client.hpp"
#include "dhcp/client4o6/envelope.hpp"

// Judging a received datagram: envelope (RFC 7341 §6), message (RFC 2131 §4.3 Table 3), then
// what the current state waits for (RFC 2131 §4.4). Every early return names a Reject.

namespace s46::dhcp::client4o6 {

namespace {

std::string text(std::uint8_t type) {
    if (type >= 1 && type <= 8) return std::string(to_string(static_cast<MessageType>(type)));
    return "message type " + std::to_string(type);
}

}  // namespace

Disposition Client::receive(std::span<const std::uint8_t> datagram, Time now) {
    on_timer(now);  // a reply that arrives after T2 or expiry is judged in the state it finds

    auto unwrapped = unwrap_response(datagram);
    if (auto* r = std::get_if<Rejection>(&unwrapped)) return ignore(r->reason, std::move(r->detail));
    auto parsed = parse_server_message(std::get<std::vector<std::uint8_t>>(unwrapped));
    if (auto* r = std::get_if<Rejection>(&parsed)) return ignore(r->reason, std::move(r->detail));
    const ServerMessage& m = std::get<ServerMessage>(parsed);

    if (m.op != 2) return ignore(Reject::wrong_op, "op " + std::to_string(m.op) + ", expected BOOTREPLY (2)");
    if (!exchange_ || exchange_->transmissions == 0)
        return ignore(Reject::no_exchange, "nothing outstanding in " + std::string(to_string(state_)));
    if (m.xid != exchange_->message.xid)
        return ignore(Reject::wrong_transaction_id, "xid " + std::to_string(m.xid) + ", expected " +
                                                      std::to_string(exchange_->message.xid));
    if (!m.type) return ignore(Reject::missing_message_type, "no option 53");
    const std::uint8_t type = *m.type;
    const bool selecting = state_ == State::selecting;
    const bool expected = selecting ? type == static_cast<std::uint8_t>(MessageType::offer)
                                    : type == static_cast<std::uint8_t>(MessageType::ack) ||
                                          type == static_cast<std::uint8_t>(MessageType::nak);
    if (!expected)
        return ignore(Reject::unexpected_message_type, text(type) + " in " + std::string(to_string(state_)));
    // Table 3: OFFER, ACK and NAK all carry the server identifier.
    if (!m.server_id) return ignore(Reject::missing_server_id, text(type) + " without option 54");

    if (type == static_cast<std::uint8_t>(MessageType::nak)) return on_nak(m, now);
    if (m.yiaddr.value == 0) return ignore(Reject::zero_yiaddr, text(type) + " with yiaddr 0.0.0.0");
    // Table 3: OFFER and ACK (to a REQUEST) carry the lease time; the times must make sense for
    // an OFFER too, or the REQUEST would only fetch an ACK we then refuse.
    if (!m.lease_time) return ignore(Reject::missing_lease_time, text(type) + " without option 51");
    auto times = apply_lease_times(*m.lease_time, m.t1, m.t2);
    if (auto* why = std::get_if<std::string>(&times)) return ignore(Reject::bad_lease_times, text(type) + ": " + *why);
    return selecting ? on_offer(m, now) : on_ack(m, now);
}

Disposition Client::on_offer(const ServerMessage& m, Time now) {
    // §4.4.1 lets the client wait for several OFFERs; the first acceptable one is taken, since a
    // 4o6 deployment answers through its one configured server set and waiting only adds delay.
    start_request(Offer{m.yiaddr, *m.server_id}, now);
    return Disposition::accepted;
}

Disposition Client::on_ack(const ServerMessage& m, Time now) {
    (void)now;
    if (lease_ && m.yiaddr != lease_->address)
        return ignore(Reject::wrong_address, "DHCPACK for " + m.yiaddr.to_string() + " while renewing " +
                                                lease_->address.to_string());
    Lease4 lease;
    lease.address = m.yiaddr;
    lease.server_id = *m.server_id;
    lease.times = std::get<LeaseTimes>(apply_lease_times(*m.lease_time, m.t1, m.t2));
    lease.obtained_at = exchange_->first_sent;  // §4.4.1: the lease runs from the REQUEST
    lease.port_params_raw = m.port_params_raw;
    lease.port_params = m.port_params;
    lease.softwire_source = *exchange_->message.softwire_source;

    const State was = state_;
    exchange_.reset();
    lease_ = lease;
    timers_ = lease_timers(lease);
    enter(State::bound);
    if (was == State::requesting)
        actions_.push_back(LeaseObtained{lease});
    else if (was == State::renewing)
        actions_.push_back(LeaseRenewed{lease});
    else
        actions_.push_back(LeaseRebound{lease});
    return Disposition::accepted;
}

Disposition Client::on_nak(const ServerMessage& m, Time now) {
    (void)m;
    // §3.1 step 5 (REQUESTING) and §4.4.5 (RENEWING / REBINDING): back to INIT; the lease, if
    // any, is gone. DISCOVER again after restart_delay.
    if (lease_) {
        lose_lease(LossReason::nak, now, config_.restart_delay);
    } else {
        exchange_.reset();
        enter(State::init);
        restart_at_ = now + config_.restart_delay;
        if (config_.restart_delay <= Time(0)) start_discover(now, Time(0));
    }
    return Disposition::accepted;
}

}  // namespace s46::dhcp::client4o6
