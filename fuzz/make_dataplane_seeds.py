#!/usr/bin/env python3
"""Writes the seed inputs of fuzz/corpus/dataplane_outbound_fuzz/ and dataplane_inbound_fuzz/.

The format is in fuzz/dataplane_fuzz_common.hpp: mode byte, option byte, then records of
flags, extra, 16-bit length and bytes. Seeds use the harness's `fix` and `aim` flags, so the
packets here need only the right shape; the harness makes checksums and ports right.
Re-run after changing it; crashers libFuzzer finds are added beside these by hand.
"""
import os
import struct

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus")
KIND = {"out": 0, "out6": 1, "short": 2, "expire": 3, "in": 0, "in6": 1, "icmp6": 2}
FIX, AIM = 4, 8
MODES = {"dslite": 0, "lw4o6": 1, "mape": 2, "gi": 3}


def v4(a):
    return bytes(int(x) for x in a.split("."))


def ipv4(src, dst, proto, payload, ttl=64, df=True, frag=0, tos=0):
    flags = (0x4000 if df else 0) | frag
    return struct.pack("!BBHHHBBH4s4s", 0x45, tos, 20 + len(payload), 0x1C46, flags, ttl, proto, 0, v4(src), v4(dst)) + payload


def udp(sport, dport, n=8):
    return struct.pack("!HHHH", sport, dport, 8 + n, 0) + bytes((0x30 + i) & 0xFF for i in range(n))


def tcp_syn(sport, dport, mss=1460):
    return struct.pack("!HHIIBBHHH", sport, dport, 1, 0, 6 << 4, 0x02, 65535, 0, 0) + struct.pack("!BBH", 2, 4, mss)


def echo(ident, typ=8):
    return struct.pack("!BBHHH", typ, 0, 0, ident, 1) + b"\xab" * 16


def rec(flags, data, extra=0):
    return struct.pack("!BBH", flags, extra, len(data)) + data


def write(target, name, mode, opts, records):
    d = os.path.join(ROOT, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name + ".bin"), "wb") as f:
        f.write(bytes([mode, opts]) + b"".join(records))


def lan_host(mode):
    return "192.0.2.18" if mode == "gi" else "192.168.1.10"


def outbound():
    for mode in MODES:
        h = lan_host(mode)
        write("dataplane_outbound_fuzz", f"{mode}_udp_tcp_echo", MODES[mode], 0, [
            rec(KIND["out6"] | FIX, ipv4(h, "198.51.100.7", 17, udp(1000, 53))),
            rec(KIND["out6"] | FIX, ipv4(h, "198.51.100.7", 6, tcp_syn(2000, 443))),
            rec(KIND["out"] | FIX, ipv4(h, "198.51.100.7", 1, echo(0x0101))),
        ])
        write("dataplane_outbound_fuzz", f"{mode}_ttl_df_big", MODES[mode], 0, [
            rec(KIND["out"] | FIX, ipv4(h, "198.51.100.7", 17, udp(1000, 53), ttl=1)),
            rec(KIND["out"] | FIX, ipv4(h, "198.51.100.7", 17, udp(1000, 53, 1472))),
            rec(KIND["out6"] | FIX, ipv4(h, "198.51.100.7", 17, udp(1000, 53, 1472), df=False)),
        ])
        whole = udp(1000, 53, 1000)
        f1 = ipv4(h, "198.51.100.7", 17, whole[:512], df=False, frag=0x2000)
        f2 = ipv4(h, "198.51.100.7", 17, whole[512:], df=False, frag=64)
        write("dataplane_outbound_fuzz", f"{mode}_fragments", MODES[mode], 0, [
            rec(KIND["out"] | FIX, f2), rec(KIND["out"] | FIX, f1), rec(KIND["out"] | FIX, f2),
            rec(KIND["out"] | FIX, f2), rec(KIND["expire"] | 0xC0, b""),
        ])
        write("dataplane_outbound_fuzz", f"{mode}_fragments_tiny_table", MODES[mode], 16, [
            rec(KIND["out"] | FIX, f2), rec(KIND["out"] | FIX, f1), rec(KIND["out"] | FIX, f2),
            rec(KIND["expire"] | 0xC0, b""),
        ])
        write("dataplane_outbound_fuzz", f"{mode}_hairpin_peer", MODES[mode], 1 | 128, [
            rec(KIND["out"] | FIX, ipv4(h, "198.51.100.7", 17, udp(1000, 53))),
            rec(KIND["out6"] | FIX | AIM, ipv4("192.168.1.11", "0.0.0.0", 17, udp(7000, 0))),
            rec(KIND["out6"] | FIX | AIM, ipv4(h, "0.0.0.0", 17, udp(7001, 0)), extra=1),
            rec(KIND["short"] | FIX, ipv4(h, "198.51.100.7", 17, udp(1000, 53))),
        ])
    write("dataplane_outbound_fuzz", "garbage", 1, 0xFF, [rec(0, bytes(range(64))), rec(FIX, b"\x45" + bytes(30))])


