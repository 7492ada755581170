#!/usr/bin/env python3
"""Writes the hand-made seed packets of fuzz/corpus/packet_view_fuzz/.

Valid packets with correct checksums, one per shape the views care about, so that
libFuzzer starts from inputs that get past every parser. Re-run after changing it;
inputs libFuzzer found (crashers, minimised) are added beside these by hand.
"""
import os
import struct

from seed_bytes import csum, v4

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus", "packet_view_fuzz")


def v6(a: str) -> bytes:
    head, _, tail = a.partition("::")
    h = [int(x, 16) for x in head.split(":") if x]
    t = [int(x, 16) for x in tail.split(":") if x]
    return struct.pack("!8H", *(h + [0] * (8 - len(h) - len(t)) + t))


def ipv4(src, dst, proto, payload, options=b"", frag=0x4000, ttl=64):
    ihl = (20 + len(options)) // 4
    h = struct.pack("!BBHHHBBH4s4s", 0x40 | ihl, 0, 20 + len(options) + len(payload), 0x1C46, frag, ttl, proto, 0,
                    v4(src), v4(dst)) + options
    h = h[:10] + struct.pack("!H", csum(h)) + h[12:]
    return h + payload


def ipv6(src, dst, nh, payload, hop=64):
    return struct.pack("!IHBB", 0x60000000 | 0xABCDE, len(payload), nh, hop) + v6(src) + v6(dst) + payload


def pseudo4(src, dst, proto, n):
    return v4(src) + v4(dst) + struct.pack("!BBH", 0, proto, n)


def pseudo6(src, dst, nh, n):
    return v6(src) + v6(dst) + struct.pack("!I3xB", n, nh)


def udp(sport, dport, data, pseudo=None):
    u = struct.pack("!HHHH", sport, dport, 8 + len(data), 0) + data
    if pseudo is None:
        return u
    c = csum(pseudo(len(u)) + u) or 0xFFFF
    return u[:6] + struct.pack("!H", c) + u[8:]


def tcp(sport, dport, seq, flags, options, data, pseudo):
    off = (20 + len(options)) // 4
    t = struct.pack("!HHIIBBHHH", sport, dport, seq, 0, off << 4, flags, 65535, 0, 0) + options + data
    c = csum(pseudo(len(t)) + t)
    return t[:16] + struct.pack("!H", c) + t[18:]


def icmp(typ, code, rest, body, pseudo=None):
    m = struct.pack("!BBHI", typ, code, 0, rest) + body
    c = csum((pseudo(len(m)) if pseudo else b"") + m)
    return m[:2] + struct.pack("!H", c) + m[4:]


A4, B4 = "192.0.2.1", "198.51.100.7"
A6, B6 = "2001:db8::1", "2001:db8:12:3400:0:c000:212:34"
P4 = lambda proto: lambda n: pseudo4(A4, B4, proto, n)  # noqa: E731
P6 = lambda nh: lambda n: pseudo6(A6, B6, nh, n)  # noqa: E731
SYN_OPTS = bytes([1, 2, 4, 5, 0xB4, 4, 2, 1, 3, 3, 7, 0])  # NOP, MSS 1460 (odd offset), SACK-perm, NOP, WS 7, EOL

inner_udp = ipv4(B4, A4, 17, udp(53, 40000, b"x" * 40))
seeds = {
    "ipv4_udp.bin": ipv4(A4, B4, 17, udp(40000, 53, b"\x12\x34\x01\x00\x00\x01", P4(17))),
    "ipv4_udp_no_checksum.bin": ipv4(A4, B4, 17, udp(68, 67, b"\x01\x01\x06\x00")),
    "ipv4_tcp_syn_mss.bin": ipv4(A4, B4, 6, tcp(51000, 443, 1, 0x02, SYN_OPTS, b"", P4(6))),
    "ipv4_options_tcp.bin": ipv4(A4, B4, 6, tcp(1, 2, 3, 0x18, b"", b"GET /", P4(6)), options=bytes([0x94, 4, 0, 0])),
    "ipv4_fragment.bin": ipv4(A4, B4, 17, b"\xaa" * 16, frag=0x2001),
    "ipv4_icmp_echo.bin": ipv4(A4, B4, 1, icmp(8, 0, 0x12340001, b"ping")),
    "ipv4_icmp_frag_needed.bin": ipv4(B4, A4, 1, icmp(3, 4, 1400, inner_udp[:28])),
    "ipv6_udp.bin": ipv6(A6, B6, 17, udp(546, 547, b"\x01\x00\x00\x01", P6(17))),
    "ipv6_tcp_syn.bin": ipv6(A6, B6, 6, tcp(51000, 443, 9, 0x02, SYN_OPTS, b"", P6(6))),
    "ipv6_echo.bin": ipv6(A6, B6, 58, icmp(128, 0, 0xABCD0001, b"ping", P6(58))),
    "ipv6_packet_too_big.bin": ipv6(B6, A6, 58, icmp(2, 0, 1280, ipv6(A6, B6, 6, b"\0" * 60)[:80], P6(58))),
    "ipv6_dslite_ipv4_tcp.bin": ipv6(A6, B6, 4, ipv4(A4, B4, 6, tcp(5, 6, 7, 0x10, b"", b"hi", P4(6)))),
    "ipv6_truncated_payload.bin": ipv6(A6, B6, 17, udp(1, 2, b"abcdef"))[:44],
}

os.makedirs(OUT, exist_ok=True)
for name, data in seeds.items():
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(data)
print(f"wrote {len(seeds)} seeds to {OUT}")
