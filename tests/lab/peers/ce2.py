#!/usr/bin/python3
"""A second MAP-E CE (RFC 7597) as a test peer: it answers UDP and ICMP echo sent to it.

It derives its own IPv4 address, PSID and MAP address from --eup (its delegated prefix) under the
domain's --rule list (longest match, §5), receives IPv4-in-IPv6 sent to its MAP address and logs
whether each packet came directly from another CE (mesh, under an FMR) or via the BR (--br).
Packets from a CE are source-validated (§8.1, strict); packets from the BR are exempt. The inner
destination must be its address and port set. Replies go by its own forwarding rules: to the other
CE directly when an FMR covers the destination (mesh), else to the BR (§5.4; hub-and-spoke).
UDP replies carry 'ce2:' + the request payload.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import peerlib as pl  # noqa: E402
import swcalc  # noqa: E402
from scapy.all import ICMP, IP, UDP, Raw, raw  # noqa: E402


def main():
    ap = pl.common_args(__doc__)
    ap.add_argument("--br", required=True)
    ap.add_argument("--rule", action="append", required=True)
    ap.add_argument("--eup", required=True, help="this CE's delegated (End-user) prefix")
    a = ap.parse_args()

    rules = [swcalc.parse_rule_arg(t) for t in a.rule]
    bmr = swcalc.select_bmr(rules, a.eup)
    me = swcalc.derive(bmr, a.eup)
    log = pl.Log(a.log, "ce2")
    log.write({"dir": "config", **me.to_json()})
    v6 = pl.Port(a.v6_iface, a.v6_gw_mac)
    reasm = pl.Reassembler()
    my6, my4 = str(me.map_ipv6), str(me.ipv4)

    def handle(port, data):
        if not pl.is_ipv6(data):
            return
        ip6, nfrag = pl.decode_v6(reasm, data)
        if ip6 is None or ip6.dst != my6:
            return
        rec, ip = pl.outer_of(ip6)
        rec["dir"] = "in"
        if ip is None:
            rec.update(action="ignore", reason=f"not IPv4-in-IPv6 (next header {ip6.nh})")
            log.write(rec)
            return
        rec.update(pl.inner_of(ip))
        proto = rec["proto"]
        sport = rec.get("sport") if proto in ("udp", "tcp") else rec.get("icmp_id")
        dport = rec.get("dport") if proto in ("udp", "tcp") else rec.get("icmp_id")
        via_br = ip6.src == a.br
        rec["via_br"], rec["mesh"] = via_br, not via_br
        checks = {"inner_dst_mine": ip.dst == my4 and dport is not None and dport in me.ports,
                  "inner_checksums": pl.checksums_ok(ip)}
        if not via_br:
            rfc_ok, strict_ok, why = swcalc.source_check(rules, ip6.src, ip.src, sport)
            checks.update(source_rfc7597_8_1=rfc_ok, source_strict=strict_ok)
            if not strict_ok:
                rec["reason"] = why
        rec["checks"] = checks
        if not all(checks.values()):
            rec["action"] = "drop"
            log.write(rec)
            return
        if proto == "udp":
            rep = IP(src=my4, dst=ip.src, tos=ip.tos) / UDP(sport=ip[UDP].dport, dport=ip[UDP].sport) / \
                Raw(b"ce2:" + raw(ip[UDP].payload))
            back_port = ip[UDP].sport
        elif proto == "icmp" and ip[ICMP].type == 8:
            rep = IP(src=my4, dst=ip.src, tos=ip.tos) / ICMP(type=0, id=ip[ICMP].id, seq=ip[ICMP].seq) / \
                Raw(raw(ip[ICMP].payload))
            back_port = ip[ICMP].id
        else:
            rec["action"] = "no-answer"
            log.write(rec)
            return
        dst6, rule = swcalc.destination(rules, a.br, rep.dst, back_port)
        err, _ = pl.send_encap(v6, pl.encap(my6, str(dst6), pl.fix(rep), hlim=a.hlim), a.v6_mtu)
        rec.update(action="answer", reply_to=str(dst6), reply_mesh=rule is not None, error=err)
        log.write(rec)

    pl.run_loop([v6], handle, a.timeout)


if __name__ == "__main__":
    main()
