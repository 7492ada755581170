// Differential test: core/napt against the std::map model (napt_model.hpp) on long
// random traffic -- outbound UDP/TCP/echo from a few LAN hosts, replies and strays from
// outside, hairpins, ICMP errors both ways, junk -- with time jumping past every timeout
// and full expiry passes in between. After every packet the verdict, the drop reason,
// every output byte and the table sizes must agree; at the end every counter.
#include <catch2/catch.hpp>

#include <random>

#include "core/net/tcp_packet.hpp"
#include "tests/unit/core/napt/napt_fixture.hpp"
#include "tests/unit/core/napt/napt_model.hpp"

using namespace s46::napt;
using namespace s46::napt::test;

namespace {

const std::uint32_t lan_hosts[] = {lan_a, lan_b, v4(192, 168, 1, 12), v4(192, 168, 1, 13)};
const std::uint32_t remotes[] = {remote_x, remote_y, v4(203, 0, 113, 77)};
const std::uint16_t remote_ports[] = {53, 80, 443};
const std::uint8_t tcp_flag_choices[] = {0x02, 0x12, 0x10, 0x18, 0x11, 0x04, 0x14, 0x01};

class World {
public:
    World(const Config& c, std::uint64_t seed) : napt_(make_napt(c)), model_(napt_.config()), rng_(seed) {}

    void run(int steps) {
        for (int i = 0; i < steps; ++i) {
            advance_time();
            step();
            if (napt_.session_count() != model_.session_count() || napt_.mapping_count() != model_.mapping_count() ||
                napt_.host_count() != model_.host_count())
                FAIL("table sizes differ at " << now_ << ": sessions " << napt_.session_count() << "/"
                                              << model_.session_count() << ", mappings " << napt_.mapping_count() << "/"
                                              << model_.mapping_count() << ", hosts " << napt_.host_count() << "/"
                                              << model_.host_count());
        }
        now_ += 1'000'000;
        full_expiry();
        CHECK(napt_.session_count() == 0);
        CHECK(napt_.mapping_count() == 0);
        CHECK(napt_.host_count() == 0);
        compare_counters();
    }

    const Counters& counters() const { return napt_.counters(); }

private:
    std::uint32_t pick(std::uint32_t n) { return static_cast<std::uint32_t>(rng_() % n); }
    bool chance(std::uint32_t percent) { return pick(100) < percent; }

    void advance_time() {
        if (chance(25)) now_ += pick(20);
        if (pick(400) == 0) now_ += 100 + pick(9000);
        if (pick(150) == 0) full_expiry();
    }

    void full_expiry() {
        napt_.expire(at_s(now_), 2 * std::size_t{napt_.session_slots()});
        model_.expire_all(now_);
    }

    // Runs `p` through both in `outbound` direction; follows a hairpin back in.
    static std::string hex(const Bytes& b) {
        std::string s;
        for (auto x : b) {
            static const char* d = "0123456789abcdef";
            s += d[x >> 4];
            s += d[x & 15];
        }
        return s;
    }

    void both(Bytes p, bool outbound) {
        Bytes q = p;
        const Bytes input = p;
        const Outcome a = outbound ? napt_.translate_outbound(p, at_s(now_)) : napt_.translate_inbound(p, at_s(now_));
        const Outcome b = outbound ? model_.translate_outbound(q, now_) : model_.translate_inbound(q, now_);
        // Described only on a mismatch: building the text for every packet costs more than the test.
        if (a.action() != b.action() || (!a.ok() && a.reason() != b.reason()) || p != q) {
            FAIL("step at " << now_ << (outbound ? " out" : " in") << ": napt " << (a.ok() ? "ok" : to_string(*a.reason()))
                            << ", model " << (b.ok() ? "ok" : to_string(*b.reason())) << "\ninput " << hex(input)
                            << "\nnapt  " << hex(p) << "\nmodel " << hex(q));
        }
        if (!a.ok()) return;
        if (outbound && a.action() == Action::forward) {
            sent_.push_back(p);
        } else if (!outbound) {
            delivered_.push_back(p);
        }
        if (a.action() == Action::hairpin) both(p, false);
        if (sent_.size() > 64) sent_.erase(sent_.begin());
        if (delivered_.size() > 64) delivered_.erase(delivered_.begin());
    }

    Bytes outbound_packet() {
        const std::uint32_t src = lan_hosts[pick(4)];
        const std::uint32_t dst = remotes[pick(3)];
        const std::uint16_t sport = static_cast<std::uint16_t>(1000 + pick(8));
        const std::uint16_t dport = remote_ports[pick(3)];
        switch (pick(20)) {
            case 0: return echo_packet(src, dst, 0, sport);  // an echo reply going out
            case 1: {
                Bytes p = udp_packet(src, sport, dst, dport);
                p.resize(pick(static_cast<std::uint32_t>(p.size())));
                return p;
            }
            case 2: {
                Bytes p = ipv4_header(src, dst, 47, 8);
                p.resize(28, 0);
                return p;
            }
            case 3:
            case 4:
            case 5: return echo_packet(src, dst, 8, static_cast<std::uint16_t>(1 + pick(6)), 1, pick(24));
            default: break;
        }
        if (chance(50)) return udp_packet(src, sport, dst, dport, pick(24), chance(10));
        return tcp_packet(src, sport, dst, dport, tcp_flag_choices[pick(8)], pick(16));
    }

