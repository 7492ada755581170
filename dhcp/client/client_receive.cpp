// Client::receive() and what follows from a valid Advertise or Reply (RFC 8415 §16, §18.2.9,
// §18.2.10). Every path either acts on the message or ends in ignore(reason).
#include <cstdio>
#include <exception>
#include <string>
#include <utility>
#include <variant>

#include "dhcp/client/client.hpp"
#include "dhcp/client/message_parser.hpp"
#include "dhcp/s46_codec.hpp"

namespace s46::dhcp::client {

namespace {

constexpr std::uint32_t kIrtMinimumSeconds = 600;          // §7.6 IRT_MINIMUM
constexpr std::uint32_t kIrtDefaultSeconds = 86400;        // §7.6 IRT_DEFAULT
constexpr std::uint32_t kMaxRtMinSeconds = 60;             // §21.24/§21.25 valid range
constexpr std::uint32_t kMaxRtMaxSeconds = 86400;

std::string ia_name(const IaKey& k) {
    return std::string(k.code == kOptIaNa ? "IA_NA" : "IA_PD") + " iaid " + std::to_string(k.iaid);
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

Disposition Client::receive(std::span<const std::uint8_t> datagram, const net::Ipv6Address& from, Time now) {
    on_timer(now);  // a Reply after expiry must not revive what expired

    const auto header = parse_header(datagram);
    if (!header) return ignore(Reject::truncated_header, std::to_string(datagram.size()) + " octet(s)");
    const auto type = header->type;
    if (type == static_cast<std::uint8_t>(MessageType::reconfigure))
        // §16.11/§18.2.11: a Reconfigure without a valid reconfigure-key Authentication option
        // MUST be discarded; this client implements no reconfigure key, so every one is.
        return ignore(Reject::reconfigure_ignored, "Reconfigure from " + from.to_string());
    if (type == 0 || type > static_cast<std::uint8_t>(MessageType::relay_repl))
        return ignore(Reject::unknown_message_type, "message type " + std::to_string(type));
    if (type != static_cast<std::uint8_t>(MessageType::advertise) && type != static_cast<std::uint8_t>(MessageType::reply))
        return ignore(Reject::unexpected_message_type,
                      std::string(to_string(static_cast<MessageType>(type))) + " is not sent to clients");
    if (!exchange_ || exchange_->send_at)
        return ignore(Reject::no_exchange, "no exchange outstanding in state " + std::string(to_string(state_)));
    if (header->transaction_id != exchange_->message.transaction_id)
        return ignore(Reject::wrong_transaction_id, "transaction-id " + hex24(header->transaction_id) + ", expected " +
                                                      hex24(exchange_->message.transaction_id));

    auto parsed = parse_server_message(datagram);
    if (auto* r = std::get_if<Rejection>(&parsed)) return ignore(r->reason, std::move(r->detail));
    ServerMessage& m = std::get<ServerMessage>(parsed);

    // §16.3 (Advertise) and §16.10 (Reply): discard without our Client Identifier or without a
    // Server Identifier. We always send a Client Identifier, so its absence disqualifies.
    if (!m.has_client_id) return ignore(Reject::missing_client_id, "from " + from.to_string());
    if (m.client_id != config_.duid) return ignore(Reject::wrong_client_id, "from " + from.to_string());
    if (!m.has_server_id) return ignore(Reject::missing_server_id, "from " + from.to_string());

    // §18.2.9/§18.2.10: SOL_MAX_RT and INF_MAX_RT are processed even from a message that is
    // otherwise ignored.
    apply_max_rt_options(m);

    if (type == static_cast<std::uint8_t>(MessageType::advertise)) {
        if (state_ != State::soliciting)
            return ignore(Reject::unexpected_message_type, "Advertise in state " + std::string(to_string(state_)));
        return on_advertise(std::move(m), from, now);
    }
    switch (state_) {
        case State::soliciting:
            // §18.2.1: only a Reply carrying Rapid Commit answers a Solicit that asked for it.
            if (!config_.rapid_commit || !m.rapid_commit)
                return ignore(Reject::reply_without_rapid_commit, "Reply to Solicit from " + from.to_string());
            return on_binding_reply(m, from, now, ReplyKind::obtained);
        case State::requesting: return on_binding_reply(m, from, now, ReplyKind::obtained);
        case State::renewing: return on_binding_reply(m, from, now, ReplyKind::renewed);
        case State::rebinding: return on_binding_reply(m, from, now, ReplyKind::rebound);
        case State::releasing:
            // §18.2.10.2: the Release is done whatever the status codes say.
            exchange_.reset();
            enter(State::init);
            actions_.emplace_back(Released{});
            return Disposition::accepted;
        case State::information_requesting: return on_information_reply(m, now);
        default: break;
    }
    return ignore(Reject::no_exchange, "Reply in state " + std::string(to_string(state_)));
}

void Client::apply_max_rt_options(const ServerMessage& m) {
    auto in_range = [](std::uint32_t v) { return v >= kMaxRtMinSeconds && v <= kMaxRtMaxSeconds; };
    if (m.sol_max_rt && in_range(*m.sol_max_rt)) {
        sol_max_rt_ = std::chrono::seconds(*m.sol_max_rt);
        if (exchange_ && exchange_->message.type == MessageType::solicit) exchange_->rtx.set_mrt(sol_max_rt_);
    }
    if (m.inf_max_rt && in_range(*m.inf_max_rt)) {
        inf_max_rt_ = std::chrono::seconds(*m.inf_max_rt);
        if (exchange_ && exchange_->message.type == MessageType::information_request) exchange_->rtx.set_mrt(inf_max_rt_);
    }
}

Disposition Client::on_advertise(ServerMessage m, const net::Ipv6Address& from, Time now) {
    // §18.2.9: an Advertise with no address and no prefix in the IAs we asked for is ignored.
    bool offers = false;
    for (const auto& key : requested_ias())
        if (const IaReply* ia = m.find(key); ia && !ia->failed() && ia->has_leases()) offers = true;
    if (!offers) return ignore(Reject::advertise_no_bindings, "Advertise from " + from.to_string());

    Advert advert{std::move(m), from};
    // §18.2.1: preference 255 is taken at once; so is any Advertise after the first RT. During the
    // first RT they are collected and the best chosen when it ends (on_exchange_timeout).
    if (advert.message.preference == 255 || exchange_->rtx.transmissions() > 1) {
        start_request(advert, now);
        return Disposition::accepted;
    }
    adverts_.push_back(std::move(advert));
    return Disposition::accepted;
}

Disposition Client::on_binding_reply(const ServerMessage& m, const net::Ipv6Address& from, Time now, ReplyKind kind) {
    // §18.2.10: UnspecFail and UseMulticast mean the server did not act; retransmit as if no
    // Reply had come (we multicast already, so UseMulticast changes nothing).
    if (m.status == static_cast<std::uint16_t>(Status::unspec_fail))
        return ignore(Reject::status_unspec_fail, "from " + from.to_string() + ": " + m.status_message);
    if (m.status == static_cast<std::uint16_t>(Status::use_multicast))
        return ignore(Reject::status_use_multicast, "from " + from.to_string() + ": " + m.status_message);

    const auto requested = requested_ias();
    bool no_binding = false;
    for (const auto& key : requested) {
        const IaReply* ia = m.find(key);
        if (!ia) {
            // §18.2.10.1: for Renew/Rebind "as if the Reply message had not been received"; for a
            // Request we need every IA answered, even if only with a status.
            std::string detail = ia_name(key) + " missing from Reply from " + from.to_string();
            for (const auto& note : m.notes) detail += "; " + note;
            return ignore(Reject::reply_missing_ia, std::move(detail));
        }
        if (ia->status == static_cast<std::uint16_t>(Status::no_binding)) no_binding = true;
    }
    if (no_binding && kind != ReplyKind::obtained) {
        // §18.2.10.1: NoBinding after Renew/Rebind -> Request to the server that responded,
        // keeping the other leases meanwhile.
        start_request_after_no_binding(m, now);
        return Disposition::accepted;
    }

    const s46::Seconds now_s = to_seconds(now);
    const provision::Lease* previous = kind == ReplyKind::obtained ? nullptr : &*lease_;
    provision::Lease lease = lease_from_reply(m, requested, previous, from, now_s);
    if (lease.addresses.empty() && lease.prefixes.empty()) {
        if (kind != ReplyKind::obtained) {
            // Every lease withdrawn (valid lifetime 0, §18.2.10.1): gone as if expired.
            expire_lease(now);
            return Disposition::accepted;
        }
        std::string detail = "from " + from.to_string() + ":";
        for (const auto& key : requested)
            if (const IaReply* ia = m.find(key))
                detail += " " + ia_name(key) + " status " + (ia->status ? std::to_string(*ia->status) : "none") +
                          (ia->status_message.empty() ? "" : " (" + ia->status_message + ")");
        // §18.2.10.1: nothing granted -> try again via Solicit. A Rapid Commit Reply to our
        // Solicit just lets the Solicit retransmissions go on (restarting would loop at once).
        if (state_ == State::requesting) start_solicit_after_failure(now);
        return ignore(Reject::reply_no_bindings, std::move(detail));
    }

    std::string error;
    auto options = decode_options(lease.options, error);
    if (!options) return ignore(Reject::options_decode_failed, error);

    exchange_.reset();
    adverts_.clear();
    solicit_failures_ = 0;
    lease_ = lease;
    timers_ = lease_timers(lease);
    enter(State::bound);
    LeaseEvent event{std::move(lease), std::move(*options)};
    switch (kind) {
        case ReplyKind::obtained: actions_.emplace_back(LeaseObtained{std::move(event)}); break;
        case ReplyKind::renewed: actions_.emplace_back(LeaseRenewed{std::move(event)}); break;
        case ReplyKind::rebound: actions_.emplace_back(LeaseRebound{std::move(event)}); break;
    }
    return Disposition::accepted;
}

Disposition Client::on_information_reply(const ServerMessage& m, Time now) {
    if (m.status == static_cast<std::uint16_t>(Status::unspec_fail))
        return ignore(Reject::status_unspec_fail, m.status_message);
    if (m.status == static_cast<std::uint16_t>(Status::use_multicast))
        return ignore(Reject::status_use_multicast, m.status_message);
    std::string error;
    auto options = decode_options(m.options, error);
    if (!options) return ignore(Reject::options_decode_failed, error);

    // §21.23: absent -> IRT_DEFAULT; below IRT_MINIMUM -> IRT_MINIMUM; 0xffffffff -> never.
    std::uint32_t refresh = m.information_refresh_time.value_or(kIrtDefaultSeconds);
    if (refresh < kIrtMinimumSeconds) refresh = kIrtMinimumSeconds;
    exchange_.reset();
    enter(State::informed);
    refresh_at_ = refresh == kInfinity ? kNever : saturating_add(now, std::chrono::seconds(refresh));
    actions_.emplace_back(InformationReceived{std::move(*options), m.options, refresh});
    return Disposition::accepted;
}

}  // namespace s46::dhcp::client
