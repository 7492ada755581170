#include "dhcp/client4o6/client.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <utility>

#include "dhcp/client/retransmission.hpp"  // random_delay
#include "dhcp/client4o6/backoff.hpp"
#include "dhcp/client4o6/envelope.hpp"

// The engine is split by job: this file has the entry points, timers, exchanges and the two
// choke points (enter, ignore); client_receive.cpp judges and acts on received messages.

namespace s46::dhcp::client4o6 {

Client::Client(ClientConfig config, Random random) : config_(std::move(config)), random_(std::move(random)) {
    if (auto problem = validate(config_)) throw std::invalid_argument("DHCPv4-over-DHCPv6 client configuration: " + *problem);
    if (!random_) throw std::invalid_argument("DHCPv4-over-DHCPv6 client configuration: no random source");
}

// ---------------------------------------------------------------------------------------------
// Entry points

void Client::start(Time now, const net::Ipv6Address& source, std::vector<net::Ipv6Address> servers) {
    if (state_ != State::init || started_) return;
    started_ = true;
    source_ = source;
    servers_ = std::move(servers);
    start_discover(now, client::random_delay(config_.max_initial_delay, random_()));  // §4.4.1
}

bool Client::restore(Time now, const net::Ipv6Address& source, std::vector<net::Ipv6Address> servers,
                     const Lease4& lease) {
    if (state_ != State::init || started_) return false;
    const LeaseTimers timers = lease_timers(lease);
    if (now >= timers.expiry) return false;  // §4.4.5: an expired lease is no lease; DISCOVER instead
    started_ = true;
    source_ = lease.softwire_source;
    servers_ = std::move(servers);
    lease_ = lease;
    timers_ = timers;
    restart_at_ = kNever;
    enter(State::bound);
    on_timer(now);  // past T1 / T2: the REQUEST of RENEWING / REBINDING goes out now
    source_address_changed(source, now);
    return true;
}

void Client::source_address_changed(const net::Ipv6Address& source, Time now) {
    if (!started_ || source == source_) return;
    source_ = source;
    on_timer(now);  // whatever was already due (T2, expiry) happens first
    // RFC 8539 gives the server the softwire source only in option 109 of the client's messages,
    // so a new source needs a new message. With a lease, DHCPREQUEST from RENEWING (§4.4.5: the
    // server that granted the lease, U flag) keeps the address and port set if the server agrees,
    // and a NAK falls back to INIT; after T2 that REQUEST goes out as REBINDING instead. Without
    // a lease there is nothing to keep: DISCOVER again, since the REQUEST of SELECTING must carry
    // the OFFER's xid and the OFFER was made for the old source.
    switch (state_) {
        case State::init:
            return;  // the pending DISCOVER will carry the new address
        case State::selecting:
        case State::requesting:
            start_discover(now, Time(0));
            return;
        case State::bound:
        case State::renewing:
            start_lease_request(State::renewing, now);
            return;
        case State::rebinding:
            start_lease_request(State::rebinding, now);
            return;
    }
}

bool Client::decline(Time now) {
    on_timer(now);
    if (!lease_) return false;
    // §4.4.1 / Table 5: DECLINE has ciaddr 0, option 50 = the address, option 54; a new xid; it is
    // broadcast in DHCPv4, so no U flag. No answer comes.
    ClientMessage m = new_message(MessageType::decline, random_());
    m.requested_address = lease_->address;
    m.server_id = lease_->server_id;
    send_once(m, /*unicast=*/false);
    lose_lease(LossReason::declined, now, config_.restart_delay);
    return true;
}

void Client::stop(Time now) {
    on_timer(now);
    if (lease_) {
        // §4.4.6: DHCPRELEASE is unicast to the server (U flag), ciaddr = the address, option 54.
        ClientMessage m = new_message(MessageType::release, random_());
        m.ciaddr = lease_->address;
        m.server_id = lease_->server_id;
        send_once(m, /*unicast=*/true);
        actions_.push_back(Released{*lease_});
        lease_.reset();
    }
    exchange_.reset();
    restart_at_ = kNever;
    timers_ = {};
    if (state_ != State::init) enter(State::init);
    started_ = false;
}

std::vector<Action> Client::take_actions() { return std::exchange(actions_, {}); }

std::optional<std::uint32_t> Client::transaction_id() const {
    if (!exchange_) return std::nullopt;
    return exchange_->message.xid;
}

std::optional<Time> Client::next_deadline() const {
    Time next = kNever;
    if (lease_) next = std::min(next, timers_.expiry);
    if (exchange_) next = std::min(next, exchange_->next);
    if (state_ == State::bound) next = std::min(next, timers_.t1);
    if (state_ == State::renewing) next = std::min(next, timers_.t2);
    if (state_ == State::init) next = std::min(next, restart_at_);
    if (next == kNever) return std::nullopt;
    return next;
}

void Client::on_timer(Time now) {
    // Several things can be due at once (a late call); each step moves its deadline forward or
    // changes state, so this ends. The bound only guards against a bug turning into a hang.
    for (int step = 0; step < 64; ++step) {
        if (lease_ && now >= timers_.expiry) {
            // §4.4.5: the lease ran out before an ACK: INIT, and start over at once.
            lose_lease(LossReason::expired, now, Time(0));
        } else if (state_ == State::init && started_ && now >= restart_at_) {
            start_discover(now, Time(0));
        } else if (state_ == State::bound && now >= timers_.t1) {
            if (now >= timers_.t2)
                start_lease_request(State::rebinding, now);
            else
                start_lease_request(State::renewing, now);  // §4.4.5: T1
        } else if (state_ == State::renewing && now >= timers_.t2) {
            start_lease_request(State::rebinding, now);  // §4.4.5: T2
        } else if (exchange_ && now >= exchange_->next) {
            if (exchange_->transmissions == 0)
                transmit(now);
            else
                on_exchange_timeout(now);
        } else {
            return;
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Exchanges

ClientMessage Client::new_message(MessageType type, std::uint32_t xid) const {
    ClientMessage m;
    m.type = type;
    m.xid = xid;
    m.hw_address = config_.hw_address;
    m.client_id = config_.client_id;
    return m;
}

void Client::begin_exchange(ClientMessage message, bool unicast, Time now, Time delay) {
    exchange_ = Exchange{std::move(message), unicast, now + delay, 0, now + delay};
    if (delay <= Time(0)) transmit(now);
}

void Client::send_once(const ClientMessage& message, bool unicast) {
    const std::vector<std::uint8_t> query = wrap_query(build_message(message), unicast);
    // RFC 7341 §5: unicast to every address option 88 listed; none listed: multicast.
    if (servers_.empty()) {
        actions_.push_back(Send{message.type, unicast, query, all_dhcp_relay_agents_and_servers(), kServerPort});
        return;
    }
    for (const auto& server : servers_) actions_.push_back(Send{message.type, unicast, query, server, kServerPort});
}

void Client::transmit(Time now) {
    Exchange& x = *exchange_;
    if (x.transmissions == 0) x.first_sent = now;
    // RFC 2131 §2: secs counts from the start of acquisition or renewal; every message of the
    // exchange carries the current source address (RFC 8539 option 109).
    const auto secs = std::chrono::duration_cast<std::chrono::seconds>(now - x.first_sent).count();
    x.message.secs = static_cast<std::uint16_t>(std::min<std::int64_t>(secs, 0xffff));
    x.message.softwire_source = source_;
    send_once(x.message, x.unicast);
    ++x.transmissions;
    switch (state_) {
        case State::renewing: x.next = renew_retransmit_at(now, timers_.t2); break;          // §4.4.5
        case State::rebinding: x.next = renew_retransmit_at(now, timers_.expiry); break;     // §4.4.5
        default: x.next = now + backoff_base(x.transmissions) + backoff_jitter(random_()); break;  // §4.1
    }
}

void Client::on_exchange_timeout(Time now) {
    switch (state_) {
        case State::selecting:
            transmit(now);  // DISCOVER never gives up; the wait stays at 64 s
            return;
        case State::requesting:
            if (exchange_->transmissions >= kRequestTransmissions) {
                // §3.1 step 5: neither ACK nor NAK after the whole schedule: INIT, start over.
                exchange_.reset();
                enter(State::init);
                start_discover(now, Time(0));
                return;
            }
            transmit(now);
            return;
        case State::renewing:
        case State::rebinding: {
            const Time end = state_ == State::renewing ? timers_.t2 : timers_.expiry;
            if (now < end) transmit(now);
            else exchange_->next = kNever;  // T2 / expiry takes over in on_timer()
            return;
        }
        default:
            exchange_.reset();  // not reachable: Init and Bound have no exchange
            return;
    }
}

void Client::start_discover(Time now, Time delay) {
    restart_at_ = kNever;
    // §4.4.1 Table 5: DISCOVER with ciaddr 0, option 55; a new xid.
    ClientMessage m = new_message(MessageType::discover, random_());
    m.parameter_request_list = true;
    enter(State::selecting);
    begin_exchange(std::move(m), /*unicast=*/false, now, delay);
}

void Client::start_request(const Offer& offer, Time now) {
    // §4.4.1 Table 5: REQUEST in SELECTING keeps the OFFER's xid, names the server (54) and the
    // offered address (50), ciaddr 0; it is broadcast in DHCPv4, so no U flag.
    ClientMessage m = new_message(MessageType::request, exchange_->message.xid);
    m.requested_address = offer.address;
    m.server_id = offer.server_id;
    m.parameter_request_list = true;
    enter(State::requesting);
    begin_exchange(std::move(m), /*unicast=*/false, now, Time(0));
}

void Client::start_lease_request(State next, Time now) {
    // §4.4.5 / Table 5: REQUEST in RENEWING or REBINDING has ciaddr = the address and neither 50
    // nor 54, and a new xid. RENEWING unicasts it to the leasing server in DHCPv4, so the U flag
    // is set (RFC 7341 §6.2); REBINDING broadcasts it so any server may answer.
    ClientMessage m = new_message(MessageType::request, random_());
    m.ciaddr = lease_->address;
    m.parameter_request_list = true;
    enter(next);
    begin_exchange(std::move(m), /*unicast=*/next == State::renewing, now, Time(0));
}

void Client::lose_lease(LossReason reason, Time now, Time restart_after) {
    if (lease_) actions_.push_back(LeaseLost{*lease_, reason});
    lease_.reset();
    timers_ = {};
    exchange_.reset();
    enter(State::init);
    restart_at_ = now + restart_after;
    if (restart_after <= Time(0)) start_discover(now, Time(0));
}

// ---------------------------------------------------------------------------------------------
// The two choke points: every state change, every ignored datagram.

void Client::enter(State next) {
    if (!transition_allowed(state_, next)) {
        // A programming error in the engine, never a consequence of input: stop loudly.
        std::fprintf(stderr, "dhcp4o6 client: forbidden transition %s -> %s\n", std::string(to_string(state_)).c_str(),
                     std::string(to_string(next)).c_str());
        std::abort();
    }
    state_ = next;
}

Disposition Client::ignore(Reject reason, std::string detail) {
    ++counters_[reason];
    ++ignored_total_;
    last_rejection_ = Rejection{reason, std::move(detail)};
    return Disposition::ignored;
}

}  // namespace s46::dhcp::client4o6