    Bytes inbound_packet() {
        if (sent_.empty() || chance(5)) {
            const std::uint16_t port = static_cast<std::uint16_t>(rng_());
            return chance(50) ? udp_packet(remotes[pick(3)], 53, external_address, port)
                              : echo_packet(remotes[pick(3)], external_address, chance(80) ? 0 : 8, port);
        }
        const Bytes& s = sent_[pick(static_cast<std::uint32_t>(sent_.size()))];
        Endpoints e = endpoints(s);
        const std::uint32_t r = pick(100);
        if (r < 15) e.dport = remote_ports[pick(3)];              // same address, maybe another port
        else if (r < 30) e.dst = remotes[pick(3)];                // maybe another address
        else if (r < 35) e.src = v4(192, 0, 2, 2);                // not our address
        else if (r < 40) e.sport = static_cast<std::uint16_t>(rng_());  // a stray port
        switch (s[9]) {
            case 17: return udp_packet(e.dst, e.dport, e.src, e.sport, pick(24), chance(10));
            case 6: return tcp_packet(e.dst, e.dport, e.src, e.sport, tcp_flag_choices[pick(8)], pick(8));
            default: return echo_packet(e.dst, e.src, 0, e.sport, 1, pick(24));
        }
    }

    void step() {
        const std::uint32_t r = pick(100);
        if (r < 45) return both(outbound_packet(), true);
        if (r < 80) return both(inbound_packet(), false);
        if (r < 88 && !sent_.empty()) {
            // Hairpin: a LAN host sends to one of our external endpoints.
            const Bytes& s = sent_[pick(static_cast<std::uint32_t>(sent_.size()))];
            const Endpoints e = endpoints(s);
            const std::uint32_t src = lan_hosts[pick(4)];
            const std::uint16_t sport = static_cast<std::uint16_t>(1000 + pick(8));
            if (s[9] == 6) return both(tcp_packet(src, sport, external_address, e.sport, tcp_flag_choices[pick(8)]), true);
            return both(udp_packet(src, sport, external_address, e.sport, pick(8)), true);
        }
        if (r < 94 && !sent_.empty()) {
            // An error from outside about something we sent (sometimes from a router,
            // sometimes quoting another remote).
            Bytes quoted = sent_[pick(static_cast<std::uint32_t>(sent_.size()))];
            if (chance(20)) {
                put32(quoted, 16, remotes[pick(3)]);
                recompute_checksums(quoted);
            }
            const std::uint32_t from = chance(70) ? endpoints(quoted).dst : v4(198, 51, 100, 254);
            Bytes err = icmp_error(from, external_address, chance(50) ? 3 : 11, 3, quoted);
            if (chance(5)) err[30] ^= 0x40;  // a damaged quote
            return both(err, false);
        }
        if (!delivered_.empty()) {
            // A LAN host reports an error about something it received.
            const Bytes& quoted = delivered_[pick(static_cast<std::uint32_t>(delivered_.size()))];
            const Endpoints e = endpoints(quoted);
            return both(icmp_error(e.dst, e.src, 3, 3, quoted), true);
        }
    }

    void compare_counters() { check_same_counters(napt_.counters(), model_.counters()); }

    Napt napt_;
    ModelNapt model_;
    std::mt19937_64 rng_;
    std::uint32_t now_ = 1000;
    std::vector<Bytes> sent_;       // translated outbound packets, as the outside saw them
    std::vector<Bytes> delivered_;  // translated inbound packets, as the LAN saw them
};

Config differential_config(Filtering f, const s46::map::PortSet& ports, std::uint32_t max_sessions) {
    Config c = base_config();
    c.filtering = f;
    c.ports = ports;
    c.max_sessions = max_sessions;
    c.sweep_per_new_session = 0;  // state shrinks only in full_expiry(), as in the model
    c.reclaim_scan = 0;
    return c;
}

}  // namespace

TEST_CASE("differential: NAPT vs model on random traffic", "[napt][differential]") {
    struct Setup {
        const char* name;
        Config config;
    };
    const Setup setups[] = {
        {"full address, ADF, 48 sessions, 3 hosts",
         [] {
             Config c = differential_config(Filtering::address_dependent, s46::map::PortSet::all(), 48);
             c.max_hosts = 3;
             return c;
         }()},
        {"a=6 k=10 (63 ports), APDF", differential_config(Filtering::address_and_port_dependent, port_set(6, 10, 77), 256)},
        {"8 ports, EIF, 4 per host",
         [] {
             Config c = differential_config(Filtering::endpoint_independent, port_set(0, 13, 200), 64);
             c.max_ports_per_host = 4;
             return c;
         }()},
        {"a=6 k=8, EIF, roomy", differential_config(Filtering::endpoint_independent, port_set(6, 8, 0x34), 1000)},
        {"a=4 k=10, ADF, tight session share",
         [] {
             Config c = differential_config(Filtering::address_dependent, port_set(4, 10, 999), 200);
             c.max_sessions_per_host = 20;
             return c;
         }()},
    };
    for (const Setup& s : setups) {
        for (std::uint64_t seed : {1u, 2u, 3u}) {
            INFO(s.name << ", seed " << seed);
            Config c = s.config;
            c.seed = seed * 7919;
            World w(c, seed);
            w.run(10000);
            // The run must have exercised the interesting paths, not just drops.
            const Counters& k = w.counters();
            CHECK(k.outbound_translated > 1000);
            CHECK(k.inbound_translated > 300);
            CHECK(k.icmp_errors_translated > 50);
            CHECK(k.sessions_expired > 100);
        }
    }
}
