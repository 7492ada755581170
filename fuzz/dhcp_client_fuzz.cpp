// Fuzz target: the DHCPv6 client engine (dhcp/client) fed arbitrary datagrams as replies.
//
// Each input runs against a fresh engine that has a Request outstanding (Solicit, then a
// hand-built Advertise with preference 255). The input is delivered twice: as is, and with its
// transaction-id overwritten by the outstanding one (so the message gets past the xid check and
// reaches the option parser and the Reply logic). If the engine ends up Bound, it is run to T1
// and the input is delivered once more as a Reply to the Renew.
//
// Invariants, for every delivery:
//  * receive() returns (never throws);
//  * Ignored <=> ignored_total() grew by exactly 1, and the counter of last_rejection()'s reason
//    grew by 1 with a non-empty debug text; Accepted <=> no counter moved;
//  * the state change is an edge of the transition table (or no change);
//  * Ignored leaves the state alone, except ReplyNoBindings after a Request (-> Soliciting);
//  * Accepted while Requesting means Bound with a non-empty lease whose raw options are the
//    datagram's options and a LeaseObtained event carrying the same lease;
//  * something is always scheduled (next_deadline()).
#include <cstdint>
#include <map>
#include <span>
#include <variant>
#include <vector>

#include "dhcp/client/client.hpp"
#include "fuzz/fuzz_check.hpp"

using namespace s46;
using namespace s46::dhcp::client;

