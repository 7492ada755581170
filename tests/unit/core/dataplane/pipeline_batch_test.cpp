// Pipeline::outbound_batch() against outbound() one packet at a time: two pipelines built the
// same way get the same random LAN traffic, one per packet and one in batches of random size
// (1 to 40, across the prefetch groups of core/napt/napt_batch.hpp). Every result -- its kind,
// reason, every byte it points at -- and every counter must agree. The traffic repeats flows
// within a batch (later packets use mappings earlier ones create), hairpins, dies of TTL, is too
// big for DF, fragments, and includes junk the prefetch stages must skip.
#include <algorithm>
#include <random>
#include <sstream>

#include "tests/unit/core/dataplane/dp_fixture.hpp"

using namespace s46;
using namespace s46::dataplane;
using namespace s46::dataplane::test;

namespace {

// Everything a result says, flattened (spans copied: they are only valid until the next packet).
std::string describe(const Outbound& r) {
    std::ostringstream o;
    o << r.index() << ':';
    auto hex = [&](std::span<const std::uint8_t> s) {
        for (std::uint8_t b : s) o << static_cast<int>(b) << ',';
        o << '|';
    };
    if (const auto* e = std::get_if<Encapsulated>(&r)) {
        hex(e->remote.bytes);
        o << static_cast<int>(e->traffic_class) << '|';
        hex(e->inner);
        hex(e->ipv6_packet);
    } else if (const auto* l = std::get_if<ReplyToLan>(&r)) {
        hex(l->packet);
        o << (l->dropped ? static_cast<int>(*l->dropped) : -1);
    } else if (const auto* h = std::get_if<Hairpin>(&r)) {
        hex(h->packet);
    } else if (const auto* d = std::get_if<Drop>(&r)) {
        o << static_cast<int>(d->reason) << '/' << static_cast<int>(d->napt_detail);
    }
    return o.str();
}

std::vector<std::pair<std::string, std::uint64_t>> all_counters(const Counters& c) {
    std::vector<std::pair<std::string, std::uint64_t>> v;
    c.for_each([&](std::string_view name, std::uint64_t value) { v.emplace_back(std::string(name), value); });
    return v;
}

class Traffic {
public:
    explicit Traffic(std::uint64_t seed) : rng_(seed) {}

    Bytes next() {
        switch (pick(14)) {
            case 0: return tcp_syn_with_mss(lan(), port(), remote(), 443, 1460);
            case 1: return echo_packet(lan(), remote(), 8, static_cast<std::uint16_t>(pick(6)));
            case 2: {  // hairpin: to our own address at a port we may have mapped
                return udp_packet(lan(), port(), ce_address, static_cast<std::uint16_t>(13312 + pick(256)));
            }
            case 3: {  // TTL 1: answered with 11/0, no mapping
                Bytes p = udp_packet(lan(), port(), remote(), 53);
                set_ttl(p, 1);
                return p;
            }
            case 4: return udp_packet(lan(), port(), remote(), 53, 1500);  // DF, over the 1460 MTU: 3/4
            case 5: {  // a first fragment: held
                Bytes p = udp_packet(lan(), port(), remote(), 53, 64);
                return fragments(p, 32).front();
            }
            case 6: {
                Bytes p = udp_packet(lan(), port(), remote(), 53);
                switch (pick(4)) {
                    case 0: p.resize(pick(28)); break;
                    case 1: p[9] = 47, fix_ipv4_checksum(p); break;
                    case 2: p[11] ^= 1; break;  // bad header checksum
                    default: p[0] = 0x65; break;
                }
                return p;
            }
            default: return udp_packet(lan(), port(), remote(), static_cast<std::uint16_t>(53 + pick(3)));
        }
    }
    std::size_t batch_size() { return 1 + pick(40); }

private:
    std::uint32_t pick(std::uint32_t n) { return static_cast<std::uint32_t>(rng_() % n); }
    std::uint32_t lan() { return v4(192, 168, 1, static_cast<std::uint8_t>(10 + pick(6))); }
    std::uint32_t remote() { return v4(198, 51, 100, static_cast<std::uint8_t>(1 + pick(4))); }
    std::uint16_t port() { return static_cast<std::uint16_t>(40000 + pick(12)); }
    std::mt19937_64 rng_;
};

void run(const modes::Plan& plan, std::uint64_t seed) {
    auto one = make_rig(plan);
    auto many = make_rig(plan);
    Traffic traffic(seed);
    std::size_t compared = 0;
    for (int round = 0; round < 150; ++round) {
        const Time now = at_s(1 + round / 10);
        const std::size_t n = traffic.batch_size();
        std::vector<Bytes> a, b;
        for (std::size_t i = 0; i < n; ++i) a.push_back(traffic.next());
        b = a;
        std::vector<Bytes> out_a(n, Bytes(1600)), out_b(n, Bytes(1600));
        std::vector<std::string> expected;
        for (std::size_t i = 0; i < n; ++i) expected.push_back(describe(one->pipe.outbound(a[i], now, out_a[i])));
        std::vector<std::span<std::uint8_t>> packets(b.begin(), b.end()), outs(out_b.begin(), out_b.end());
        std::size_t next = 0;
        many->pipe.outbound_batch(packets, now, outs, [&](std::size_t i, const Outbound& r) {
            REQUIRE(i == next++);
            INFO("round " << round << ", packet " << i << " of " << n);
            CHECK(describe(r) == expected[i]);
            ++compared;
        });
        CHECK(next == n);
    }
    CHECK(all_counters(one->pipe.counters()) == all_counters(many->pipe.counters()));
    CHECK(one->napt.session_count() == many->napt.session_count());
    // The traffic reached the interesting results, not only drops.
    const Counters& c = one->pipe.counters();
    CHECK(c.outbound_encapsulated > 500);
    CHECK(c.drop_ttl_exceeded > 0);
    CHECK(c.drop_df_too_big > 0);
    if (plan.napt) {  // DS-Lite neither translates nor reassembles
        CHECK(c.outbound_hairpinned + c.drop_napt_outbound > 0);
        CHECK(c.outbound_held > 0);
    }
    CHECK(compared > 2000);
}

// PortSetNapt behind the seam, with the prefetch hints the pipeline asks for logged (as the
// index of each datagram in `packets`) in one timeline with the packets' results.
class HintLog final : public NaptSeam {
public:
    HintLog(PortSetNapt& inner, const std::vector<std::span<std::uint8_t>>& packets, std::vector<std::string>& log)
        : inner_(inner), packets_(packets), log_(log) {}
    Result<std::size_t> rebind(const NaptBinding& b) override { return inner_.rebind(b); }
    void flush() override { inner_.flush(); }
    NaptVerdict outbound(std::span<std::uint8_t> d, Time now) override { return inner_.outbound(d, now); }
    NaptVerdict inbound(std::span<std::uint8_t> d, Time now) override { return inner_.inbound(d, now); }
    bool restore_quoted(std::span<std::uint8_t> q, Time now) override { return inner_.restore_quoted(q, now); }
    void prefetch_outbound_mappings(std::span<const std::span<std::uint8_t>> datagrams) const override {
        note("mappings", datagrams);
        inner_.prefetch_outbound_mappings(datagrams);
    }
    void prefetch_outbound_sessions(std::span<const std::span<std::uint8_t>> datagrams) const override {
        note("sessions", datagrams);
        inner_.prefetch_outbound_sessions(datagrams);
    }
    void expire(Time now) override { inner_.expire(now); }
    std::size_t session_count() const override { return inner_.session_count(); }
    std::string_view detail_name(std::uint8_t d) const override { return inner_.detail_name(d); }

private:
    void note(const char* stage, std::span<const std::span<std::uint8_t>> datagrams) const {
        for (const auto& d : datagrams) {
            std::size_t i = 0;
            while (i < packets_.size() && packets_[i].data() != d.data()) ++i;
            log_.push_back(std::string(stage) + ' ' + std::to_string(i));
        }
    }
    PortSetNapt& inner_;
    const std::vector<std::span<std::uint8_t>>& packets_;
    std::vector<std::string>& log_;
};

// Where `entry` is in `log` (log.size() when absent), and that it is there at most once.
std::size_t position(const std::vector<std::string>& log, const std::string& entry) {
    const auto at = std::find(log.begin(), log.end(), entry);
    CHECK(std::count(log.begin(), log.end(), entry) <= 1);
    return static_cast<std::size_t>(at - log.begin());
}

}  // namespace

