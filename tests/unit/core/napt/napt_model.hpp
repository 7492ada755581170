// A reference NAPT for the differential test: the same rules as core/napt (docs/napt.md)
// written the plain way -- std::map tables, byte-wise parsing, checksums recomputed from
// scratch after every rewrite, the port set enumerated with PortSet::for_each_port, and
// expiry only by an explicit full pass. It shares with the real thing only what defines
// the behaviour: the resolved Config, the port RNG (so both pick the same ports) and the
// TCP flag rules (tcp_tracking.hpp, unit-tested on their own).
//
// Whole datagrams only: no fragments, and ICMP errors must quote the whole offending
// packet (the generator makes nothing else). The real NAPT must run with
// sweep_per_new_session = 0 and reclaim_scan = 0, so that its state only shrinks when
// the test calls expire() over the whole table, as here.
#pragma once

#include <algorithm>
#include <map>
#include <set>
#include <tuple>
#include <vector>

#include "core/napt/counters.hpp"
#include "core/napt/napt.hpp"
#include "core/napt/port_random.hpp"
#include "core/napt/tcp_tracking.hpp"
#include "tests/unit/core/napt/napt_packets.hpp"

namespace s46::napt::test {

// Recomputes the IPv4 header checksum and the transport checksum of the datagram at
// `at` from scratch (a UDP checksum of 0 means none and stays 0).
inline void recompute_checksums(Bytes& p, std::size_t at = 0) {
    const std::size_t hl = std::size_t{p[at] & 0x0fu} * 4, total = get16(p, at + 2);
    put16(p, at + 10, 0);
    Bytes h(p.begin() + static_cast<std::ptrdiff_t>(at), p.begin() + static_cast<std::ptrdiff_t>(at + hl));
    put16(p, at + 10, s46::test::naive_checksum(h));
    const std::uint8_t proto = p[at + 9];
    Bytes l4(p.begin() + static_cast<std::ptrdiff_t>(at + hl), p.begin() + static_cast<std::ptrdiff_t>(at + total));
    const std::size_t sum_at = proto == 17 ? 6 : proto == 6 ? 16 : 2;
    if (proto == 17 && get16(l4, 6) == 0) return;
    put16(l4, sum_at, 0);
    std::uint16_t c = proto == 1 ? s46::test::naive_checksum(l4)
                                 : naive_udp_like_checksum((std::uint32_t{get16(p, at + 12)} << 16) | get16(p, at + 14),
                                                         (std::uint32_t{get16(p, at + 16)} << 16) | get16(p, at + 18), proto, l4);
    if (proto == 17 && c == 0) c = 0xffff;
    put16(p, at + hl + sum_at, c);
}


class ModelNapt {
public:
    explicit ModelNapt(const Config& resolved) : c_(resolved), rng_(resolved.seed) {
        std::vector<std::uint16_t> high, all;
        resolved.ports.for_each_port([&](std::uint16_t p) {
            all.push_back(p);
            if (p >= 1024) high.push_back(p);
        });
        if (!high.empty()) slots_ = high;
        else
            for (auto p : all)
                if (p != 0) slots_.push_back(p);
        ext_ = resolved.external.value;
    }

    Outcome translate_outbound(Bytes& p, std::uint32_t now) {
        ++k_.outbound_packets;
        Ip ip = parse_ip(p, 0, false);
        if (!ip.ok) return drop_out(ip.reason);
        if (get16(p, 6) & 0x3fff) return drop_out(DropReason::fragment_without_ports);  // the generator makes none
        const int proto = proto_of(p[9]);
        if (proto < 0) return drop_out(DropReason::unsupported_protocol);
        if (auto r = transport_problem(p, ip, proto)) return drop_out(*r);
        const std::size_t l4 = ip.hl;
        std::size_t port_at = l4;
        std::uint16_t rport = 0;
        std::uint8_t flags = 0;
        if (proto == icmp) {
            const std::uint8_t type = p[l4];
            if (is_error(type)) return outbound_error(p, ip, now);
            if (type == 0) return drop_out(DropReason::icmp_query_unsolicited);
            if (type != 8) return drop_out(DropReason::unsupported_icmp);
            port_at = l4 + 4;
        } else {
            rport = get16(p, l4 + 2);
            if (proto == tcp) flags = p[l4 + 13];
        }
        const std::uint32_t src = get32(p, 12), dst = get32(p, 16);
        std::uint16_t ext = 0;
        if (auto r = bind(proto, src, get16(p, port_at), dst, rkey(proto, rport), flags, now, ext))
            return drop_out(*r);
        put32(p, 12, ext_);
        put16(p, port_at, ext);
        fix_checksums(p, 0);
        ++k_.outbound_translated;
        if (dst == ext_ && proto != icmp && c_.ports.contains(rport)) {
            ++k_.outbound_hairpinned;
            return Outcome::hairpin();
        }
        return Outcome::forward();
    }

