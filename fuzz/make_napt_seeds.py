#!/usr/bin/env python3
"""Writes the hand-made seed scripts of fuzz/corpus/napt_fuzz/ (format in fuzz/napt_fuzz.cpp).

Each seed is a configuration byte and a few records -- op, dt, len, [bytes] -- that walk
one path of the NAPT: UDP out and back, a TCP handshake, echo, ICMP errors both ways,
hairpinning, exhaustion of a small set, expiry, flush and replan. Raw packets carry
correct checksums so libFuzzer starts past every check. Re-run after changing it.
"""
import os
import struct

from seed_bytes import csum, v4

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus", "napt_fuzz")

EXT = "192.0.2.1"


def ipv4(src, dst, proto, payload, frag=0x4000):
    h = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), 0x1C46, frag, 64, proto, 0, v4(src), v4(dst))
    return h[:10] + struct.pack("!H", csum(h)) + h[12:] + payload


def pseudo(src, dst, proto, n):
    return v4(src) + v4(dst) + struct.pack("!BBH", 0, proto, n)


def udp(src, sport, dst, dport, data=b"seed", zero=False):
    u = struct.pack("!HHHH", sport, dport, 8 + len(data), 0) + data
    c = 0 if zero else (csum(pseudo(src, dst, 17, len(u)) + u) or 0xFFFF)
    return ipv4(src, dst, 17, u[:6] + struct.pack("!H", c) + u[8:])


def tcp(src, sport, dst, dport, flags, data=b""):
    t = struct.pack("!HHIIBBHHH", sport, dport, 1, 0, 0x50, flags, 65535, 0, 0) + data
    c = csum(pseudo(src, dst, 6, len(t)) + t)
    return ipv4(src, dst, 6, t[:16] + struct.pack("!H", c) + t[18:])


def icmp(src, dst, typ, code, rest, body):
    m = struct.pack("!BBHI", typ, code, 0, rest) + body
    return ipv4(src, dst, 1, m[:2] + struct.pack("!H", csum(m)) + m[4:])


def rec(op, dt=0, data=b"", length=None):
    return bytes([op, dt, len(data) if length is None else length]) + data


def built(kind, host, remote, sport, dport, flags=0, payload=4):
    return rec(8, 0, bytes([kind, host, remote]) + struct.pack("!HH", sport, dport) + bytes([flags, payload]))


SEEDS = {
    # config byte: filtering = b & 3, set = (b >> 2) & 7, 0x20 no sweeping, 0x40 64 sessions, 0x80 3 hosts
    "udp-out-reply.bin": bytes([0x01]) + rec(0, 1, udp("192.168.1.10", 5000, "198.51.100.7", 53)) + rec(2, 1, length=0),
    "udp-zero-checksum.bin": bytes([0x02]) + rec(0, 0, udp("192.168.1.10", 5000, "198.51.100.7", 53, b"odd", True))
    + rec(2, 0, length=3),
    "tcp-handshake.bin": bytes([0x02])
    + rec(0, 0, tcp("192.168.1.10", 40000, "198.51.100.7", 443, 0x02))
    + rec(1, 0, tcp("198.51.100.7", 443, EXT, 1024, 0x12))
    + rec(2, 0, length=0x12) + rec(0, 1, tcp("192.168.1.10", 40000, "198.51.100.7", 443, 0x11))
    + rec(2, 200, length=0x11),
    "echo.bin": bytes([0x04]) + rec(0, 0, icmp("192.168.1.10", "198.51.100.7", 8, 0, 0x12340001, b"ping" * 4))
    + rec(2, 30, length=0) + rec(0x85, 2, length=255),
    "icmp-error-in.bin": bytes([0x00]) + built(0, 1, 2, 5000, 53) + rec(3, 0, length=8) + rec(3, 0, length=100),
    "icmp-error-out.bin": bytes([0x00]) + built(1, 1, 1, 6000, 80, 0x02) + rec(2, 0, length=0x12) + rec(4, 0, length=40),
    "hairpin.bin": bytes([0x00]) + built(0, 1, 0, 6000, 3478) + built(0, 2, 0x80, 7000, 1024) + built(0, 1, 0x80, 6000, 1025),
    "exhaust-16-ports.bin": bytes([0x08 | 0x40]) + b"".join(built(0, h, 1, 1000 + i, 53) for h in range(4) for i in range(6)),
    "map-set-mixed.bin": bytes([0x05 | 0x20]) + b"".join(built(k, i % 8, i % 4, 2000 + i, 80 + i, 0x02, i) for i in range(12) for k in range(3))
    + rec(0x80, 255, length=0) + rec(5, 0, length=255),
    "fragments.bin": bytes([0x00]) + rec(0, 0, udp("192.168.1.10", 5000, "198.51.100.7", 53)[:20] + b"\0" * 8)
    + rec(0, 0, ipv4("192.168.1.10", "198.51.100.7", 17, struct.pack("!HHHH", 5000, 53, 1000, 0x1234), frag=0x2000))
    + rec(1, 0, ipv4("198.51.100.7", EXT, 17, b"\0" * 16, frag=0x0010)),
    "flush-replan.bin": bytes([0x01]) + built(0, 1, 1, 5000, 53) + rec(6) + rec(2, 0, length=0) + built(0, 1, 1, 5000, 53)
    + rec(7, 0, b"\x03\x01") + rec(2, 0, length=0) + built(2, 1, 1, 77, 1),
    "junk.bin": bytes([0xFF]) + rec(0, 0, b"\x45" + b"\0" * 30) + rec(1, 0, b"\x46\0\0\x18" + b"\0" * 20)
    + rec(1, 0, icmp("198.51.100.7", EXT, 8, 0, 1, b"")) + rec(0, 0, ipv4("192.168.1.10", "198.51.100.7", 47, b"\0" * 8)),
}


def main():
    os.makedirs(OUT, exist_ok=True)
    for name, data in SEEDS.items():
        with open(os.path.join(OUT, name), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main()
