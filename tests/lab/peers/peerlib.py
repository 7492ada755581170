"""Shared plumbing of the scapy test peers: AF_PACKET ports, a JSON-lines log, IPv6 reassembly,
RFC 2473 encapsulation helpers, ICMP helpers. Independent of s46d (it never imports its code).

Every peer writes one JSON object per line to its --log file: what it received (outer and inner
headers), what it checked (checks: {name: true|false}), and what it did (action)."""
import argparse
import json
import os
import select
import socket
import struct
import sys
import time

from scapy.all import (ICMP, IP, TCP, UDP, Ether, IPerror, IPv6, IPv6ExtHdrDestOpt, IPv6ExtHdrFragment, IPv6ExtHdrHopByHop,
                       ICMPv6PacketTooBig, ICMPv6DestUnreach, Raw, conf, fragment6, raw)

conf.verb = 0
ETH_P_ALL = 0x0003
PACKET_OUTGOING = 4


def mac_of(iface):
    with open(f"/sys/class/net/{iface}/address") as f:
        return f.read().strip()


class Port:
    """One interface, read and written at layer 2 (our own transmissions are not read back)."""

    def __init__(self, iface, peer_mac):
        self.iface, self.peer_mac = iface, peer_mac
        self.mac = mac_of(iface)
        self.mtu = int(open(f"/sys/class/net/{iface}/mtu").read())
        self.sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8 << 20)
        self.sock.bind((iface, 0))
        self.sock.setblocking(False)

    def fileno(self):
        return self.sock.fileno()

    def recv(self):
        try:
            data, addr = self.sock.recvfrom(65600)
        except BlockingIOError:
            return None
        if addr[2] == PACKET_OUTGOING:
            return None
        return data

    def send(self, l3, dst_mac=None):
        eth = Ether(src=self.mac, dst=dst_mac or self.peer_mac, type=0x86DD if isinstance(l3, IPv6) else 0x0800)
        frame = raw(eth / l3)
        try:
            self.sock.send(frame)
        except OSError as e:
            return str(e)
        return None


class Log:
    def __init__(self, path, peer):
        self.f = open(path, "a", buffering=1) if path else None
        self.peer = peer
        self.t0 = time.monotonic()
        self.n = 0

    def write(self, rec):
        self.n += 1
        rec = dict(rec, peer=self.peer, t=round(time.monotonic() - self.t0, 4))
        if self.f:
            self.f.write(json.dumps(rec, sort_keys=True) + "\n")


class Reassembler:
    """RFC 8200 §4.5 reassembly of the outer IPv6 packet (RFC 2473 §7: before decapsulating)."""

    def __init__(self):
        self.parts = {}

    def add(self, ip6):
        frag = ip6[IPv6ExtHdrFragment]
        key = (ip6.src, ip6.dst, frag.id)
        e = self.parts.setdefault(key, {"frags": {}, "last": None, "nh": None, "t": time.monotonic(), "hdr": None})
        data = raw(frag.payload)
        e["frags"][frag.offset * 8] = data
        if frag.offset == 0:
            e["nh"] = frag.nh
            e["hdr"] = (ip6.src, ip6.dst, ip6.tc, ip6.fl, ip6.hlim)
        if not frag.m:
            e["last"] = frag.offset * 8 + len(data)
        if e["last"] is None or e["hdr"] is None:
            return None
        have, buf = 0, b""
        for off in sorted(e["frags"]):
            if off != have:
                return None
            buf += e["frags"][off]
            have += len(e["frags"][off])
        if have != e["last"]:
            return None
        del self.parts[key]
        src, dst, tc, fl, hlim = e["hdr"]
        return IPv6(raw(IPv6(src=src, dst=dst, tc=tc, fl=fl, hlim=hlim, nh=e["nh"]) / Raw(buf))), len(e["frags"])


def decode_v6(reasm, data):
    """The IPv6 packet in a frame, reassembled if it was fragmented: (ip6, fragment count) or (None, 0)."""
    ip6 = Ether(data)[IPv6]
    if ip6.nh == 44 and IPv6ExtHdrFragment in ip6:
        got = reasm.add(ip6)
        if got is None:
            return None, 0
        return got
    return ip6, 1


def outer_of(ip6):
    """The outer header fields a log record carries, and the IPv4 packet inside (or None)."""
    rec = {"outer_src": ip6.src, "outer_dst": ip6.dst, "hlim": ip6.hlim, "tc": ip6.tc, "fl": ip6.fl, "plen": ip6.plen}
    p = ip6.payload
    exts = []
    while isinstance(p, (IPv6ExtHdrDestOpt, IPv6ExtHdrHopByHop)):
        exts.append(type(p).__name__)
        p = p.payload
    if exts:
        rec["ext_headers"] = exts
    return rec, (p if isinstance(p, IP) else None)