TEST_CASE("outbound_batch asks for each packet's mapping line, then its session line, groups ahead of handling it",
          "[dataplane][outbound][batch]") {
    auto engine = PortSetNapt::create(napt_config());
    REQUIRE(engine.ok());
    std::vector<Bytes> bytes;
    for (std::uint16_t i = 0; i < 37; ++i) bytes.push_back(udp_packet(v4(192, 168, 1, 10), static_cast<std::uint16_t>(40000 + i), v4(198, 51, 100, 1), 53));
    std::vector<std::span<std::uint8_t>> packets(bytes.begin(), bytes.end());
    std::vector<std::string> log;
    HintLog napt(*engine, packets, log);
    Pipeline pipe(&napt);

    SECTION("with NAPT: both stages for every packet, in order, a group and two groups ahead") {
        REQUIRE(pipe.configure(lw4o6_plan()).ok());
        pipe.outbound_batch(packets, at_s(1), {}, [&](std::size_t i, const Outbound& r) {
            CHECK(std::holds_alternative<Encapsulated>(r));
            log.push_back("handled " + std::to_string(i));
        });
        const std::size_t g = napt::batch_group;
        for (std::size_t i = 0; i < packets.size(); ++i) {
            INFO("packet " << i);
            const std::size_t m = position(log, "mappings " + std::to_string(i));
            const std::size_t s = position(log, "sessions " + std::to_string(i));
            const std::size_t h = position(log, "handled " + std::to_string(i));
            CHECK(m < s);
            CHECK(s < h);
            // Sessions one group ahead: before the first packet of the group before is handled;
            // mappings two groups ahead.
            if (i / g >= 1) CHECK(s < position(log, "handled " + std::to_string((i / g - 1) * g)));
            if (i / g >= 2) CHECK(m < position(log, "handled " + std::to_string((i / g - 2) * g)));
        }
        CHECK(log.size() == 3 * packets.size());
    }
    SECTION("without NAPT (DS-Lite) no hints are asked for") {
        REQUIRE(pipe.configure(dslite_plan()).ok());
        std::size_t handled = 0;
        pipe.outbound_batch(packets, at_s(1), {}, [&](std::size_t, const Outbound&) { ++handled; });
        CHECK(handled == packets.size());
        CHECK(log.empty());
    }
}

TEST_CASE("outbound_batch equals outbound() packet by packet", "[dataplane][outbound][batch]") {
    for (std::uint64_t seed : {1u, 2u, 3u}) {
        DYNAMIC_SECTION("lw4o6, seed " << seed) { run(lw4o6_plan(), seed); }
        DYNAMIC_SECTION("MAP-E, seed " << seed) { run(mape_plan(), seed); }
        DYNAMIC_SECTION("DS-Lite (no NAPT), seed " << seed) { run(dslite_plan(), seed); }
    }
}
