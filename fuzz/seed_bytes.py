"""Byte helpers shared by the seed writers (make_packet_seeds.py, make_napt_seeds.py)."""
import struct


def csum(b: bytes) -> int:
    """RFC 1071 Internet checksum of `b` (odd length padded with a zero byte)."""
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack(f"!{len(b) // 2}H", b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def v4(a: str) -> bytes:
    """Dotted-quad IPv4 address to its 4 bytes."""
    return bytes(int(x) for x in a.split("."))
