#!/usr/bin/python3
"""A scapy emulation of a CE data plane (DS-Lite B4, lwB4 or MAP-E CE), used to test the test
equipment itself: the lab and the conformance runner can run with it in place of s46d's data plane
(--emulate-cpe), so every check the peers and the runner make is exercised without s46d.

It is deliberately simple and is not a reference: NAPT44 into the port set (lw4o6, MAP-E), none
for DS-Lite (RFC 6333 §5); RFC 2473 encapsulation with the traffic class copied; MAP-E next hop by
the FMRs (longest IPv4 match) else the BR; inbound source checks (outer source = the AFTR/lwAFTR/BR,
or for MAP-E a CE whose MAP address matches the inner source and port); ICMPv6 Packet Too Big
relayed as ICMPv4 3/4 (RFC 2473 §8.3). Counters go to --status as JSON.
"""
import argparse
import ipaddress
import json
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "peers"))
import peerlib as pl  # noqa: E402
import swcalc  # noqa: E402
from scapy.all import ICMP, IP, TCP, UDP, Ether, ICMPv6PacketTooBig, IPv6, Raw, raw  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--mode", required=True, choices=["dslite", "lw4o6", "mape"])
    ap.add_argument("--timeout", type=float, required=True)
    ap.add_argument("--log", default="")
    ap.add_argument("--status", default="")
    ap.add_argument("--lan-iface", default="lan0")
    ap.add_argument("--lan-host-mac", required=True)
    ap.add_argument("--lan-self", default="10.0.0.1")
    ap.add_argument("--wan-iface", default="wan0")
    ap.add_argument("--wan-gw-mac", required=True)
    ap.add_argument("--tunnel-source", required=True)
    ap.add_argument("--remote", required=True)
    ap.add_argument("--ipv4", default="192.0.0.2")
    ap.add_argument("--offset", type=int, default=0)
    ap.add_argument("--psid-len", type=int, default=0)
    ap.add_argument("--psid", type=int, default=0)
    ap.add_argument("--rule", action="append", default=[])
    ap.add_argument("--tunnel-mtu", type=int, default=1460)
    ap.add_argument("--no-napt", action="store_true", help="GI-4over6: the LAN uses the public address itself")
    a = ap.parse_args()

    ports = swcalc.PortSet(a.offset, a.psid_len, a.psid) if a.psid_len else swcalc.PortSet.all_ports()
    rules = [swcalc.parse_rule_arg(t) for t in a.rule]
    fmrs = [r for r in rules if r.fmr]
    napt = a.mode != "dslite" and not a.no_napt
    counters = {k: 0 for k in ("tx_encap", "rx_decap", "spoof_dropped", "not_mine_dropped", "napt_exhausted",
                               "ptb_relayed", "frag_needed_sent")}
    log = pl.Log(a.log, "ce_emul")
    lan = pl.Port(a.lan_iface, a.lan_host_mac)
    wan = pl.Port(a.wan_iface, a.wan_gw_mac)
    reasm = pl.Reassembler()
    out_map, in_map = {}, {}   # (proto, lan src, lan port) -> ext port ; (proto, ext port) -> (lan src, lan port)
    free = {p: (port for lo, hi in ports.ranges() for port in range(max(lo, 1), hi + 1)) for p in ("udp", "tcp", "icmp")}
    last_status = [0.0]

    def status(force=False):
        if a.status and (force or time.monotonic() - last_status[0] > 0.2):
            last_status[0] = time.monotonic()
            with open(a.status + ".tmp", "w") as f:
                json.dump({"mode": a.mode, "counters": counters, "napt_entries": len(out_map)}, f)
            os.replace(a.status + ".tmp", a.status)

    def l4port(ip, proto, which):
        if proto == "udp":
            return ip[UDP].sport if which == "s" else ip[UDP].dport
        if proto == "tcp":
            return ip[TCP].sport if which == "s" else ip[TCP].dport
        return ip[ICMP].id

    def from_lan(data):
        eth = Ether(data)
        if eth.dst != lan.mac or IP not in eth:
            return
        ip = eth[IP]
        if ip.dst == a.lan_self or ipaddress.IPv4Address(ip.dst) in ipaddress.IPv4Network("10.0.0.0/24"):
            return
        if ip.ttl <= 1:
            return
        if ip.len > a.tunnel_mtu and ip.flags.DF:
            lan.send(pl.fix(pl.icmp4_frag_needed(a.lan_self, ip, a.tunnel_mtu)))
            counters["frag_needed_sent"] += 1
            return
        o = ip.copy()
        o.ttl -= 1
        proto = pl.l4_of(ip)[0]
        if napt:
            if proto not in ("udp", "tcp", "icmp") or (proto == "icmp" and ip[ICMP].type != 8):
                return
            k = (proto, ip.src, l4port(ip, proto, "s"))
            if k not in out_map:
                ext = next(free[proto], None)
                if ext is None:
                    counters["napt_exhausted"] += 1
                    log.write({"dir": "lan->wan", "action": "drop", "reason": "port set exhausted", **pl.inner_of(ip)})
                    return
                out_map[k], in_map[(proto, ext)] = ext, (ip.src, k[2])
            ext = out_map[k]
            o.src = a.ipv4
            pl.set_port(o, proto, "sport", ext)
        o = pl.fix(o)
        dst6 = a.remote
        if a.mode == "mape":
            dport = l4port(o, proto, "d") if proto in ("udp", "tcp") else (o[ICMP].id if proto == "icmp" else 0)
            d, _ = swcalc.destination(fmrs, a.remote, o.dst, dport)
            dst6 = str(d)
        pl.send_encap(wan, pl.encap(a.tunnel_source, dst6, o), 1500)
        counters["tx_encap"] += 1

    def relay_ptb(ip6):
        ptb = ip6[ICMPv6PacketTooBig]
        try:
            quoted6 = IPv6(raw(ptb.payload))
            q4 = IP(raw(quoted6.payload)[:60 + 8])
        except Exception:
            return
        proto = pl.l4_of(q4)[0] if q4.proto in (1, 6, 17) else None
        orig_src, orig_port = None, None
        if napt and proto:
            try:
                ext = l4port(q4, proto, "s")
            except (IndexError, AttributeError):
                return
            m = in_map.get((proto, ext))
            if m is None:
                return
            orig_src, orig_port = m
        q = q4.copy()
        if orig_src:
            q.src = orig_src
            pl.set_port(q, proto, "sport", orig_port)
        qb = raw(q)[: q.ihl * 4 + 8]
        icmp = IP(src=a.lan_self, dst=q.src, ttl=64) / ICMP(type=3, code=4, nexthopmtu=ptb.mtu - 40) / Raw(qb)
        lan.send(pl.fix(icmp))
        counters["ptb_relayed"] += 1
        log.write({"dir": "wan->lan", "action": "ptb-relayed", "mtu": ptb.mtu, "to": q.src})

    def from_wan(data):
        if not pl.is_ipv6(data):
            return
        ip6, _ = pl.decode_v6(reasm, data)
        if ip6 is None or ip6.dst != a.tunnel_source:
            return
        if ICMPv6PacketTooBig in ip6:
            relay_ptb(ip6)
            return
        rec, ip = pl.outer_of(ip6)
        if ip is None:
            return
        rec.update(pl.inner_of(ip), dir="wan->lan")
        proto = rec["proto"]
        if ip6.src != a.remote:
            ok = False
            if a.mode == "mape" and proto in ("udp", "tcp", "icmp"):
                sp = rec.get("sport") if proto != "icmp" else rec.get("icmp_id")
                ok = sp is not None and swcalc.source_check(rules, ip6.src, ip.src, sp)[1]
            if not ok:
                counters["spoof_dropped"] += 1
                log.write(dict(rec, action="drop", reason="outer source"))
                return
        o = ip.copy()
        if napt:
            dport = rec.get("dport") if proto in ("udp", "tcp") else rec.get("icmp_id")
            m = in_map.get((proto, dport)) if ip.dst == a.ipv4 and dport is not None and dport in ports else None
            if m is None:
                counters["not_mine_dropped"] += 1
                log.write(dict(rec, action="drop", reason="not ours"))
                return
            o.dst = m[0]
            pl.set_port(o, proto, "dport", m[1])
        o.ttl -= 1
        lan.send(pl.fix(o))
        counters["rx_decap"] += 1

    def handle(port, data):
        if port is lan and pl.is_ipv4(data):
            from_lan(data)
        elif port is wan:
            from_wan(data)
        status()

    status(True)
    pl.run_loop([lan, wan], handle, a.timeout, stop_when=lambda: status() or False)
    status(True)


if __name__ == "__main__":
    main()
