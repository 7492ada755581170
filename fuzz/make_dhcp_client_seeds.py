#!/usr/bin/env python3
"""Writes the seed inputs of fuzz/corpus/dhcp_client_fuzz/ (whole DHCPv6 datagrams from a server).

They match dhcp_client_fuzz.cpp: client DUID-LL 02:00:00:00:00:01, IA_NA iaid 1, IA_PD iaid 2,
transaction-id 0xa1b2c3. A good Reply (with softwire options), its Rapid Commit and Advertise
forms, IA status variants, and malformed ones. Re-run after changing it.
"""
import os

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "corpus", "dhcp_client_fuzz")

XID = bytes.fromhex("a1b2c3")
CLIENT = bytes.fromhex("00030001020000000001")
SERVER = bytes.fromhex("00030001020000000002")


def tlv(code: int, value: bytes, length: int = -1) -> bytes:
    n = len(value) if length < 0 else length
    return code.to_bytes(2, "big") + n.to_bytes(2, "big") + value


def u32(v: int) -> bytes:
    return v.to_bytes(4, "big")


def status(code: int, text: bytes = b"") -> bytes:
    return tlv(13, code.to_bytes(2, "big") + text)


def ia_na(t1=1000, t2=2000, pref=3000, valid=4000, extra=b"", with_addr=True) -> bytes:
    addr = tlv(5, bytes.fromhex("20010db8000000010000000000000100") + u32(pref) + u32(valid)) if with_addr else b""
    return tlv(3, u32(1) + u32(t1) + u32(t2) + addr + extra)


def ia_pd(t1=1000, t2=2000, pref=3000, valid=4000, extra=b"", with_prefix=True) -> bytes:
    pfx = tlv(26, u32(pref) + u32(valid) + bytes([56]) + bytes.fromhex("20010db8ff0000000000000000000000")) if with_prefix else b""
    return tlv(25, u32(2) + u32(t1) + u32(t2) + pfx + extra)


def message(msg_type: int, *options: bytes) -> bytes:
    return bytes([msg_type]) + XID + b"".join(options)


def main() -> None:
    os.makedirs(OUT, exist_ok=True)
    ids = tlv(1, CLIENT) + tlv(2, SERVER)
    aftr = bytes.fromhex("004000120461667472076578616d706c6503636f6d00")
    mape = bytes.fromhex("005e00250059000d011018c00002002820010db800005a001020010db8ffff00000000000000000001")
    prio = bytes.fromhex("006f0004005e0060")
    seeds = {
        "reply": message(7, ids, ia_na(), ia_pd(), aftr, mape, prio),
        "reply-rapid-commit": message(7, ids, tlv(14, b""), ia_na(), ia_pd(), aftr),
        "reply-pd-only-na-noaddrs": message(7, ids, ia_na(with_addr=False, extra=status(2)), ia_pd()),
        "reply-all-refused": message(7, ids, ia_na(with_addr=False, extra=status(2)), ia_pd(with_prefix=False, extra=status(6))),
        "reply-nobinding": message(7, ids, ia_na(with_addr=False, extra=status(3)), ia_pd(with_prefix=False, extra=status(3))),
        "reply-withdrawn": message(7, ids, ia_na(pref=0, valid=0), ia_pd(pref=0, valid=0)),
        "reply-t1-gt-t2": message(7, ids, ia_na(t1=3000, t2=2000), ia_pd()),
        "reply-t-zero": message(7, ids, ia_na(t1=0, t2=0), ia_pd(t1=0, t2=0)),
        "reply-infinite": message(7, ids, ia_na(t1=0xffffffff, t2=0xffffffff, pref=0xffffffff, valid=0xffffffff), ia_pd()),
        "reply-unspecfail": message(7, ids, status(1, b"busy"), ia_na(), ia_pd()),
        "reply-usemulticast": message(7, ids, status(5), ia_na(), ia_pd()),
        "reply-sol-max-rt": message(7, ids, tlv(82, u32(120)), ia_na(), ia_pd()),
        "advertise": message(2, ids, tlv(7, b"\xff"), ia_na(), ia_pd()),
        "reconfigure": message(10, ids, tlv(19, b"\x05")),
        "bad-truncated-option": message(7, ids, ia_na(), tlv(25, b"\x00\x00", 40)),
        "bad-trailing": message(7, ids, ia_na(), ia_pd(), b"\x00"),
        "bad-ia-short": message(7, ids, tlv(3, b"\x00\x00\x00\x01"), ia_pd()),
        "bad-iaprefix-short": message(7, ids, ia_na(), tlv(25, u32(2) + u32(0) + u32(0) + tlv(26, b"\x00" * 20))),
        "bad-duplicate-serverid": message(7, ids, tlv(2, SERVER), ia_na(), ia_pd()),
        "bad-no-clientid": message(7, tlv(2, SERVER), ia_na(), ia_pd()),
        "bad-header": b"\x07\xa1",
    }
    for name, data in seeds.items():
        with open(os.path.join(OUT, name + ".bin"), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main()