    Outcome translate_inbound(Bytes& p, std::uint32_t now) {
        ++k_.inbound_packets;
        Ip ip = parse_ip(p, 0, false);
        if (!ip.ok) return drop_in(ip.reason);
        if (get32(p, 16) != ext_) return drop_in(DropReason::not_our_address);
        if (get16(p, 6) & 0x3fff) return drop_in(DropReason::fragment_without_ports);
        const int proto = proto_of(p[9]);
        if (proto < 0) return drop_in(DropReason::unsupported_protocol);
        if (auto r = transport_problem(p, ip, proto)) return drop_in(*r);
        const std::size_t l4 = ip.hl;
        std::size_t port_at = l4 + 2;
        std::uint16_t rport = 0;
        std::uint8_t flags = 0;
        if (proto == icmp) {
            const std::uint8_t type = p[l4];
            if (is_error(type)) return inbound_error(p, ip, now);
            if (type == 8) return drop_in(DropReason::icmp_query_unsolicited);
            if (type != 0) return drop_in(DropReason::unsupported_icmp);
            port_at = l4 + 4;
        } else {
            rport = get16(p, l4);
            if (proto == tcp) flags = p[l4 + 13];
        }
        std::uint32_t iaddr = 0;
        std::uint16_t iport = 0;
        if (auto r = match(proto, get16(p, port_at), get32(p, 12), rkey(proto, rport), flags, now, true, iaddr, iport))
            return drop_in(*r);
        put32(p, 16, iaddr);
        put16(p, port_at, iport);
        fix_checksums(p, 0);
        ++k_.inbound_translated;
        return Outcome::forward();
    }

    // Removes every session whose time has come, and what it leaves empty.
    void expire_all(std::uint32_t now) {
        for (auto it = sessions_.begin(); it != sessions_.end();) {
            if (it->second.expiry > now) {
                ++it;
                continue;
            }
            const auto [proto, ext, raddr, rk] = it->first;
            const MKey mk = by_ext_.at({proto, ext});
            Mapping& m = mappings_.at(mk);
            Host& h = hosts_.at(std::get<1>(mk));
            --h.sessions;
            if (--m.sessions == 0) {
                --h.ports[proto];
                by_ext_.erase({proto, ext});
                mappings_.erase(mk);
                ++k_.mappings_removed;
            }
            if (h.sessions == 0) hosts_.erase(std::get<1>(mk));
            it = sessions_.erase(it);
            ++k_.sessions_expired;
        }
    }

    const Counters& counters() const { return k_; }
    std::size_t session_count() const { return sessions_.size(); }
    std::size_t mapping_count() const { return mappings_.size(); }
    std::size_t host_count() const { return hosts_.size(); }

private:
    enum : int { udp = 0, tcp = 1, icmp = 2 };
    using MKey = std::tuple<int, std::uint32_t, std::uint16_t>;                // proto, internal address, port
    using SKey = std::tuple<int, std::uint16_t, std::uint32_t, std::uint16_t>;  // proto, ext port, remote, key
    struct Mapping {
        std::uint16_t ext = 0;
        std::uint32_t expiry = 0;
        std::uint32_t sessions = 0;
    };
    struct Session {
        std::uint32_t expiry = 0;
        std::uint8_t tcp = 0;
    };
    struct Host {
        std::uint32_t sessions = 0;
        std::uint32_t ports[3] = {0, 0, 0};
    };
    struct Ip {
        bool ok = false;
        DropReason reason = DropReason::malformed;
        std::size_t hl = 0, total = 0;  // total: what is present (a quote may be cut)
    };

