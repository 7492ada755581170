// The DHCPv4-over-DHCPv6 client engine (RFC 2131 client side, carried as RFC 7341 describes,
// with the softwire source address of RFC 8539), sans-IO like the DHCPv6 engine (dhcp/client).
//
// It owns no socket and reads no clock: the caller passes every received datagram and the time,
// calls on_timer() when next_deadline() is reached, and carries out the Actions it drains with
// take_actions() (send a DHCPV4-QUERY; act on a lease event). Randomness (xids, the §4.1 jitter,
// the initial delay) comes from the injected Random, so a test can replay any schedule exactly.
//
// Nothing is sent before start(): 4o6 needs an IPv6 address to send from (RFC 7341 §5), which
// the DHCPv6 exchange provides. Every datagram is either acted on or ignored under a named Reject
// that counters() counts; the engine never throws on received input.
//
// States, transitions, timers and the validation rules: docs/dhcp4o6-client.md.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/net/ipv6.hpp"
#include "dhcp/client/actions.hpp"  // all_dhcp_relay_agents_and_servers
#include "dhcp/client4o6/actions.hpp"
#include "dhcp/client4o6/config.hpp"
#include "dhcp/client4o6/lease.hpp"
#include "dhcp/client4o6/message.hpp"
#include "dhcp/client4o6/reject.hpp"
#include "dhcp/client4o6/state.hpp"
#include "dhcp/client4o6/types.hpp"

namespace s46::dhcp::client4o6 {

// What receive() did with a datagram: acted on it, or ignored it (and counted why).
enum class Disposition : std::uint8_t { accepted, ignored };

class Client {
public:
    // Throws std::invalid_argument when validate(config) names a problem (configuration error).
    Client(ClientConfig config, Random random);

    // The DHCPv6 side gave the CPE `source`, the IPv6 address the softwire and these datagrams
    // will come from, and option 88 listed `servers` (empty: 88 was present but empty, so
    // multicast to ff02::1:2, RFC 7341 §5). Init -> Selecting after the §4.4.1 random delay.
    // Ignored unless in Init and not started.
    void start(Time now, const net::Ipv6Address& source, std::vector<net::Ipv6Address> servers);

    // A restart with a lease from the store (the daemon's persistence): Bound on `lease` at once,
    // then Renewing / Rebinding if `now` is past its T1 / T2, so the mode comes back even when the
    // servers are silent (RFC 2131 §4.4.5 timers count from the lease's obtained_at, which must be
    // on this engine's clock). A `source` other than the lease's softwire_source is told to the
    // server at once (source_address_changed). False (nothing done) when the engine is already
    // started or the lease has expired at `now`: then start() as usual.
    bool restore(Time now, const net::Ipv6Address& source, std::vector<net::Ipv6Address> servers, const Lease4& lease);

    // One UDP datagram received on port 546.
    Disposition receive(std::span<const std::uint8_t> datagram, Time now);

    // Runs whatever is due at `now` (retransmission, T1, T2, expiry, restart after NAK). Calling
    // it early or more often than needed is harmless.
    void on_timer(Time now);

    // The softwire source address changed: the server must learn it (RFC 8539). With a lease, a
    // DHCPREQUEST in RENEWING (REBINDING after T2) carrying the new option 109; while still
    // selecting or requesting, DISCOVER again. No-op before start() or when unchanged.
    void source_address_changed(const net::Ipv6Address& source, Time now);

    // The caller found the leased address unusable (RFC 2131 §4.4.1): DHCPDECLINE, LeaseLost,
    // DISCOVER again after restart_delay. False (nothing done) without a lease.
    bool decline(Time now);

    // Orderly shutdown: with a lease, DHCPRELEASE (§4.4.6) and Released; always back to Init,
    // not started.
    void stop(Time now);

    std::vector<Action> take_actions();

    // When on_timer() must next be called; nullopt: nothing scheduled.
    std::optional<Time> next_deadline() const;

    State state() const { return state_; }
    bool started() const { return started_; }
    const std::optional<Lease4>& lease() const { return lease_; }
    const std::map<Reject, std::uint64_t>& counters() const { return counters_; }
    std::uint64_t ignored_total() const { return ignored_total_; }
    const std::optional<Rejection>& last_rejection() const { return last_rejection_; }
    // The outstanding exchange's xid (fake servers echo it); nullopt when nothing is outstanding.
    std::optional<std::uint32_t> transaction_id() const;

private:
    struct Offer {
        net::Ipv4Address address;
        net::Ipv4Address server_id;
    };
    struct Exchange {
        ClientMessage message;
        bool unicast = false;           // RFC 7341 §6.2 U flag
        Time first_sent{0};             // secs and the lease's start count from here
        unsigned transmissions = 0;
        Time next{0};                   // first transmission (transmissions == 0) or the next timeout
    };

    void enter(State next);
    Disposition ignore(Reject reason, std::string detail);

    ClientMessage new_message(MessageType type, std::uint32_t xid) const;
    void begin_exchange(ClientMessage message, bool unicast, Time now, Time delay);
    void transmit(Time now);
    void send_once(const ClientMessage& message, bool unicast);
    void on_exchange_timeout(Time now);

    void start_discover(Time now, Time delay);
    void start_request(const Offer& offer, Time now);
    void start_lease_request(State next, Time now);  // RENEWING or REBINDING
    void lose_lease(LossReason reason, Time now, Time restart_after);

    Disposition on_offer(const ServerMessage& m, Time now);
    Disposition on_ack(const ServerMessage& m, Time now);
    Disposition on_nak(const ServerMessage& m, Time now);

    ClientConfig config_;
    Random random_;
    State state_ = State::init;
    bool started_ = false;
    net::Ipv6Address source_;
    std::vector<net::Ipv6Address> servers_;
    std::optional<Exchange> exchange_;
    std::optional<Lease4> lease_;
    LeaseTimers timers_;
    Time restart_at_ = kNever;  // Init after NAK / DECLINE: next DISCOVER
    std::vector<Action> actions_;
    std::map<Reject, std::uint64_t> counters_;
    std::uint64_t ignored_total_ = 0;
    std::optional<Rejection> last_rejection_;
};

// ff02::1:2, All_DHCP_Relay_Agents_and_Servers (RFC 8415 §7.1), for an empty option 88.
using client::all_dhcp_relay_agents_and_servers;

}  // namespace s46::dhcp::client4o6
