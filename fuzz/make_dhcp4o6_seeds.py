#!/usr/bin/env python3
"""Writes the seed inputs of fuzz/corpus/dhcp4o6_response_fuzz/ (whole DHCPV4-RESPONSE datagrams).

They match dhcp4o6_response_fuzz.cpp: option 87 first, so the DHCPv4 xid sits at datagram octets
12..15 (the target overwrites it with the outstanding one). Good OFFER / ACK / NAK forms, lease
time and port-set variants, and malformed envelopes and messages. Re-run after changing it.
"""
import os

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "corpus", "dhcp4o6_response_fuzz")


def u32(v: int) -> bytes:
    return v.to_bytes(4, "big")


def opt(code: int, value: bytes) -> bytes:
    return bytes([code, len(value)]) + value


def dhcpv4(mtype: int, options: bytes = None, yiaddr: bytes = bytes([192, 0, 2, 100]),
           op: int = 2, cookie: bytes = bytes([99, 130, 83, 99])) -> bytes:
    header = bytearray(236)
    header[0], header[1], header[2] = op, 1, 6
    header[4:8] = u32(0x01020304)
    header[16:20] = yiaddr
    if options is None:
        options = (opt(54, bytes([192, 0, 2, 1])) + opt(51, u32(1000)) + opt(58, u32(500)) +
                   opt(59, u32(800)) + opt(159, bytes([0, 6, 0x14, 0x00])))
    return bytes(header) + cookie + opt(53, bytes([mtype])) + options + b"\xff"


def response(v4: bytes, v6_type: int = 21, extra: bytes = b"") -> bytes:
    return bytes([v6_type, 0, 0, 0]) + (87).to_bytes(2, "big") + len(v4).to_bytes(2, "big") + v4 + extra


def main() -> None:
    os.makedirs(OUT, exist_ok=True)
    sid = opt(54, bytes([192, 0, 2, 1]))
    seeds = {
        "offer.bin": response(dhcpv4(2)),
        "ack.bin": response(dhcpv4(5)),
        "nak.bin": response(dhcpv4(6, sid, yiaddr=bytes(4))),
        "ack-full-address.bin": response(dhcpv4(5, sid + opt(51, u32(3600)))),
        "ack-infinite.bin": response(dhcpv4(5, sid + opt(51, u32(0xffffffff)))),
        "ack-psid16.bin": response(dhcpv4(5, sid + opt(51, u32(3600)) + opt(159, bytes([0, 16, 0x12, 0x34])))),
        "bad-t1-gt-t2.bin": response(dhcpv4(5, sid + opt(51, u32(1000)) + opt(58, u32(900)) + opt(59, u32(800)))),
        "bad-t2-gt-lease.bin": response(dhcpv4(5, sid + opt(51, u32(1000)) + opt(59, u32(1001)))),
        "bad-no-server-id.bin": response(dhcpv4(5, opt(51, u32(1000)))),
        "bad-yiaddr-zero.bin": response(dhcpv4(5, yiaddr=bytes(4))),
        "bad-159-psid.bin": response(dhcpv4(5, sid + opt(51, u32(3600)) + opt(159, bytes([0, 4, 0x12, 0x34])))),
        "bad-159-short.bin": response(dhcpv4(5, sid + opt(51, u32(3600)) + opt(159, bytes([0, 4, 0x10])))),
        "bad-cookie.bin": response(dhcpv4(5, cookie=bytes(4))),
        "bad-op.bin": response(dhcpv4(5, op=1)),
        "bad-short-v4.bin": response(dhcpv4(5)[:239]),
        "bad-truncated-option.bin": response(dhcpv4(5, sid + bytes([51, 4, 0, 0]))[:-1]),
        "bad-v6-type.bin": response(dhcpv4(5), v6_type=20),
        "bad-dup-87.bin": response(dhcpv4(5), extra=(87).to_bytes(2, "big") + (0).to_bytes(2, "big")),
        "bad-no-87.bin": bytes([21, 0, 0, 0]) + (88).to_bytes(2, "big") + (0).to_bytes(2, "big"),
        "bad-envelope-overrun.bin": response(dhcpv4(5))[:-3],
    }
    for name, data in seeds.items():
        with open(os.path.join(OUT, name), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main()
