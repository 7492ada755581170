#!/usr/bin/python3
"""MAP-E BR (RFC 7597) test peer: stateless, from the rules.

--rule IPV6PREFIX,IPV4PREFIX,EALEN[,F][,a=N][,k=N,psid=N] (the domain's rules, as Kea sends them).
Outbound (outer destination --br): RFC 7597 §8.1 source validation, strict: the rule covering the
outer source gives (EA bits) the IPv4 address and PSID that must hold the inner source and source
port (ICMP: identifier; ICMP errors: the quoted packet's destination port), and the outer source must
equal the MAP address recomputed from the inner source and port. Failures are logged and dropped.
Packets whose inner destination is inside the domain are hairpinned to that CE (§5.4), others go
to the internet host. Inbound: destination IPv4 + port → CE MAP address (§5.2, §6) → encapsulated.
--path-mtu N models an IPv6 path of MTU N between BR and CEs: an oversize encapsulated packet from
a CE is answered with ICMPv6 Packet Too Big (MTU N) and dropped; toward CEs, oversize IPv4 with DF
gets ICMPv4 3/4 (N-40) back to its source and without DF the outer IPv6 packet is fragmented.
"""
import ipaddress
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import peerlib as pl  # noqa: E402
import swcalc  # noqa: E402
from scapy.all import IP, Ether  # noqa: E402


def main():
    ap = pl.common_args(__doc__)
    pl.add_v4_args(ap)
    ap.add_argument("--br", required=True, help="the BR's IPv6 address")
    ap.add_argument("--rule", action="append", required=True)
    ap.add_argument("--path-mtu", type=int, default=0, help="IPv6 path MTU between BR and CEs (0: the link MTU)")
    ap.add_argument("--default-offset", type=int, default=swcalc.MAP_DEFAULT_OFFSET)
    a = ap.parse_args()

    rules = [swcalc.parse_rule_arg(t) for t in a.rule]
    path_mtu = a.path_mtu or a.v6_mtu
    log = pl.Log(a.log, "br")
    log.write({"dir": "config", "rules": [repr(r) for r in rules], "path_mtu": path_mtu})
    v6 = pl.Port(a.v6_iface, a.v6_gw_mac)
    v4 = pl.Port(a.v4_iface, a.v4_host_mac)
    reasm = pl.Reassembler()

    def in_domain(addr):
        x = ipaddress.IPv4Address(addr)
        return any(x in r.ipv4 for r in rules)

    def to_ce(rec, ip, action):
        port = pl.lookup_port(rec, outbound=False)
        dst6, rule = swcalc.destination(rules, None, ip.dst, port if port is not None else 0, a.default_offset,
                                        fmr_only=False)
        if rule is None:
            rec.update(action="drop", reason="destination outside every rule")
            return
        o = ip.copy()
        o.ttl = ip.ttl - 1
        o = pl.fix(o)
        rec["ce"] = str(dst6)
        if len(o) + 40 > path_mtu:
            if o.flags.DF:
                err = v4.send(pl.icmp4_frag_needed(a.v4_self, ip, path_mtu - 40)) if action == "encap" else None
                rec.update(action="icmp-frag-needed", mtu=path_mtu - 40, error=err)
                return
        err, n = pl.send_encap(v6, pl.encap(a.br, str(dst6), o, hlim=a.hlim), path_mtu)
        rec.update(action=action, out_tc=o.tos, out_hlim=a.hlim, error=err, fragments=n)

    def from_ce(data):
        got = pl.decap_record(reasm, data, (a.br,), "ce->inet", log)
        if got is None:
            return
        rec, ip6, ip = got
        size = len(ip6) if "fragments" in rec else 40 + ip6.plen
        if size > path_mtu:
            err = v6.send(pl.icmp6_ptb(a.br, ip6, path_mtu))
            rec.update(action="ptb", mtu=path_mtu, error=err, outer_size=size)
            log.write(rec)
            return
        port = pl.lookup_port(rec, outbound=True)
        rfc_ok, strict_ok, why = (swcalc.source_check(rules, ip6.src, ip.src, port, a.default_offset) if port is not None
                                  else (False, False, "no port or identifier to check"))
        rec["checks"] = {"outer_dst_br": True, "source_rfc7597_8_1": rfc_ok, "source_strict": strict_ok,
                         "inner_checksums": pl.checksums_ok(ip), "tc_copied": ip6.tc == ip.tos}
        if not strict_ok:
            rec.update(action="drop", violation=True, reason=why)
            log.write(rec)
            return
        if in_domain(ip.dst):
            to_ce(rec, ip, "hairpin")
        else:
            o = ip.copy()
            o.ttl = ip.ttl - 1
            rec.update(action="forward", error=v4.send(pl.fix(o)))
        log.write(rec)

    def from_inet(data):
        ip = Ether(data)[IP]
        if ip.dst == a.v4_self or not in_domain(ip.dst):
            return
        rec = {"dir": "inet->ce"}
        rec.update(pl.inner_of(ip))
        to_ce(rec, ip, "encap")
        log.write(rec)

    pl.serve_tunnel(v6, v4, from_ce, from_inet, a.timeout)


if __name__ == "__main__":
    main()
