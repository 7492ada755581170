#!/usr/bin/python3
"""DS-Lite AFTR (RFC 6333) test peer.

Decapsulates IPv4-in-IPv6 sent to --aftr by B4s, checks the outer and inner headers, translates
(NAT44 keyed by B4 IPv6 address, protocol, inner source and port or ICMP id — RFC 6333 §6.6) to
--public and forwards to the internet host; replies are reverse-translated and encapsulated back to
the B4 that owns the mapping. Traffic class: copied from the inner TOS on encapsulation; on
decapsulation the outer traffic class must equal the inner TOS (RFC 6333 §7.1 — logged as the
check tc_copied). The B4 must not NAT (RFC 6333 §5): with --b4-inner PREFIX the inner source must
be inside that prefix (the LAN) or 192.0.0.0/29.
"""
import ipaddress
import itertools
import sys
import os

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import peerlib as pl  # noqa: E402
from scapy.all import IP, IPerror, Ether  # noqa: E402


def main():
    ap = pl.common_args(__doc__)
    pl.add_v4_args(ap)
    ap.add_argument("--aftr", action="append", required=True,
                    help="the AFTR's IPv6 tunnel address (repeat: one AFTR answering on several)")
    ap.add_argument("--public", required=True, help="the AFTR's public IPv4 address (NAT44 pool of one)")
    ap.add_argument("--expect-b4", action="append", default=[], help="B4 addresses allowed as outer source (default any)")
    ap.add_argument("--b4-inner", action="append", default=[], help="prefixes the inner source must be in (B4 does no NAT)")
    ap.add_argument("--port-base", type=int, default=20000)
    a = ap.parse_args()

    log = pl.Log(a.log, "aftr")
    v6 = pl.Port(a.v6_iface, a.v6_gw_mac)
    v4 = pl.Port(a.v4_iface, a.v4_host_mac)
    reasm = pl.Reassembler()
    inner_ok = [ipaddress.ip_network(p) for p in a.b4_inner] + [ipaddress.ip_network("192.0.0.0/29")]
    out_map, in_map = {}, {}         # (b4, proto, src, port) -> public port ; (proto, public port) -> (b4, src, port)
    aftr_of = {}                     # b4 -> the AFTR address it last tunnelled to (replies come from it)
    next_port = {p: itertools.count(a.port_base) for p in ("udp", "tcp", "icmp")}

    def key_port(ip, rec):
        return rec.get("sport") if rec["proto"] in ("udp", "tcp") else rec.get("icmp_id")

    def from_b4(data):
        got = pl.decap_record(reasm, data, a.aftr, "b4->inet", log)
        if got is None:
            return
        rec, ip6, ip = got
        src = ipaddress.ip_address(ip.src)
        checks = {"outer_dst_aftr": True, "inner_checksums": pl.checksums_ok(ip),
                  "tc_copied": ip6.tc == ip.tos, "b4_no_nat": any(src in n for n in inner_ok)}
        if a.expect_b4:
            checks["outer_src_b4"] = ip6.src in a.expect_b4
        rec["checks"] = checks
        port = key_port(ip, rec)
        if rec["proto"] not in ("udp", "tcp", "icmp") or (rec["proto"] == "icmp" and port is None):
            rec.update(action="drop", reason="only TCP, UDP and ICMP echo are translated")
            log.write(rec)
            return
        if not checks["inner_checksums"]:
            rec.update(action="drop", reason="bad inner checksum")
            log.write(rec)
            return
        aftr_of[ip6.src] = ip6.dst
        k = (ip6.src, rec["proto"], ip.src, port)
        if k not in out_map:
            pub = next(next_port[rec["proto"]])
            out_map[k] = pub
            in_map[(rec["proto"], pub)] = (ip6.src, ip.src, port)
        pub = out_map[k]
        o = ip.copy()
        o.src, o.ttl = a.public, ip.ttl - 1
        pl.set_port(o, rec["proto"], "sport", pub)
        o = pl.fix(o)
        err = v4.send(o)
        rec.update(action="forward" if not err else "error", nat_port=pub, error=err)
        log.write(rec)

    def from_inet(data):
        ip = Ether(data)[IP]
        if ip.dst != a.public:
            return
        rec = {"dir": "inet->b4"}
        rec.update(pl.inner_of(ip))
        proto = rec["proto"]
        emb = pl.embedded_of(ip) if proto == "icmp" else None
        if emb is not None:
            ep = rec["embedded"]
            look = (ep["proto"], ep["sport"] if ep["proto"] in ("udp", "tcp") else ep["icmp_id"])
        elif proto in ("udp", "tcp"):
            look = (proto, rec["dport"])
        else:
            look = (proto, rec.get("icmp_id"))
        m = in_map.get(look)
        rec["checks"] = {"mapping_found": m is not None}
        if m is None:
            rec.update(action="drop", reason="no NAT mapping")
            log.write(rec)
            return
        b4, src, port = m
        o = ip.copy()
        o.dst, o.ttl = src, ip.ttl - 1
        if emb is not None:
            e = o[IPerror]
            e.src = src
            if look[0] == "udp" and o.haslayer("UDPerror"):
                o["UDPerror"].sport = port
            elif look[0] == "tcp" and o.haslayer("TCPerror"):
                o["TCPerror"].sport = port
            elif o.haslayer("ICMPerror"):
                o["ICMPerror"].id = port
        else:
            pl.set_port(o, proto, "dport", port)
        o = pl.fix(o)
        if len(o) + 40 > a.v6_mtu and o.flags.DF and emb is None:
            err = v4.send(pl.icmp4_frag_needed(a.public, ip, a.v6_mtu - 40))
            rec.update(action="icmp-frag-needed", mtu=a.v6_mtu - 40, error=err)
            log.write(rec)
            return
        aftr = aftr_of.get(b4, a.aftr[0])
        pkt = pl.encap(aftr, b4, o, hlim=a.hlim)
        err, n = pl.send_encap(v6, pkt, a.v6_mtu)
        rec.update(action="encap", outer_src=aftr, outer_dst=b4, tc=o.tos, hlim=a.hlim, b4_port=port, error=err,
                   fragments=n)
        log.write(rec)

    pl.serve_tunnel(v6, v4, from_b4, from_inet, a.timeout)


if __name__ == "__main__":
    main()