    static std::uint32_t get32(const Bytes& p, std::size_t at) {
        return (std::uint32_t{get16(p, at)} << 16) | get16(p, at + 2);
    }
    static int proto_of(std::uint8_t v) { return v == 17 ? udp : v == 6 ? tcp : v == 1 ? icmp : -1; }
    static bool is_error(std::uint8_t t) { return t == 3 || t == 4 || t == 5 || t == 11 || t == 12; }
    static std::uint8_t ip_proto(int proto) { return proto == udp ? 17 : proto == tcp ? 6 : 1; }

    // The order of checks follows RFC 791 field by field, as Ipv4View::parse does.
    static Ip parse_ip(const Bytes& p, std::size_t at, bool quote) {
        Ip r;
        const std::size_t size = p.size() - at;
        if (size < 20) return r.reason = DropReason::truncated, r;
        if ((p[at] >> 4) != 4) return r;
        r.hl = std::size_t{p[at] & 0x0fu} * 4;
        if (r.hl < 20) return r;
        if (r.hl > size) return r.reason = DropReason::truncated, r;
        const std::size_t total = get16(p, at + 2);
        if (total < r.hl) return r;
        if (total > size && !quote) return r.reason = DropReason::truncated, r;
        r.total = std::min(total, size);
        r.ok = true;
        return r;
    }

    static std::optional<DropReason> transport_problem(const Bytes& p, const Ip& ip, int proto) {
        const std::size_t len = ip.total - ip.hl, l4 = ip.hl;
        if (proto == udp) {
            if (len < 8) return DropReason::truncated;
            const std::size_t ulen = get16(p, l4 + 4);
            if (ulen < 8 || ulen > len) return DropReason::malformed;
        } else if (proto == tcp) {
            if (len < 20) return DropReason::truncated;
            const std::size_t th = static_cast<std::size_t>(p[l4 + 12] >> 4) * 4;
            if (th < 20 || th > len) return DropReason::malformed;
        } else if (len < 8) {
            return DropReason::truncated;
        }
        return std::nullopt;
    }

    std::uint16_t rkey(int proto, std::uint16_t rport) const {
        return (proto == icmp || c_.filtering == Filtering::address_dependent) ? 0 : rport;
    }

    std::uint32_t timeout(int proto, std::uint8_t tcp_state) const {
        const Timeouts& t = c_.timeouts;
        if (proto == udp) return static_cast<std::uint32_t>(t.udp.count());
        if (proto == icmp) return static_cast<std::uint32_t>(t.icmp_query.count());
        return static_cast<std::uint32_t>(tcp_track::established(tcp_state) ? t.tcp_established.count()
                                                                          : t.tcp_transitory.count());
    }

    std::uint32_t refresh(Session& s, int proto, bool outbound, std::uint8_t flags, std::uint32_t now) const {
        if (s.expiry <= now) s.tcp = 0;
        if (proto == tcp) s.tcp = tcp_track::update(s.tcp, flags, outbound);
        s.expiry = now + 1 + timeout(proto, s.tcp);
        return s.expiry;
    }

