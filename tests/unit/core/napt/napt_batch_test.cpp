// translate_outbound_batch() / translate_inbound_batch() against the per-packet calls:
// two translators built from the same Config (so the same port draws) get the same random
// traffic, one packet at a time and in batches of random size (1 to 40, across the
// 16-packet prefetch groups). Every verdict, reason, output byte, table size and counter
// must agree. The traffic repeats flows within a batch (a later packet uses state an earlier
// one creates), answers earlier translations from outside, and mixes in junk the prefetch
// stage must skip: truncated headers, fragments, other protocols, non-echo ICMP.
#include <catch2/catch.hpp>

#include <random>
#include <vector>

#include "tests/unit/core/napt/napt_fixture.hpp"

using namespace s46::napt;
using namespace s46::napt::test;

namespace {

class Pair {
public:
    explicit Pair(const Config& c, std::uint64_t seed) : one_(make_napt(c)), batched_(make_napt(c)), rng_(seed) {}

    void round(std::int64_t t_s) {
        std::vector<Bytes> out_batch;
        const std::size_t n = 1 + pick(40);
        for (std::size_t i = 0; i < n; ++i) out_batch.push_back(outbound_packet());
        const std::vector<Bytes> sent = compare(out_batch, true, t_s);

        std::vector<Bytes> in_batch;
        for (const Bytes& p : sent) {
            if (chance(80)) in_batch.push_back(reply_to(p));
            if (chance(10)) in_batch.push_back(junk());
        }
        for (int i = 0, strays = static_cast<int>(pick(4)); i < strays; ++i)
            in_batch.push_back(udp_packet(remote(), 53, external_address, static_cast<std::uint16_t>(1024 + pick(64512))));
        compare(in_batch, false, t_s);
    }

    void check_state() const {
        CHECK(one_.session_count() == batched_.session_count());
        CHECK(one_.mapping_count() == batched_.mapping_count());
        CHECK(one_.host_count() == batched_.host_count());
        check_same_counters(one_.counters(), batched_.counters());
    }

    const Counters& counters() const { return one_.counters(); }

private:
    std::uint32_t pick(std::uint32_t n) { return static_cast<std::uint32_t>(rng_() % n); }
    bool chance(std::uint32_t percent) { return pick(100) < percent; }
    std::uint32_t lan() { return v4(192, 168, 1, static_cast<std::uint8_t>(10 + pick(6))); }
    std::uint32_t remote() { return v4(198, 51, 100, static_cast<std::uint8_t>(1 + pick(4))); }
    std::uint16_t lan_port() { return static_cast<std::uint16_t>(40000 + pick(12)); }

    Bytes outbound_packet() {
        switch (pick(10)) {
            case 0: return tcp_packet(lan(), lan_port(), remote(), 443, chance(50) ? 0x02 : 0x10);
            case 1: return echo_packet(lan(), remote(), 8, static_cast<std::uint16_t>(pick(8)));
            case 2: return junk();
            default: return udp_packet(lan(), lan_port(), remote(), static_cast<std::uint16_t>(53 + pick(3)));
        }
    }

    Bytes junk() {
        Bytes p = udp_packet(lan(), lan_port(), remote(), 53);
        switch (pick(5)) {
            case 0: p.resize(pick(28)); break;             // truncated
            case 1: put16(p, 6, 0x0010); break;             // a later fragment
            case 2: p[9] = 47; break;                       // GRE: not translated
            case 3: p = echo_packet(lan(), remote(), 13, 7); break;  // timestamp request
            default: p[0] = 0x65; break;                    // version 6
        }
        return p;
    }

    // What the remote end sends back to a translated packet (UDP, TCP or echo).
    Bytes reply_to(const Bytes& sent) {
        const Endpoints e = endpoints(sent);
        switch (sent[9]) {
            case 6: return tcp_packet(e.dst, e.dport, e.src, e.sport, 0x12);
            case 1: return echo_packet(e.dst, e.src, 0, e.sport);
            default: return udp_packet(e.dst, e.dport, e.src, e.sport);
        }
    }

    // Runs `packets` through both translators; returns the ones forwarded (translated).
    std::vector<Bytes> compare(const std::vector<Bytes>& packets, bool outbound, std::int64_t t_s) {
        std::vector<Bytes> singly = packets, batch = packets;
        std::vector<Outcome> one(packets.size()), many(packets.size());
        for (std::size_t i = 0; i < packets.size(); ++i)
            one[i] = outbound ? one_.translate_outbound(singly[i], at_s(t_s)) : one_.translate_inbound(singly[i], at_s(t_s));
        std::vector<std::span<std::uint8_t>> spans(batch.begin(), batch.end());
        if (outbound)
            batched_.translate_outbound_batch(spans, at_s(t_s), many);
        else
            batched_.translate_inbound_batch(spans, at_s(t_s), many);
        std::vector<Bytes> forwarded;
        for (std::size_t i = 0; i < packets.size(); ++i) {
            if (one[i].action() != many[i].action() || one[i].reason() != many[i].reason() || singly[i] != batch[i])
                FAIL("packet " << i << " of " << packets.size() << (outbound ? " out" : " in") << " at " << t_s
                               << " s: single " << (one[i].ok() ? "ok" : to_string(*one[i].reason())) << ", batch " << (many[i].ok() ? "ok" : to_string(*many[i].reason())));
            if (one[i].action() == Action::forward) forwarded.push_back(singly[i]);
        }
        return forwarded;
    }

    Napt one_, batched_;
    std::mt19937_64 rng_;
};

}  // namespace

TEST_CASE("batch: the batch calls equal the per-packet calls", "[napt][batch]") {
    struct Shape {
        const char* name;
        Config config;
    };
    std::vector<Shape> shapes;
    shapes.push_back({"full address, address-dependent", base_config()});
    {
        Config c = base_config();
        c.filtering = Filtering::endpoint_independent;
        c.max_sessions = 64;  // small: refusals and reclaim scans inside batches
        shapes.push_back({"full address, endpoint-independent, 64 sessions", c});
    }
    {
        Config c = base_config();
        c.ports = port_set(6, 8, 0x34);
        shapes.push_back({"MAP a=6 k=8", c});
    }
    for (const Shape& s : shapes) {
        for (std::uint64_t seed : {1u, 2u, 3u}) {
            DYNAMIC_SECTION(s.name << ", seed " << seed) {
                Pair pair(s.config, seed);
                std::int64_t t = 1;
                for (int r = 0; r < 400; ++r) {
                    pair.round(t);
                    t += r % 50 == 49 ? 400 : 1;  // now and then past the UDP timeout
                }
                pair.check_state();
                // The traffic reached the paths worth comparing, not only drops.
                const Counters& k = pair.counters();
                CHECK(k.outbound_translated > 500);
                CHECK(k.inbound_translated > 250);
                CHECK(k.drop(DropReason::filtered) + k.drop(DropReason::no_mapping_inbound) > 0);
                if (s.config.max_sessions == 64) CHECK(k.drop(DropReason::session_table_full) > 0);
            }
        }
    }
}
