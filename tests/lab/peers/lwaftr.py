#!/usr/bin/python3
"""lwAFTR (RFC 7596) test peer.

Binding table from --binding B4_IPV6,IPV4[,a=OFFSET,k=PSIDLEN,psid=PSID] (a defaults to 0, RFC 7596
§5.1). Outbound (from a lwB4, outer destination --lwaftr): the outer source must be a bound B4
address, the inner source its IPv4 address and the inner source port / ICMP identifier (for ICMP
errors the port of the quoted packet) inside its port set; otherwise the packet is logged as a
violation and dropped (with --icmp-policy, an ICMPv6 1/5 goes back to the outer source, RFC 7596
§5.2). Inner destinations that are themselves bound are hairpinned to the other lwB4 (§6.2).
Inbound (from the internet host): destination IPv4 + port (or ICMP id, or the quoted packet's
source port for errors, §8.1) selects the binding; the packet is encapsulated to its B4 with the
traffic class copied from the TOS. No match: dropped.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import peerlib as pl  # noqa: E402
import swcalc  # noqa: E402
from scapy.all import IP, Ether  # noqa: E402


class Binding:
    def __init__(self, text):
        parts = text.split(",")
        self.b4, self.ipv4 = parts[0], parts[1]
        a, k, psid = 0, 0, 0
        for p in parts[2:]:
            key, val = p.split("=")
            a, k, psid = (int(val), k, psid) if key == "a" else (a, int(val), psid) if key == "k" else (a, k, int(val))
        self.ports = swcalc.PortSet(a, k, psid) if k else swcalc.PortSet.all_ports()

    def to_json(self):
        return {"b4": self.b4, "ipv4": self.ipv4, **self.ports.to_json()}


def main():
    ap = pl.common_args(__doc__)
    pl.add_v4_args(ap)
    ap.add_argument("--lwaftr", required=True, help="the lwAFTR's IPv6 address")
    ap.add_argument("--binding", action="append", required=True)
    ap.add_argument("--icmp-policy", action="store_true", help="answer violations with ICMPv6 1/5")
    ap.add_argument("--no-hairpin", action="store_true")
    a = ap.parse_args()

    log = pl.Log(a.log, "lwaftr")
    bindings = [Binding(t) for t in a.binding]
    log.write({"dir": "config", "bindings": [b.to_json() for b in bindings]})
    v6 = pl.Port(a.v6_iface, a.v6_gw_mac)
    v4 = pl.Port(a.v4_iface, a.v4_host_mac)
    reasm = pl.Reassembler()

    def lookup4(addr, port):
        for b in bindings:
            if b.ipv4 == addr and port is not None and port in b.ports:
                return b
        return None

    def to_b4(rec, ip, b, src4_reason):
        o = ip.copy()
        o.ttl = ip.ttl - 1
        o = pl.fix(o)
        if len(o) + 40 > a.v6_mtu and o.flags.DF:
            err = v4.send(pl.icmp4_frag_needed(a.v4_self, ip, a.v6_mtu - 40))
            rec.update(action="icmp-frag-needed", mtu=a.v6_mtu - 40, error=err)
            return
        err, n = pl.send_encap(v6, pl.encap(a.lwaftr, b.b4, o, hlim=a.hlim), a.v6_mtu)
        rec.update(action=src4_reason, to_b4=b.b4, out_tc=o.tos, out_hlim=a.hlim, error=err, fragments=n)

    def from_b4(data):
        got = pl.decap_record(reasm, data, (a.lwaftr,), "b4->inet", log)
        if got is None:
            return
        rec, ip6, ip = got
        b = next((x for x in bindings if x.b4 == ip6.src), None)
        port = pl.lookup_port(rec, outbound=True)
        checks = {"outer_dst_lwaftr": True, "b4_bound": b is not None, "inner_checksums": pl.checksums_ok(ip),
                  "tc_copied": ip6.tc == ip.tos}
        if b is not None:
            checks["inner_src_bound"] = ip.src == b.ipv4
            checks["port_in_set"] = port is not None and port in b.ports
        rec["checks"] = checks
        if b is None or not checks["inner_src_bound"] or not checks["port_in_set"]:
            rec.update(action="drop", violation=True,
                       reason="no binding for the B4" if b is None else "source address or port outside the binding")
            if a.icmp_policy:
                rec["icmp6_sent"] = v6.send(pl.icmp6_policy_fail(a.lwaftr, ip6)) or "1/5"
            log.write(rec)
            return
        hairpin_port = rec.get("dport") if rec["proto"] in ("udp", "tcp") else None
        target = None if a.no_hairpin else lookup4(ip.dst, hairpin_port)
        if target is not None:
            to_b4(rec, ip, target, "hairpin")
        else:
            o = ip.copy()
            o.ttl = ip.ttl - 1
            err = v4.send(pl.fix(o))
            rec.update(action="forward", error=err)
        log.write(rec)

    def from_inet(data):
        ip = Ether(data)[IP]
        if ip.dst not in {b.ipv4 for b in bindings}:
            return
        rec = {"dir": "inet->b4"}
        rec.update(pl.inner_of(ip))
        b = lookup4(ip.dst, pl.lookup_port(rec, outbound=False))
        rec["checks"] = {"binding_found": b is not None}
        if b is None:
            rec.update(action="drop", reason="no binding for destination address and port")
        else:
            to_b4(rec, ip, b, "encap")
        log.write(rec)

    pl.serve_tunnel(v6, v4, from_b4, from_inet, a.timeout)


if __name__ == "__main__":
    main()