def l4_of(ip):
    """(proto name, sport, dport, icmp type, icmp code, icmp id) of an IPv4 packet."""
    if ip.proto == 17 and UDP in ip:
        return "udp", ip[UDP].sport, ip[UDP].dport, None, None, None
    if ip.proto == 6 and TCP in ip:
        return "tcp", ip[TCP].sport, ip[TCP].dport, None, None, None
    if ip.proto == 1 and ICMP in ip:
        ic = ip[ICMP]
        return "icmp", None, None, ic.type, ic.code, (ic.id if ic.type in (0, 8, 13, 14) else None)
    return str(ip.proto), None, None, None, None, None


def inner_of(ip):
    proto, sport, dport, itype, icode, iid = l4_of(ip)
    rec = {"inner_src": ip.src, "inner_dst": ip.dst, "proto": proto, "ttl": ip.ttl, "tos": ip.tos, "ilen": ip.len,
           "df": bool(ip.flags.DF), "ipid": ip.id}
    if sport is not None:
        rec.update(sport=sport, dport=dport)
    if ip.proto == 6 and TCP in ip:
        rec["tcp_flags"] = str(ip[TCP].flags)
    if itype is not None:
        rec.update(icmp_type=itype, icmp_code=icode)
        if iid is not None:
            rec["icmp_id"] = iid
        emb = embedded_of(ip)
        if emb is not None:
            e = l4_of(emb)
            rec["embedded"] = {"src": emb.src, "dst": emb.dst, "proto": e[0], "sport": e[1], "dport": e[2], "icmp_id": e[5]}
    return rec


def embedded_of(ip):
    """The IPv4 header quoted by an ICMPv4 error (type 3, 4, 5, 11, 12), or None."""
    ic = ip[ICMP]
    if ic.type in (3, 4, 5, 11, 12) and IPerror in ic:
        return ic[IPerror]
    return None


def checksums_ok(ip):
    """True when the IPv4 header checksum and the TCP/UDP/ICMP checksum are right (non-fragments)."""
    try:
        fresh = IP(raw(ip))
        ref = fresh.copy()
        del ref.chksum
        if ip.flags.MF or ip.frag:
            return raw(IP(raw(ref)))[:20] == raw(fresh)[:20]
        for layer in (TCP, UDP, ICMP):
            if layer in ref and not (layer is ICMP and IPerror in ref):
                if layer is UDP and fresh[UDP].chksum == 0:
                    continue
                del ref[layer].chksum
                break
        return raw(IP(raw(ref))) == raw(fresh)
    except Exception:
        return False


def fix(ip):
    """Rebuild an IPv4 packet after rewriting fields: fresh lengths and checksums."""
    ip = ip.copy()
    del ip.chksum
    del ip.len
    if ip.proto == 17 and UDP in ip:
        del ip[UDP].chksum
        del ip[UDP].len
    elif ip.proto == 6 and TCP in ip:
        del ip[TCP].chksum
    elif ip.proto == 1 and ICMP in ip:
        del ip[ICMP].chksum
        if IPerror in ip:
            del ip[IPerror].chksum
            for layer in ("UDPerror", "TCPerror"):
                if ip.haslayer(layer):
                    try:
                        del ip[layer].chksum
                    except AttributeError:
                        pass
    return IP(raw(ip))


def encap(src6, dst6, inner, tc=None, hlim=64):
    """RFC 2473 §6: outer IPv6, next header 4; traffic class copied from the inner TOS unless given."""
    return IPv6(src=src6, dst=dst6, nh=4, hlim=hlim, tc=inner.tos if tc is None else tc, fl=0) / inner


def send_encap(port, pkt6, mtu):
    """Send, fragmenting the outer IPv6 packet when it is larger than mtu (RFC 2473 §7.2)."""
    if len(pkt6) <= mtu:
        return port.send(pkt6), 1
    frags = fragment6(_with_frag_header(pkt6), mtu)
    for f in frags:
        err = port.send(f)
        if err:
            return err, len(frags)
    return None, len(frags)


def _with_frag_header(pkt6):
    ip6 = IPv6(raw(pkt6))
    payload = ip6.payload
    hdr = IPv6(src=ip6.src, dst=ip6.dst, hlim=ip6.hlim, tc=ip6.tc, fl=ip6.fl)
    return hdr / IPv6ExtHdrFragment(nh=ip6.nh) / payload


def icmp4_frag_needed(src, orig, mtu):
    """ICMPv4 3/4 with next-hop MTU (RFC 1191), quoting the original header + 8 octets."""
    quote = raw(orig)[: orig.ihl * 4 + 8]
    return IP(src=src, dst=orig.src, ttl=64) / ICMP(type=3, code=4, nexthopmtu=mtu) / Raw(quote)


def icmp6_ptb(src, orig6, mtu):
    """ICMPv6 Packet Too Big (RFC 4443 §3.2) quoting as much of the packet as fits in 1280."""
    quote = raw(orig6)[: 1280 - 48]
    return IPv6(src=src, dst=orig6.src, hlim=64) / ICMPv6PacketTooBig(mtu=mtu) / Raw(quote)


def icmp6_policy_fail(src, orig6):
    """ICMPv6 1/5 'source address failed ingress/egress policy' (RFC 4443; RFC 7596 §5.2)."""
    quote = raw(orig6)[: 1280 - 48]
    return IPv6(src=src, dst=orig6.src, hlim=64) / ICMPv6DestUnreach(code=5) / Raw(quote)


