#!/usr/bin/python3
"""Sends crafted IPv4-in-IPv6 packets toward a CE (spoofing tests) and logs what it sent.

  inject.py --v6-iface p6 --v6-gw-mac MAC --outer-src A --outer-dst B --inner-src X --inner-dst Y
            [--proto udp|tcp|icmp] [--sport N] [--dport N] [--payload TEXT] [--count N] [--log FILE]
"""
import argparse
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import peerlib as pl  # noqa: E402
from scapy.all import ICMP, IP, TCP, UDP, Raw  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--v6-iface", required=True)
    ap.add_argument("--v6-gw-mac", required=True)
    ap.add_argument("--outer-src", required=True)
    ap.add_argument("--outer-dst", required=True)
    ap.add_argument("--inner-src", required=True)
    ap.add_argument("--inner-dst", required=True)
    ap.add_argument("--proto", default="udp", choices=["udp", "tcp", "icmp"])
    ap.add_argument("--sport", type=int, default=7)
    ap.add_argument("--dport", type=int, default=1024)
    ap.add_argument("--icmp-type", type=int, default=0)
    ap.add_argument("--payload", default="spoof")
    ap.add_argument("--count", type=int, default=1)
    ap.add_argument("--tc", type=int, default=0)
    ap.add_argument("--log", default="")
    a = ap.parse_args()
    port = pl.Port(a.v6_iface, a.v6_gw_mac)
    inner = IP(src=a.inner_src, dst=a.inner_dst, ttl=60, tos=a.tc)
    if a.proto == "udp":
        inner = inner / UDP(sport=a.sport, dport=a.dport) / Raw(a.payload.encode())
    elif a.proto == "tcp":
        inner = inner / TCP(sport=a.sport, dport=a.dport, flags="S")
    else:
        inner = inner / ICMP(type=a.icmp_type, id=a.dport, seq=1) / Raw(a.payload.encode())
    inner = pl.fix(inner)
    pkt = pl.encap(a.outer_src, a.outer_dst, inner, tc=a.tc)
    errors = []
    for _ in range(a.count):
        err = port.send(pkt)
        if err:
            errors.append(err)
        time.sleep(0.01)
    rec = {"peer": "inject", "sent": a.count, "errors": errors, "outer_src": a.outer_src, "outer_dst": a.outer_dst,
           **pl.inner_of(inner)}
    if a.log:
        with open(a.log, "a") as f:
            f.write(json.dumps(rec) + "\n")
    print(json.dumps(rec))
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
