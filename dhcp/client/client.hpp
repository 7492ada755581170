// The DHCPv6 client engine (RFC 8415 §18, client side), sans-IO.
//
// It owns no socket and reads no clock: the caller passes every received datagram and the time,
// calls on_timer() when next_deadline() is reached, and carries out the Actions it drains with
// take_actions() (send a datagram to ff02::1:2 port 547; act on a lease event). Randomness
// (transaction ids, §15 RAND, initial delay) comes from the injected Random, so a test can
// replay any schedule exactly.
//
// Every datagram is validated (§16) and either acted on or ignored under a named Reject that
// counters() counts; the engine never throws on received input.
//
// States, transitions, timers and the validation rules: docs/dhcpv6-client.md.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <vector>

#include "core/net/ipv6.hpp"
#include "core/provision/lease.hpp"
#include "dhcp/client/actions.hpp"
#include "dhcp/client/config.hpp"
#include "dhcp/client/lease_update.hpp"
#include "dhcp/client/message_builder.hpp"
#include "dhcp/client/reject.hpp"
#include "dhcp/client/retransmission.hpp"
#include "dhcp/client/server_message.hpp"
#include "dhcp/client/state.hpp"
#include "dhcp/client/types.hpp"

namespace s46::dhcp::client {

// What receive() did with a datagram: acted on it, or ignored it (and counted why).
enum class Disposition : std::uint8_t { accepted, ignored };

class Client {
public:
    // Throws std::invalid_argument when validate(config) names a problem (configuration error).
    Client(ClientConfig config, Random random);

    // Init -> Soliciting (or InformationRequesting in stateless mode), after the random initial
    // delay of §18.2.1/§18.2.6. Ignored in any other state.
    void start(Time now);

    // Daemon restart with a stored lease (Init only). Still valid (and made for this DUID's IAs):
    // Rebinding at once, the lease usable meanwhile, no event until a Reply (LeaseRebound) or
    // expiry (LeaseExpired). Expired or unusable: start().
    void restore(const provision::Lease& lease, Time now);

    // One UDP datagram received on port 546 from `from`.
    Disposition receive(std::span<const std::uint8_t> datagram, const net::Ipv6Address& from, Time now);

    // Runs whatever is due at `now` (retransmission, T1, T2, expiry, refresh). Calling it early or
    // more often than needed is harmless.
    void on_timer(Time now);

    // The WAN link came (back) up: the client may be on another link (§18.2.12). With a lease:
    // Rebind (Confirm's retransmission limits), keeping the lease until a Reply or its expiry.
    // Without: the current Solicit / Information-request starts over.
    void link_up(Time now);

    // Operator request (s46ctl renew): Renew at once instead of waiting for T1 (§18.2.4 with
    // the same MRD, until T2). Only from Bound; false (nothing done) in any other state.
    bool renew_now(Time now);

    // Orderly shutdown: with a lease, Release it (§18.2.7; the lease is dropped at once, Released
    // follows); without, straight to Init.
    void stop(Time now);

    // Everything queued since the last call, in order.
    std::vector<Action> take_actions();

    // When on_timer() must next be called; nullopt: nothing scheduled.
    std::optional<Time> next_deadline() const;

    State state() const { return state_; }
    // The lease in use (Bound/Renewing/Rebinding, and during a NoBinding recovery).
    const std::optional<provision::Lease>& lease() const { return lease_; }
    // Ignored datagrams by reason; reasons never seen are absent.
    const std::map<Reject, std::uint64_t>& counters() const { return counters_; }
    std::uint64_t ignored_total() const { return ignored_total_; }
    // The most recent ignored datagram's reason and debug text.
    const std::optional<Rejection>& last_rejection() const { return last_rejection_; }
    // The outstanding exchange's transaction id (fake servers echo it); nullopt when idle.
    std::optional<std::uint32_t> transaction_id() const;
    // SOL_MAX_RT in force (§21.24: a server may change it).
    Time sol_max_rt() const { return sol_max_rt_; }

private:
    enum class ReplyKind : std::uint8_t { obtained, renewed, rebound };

    struct Exchange {
        ClientMessage message;
        RetransmissionParams params;
        bool first_rt_above_irt = false;
        std::optional<Time> end;          // absolute give-up time besides params.mrd
        std::optional<Time> send_at;      // the first transmission, while the initial delay runs
        bool confirm_limited = false;     // link-up / restore Rebind (§18.2.12)
        Retransmission rtx;
    };

    struct Advert {
        ServerMessage message;
        net::Ipv6Address from;
    };

    void enter(State next);
    Disposition ignore(Reject reason, std::string detail);

    std::vector<IaKey> requested_ias() const;
    std::vector<IaRequest> ia_requests_from_lease() const;
    ClientMessage new_message(MessageType type) const;

    void begin_exchange(ClientMessage message, RetransmissionParams params, Time now, Time delay,
                        std::optional<Time> end = std::nullopt, bool confirm_limited = false);
    void transmit(Time now);
    void on_exchange_timeout(Time now);
    void give_up(Time now);

    void start_solicit(Time now, Time delay);
    void start_solicit_after_failure(Time now);
    void start_request(const Advert& advert, Time now);
    void start_request_after_no_binding(const ServerMessage& reply, Time now);
    void start_renew(Time now);
    void start_rebind(Time now, bool confirm_limited);
    void start_release(Time now);
    void start_information_request(Time now, Time delay);
    void resume_lease_timers(Time now);
    void expire_lease(Time now);

    Disposition on_advertise(ServerMessage message, const net::Ipv6Address& from, Time now);
    Disposition on_binding_reply(const ServerMessage& message, const net::Ipv6Address& from, Time now, ReplyKind kind);
    Disposition on_information_reply(const ServerMessage& message, Time now);
    void apply_max_rt_options(const ServerMessage& message);

    ClientConfig config_;
    Random random_;
    State state_ = State::init;
    std::optional<Exchange> exchange_;
    std::vector<Advert> adverts_;  // collected during the first Solicit RT (§18.2.1)
    unsigned solicit_failures_ = 0;  // consecutive Request failures, for the §14.1 rate limit
    std::optional<provision::Lease> lease_;
    LeaseTimers timers_;
    Time refresh_at_ = kNever;  // Informed: next Information-request
    Time sol_max_rt_ = params::kSolicit.mrt;
    Time inf_max_rt_ = params::kInformationRequest.mrt;
    std::vector<Action> actions_;
    std::map<Reject, std::uint64_t> counters_;
    std::uint64_t ignored_total_ = 0;
    std::optional<Rejection> last_rejection_;
};

}  // namespace s46::dhcp::client