def decap_record(reasm, data, tunnel_addrs, direction, log):
    """What a tunnel end (AFTR, lwAFTR, BR) does first with a frame from the IPv6 side: reassemble
    it (RFC 2473 §7), keep it only if addressed to one of tunnel_addrs, and log it as ignored when
    it is not IPv4-in-IPv6. (rec, ip6, ip) with rec holding the outer and inner headers, or None
    when there is nothing more to do."""
    ip6, nfrag = decode_v6(reasm, data)
    if ip6 is None or ip6.dst not in tunnel_addrs:
        return None
    rec, ip = outer_of(ip6)
    rec["dir"] = direction
    if nfrag > 1:
        rec["fragments"] = nfrag
    if ip is None:
        rec.update(action="ignore", reason=f"not IPv4-in-IPv6 (next header {ip6.nh})")
        log.write(rec)
        return None
    rec.update(inner_of(ip))
    return rec, ip6, ip


def lookup_port(rec, outbound):
    """The port a softwire's port set is checked against (RFC 7596 §8.1, RFC 7597 §8.1): the
    UDP/TCP source port outbound, destination port inbound; the ICMP identifier; for ICMP errors
    the quoted packet's port (it quotes the packet that caused it: from the CE side that packet went
    to the CE's port, its destination; from the internet side it came from the CE's port)."""
    if rec["proto"] in ("udp", "tcp"):
        return rec["sport"] if outbound else rec["dport"]
    if rec["proto"] == "icmp":
        if "embedded" in rec:
            e = rec["embedded"]
            if e["proto"] in ("udp", "tcp"):
                return e["dport"] if outbound else e["sport"]
            return e["icmp_id"]
        return rec.get("icmp_id")
    return None


def set_port(ip, proto, field, value):
    """NAPT's rewrite (RFC 3022 §2.2): the UDP/TCP port `field` ("sport" or "dport"), or for any
    other proto the ICMP query identifier, which stands for both ports."""
    if proto == "udp":
        setattr(ip[UDP], field, value)
    elif proto == "tcp":
        setattr(ip[TCP], field, value)
    else:
        ip[ICMP].id = value


def common_args(description):
    ap = argparse.ArgumentParser(description=description)
    ap.add_argument("--timeout", type=float, required=True, help="seconds before the peer exits by itself")
    ap.add_argument("--log", default="", help="JSON-lines log of every packet seen and every check")
    ap.add_argument("--v6-iface", required=True, help="interface toward the IPv6 network (CEs)")
    ap.add_argument("--v6-gw-mac", required=True, help="MAC of the IPv6 next hop (the ISP router)")
    ap.add_argument("--v6-mtu", type=int, default=1500, help="IPv6 path MTU used when sending toward CEs")
    ap.add_argument("--hlim", type=int, default=64, help="outer hop limit of packets sent (RFC 2473 §6.3)")
    return ap


def add_v4_args(ap):
    ap.add_argument("--v4-iface", required=True, help="interface toward the internet host")
    ap.add_argument("--v4-host-mac", required=True, help="MAC of the internet host")
    ap.add_argument("--v4-mtu", type=int, default=1500)
    ap.add_argument("--v4-self", default="203.0.113.1", help="the peer's own IPv4 address (source of its ICMPv4 errors)")


def run_loop(ports, handler, timeout, stop_when=None):
    """Poll the ports until the deadline; handler(port, frame_bytes) for each received frame."""
    deadline = time.monotonic() + timeout
    signal_stop = []
    import signal

    def _stop(*_):
        signal_stop.append(1)
    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    while not signal_stop:
        left = deadline - time.monotonic()
        if left <= 0:
            break
        r, _, _ = select.select(ports, [], [], min(left, 0.2))
        for p in r:
            for _ in range(64):
                data = p.recv()
                if data is None:
                    break
                try:
                    handler(p, data)
                except Exception as e:  # a malformed frame must not end the peer
                    print(f"handler error: {type(e).__name__}: {e}", file=sys.stderr, flush=True)
        if stop_when and stop_when():
            break


def serve_tunnel(v6, v4, from_v6, from_v4, timeout):
    """The loop of a tunnel end: IPv6 frames from the CE side to from_v6, IPv4 frames from the
    internet host to from_v4, until the timeout or a signal."""
    def handle(port, data):
        if port is v6 and is_ipv6(data):
            from_v6(data)
        elif port is v4 and is_ipv4(data):
            from_v4(data)
    run_loop([v6, v4], handle, timeout)


def is_ipv6(frame):
    return len(frame) > 14 and frame[12:14] == b"\x86\xdd"


def is_ipv4(frame):
    return len(frame) > 14 and frame[12:14] == b"\x08\x00"


def pid_file(path):
    if path:
        with open(path, "w") as f:
            f.write(str(os.getpid()))


def u16(b, o):
    return struct.unpack_from("!H", b, o)[0]
