// Starting, retransmitting and ending the client's exchanges (RFC 8415 §15, §18.2.1-§18.2.7):
// what each message carries and which state follows when an exchange fails.
#include <algorithm>
#include <cstdint>
#include <utility>

#include "dhcp/client/client.hpp"

namespace s46::dhcp::client {

std::vector<IaKey> Client::requested_ias() const {
    std::vector<IaKey> out;
    if (config_.stateless) return out;
    if (config_.request_na) out.push_back({kOptIaNa, config_.iaid_na});
    if (config_.request_pd) out.push_back({kOptIaPd, config_.iaid_pd});
    return out;
}

std::vector<IaRequest> Client::ia_requests_from_lease() const {
    std::vector<IaRequest> out;
    for (const auto& key : requested_ias()) {
        IaRequest r{key.code, key.iaid, {}, {}, config_.pd_hint_length};
        if (lease_) {
            if (key.code == kOptIaNa)
                for (const auto& a : lease_->addresses) r.addresses.push_back(a.address);
            else
                for (const auto& p : lease_->prefixes) r.prefixes.push_back(p.prefix);
        }
        out.push_back(std::move(r));
    }
    return out;
}

ClientMessage Client::new_message(MessageType type) const {
    ClientMessage m;
    m.type = type;
    m.client_id = config_.duid;
    if (type != MessageType::release) m.oro = option_request(config_, type == MessageType::information_request);
    return m;
}

void Client::begin_exchange(ClientMessage message, RetransmissionParams params, Time now, Time delay,
                            std::optional<Time> end, bool confirm_limited) {
    message.transaction_id = random_() & 0xffffffu;  // §16.1: a new transaction-id per exchange
    Exchange x;
    x.message = std::move(message);
    x.params = params;
    x.first_rt_above_irt = x.message.type == MessageType::solicit;  // §15
    x.end = end;
    x.confirm_limited = confirm_limited;
    exchange_ = std::move(x);
    if (delay.count() > 0)
        exchange_->send_at = now + delay;
    else
        transmit(now);
}

// The first transmission of the current exchange.
void Client::transmit(Time now) {
    Exchange& x = *exchange_;
    x.rtx.begin(x.params, now, random_, x.first_rt_above_irt, x.end);
    x.message.elapsed_cs = 0;  // §21.9: 0 in the first message of an exchange
    actions_.emplace_back(Send{x.message.type, build_message(x.message), all_dhcp_relay_agents_and_servers()});
}

void Client::on_exchange_timeout(Time now) {
    Exchange& x = *exchange_;
    if (state_ == State::soliciting && x.rtx.transmissions() == 1 && !adverts_.empty()) {
        // §18.2.1/§18.2.9: the first RT is over; take the highest preference, the first of equals.
        auto best = adverts_.begin();
        for (auto it = adverts_.begin(); it != adverts_.end(); ++it)
            if (it->message.preference > best->message.preference) best = it;
        const Advert chosen = *best;
        start_request(chosen, now);
        return;
    }
    if (!x.rtx.retransmit(now, random_)) {
        give_up(now);
        return;
    }
    x.message.elapsed_cs = elapsed_time_cs(now - x.rtx.first_sent());
    actions_.emplace_back(Send{x.message.type, build_message(x.message), all_dhcp_relay_agents_and_servers()});
}

void Client::give_up(Time now) {
    switch (state_) {
        case State::requesting:
            start_solicit_after_failure(now);  // §18.2.2: REQ_MAX_RC reached
            return;
        case State::renewing:
            start_rebind(now, false);  // §18.2.4: T2 reached without a Reply
            return;
        case State::rebinding:
            if (exchange_->confirm_limited)
                resume_lease_timers(now);  // §18.2.12: no answer; keep the lease on its own timers
            else
                expire_lease(now);  // §18.2.5: valid lifetimes over
            return;
        case State::releasing:
            exchange_.reset();  // §18.2.7: REL_MAX_RC transmissions; done anyway
            enter(State::init);
            actions_.emplace_back(Released{});
            return;
        default:
            exchange_.reset();  // Solicit and Information-request never give up (MRC = MRD = 0)
            return;
    }
}

void Client::start_solicit(Time now, Time delay) {
    adverts_.clear();
    enter(State::soliciting);
    ClientMessage m = new_message(MessageType::solicit);
    for (const auto& key : requested_ias()) m.ias.push_back({key.code, key.iaid, {}, {}, config_.pd_hint_length});
    m.rapid_commit = config_.rapid_commit;
    RetransmissionParams p = params::kSolicit;
    p.mrt = sol_max_rt_;
    begin_exchange(std::move(m), p, now, delay);
}

void Client::start_solicit_after_failure(Time now) {
    // §14.1 asks clients to rate-limit: a server that advertises but never grants would otherwise
    // be asked again at once. Back off 1 s, 2 s, 4 s ... up to SOL_MAX_RT between attempts.
    ++solicit_failures_;
    const unsigned shift = std::min(solicit_failures_ - 1, 20u);
    const Time delay = std::min<Time>(sol_max_rt_, std::chrono::seconds(1) * (std::int64_t{1} << shift));
    start_solicit(now, delay);
}

void Client::start_request(const Advert& advert, Time now) {
    adverts_.clear();
    enter(State::requesting);
    ClientMessage m = new_message(MessageType::request);
    m.server_id = advert.message.server_id;
    for (const auto& key : requested_ias()) {
        // §18.2.2: the IAs, with the leases the server offered as hints.
        IaRequest r{key.code, key.iaid, {}, {}, config_.pd_hint_length};
        if (const IaReply* ia = advert.message.find(key); ia && !ia->failed()) {
            for (const auto& a : ia->addresses) r.addresses.push_back(a.address);
            for (const auto& p : ia->prefixes) r.prefixes.push_back(p.prefix);
        }
        m.ias.push_back(std::move(r));
    }
    begin_exchange(std::move(m), params::kRequest, now, Time(0));
}

void Client::start_request_after_no_binding(const ServerMessage& reply, Time now) {
    enter(State::requesting);
    ClientMessage m = new_message(MessageType::request);
    m.server_id = reply.server_id;
    m.ias = ia_requests_from_lease();
    begin_exchange(std::move(m), params::kRequest, now, Time(0));
}

void Client::start_renew(Time now) {
    if (now >= timers_.t2) {  // T1 = T2, or T1 noticed late: straight to Rebind
        start_rebind(now, false);
        return;
    }
    enter(State::renewing);
    ClientMessage m = new_message(MessageType::renew);
    m.server_id = lease_->server_duid;  // §18.2.4
    m.ias = ia_requests_from_lease();
    // §18.2.4: MRD = the remaining time until T2.
    begin_exchange(std::move(m), params::kRenew, now, Time(0), timers_.t2);
}

void Client::start_rebind(Time now, bool confirm_limited) {
    enter(State::rebinding);
    ClientMessage m = new_message(MessageType::rebind);  // §18.2.5: no Server Identifier
    m.ias = ia_requests_from_lease();
    // §18.2.5: MRD = until the valid lifetimes end. §18.2.12 (link-up, restore): Confirm's
    // CNF_TIMEOUT/CNF_MAX_RT/CNF_MAX_RD instead, and the lease stays in use whatever happens.
    const RetransmissionParams p = confirm_limited ? params::kConfirm : params::kRebind;
    begin_exchange(std::move(m), p, now, Time(0), timers_.expiry == kNever ? std::nullopt : std::optional(timers_.expiry),
                   confirm_limited);
}

void Client::start_release(Time now) {
    ClientMessage m = new_message(MessageType::release);
    m.server_id = lease_->server_duid;  // §18.2.7
    // Release what we hold, nothing else: no hint, no IA without leases.
    for (auto& ia : ia_requests_from_lease()) {
        ia.prefix_hint = 0;
        if (!ia.addresses.empty() || !ia.prefixes.empty()) m.ias.push_back(std::move(ia));
    }
    // §18.2.7: stop using the leases before the exchange starts.
    lease_.reset();
    timers_ = {};
    adverts_.clear();
    enter(State::releasing);
    begin_exchange(std::move(m), params::kRelease, now, Time(0));
}

void Client::start_information_request(Time now, Time delay) {
    enter(State::information_requesting);
    refresh_at_ = kNever;
    RetransmissionParams p = params::kInformationRequest;
    p.mrt = inf_max_rt_;
    begin_exchange(new_message(MessageType::information_request), p, now, delay);
}

void Client::resume_lease_timers(Time now) {
    exchange_.reset();
    if (now < timers_.t1)
        enter(State::bound);
    else
        start_renew(now);  // goes on to Rebind if T2 has passed too
}

void Client::expire_lease(Time now) {
    actions_.emplace_back(LeaseExpired{*lease_});
    lease_.reset();
    timers_ = {};
    if (state_ == State::bound || state_ == State::renewing || state_ == State::rebinding)
        start_solicit(now, Time(0));  // §18.2.5: "may choose to use a Solicit message"
    // Soliciting / Requesting (NoBinding recovery): the exchange in progress carries on.
}

}  // namespace s46::dhcp::client
