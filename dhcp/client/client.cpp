#include "dhcp/client/client.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <stdexcept>
#include <string>
#include <utility>
#include <variant>

#include "dhcp/client/message_parser.hpp"
#include "dhcp/s46_codec.hpp"

namespace s46::dhcp::client {

namespace {

using namespace std::chrono_literals;

constexpr std::uint32_t kIrtMinimumSeconds = 600;          // §7.6 IRT_MINIMUM
constexpr std::uint32_t kIrtDefaultSeconds = 86400;        // §7.6 IRT_DEFAULT
constexpr std::uint32_t kMaxRtMinSeconds = 60;             // §21.24/§21.25 valid range
constexpr std::uint32_t kMaxRtMaxSeconds = 86400;

provision::Seconds seconds_of(Time t) {
    // Whole seconds, rounded down (also for times before the epoch).
    const auto ms = t.count();
    return ms >= 0 ? ms / 1000 : -((-ms + 999) / 1000);
}

std::string ia_name(const IaKey& k) {
    return std::string(k.code == kOptIaNa ? "IA_NA" : "IA_PD") + " iaid " + std::to_string(k.iaid);
}

const IaReply* find_ia(const ServerMessage& m, const IaKey& key) {
    for (const auto& ia : m.ias)
        if (ia.code == key.code && ia.iaid == key.iaid) return &ia;
    return nullptr;
}

std::string hex24(std::uint32_t v) {
    char b[12];
    std::snprintf(b, sizeof b, "0x%06x", v & 0xffffffu);
    return b;
}

// Outcome of the codec: it is specified not to throw; a throw is counted, not propagated.
std::optional<provision::S46OptionSet> decode_options(std::span<const std::uint8_t> options, std::string& error) {
    try {
        return decode_reply_options(options);
    } catch (const std::exception& e) {
        error = e.what();
    } catch (...) {
        error = "unknown exception";
    }
    return std::nullopt;
}

}  // namespace

Client::Client(ClientConfig config, Random random) : config_(std::move(config)), random_(std::move(random)) {
    if (auto problem = validate(config_)) throw std::invalid_argument("DHCPv6 client configuration: " + *problem);
    if (!random_) throw std::invalid_argument("DHCPv6 client configuration: no random source");
}

// ---------------------------------------------------------------------------------------------
// Entry points

void Client::start(Time now) {
    if (state_ != State::Init) return;
    const Time delay = random_delay(config_.max_initial_delay, random_());
    if (config_.stateless)
        start_information_request(now, delay);
    else
        start_solicit(now, delay);
}

void Client::restore(const provision::Lease& lease, Time now) {
    if (state_ != State::Init) return;
    const bool has_leases = !lease.addresses.empty() || !lease.prefixes.empty();
    // The Rebind carries our configured IAIDs; a lease made for other IAs (config changed) or for
    // an IA type we no longer ask for cannot be rebound as is.
    const bool na_ok = lease.addresses.empty() || (config_.request_na && lease.iaid_na == config_.iaid_na);
    const bool pd_ok = lease.prefixes.empty() || (config_.request_pd && lease.iaid_pd == config_.iaid_pd);
    if (config_.stateless || !has_leases || !na_ok || !pd_ok || lease.valid_until() <= seconds_of(now)) {
        start(now);
        return;
    }
    lease_ = lease;
    timers_ = lease_timers(lease);
    start_rebind(now, /*confirm_limited=*/true);  // §18.2.12
}

void Client::link_up(Time now) {
    switch (state_) {
        case State::Init:
        case State::Releasing:
            return;
        case State::InformationRequesting:
        case State::Informed:
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

void Client::stop(Time now) {
    if (state_ == State::Init || state_ == State::Releasing) return;
    if (lease_) {
        start_release(now);
        return;
    }
    exchange_.reset();
    adverts_.clear();
    enter(State::Init);
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
    if (state_ == State::Bound) next = std::min(next, timers_.t1);
    if (state_ == State::Informed) next = std::min(next, refresh_at_);
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
        } else if (state_ == State::Bound && now >= timers_.t1) {
            start_renew(now);  // §18.2.4: T1
        } else if (state_ == State::Informed && now >= refresh_at_) {
            start_information_request(now, Time(0));  // §18.2.6: information refresh time
        } else {
            return;
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Receiving

Disposition Client::receive(std::span<const std::uint8_t> datagram, const net::Ipv6Address& from, Time now) {
    on_timer(now);  // a Reply after expiry must not revive what expired

    const auto header = parse_header(datagram);
    if (!header) return ignore(Reject::TruncatedHeader, std::to_string(datagram.size()) + " octet(s)");
    const auto type = header->type;
    if (type == static_cast<std::uint8_t>(MessageType::Reconfigure))
        // §16.11/§18.2.11: a Reconfigure without a valid reconfigure-key Authentication option
        // MUST be discarded; this client implements no reconfigure key, so every one is.
        return ignore(Reject::ReconfigureIgnored, "Reconfigure from " + from.to_string());
    if (type == 0 || type > static_cast<std::uint8_t>(MessageType::RelayRepl))
        return ignore(Reject::UnknownMessageType, "message type " + std::to_string(type));
    if (type != static_cast<std::uint8_t>(MessageType::Advertise) && type != static_cast<std::uint8_t>(MessageType::Reply))
        return ignore(Reject::UnexpectedMessageType,
                      std::string(to_string(static_cast<MessageType>(type))) + " is not sent to clients");
    if (!exchange_ || exchange_->send_at)
        return ignore(Reject::NoExchange, "no exchange outstanding in state " + std::string(to_string(state_)));
    if (header->transaction_id != exchange_->message.transaction_id)
        return ignore(Reject::WrongTransactionId, "transaction-id " + hex24(header->transaction_id) + ", expected " +
                                                      hex24(exchange_->message.transaction_id));

    auto parsed = parse_server_message(datagram);
    if (auto* r = std::get_if<Rejection>(&parsed)) return ignore(r->reason, std::move(r->detail));
    ServerMessage& m = std::get<ServerMessage>(parsed);

    // §16.3 (Advertise) and §16.10 (Reply): discard without our Client Identifier or without a
    // Server Identifier. We always send a Client Identifier, so its absence disqualifies.
    if (!m.has_client_id) return ignore(Reject::MissingClientId, "from " + from.to_string());
    if (m.client_id != config_.duid) return ignore(Reject::WrongClientId, "from " + from.to_string());
    if (!m.has_server_id) return ignore(Reject::MissingServerId, "from " + from.to_string());

    // §18.2.9/§18.2.10: SOL_MAX_RT and INF_MAX_RT are processed even from a message that is
    // otherwise ignored.
    apply_max_rt_options(m);

    if (type == static_cast<std::uint8_t>(MessageType::Advertise)) {
        if (state_ != State::Soliciting)
            return ignore(Reject::UnexpectedMessageType, "Advertise in state " + std::string(to_string(state_)));
        return on_advertise(std::move(m), from, now);
    }
    switch (state_) {
        case State::Soliciting:
            // §18.2.1: only a Reply carrying Rapid Commit answers a Solicit that asked for it.
            if (!config_.rapid_commit || !m.rapid_commit)
                return ignore(Reject::ReplyWithoutRapidCommit, "Reply to Solicit from " + from.to_string());
            return on_binding_reply(m, from, now, ReplyKind::Obtained);
        case State::Requesting: return on_binding_reply(m, from, now, ReplyKind::Obtained);
        case State::Renewing: return on_binding_reply(m, from, now, ReplyKind::Renewed);
        case State::Rebinding: return on_binding_reply(m, from, now, ReplyKind::Rebound);
        case State::Releasing:
            // §18.2.10.2: the Release is done whatever the status codes say.
            exchange_.reset();
            enter(State::Init);
            actions_.emplace_back(Released{});
            return Disposition::Accepted;
        case State::InformationRequesting: return on_information_reply(m, now);
        default: break;
    }
    return ignore(Reject::NoExchange, "Reply in state " + std::string(to_string(state_)));
}

void Client::apply_max_rt_options(const ServerMessage& m) {
    auto in_range = [](std::uint32_t v) { return v >= kMaxRtMinSeconds && v <= kMaxRtMaxSeconds; };
    if (m.sol_max_rt && in_range(*m.sol_max_rt)) {
        sol_max_rt_ = std::chrono::seconds(*m.sol_max_rt);
        if (exchange_ && exchange_->message.type == MessageType::Solicit) exchange_->rtx.set_mrt(sol_max_rt_);
    }
    if (m.inf_max_rt && in_range(*m.inf_max_rt)) {
        inf_max_rt_ = std::chrono::seconds(*m.inf_max_rt);
        if (exchange_ && exchange_->message.type == MessageType::InformationRequest) exchange_->rtx.set_mrt(inf_max_rt_);
    }
}

Disposition Client::on_advertise(ServerMessage m, const net::Ipv6Address& from, Time now) {
    // §18.2.9: an Advertise with no address and no prefix in the IAs we asked for is ignored.
    bool offers = false;
    for (const auto& key : requested_ias())
        if (const IaReply* ia = find_ia(m, key); ia && !ia_failed(*ia) && ia->has_leases()) offers = true;
    if (!offers) return ignore(Reject::AdvertiseNoBindings, "Advertise from " + from.to_string());

    Advert advert{std::move(m), from};
    // §18.2.1: preference 255 is taken at once; so is any Advertise after the first RT. During the
    // first RT they are collected and the best chosen when it ends (on_exchange_timeout).
    if (advert.message.preference == 255 || exchange_->rtx.transmissions() > 1) {
        start_request(advert, now);
        return Disposition::Accepted;
    }
    adverts_.push_back(std::move(advert));
    return Disposition::Accepted;
}

Disposition Client::on_binding_reply(const ServerMessage& m, const net::Ipv6Address& from, Time now, ReplyKind kind) {
    // §18.2.10: UnspecFail and UseMulticast mean the server did not act; retransmit as if no
    // Reply had come (we multicast already, so UseMulticast changes nothing).
    if (m.status == static_cast<std::uint16_t>(Status::UnspecFail))
        return ignore(Reject::StatusUnspecFail, "from " + from.to_string() + ": " + m.status_message);
    if (m.status == static_cast<std::uint16_t>(Status::UseMulticast))
        return ignore(Reject::StatusUseMulticast, "from " + from.to_string() + ": " + m.status_message);

    const auto requested = requested_ias();
    bool no_binding = false;
    for (const auto& key : requested) {
        const IaReply* ia = find_ia(m, key);
        if (!ia) {
            // §18.2.10.1: for Renew/Rebind "as if the Reply message had not been received"; for a
            // Request we need every IA answered, even if only with a status.
            std::string detail = ia_name(key) + " missing from Reply from " + from.to_string();
            for (const auto& note : m.notes) detail += "; " + note;
            return ignore(Reject::ReplyMissingIa, std::move(detail));
        }
        if (ia->status == static_cast<std::uint16_t>(Status::NoBinding)) no_binding = true;
    }
    if (no_binding && kind != ReplyKind::Obtained) {
        // §18.2.10.1: NoBinding after Renew/Rebind -> Request to the server that responded,
        // keeping the other leases meanwhile.
        start_request_after_no_binding(m, now);
        return Disposition::Accepted;
    }

    const provision::Seconds now_s = seconds_of(now);
    const provision::Lease* previous = kind == ReplyKind::Obtained ? nullptr : &*lease_;
    provision::Lease lease = lease_from_reply(m, requested, previous, from, now_s);
    if (lease.addresses.empty() && lease.prefixes.empty()) {
        if (kind != ReplyKind::Obtained) {
            // Every lease withdrawn (valid lifetime 0, §18.2.10.1): gone as if expired.
            expire_lease(now);
            return Disposition::Accepted;
        }
        std::string detail = "from " + from.to_string() + ":";
        for (const auto& key : requested)
            if (const IaReply* ia = find_ia(m, key))
                detail += " " + ia_name(key) + " status " + (ia->status ? std::to_string(*ia->status) : "none") +
                          (ia->status_message.empty() ? "" : " (" + ia->status_message + ")");
        // §18.2.10.1: nothing granted -> try again via Solicit. A Rapid Commit Reply to our
        // Solicit just lets the Solicit retransmissions go on (restarting would loop at once).
        if (state_ == State::Requesting) start_solicit_after_failure(now);
        return ignore(Reject::ReplyNoBindings, std::move(detail));
    }

    std::string error;
    auto options = decode_options(lease.options, error);
    if (!options) return ignore(Reject::OptionsDecodeFailed, error);

    exchange_.reset();
    adverts_.clear();
    solicit_failures_ = 0;
    lease_ = lease;
    timers_ = lease_timers(lease);
    enter(State::Bound);
    LeaseEvent event{std::move(lease), std::move(*options)};
    switch (kind) {
        case ReplyKind::Obtained: actions_.emplace_back(LeaseObtained{std::move(event)}); break;
        case ReplyKind::Renewed: actions_.emplace_back(LeaseRenewed{std::move(event)}); break;
        case ReplyKind::Rebound: actions_.emplace_back(LeaseRebound{std::move(event)}); break;
    }
    return Disposition::Accepted;
}

Disposition Client::on_information_reply(const ServerMessage& m, Time now) {
    if (m.status == static_cast<std::uint16_t>(Status::UnspecFail))
        return ignore(Reject::StatusUnspecFail, m.status_message);
    if (m.status == static_cast<std::uint16_t>(Status::UseMulticast))
        return ignore(Reject::StatusUseMulticast, m.status_message);
    std::string error;
    auto options = decode_options(m.options, error);
    if (!options) return ignore(Reject::OptionsDecodeFailed, error);

    // §21.23: absent -> IRT_DEFAULT; below IRT_MINIMUM -> IRT_MINIMUM; 0xffffffff -> never.
    std::uint32_t refresh = m.information_refresh_time.value_or(kIrtDefaultSeconds);
    if (refresh < kIrtMinimumSeconds) refresh = kIrtMinimumSeconds;
    exchange_.reset();
    enter(State::Informed);
    refresh_at_ = refresh == kInfinity ? kNever : now + std::chrono::seconds(refresh);
    actions_.emplace_back(InformationReceived{std::move(*options), m.options, refresh});
    return Disposition::Accepted;
}

// ---------------------------------------------------------------------------------------------
// Exchanges

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
    if (type != MessageType::Release) m.oro = option_request(config_, type == MessageType::InformationRequest);
    return m;
}

void Client::begin_exchange(ClientMessage message, RetransmissionParams params, Time now, Time delay,
                            std::optional<Time> end, bool confirm_limited) {
    message.transaction_id = random_() & 0xffffffu;  // §16.1: a new transaction-id per exchange
    Exchange x;
    x.message = std::move(message);
    x.params = params;
    x.first_rt_above_irt = x.message.type == MessageType::Solicit;  // §15
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
    if (state_ == State::Soliciting && x.rtx.transmissions() == 1 && !adverts_.empty()) {
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
    // §21.9: hundredths of a second since the first transmission, 0xffff when it does not fit.
    const auto cs = (now - x.rtx.first_sent()).count() / 10;
    x.message.elapsed_cs = static_cast<std::uint16_t>(std::clamp<std::int64_t>(cs, 0, 0xffff));
    actions_.emplace_back(Send{x.message.type, build_message(x.message), all_dhcp_relay_agents_and_servers()});
}

void Client::give_up(Time now) {
    switch (state_) {
        case State::Requesting:
            start_solicit_after_failure(now);  // §18.2.2: REQ_MAX_RC reached
            return;
        case State::Renewing:
            start_rebind(now, false);  // §18.2.4: T2 reached without a Reply
            return;
        case State::Rebinding:
            if (exchange_->confirm_limited)
                resume_lease_timers(now);  // §18.2.12: no answer; keep the lease on its own timers
            else
                expire_lease(now);  // §18.2.5: valid lifetimes over
            return;
        case State::Releasing:
            exchange_.reset();  // §18.2.7: REL_MAX_RC transmissions; done anyway
            enter(State::Init);
            actions_.emplace_back(Released{});
            return;
        default:
            exchange_.reset();  // Solicit and Information-request never give up (MRC = MRD = 0)
            return;
    }
}

void Client::start_solicit(Time now, Time delay) {
    adverts_.clear();
    enter(State::Soliciting);
    ClientMessage m = new_message(MessageType::Solicit);
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
    enter(State::Requesting);
    ClientMessage m = new_message(MessageType::Request);
    m.server_id = advert.message.server_id;
    for (const auto& key : requested_ias()) {
        // §18.2.2: the IAs, with the leases the server offered as hints.
        IaRequest r{key.code, key.iaid, {}, {}, config_.pd_hint_length};
        if (const IaReply* ia = find_ia(advert.message, key); ia && !ia_failed(*ia)) {
            for (const auto& a : ia->addresses) r.addresses.push_back(a.address);
            for (const auto& p : ia->prefixes) r.prefixes.push_back(p.prefix);
        }
        m.ias.push_back(std::move(r));
    }
    begin_exchange(std::move(m), params::kRequest, now, Time(0));
}

void Client::start_request_after_no_binding(const ServerMessage& reply, Time now) {
    enter(State::Requesting);
    ClientMessage m = new_message(MessageType::Request);
    m.server_id = reply.server_id;
    m.ias = ia_requests_from_lease();
    begin_exchange(std::move(m), params::kRequest, now, Time(0));
}

bool Client::renew_now(Time now) {
    on_timer(now);  // whatever was due happens first (expiry, a T1 that already passed)
    if (state_ != State::Bound || !lease_) return false;
    start_renew(now);
    return true;
}

void Client::start_renew(Time now) {
    if (now >= timers_.t2) {  // T1 = T2, or T1 noticed late: straight to Rebind
        start_rebind(now, false);
        return;
    }
    enter(State::Renewing);
    ClientMessage m = new_message(MessageType::Renew);
    m.server_id = lease_->server_duid;  // §18.2.4
    m.ias = ia_requests_from_lease();
    // §18.2.4: MRD = the remaining time until T2.
    begin_exchange(std::move(m), params::kRenew, now, Time(0), timers_.t2);
}

void Client::start_rebind(Time now, bool confirm_limited) {
    enter(State::Rebinding);
    ClientMessage m = new_message(MessageType::Rebind);  // §18.2.5: no Server Identifier
    m.ias = ia_requests_from_lease();
    // §18.2.5: MRD = until the valid lifetimes end. §18.2.12 (link-up, restore): Confirm's
    // CNF_TIMEOUT/CNF_MAX_RT/CNF_MAX_RD instead, and the lease stays in use whatever happens.
    const RetransmissionParams p = confirm_limited ? params::kConfirm : params::kRebind;
    begin_exchange(std::move(m), p, now, Time(0), timers_.expiry == kNever ? std::nullopt : std::optional(timers_.expiry),
                   confirm_limited);
}

void Client::start_release(Time now) {
    ClientMessage m = new_message(MessageType::Release);
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
    enter(State::Releasing);
    begin_exchange(std::move(m), params::kRelease, now, Time(0));
}

void Client::start_information_request(Time now, Time delay) {
    enter(State::InformationRequesting);
    refresh_at_ = kNever;
    RetransmissionParams p = params::kInformationRequest;
    p.mrt = inf_max_rt_;
    begin_exchange(new_message(MessageType::InformationRequest), p, now, delay);
}

void Client::resume_lease_timers(Time now) {
    exchange_.reset();
    if (now < timers_.t1)
        enter(State::Bound);
    else
        start_renew(now);  // goes on to Rebind if T2 has passed too
}

void Client::expire_lease(Time now) {
    actions_.emplace_back(LeaseExpired{*lease_});
    lease_.reset();
    timers_ = {};
    if (state_ == State::Bound || state_ == State::Renewing || state_ == State::Rebinding)
        start_solicit(now, Time(0));  // §18.2.5: "may choose to use a Solicit message"
    // Soliciting / Requesting (NoBinding recovery): the exchange in progress carries on.
}

// ---------------------------------------------------------------------------------------------

void Client::enter(State next) {
    if (!transition_allowed(state_, next)) {
        // A programming error in this file, never a consequence of input: stop loudly.
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
    return Disposition::Ignored;
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