    std::optional<DropReason> bind(int proto, std::uint32_t iaddr, std::uint16_t iport, std::uint32_t raddr,
                                   std::uint16_t rk, std::uint8_t flags, std::uint32_t now, std::uint16_t& ext) {
        const MKey mk{proto, iaddr, iport};
        auto mit = mappings_.find(mk);
        if (mit != mappings_.end()) {
            Mapping& m = mit->second;
            ext = m.ext;
            const SKey sk{proto, ext, raddr, rk};
            auto sit = sessions_.find(sk);
            if (sit != sessions_.end()) {
                const std::uint32_t e = refresh(sit->second, proto, true, flags, now);
                m.expiry = m.sessions == 1 ? e : std::max(m.expiry, e);
                return std::nullopt;
            }
            Host& h = hosts_.at(iaddr);
            if (h.sessions >= c_.max_sessions_per_host) return DropReason::host_share_exhausted;
            if (m.sessions == 0xffff) return DropReason::mapping_session_limit;
            if (sessions_.size() >= c_.max_sessions) return DropReason::session_table_full;
            Session s;
            const std::uint32_t e = refresh(s, proto, true, flags, now);
            sessions_[sk] = s;
            ++m.sessions;
            m.expiry = std::max(m.expiry, e);
            ++h.sessions;
            ++k_.sessions_created;
            return std::nullopt;
        }
        auto hit = hosts_.find(iaddr);
        if (hit != hosts_.end()) {
            if (hit->second.ports[proto] >= c_.max_ports_per_host || hit->second.sessions >= c_.max_sessions_per_host)
                return DropReason::host_share_exhausted;
        } else if (hosts_.size() >= c_.max_hosts) {
            return DropReason::host_table_full;
        }
        if (sessions_.size() >= c_.max_sessions) return DropReason::session_table_full;
        std::size_t used = 0;
        for (const auto& [key, m] : by_ext_) used += std::get<0>(key) == proto;
        if (used == slots_.size()) return DropReason::port_exhausted;
        const std::uint32_t n = static_cast<std::uint32_t>(slots_.size());
        const std::uint32_t start = scale_to(rng_.next32(), n);
        for (std::uint32_t i = 0; i < n; ++i) {
            const std::uint16_t port = slots_[(start + i) % n];
            if (!by_ext_.count({proto, port})) {
                ext = port;
                break;
            }
        }
        Session s;
        const std::uint32_t e = refresh(s, proto, true, flags, now);
        sessions_[SKey{proto, ext, raddr, rk}] = s;
        mappings_[mk] = Mapping{ext, e, 1};
        by_ext_[{proto, ext}] = mk;
        Host& h = hosts_[iaddr];
        ++h.ports[proto];
        ++h.sessions;
        ++k_.mappings_created;
        ++k_.sessions_created;
        return std::nullopt;
    }

    std::optional<DropReason> match(int proto, std::uint16_t ext, std::uint32_t raddr, std::uint16_t rk,
                                    std::uint8_t flags, std::uint32_t now, bool do_refresh, std::uint32_t& iaddr,
                                    std::uint16_t& iport) {
        if (std::find(slots_.begin(), slots_.end(), ext) == slots_.end())
            return c_.ports.contains(ext) ? DropReason::no_mapping_inbound : DropReason::port_outside_set;
        auto bit = by_ext_.find({proto, ext});
        if (bit == by_ext_.end()) return DropReason::no_mapping_inbound;
        Mapping& m = mappings_.at(bit->second);
        if (m.expiry <= now) return DropReason::no_mapping_inbound;
        auto sit = sessions_.find(SKey{proto, ext, raddr, rk});
        const bool known = sit != sessions_.end() && now < sit->second.expiry;
        if (!known && c_.filtering != Filtering::endpoint_independent) return DropReason::filtered;
        if (known && do_refresh) {
            const std::uint32_t e = refresh(sit->second, proto, false, flags, now);
            m.expiry = m.sessions == 1 ? e : std::max(m.expiry, e);
        }
        iaddr = std::get<1>(bit->second);
        iport = std::get<2>(bit->second);
        return std::nullopt;
    }

    static void fix_checksums(Bytes& p, std::size_t at) { recompute_checksums(p, at); }

    struct QuoteCheck {
        std::optional<DropReason> problem;
        std::size_t q = 0;  // quote offset
        Ip qip;
        int proto = 0;
    };

    QuoteCheck check_quote(const Bytes& p, const Ip& ip) const {
        QuoteCheck r;
        const std::size_t l4 = ip.hl;
        Bytes msg(p.begin() + static_cast<std::ptrdiff_t>(l4), p.begin() + static_cast<std::ptrdiff_t>(ip.total));
        if (s46::test::naive_sum(msg) != 0xffff) return r.problem = DropReason::icmp_bad_checksum, r;
        r.q = l4 + 8;
        Bytes quote(p.begin() + static_cast<std::ptrdiff_t>(r.q), p.begin() + static_cast<std::ptrdiff_t>(ip.total));
        r.qip = parse_ip(quote, 0, true);
        if (!r.qip.ok) return r.problem = r.qip.reason, r;
        Bytes qh(quote.begin(), quote.begin() + static_cast<std::ptrdiff_t>(r.qip.hl));
        if (s46::test::naive_sum(qh) != 0xffff) return r.problem = DropReason::icmp_bad_checksum, r;
        if (get16(quote, 6) & 0x1fff) return r.problem = DropReason::fragment_without_ports, r;
        r.proto = proto_of(quote[9]);
        if (r.proto < 0) return r.problem = DropReason::unsupported_protocol, r;
        if (r.qip.total - r.qip.hl < 8) return r.problem = DropReason::truncated, r;
        if (r.proto == icmp) {
            const std::uint8_t t = quote[r.qip.hl];
            if (t != 8 && t != 0) return r.problem = DropReason::unsupported_icmp, r;
        }
        return r;
    }

