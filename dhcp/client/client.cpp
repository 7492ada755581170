#include "dhcp/client/client.hpp"

#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <utility>

// The engine is split by job: this file has the entry points, timers and the two choke points
// (enter, ignore); client_receive.cpp validates and acts on received messages;
// client_exchanges.cpp starts, retransmits and ends exchanges.

namespace s46::dhcp::client {

Client::Client(ClientConfig config, Random random) : config_(std::move(config)), random_(std::move(random)) {
    if (auto problem = validate(config_)) throw std::invalid_argument("DHCPv6 client configuration: " + *problem);
    if (!random_) throw std::invalid_argument("DHCPv6 client configuration: no random source");
}

// ---------------------------------------------------------------------------------------------
// Entry points

void Client::start(Time now) {
    if (state_ != State::init) return;
    const Time delay = random_delay(config_.max_initial_delay, random_());
    if (config_.stateless)
        start_information_request(now, delay);
    else
        start_solicit(now, delay);
}

void Client::restore(const provision::Lease& lease, Time now) {
    if (state_ != State::init) return;
    const bool has_leases = !lease.addresses.empty() || !lease.prefixes.empty();
    // The Rebind carries our configured IAIDs; a lease made for other IAs (config changed) or for
    // an IA type we no longer ask for cannot be rebound as is.
    const bool na_ok = lease.addresses.empty() || (config_.request_na && lease.iaid_na == config_.iaid_na);
    const bool pd_ok = lease.prefixes.empty() || (config_.request_pd && lease.iaid_pd == config_.iaid_pd);
    if (config_.stateless || !has_leases || !na_ok || !pd_ok || lease.valid_until() <= to_seconds(now)) {
        start(now);
        return;
    }
    lease_ = lease;
    timers_ = lease_timers(lease);
    start_rebind(now, /*confirm_limited=*/true);  // §18.2.12
}

void Client::link_up(Time now) {
    switch (state_) {
        case State::init:
        case State::releasing:
            return;
        case State::information_requesting:
        case State::informed:
            start_information_request(now, random_delay(config_.max_initial_delay, random_()));
            return;
        default:
            break;
    }
    if (lease_)
        start_rebind(now, /*confirm_limited=*/true);  // §18.2.12: Rebind, not Confirm, once IA_PD is held
    else
        start_solicit(now, random_delay(config_.max_initial_delay, random_()));
}

bool Client::renew_now(Time now) {
    on_timer(now);  // whatever was due happens first (expiry, a T1 that already passed)
    if (state_ != State::bound || !lease_) return false;
    start_renew(now);
    return true;
}

void Client::stop(Time now) {
    if (state_ == State::init || state_ == State::releasing) return;
    if (lease_) {
        start_release(now);
        return;
    }
    exchange_.reset();
    adverts_.clear();
    enter(State::init);
}

std::vector<Action> Client::take_actions() { return std::exchange(actions_, {}); }

std::optional<std::uint32_t> Client::transaction_id() const {
    if (!exchange_) return std::nullopt;
    return exchange_->message.transaction_id;
}

std::optional<Time> Client::next_deadline() const {
    Time next = kNever;
    if (lease_) next = std::min(next, timers_.expiry);
    if (exchange_) next = std::min(next, exchange_->send_at ? *exchange_->send_at : exchange_->rtx.deadline());
    if (state_ == State::bound) next = std::min(next, timers_.t1);
    if (state_ == State::informed) next = std::min(next, refresh_at_);
    if (next == kNever) return std::nullopt;
    return next;
}

void Client::on_timer(Time now) {
    // Several things can be due at once (a late call); each step moves its deadline forward or
    // changes state, so this ends. The bound only guards against a bug turning into a hang.
    for (int step = 0; step < 64; ++step) {
        if (lease_ && now >= timers_.expiry) {
            expire_lease(now);
        } else if (exchange_ && exchange_->send_at && now >= *exchange_->send_at) {
            exchange_->send_at.reset();
            transmit(now);
        } else if (exchange_ && !exchange_->send_at && now >= exchange_->rtx.deadline()) {
            on_exchange_timeout(now);
        } else if (state_ == State::bound && now >= timers_.t1) {
            start_renew(now);  // §18.2.4: T1
        } else if (state_ == State::informed && now >= refresh_at_) {
            start_information_request(now, Time(0));  // §18.2.6: information refresh time
        } else {
            return;
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The two choke points: every state change, every ignored datagram.

void Client::enter(State next) {
    if (!transition_allowed(state_, next)) {
        // A programming error in the engine, never a consequence of input: stop loudly.
        std::fprintf(stderr, "dhcp client: forbidden transition %s -> %s\n", std::string(to_string(state_)).c_str(),
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

net::Ipv6Address all_dhcp_relay_agents_and_servers() {
    net::Ipv6Address a;
    a.bytes[0] = 0xff;
    a.bytes[1] = 0x02;
    a.bytes[13] = 0x01;
    a.bytes[15] = 0x02;
    return a;
}

}  // namespace s46::dhcp::client