namespace {

using Bytes = std::vector<std::uint8_t>;

constexpr std::uint32_t kRandom = 0x00a1b2c3;  // every transaction id is 0xa1b2c3

void put16(Bytes& b, unsigned v) {
    b.push_back(static_cast<std::uint8_t>(v >> 8));
    b.push_back(static_cast<std::uint8_t>(v));
}
void put32(Bytes& b, std::uint32_t v) {
    put16(b, v >> 16);
    put16(b, v & 0xffff);
}
void tlv(Bytes& b, unsigned code, const Bytes& value) {
    put16(b, code);
    put16(b, static_cast<unsigned>(value.size()));
    b.insert(b.end(), value.begin(), value.end());
}

const Bytes& client_duid() {
    static const Bytes d{0, 3, 0, 1, 2, 0, 0, 0, 0, 1};
    return d;
}

// An Advertise offering 2001:db8::100 and 2001:db8:ff00::/56, preference 255.
Bytes advertise(std::uint32_t xid) {
    Bytes m{2, static_cast<std::uint8_t>(xid >> 16), static_cast<std::uint8_t>(xid >> 8), static_cast<std::uint8_t>(xid)};
    tlv(m, 1, client_duid());
    tlv(m, 2, Bytes{0, 3, 0, 1, 2, 0, 0, 0, 0, 2});
    tlv(m, 7, Bytes{255});
    Bytes ia_na, iaaddr, ia_pd, iaprefix;
    put32(ia_na, 1), put32(ia_na, 1000), put32(ia_na, 2000);
    iaaddr = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0};
    put32(iaaddr, 3000), put32(iaaddr, 4000);
    tlv(ia_na, 5, iaaddr);
    tlv(m, 3, ia_na);
    put32(ia_pd, 2), put32(ia_pd, 1000), put32(ia_pd, 2000);
    put32(iaprefix, 3000), put32(iaprefix, 4000);
    iaprefix.push_back(56);
    const Bytes pfx{0x20, 0x01, 0x0d, 0xb8, 0xff, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
    iaprefix.insert(iaprefix.end(), pfx.begin(), pfx.end());
    tlv(ia_pd, 26, iaprefix);
    tlv(m, 25, ia_pd);
    return m;
}

ClientConfig config() {
    ClientConfig c;
    c.duid = client_duid();
    c.max_initial_delay = Time(0);
    c.rapid_commit = true;
    return c;
}

const net::Ipv6Address& server_address() {
    static const net::Ipv6Address a = [] {
        net::Ipv6Address x;
        x.bytes[0] = 0xfe;
        x.bytes[1] = 0x80;
        x.bytes[15] = 2;
        return x;
    }();
    return a;
}

// Delivers `datagram` and checks every invariant above.
void deliver(Client& c, std::span<const std::uint8_t> datagram, Time now) {
    const State before = c.state();
    const auto total_before = c.ignored_total();
    const std::map<Reject, std::uint64_t> counters_before = c.counters();
    c.take_actions();

    const Disposition d = c.receive(datagram, server_address(), now);
    const State after = c.state();
    const auto actions = c.take_actions();

    S46_FUZZ_CHECK(static_cast<std::size_t>(after) < kStateCount);
    S46_FUZZ_CHECK(after == before || transition_allowed(before, after));
    S46_FUZZ_CHECK(c.next_deadline().has_value());
    if (d == Disposition::ignored) {
        S46_FUZZ_CHECK(c.ignored_total() == total_before + 1);
        S46_FUZZ_CHECK(c.last_rejection().has_value());
        const Reject why = c.last_rejection()->reason;
        S46_FUZZ_CHECK(!c.last_rejection()->detail.empty());
        const auto it = counters_before.find(why);
        const std::uint64_t was = it == counters_before.end() ? 0 : it->second;
        S46_FUZZ_CHECK(c.counters().at(why) == was + 1);
        if (why == Reject::reply_no_bindings && before == State::requesting)
            S46_FUZZ_CHECK(after == State::soliciting);
        else
            S46_FUZZ_CHECK(after == before);
    } else {
        S46_FUZZ_CHECK(d == Disposition::accepted);
        S46_FUZZ_CHECK(c.ignored_total() == total_before);
        S46_FUZZ_CHECK(c.counters() == counters_before);
        if (before == State::requesting) {
            S46_FUZZ_CHECK(after == State::bound);
            S46_FUZZ_CHECK(c.lease().has_value());
            const auto& lease = *c.lease();
            S46_FUZZ_CHECK(!lease.addresses.empty() || !lease.prefixes.empty());
            S46_FUZZ_CHECK(lease.options == Bytes(datagram.begin() + 4, datagram.end()));
            bool event = false;
            for (const auto& a : actions)
                if (const auto* o = std::get_if<LeaseObtained>(&a)) event = o->lease == lease;
            S46_FUZZ_CHECK(event);
        }
    }
}

Bytes with_xid(std::span<const std::uint8_t> data, std::uint32_t xid) {
    Bytes b(data.begin(), data.end());
    if (b.size() >= 4) {
        b[1] = static_cast<std::uint8_t>(xid >> 16);
        b[2] = static_cast<std::uint8_t>(xid >> 8);
        b[3] = static_cast<std::uint8_t>(xid);
    }
    return b;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::span<const std::uint8_t> input(data, size);
    Client c(config(), [] { return kRandom; });
    Time now{0};
    c.start(now);
    const auto xid = c.transaction_id();
    S46_FUZZ_CHECK(xid.has_value());
    c.receive(advertise(*xid), server_address(), now);
    S46_FUZZ_CHECK(c.state() == State::requesting);

    deliver(c, input, now);
    deliver(c, with_xid(input, c.transaction_id().value_or(0)), now);

    if (c.state() == State::bound) {
        // Run to T1 (Renew), then answer the Renew with the same bytes.
        for (int i = 0; i < 4 && c.state() == State::bound; ++i) {
            now = *c.next_deadline();
            c.on_timer(now);
        }
        if (c.transaction_id()) deliver(c, with_xid(input, *c.transaction_id()), now);
    }
    // Whatever happened, time can move on without trouble.
    for (int i = 0; i < 3; ++i) {
        const auto next = c.next_deadline();
        S46_FUZZ_CHECK(next.has_value());
        now = *next;
        c.on_timer(now);
    }
    c.stop(now);
    return 0;
}
