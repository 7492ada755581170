// A scripted DHCPv6 server for the client engine's tests: it reads the client's message with
// libdhcp++ (Pkt6::unpack) and answers with Advertise/Reply built by libdhcp++ (Pkt6::pack),
// followed by the softwire options encoded by the codec (dhcp/s46_codec.hpp). Every field a test
// may want to break is a public member.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/net/ipv6.hpp"
#include "core/provision/s46_options.hpp"
#include "dhcp/client/client.hpp"

namespace s46::dhcp::client::test {

net::Ipv6Address v6(const char* text);
net::Ipv6Prefix v6p(const char* text);

// Randomness for the engine: always `value` (0 -> RAND = -0.1, 0xffffffff -> RAND = +0.1).
Random constant_random(std::uint32_t value);
// Distinct transaction ids (low 24 bits count up) with RAND close to 0.
Random counting_random();

// What the client sent, read back with libdhcp++.
struct SentMessage {
    MessageType type{};
    std::uint32_t transaction_id = 0;
    std::vector<std::uint8_t> client_id;
    std::optional<std::vector<std::uint8_t>> server_id;
    std::optional<std::uint16_t> elapsed_cs;
    std::vector<std::uint16_t> oro;
    bool rapid_commit = false;
    struct Ia {
        std::uint16_t code = 0;
        std::uint32_t iaid = 0, t1 = 0, t2 = 0;
        std::vector<net::Ipv6Address> addresses;
        std::vector<net::Ipv6Prefix> prefixes;  // includes a ::/len hint
    };
    std::vector<Ia> ias;
    const Ia* ia(std::uint16_t code) const;
};
SentMessage read_client_message(std::span<const std::uint8_t> bytes);

// The softwire options the fake server hands out by default: AFTR-Name and one MAP-E domain.
provision::S46OptionSet default_s46_options();

// DUID-LL 02:00:00:00:00:02. (A function, not a braced member initialiser: GCC 12 warns
// -Wmaybe-uninitialized on the latter when inlined.)
std::vector<std::uint8_t> default_server_duid();

struct FakeServer {
    std::vector<std::uint8_t> duid = default_server_duid();
    net::Ipv6Address address = v6("fe80::ff:fe00:2");

    std::optional<std::uint8_t> preference;  // absent: no Preference option
    bool offer_na = true, offer_pd = true;
    net::Ipv6Address na_address = v6("2001:db8:0:1::100");
    net::Ipv6Prefix pd_prefix = v6p("2001:db8:ff00::/56");
    std::uint32_t t1 = 1000, t2 = 2000, preferred = 3000, valid = 4000;
    std::optional<std::uint16_t> na_status, pd_status;  // an IA-level Status Code
    std::optional<std::uint16_t> top_status;            // a top-level Status Code
    bool include_na = true, include_pd = true;          // IA present in the answer at all
    bool include_client_id = true, include_server_id = true;
    std::optional<std::uint32_t> information_refresh_time;
    std::optional<std::uint32_t> sol_max_rt;
    provision::S46OptionSet s46 = default_s46_options();

    // Advertise or Reply to `client_message`; `rapid_commit` adds the Rapid Commit option.
    std::vector<std::uint8_t> advertise(std::span<const std::uint8_t> client_message) const;
    std::vector<std::uint8_t> reply(std::span<const std::uint8_t> client_message, bool rapid_commit = false) const;
    std::vector<std::uint8_t> answer(std::uint8_t type, std::span<const std::uint8_t> client_message,
                                     bool rapid_commit) const;
};

// The engine plus a clock and the actions it produced, for scenario tests.
struct Harness {
    explicit Harness(ClientConfig config) : Harness(std::move(config), counting_random()) {}
    Harness(ClientConfig config, std::uint32_t random_value) : Harness(std::move(config), constant_random(random_value)) {}
    Harness(ClientConfig config, Random random);

    Client client;
    Time now{0};
    std::vector<Action> actions;  // everything taken so far
    std::vector<Send> sent;       // the Send actions among them

    // Take the engine's new actions; returns how many there were.
    std::size_t pump();
    // Advance to next_deadline() (which must exist), run the timer and pump.
    Time advance();
    void advance_to(Time t);
    Disposition deliver(const std::vector<std::uint8_t>& datagram, const net::Ipv6Address& from = v6("fe80::ff:fe00:2"));

    // client.start() and its first actions: the Solicit (or Information-request) is out.
    void start();
    // start(), one Advertise from `server`, and the end of the first RT: a Request is out
    // (§18.2.1: the client waits out the first RT for more Advertises).
    void to_requesting(const FakeServer& server);
    // to_requesting() and the Reply: bound (the Reply arrives at 1.05 s).
    void bind(const FakeServer& server);
    // start(), the Advertise and the Reply of a `server` with preference 255, which the client
    // takes without waiting out the RT (§18.2.1): bound at t = 0.
    void bind_at_once(const FakeServer& server);

    const Send& last_sent() const;
    SentMessage last_message() const { return read_client_message(last_sent().bytes); }
    template <class T>
    std::vector<T> events() const {
        std::vector<T> out;
        for (const auto& a : actions)
            if (const auto* e = std::get_if<T>(&a)) out.push_back(*e);
        return out;
    }
};

ClientConfig test_config();  // DUID-LL 02:00:00:00:00:01, IA_NA 1, IA_PD 2 (/56 hint), no delay

}  // namespace s46::dhcp::client::test