    void fix_error_checksums(Bytes& p, std::size_t q) {
        fix_checksums(p, q);  // the quote is whole (see the header comment)
        fix_checksums(p, 0);  // the error's IPv4 header and ICMP checksum over the new quote
    }

    Outcome outbound_error(Bytes& p, const Ip& ip, std::uint32_t now) {
        QuoteCheck qc = check_quote(p, ip);
        if (qc.problem) return drop_out(*qc.problem);
        const std::size_t q = qc.q, ql4 = q + qc.qip.hl;
        if (qc.proto == icmp && p[ql4] != 0) return drop_out(DropReason::icmp_error_no_mapping);
        const std::size_t port_at = qc.proto == icmp ? ql4 + 4 : ql4 + 2;
        auto mit = mappings_.find(MKey{qc.proto, get32(p, q + 16), get16(p, port_at)});
        if (mit == mappings_.end() || mit->second.expiry <= now) return drop_out(DropReason::icmp_error_no_mapping);
        const bool hairpin = get32(p, 16) == ext_ && qc.proto != icmp && get32(p, q + 12) == ext_ &&
                             c_.ports.contains(get16(p, ql4));
        put32(p, q + 16, ext_);
        put16(p, port_at, mit->second.ext);
        put32(p, 12, ext_);
        fix_error_checksums(p, q);
        ++k_.outbound_translated;
        ++k_.icmp_errors_translated;
        if (hairpin) {
            ++k_.outbound_hairpinned;
            return Outcome::hairpin();
        }
        return Outcome::forward();
    }

    Outcome inbound_error(Bytes& p, const Ip& ip, std::uint32_t now) {
        QuoteCheck qc = check_quote(p, ip);
        if (qc.problem) return drop_in(*qc.problem);
        const std::size_t q = qc.q, ql4 = q + qc.qip.hl;
        if (get32(p, q + 12) != ext_) return drop_in(DropReason::icmp_error_no_mapping);
        if (qc.proto == icmp && p[ql4] != 8) return drop_in(DropReason::icmp_error_no_mapping);
        const std::size_t port_at = qc.proto == icmp ? ql4 + 4 : ql4;
        const std::uint16_t rport = qc.proto == icmp ? 0 : get16(p, ql4 + 2);
        std::uint32_t iaddr = 0;
        std::uint16_t iport = 0;
        if (match(qc.proto, get16(p, port_at), get32(p, q + 16), rkey(qc.proto, rport), 0, now, false, iaddr, iport))
            return drop_in(DropReason::icmp_error_no_mapping);
        put32(p, q + 12, iaddr);
        put16(p, port_at, iport);
        put32(p, 16, iaddr);
        fix_error_checksums(p, q);
        ++k_.inbound_translated;
        ++k_.icmp_errors_translated;
        return Outcome::forward();
    }

    Outcome drop_out(DropReason r) {
        ++k_.drop(r);
        ++k_.outbound_dropped;
        return Outcome::drop(r);
    }
    Outcome drop_in(DropReason r) {
        ++k_.drop(r);
        ++k_.inbound_dropped;
        return Outcome::drop(r);
    }

    Config c_;
    PortRandom rng_;
    std::uint32_t ext_ = 0;
    std::vector<std::uint16_t> slots_;
    std::map<MKey, Mapping> mappings_;
    std::map<std::pair<int, std::uint16_t>, MKey> by_ext_;
    std::map<SKey, Session> sessions_;
    std::map<std::uint32_t, Host> hosts_;
    Counters k_;
};

}  // namespace s46::napt::test