def inbound():
    for mode in MODES:
        h = lan_host(mode)
        dst = h if mode in ("dslite", "gi") else "192.0.2.18"
        reply = ipv4("198.51.100.7", dst, 17, udp(53, 1000))
        write("dataplane_inbound_fuzz", f"{mode}_replies", MODES[mode], 0, [
            rec(KIND["in"] | FIX | AIM, reply, extra=0x28),
            rec(KIND["in6"] | FIX | AIM, bytes(40) + reply),
            rec(KIND["in"] | FIX | AIM, ipv4("198.51.100.7", dst, 6, tcp_syn(80, 2000))[:40], extra=0xB8),
            rec(KIND["in"] | FIX | AIM, ipv4("198.51.100.7", dst, 1, echo(0x0101, 0)), extra=3),
            rec(KIND["in"] | FIX | AIM | 0x20, reply),  # from a stranger
        ])
        write("dataplane_inbound_fuzz", f"{mode}_icmpv6", MODES[mode], 0, [
            rec(KIND["icmp6"] | FIX | AIM, struct.pack("!BBHI", 2, 0, 0, 1400) + bytes(1200)),
            rec(KIND["icmp6"] | FIX | AIM, struct.pack("!BBHI", 1, 5, 0, 0) + bytes(60), extra=1),
            rec(KIND["icmp6"] | FIX | AIM | 0x20, struct.pack("!BBHI", 1, 5, 0, 0) + bytes(60)),
            rec(KIND["icmp6"] | FIX | AIM, struct.pack("!BBHI", 3, 0, 0, 0) + bytes(60), extra=2),
            rec(KIND["icmp6"] | FIX | AIM, struct.pack("!BBHI", 4, 0, 0, 40) + bytes(60)),
        ])
        whole = udp(53, 1000, 1000)
        f1 = ipv4("198.51.100.7", dst, 17, whole[:512], df=False, frag=0x2000)
        f2 = ipv4("198.51.100.7", dst, 17, whole[512:], df=False, frag=64)
        write("dataplane_inbound_fuzz", f"{mode}_fragments", MODES[mode], 2, [
            rec(KIND["in"] | FIX | AIM, f2), rec(KIND["in"] | FIX | AIM, f1), rec(KIND["in"] | FIX | AIM, f1),
            rec(KIND["in"] | FIX | AIM, f1), rec(3 | 0xC0, b""),
        ])
    peer = ipv4("192.0.2.19", "192.0.2.18", 17, udp(1369, 3000))
    write("dataplane_inbound_fuzz", "mape_peer", MODES["mape"], 0, [
        rec(KIND["in"] | FIX | 0x10, peer), rec(KIND["in"] | FIX | AIM | 0x10, peer),
        rec(KIND["in6"] | FIX | 0x10, bytes(40) + peer),
    ])


if __name__ == "__main__":
    outbound()
    inbound()
