#!/usr/bin/env python3
"""Writes the seed inputs of fuzz/corpus/reply_decode_fuzz/ (concatenated DHCPv6 Reply options).

Every option vector of tests/vectors/options.json, every reply of option-matrix.json, one
reply carrying everything, and a few malformed replies. Re-run after changing it; the
kea-malformed-*.bin seeds (malformed options that libdhcp++ rejects too, without their
4-octet message header) and inputs libFuzzer found are added beside these by hand.
"""
import json
import os

HERE = os.path.dirname(os.path.abspath(__file__))
VEC = os.path.join(HERE, "..", "tests", "vectors")
OUT = os.path.join(HERE, "corpus", "reply_decode_fuzz")


def tlv(code: int, value: bytes) -> bytes:
    return code.to_bytes(2, "big") + len(value).to_bytes(2, "big") + value


def main() -> None:
    os.makedirs(OUT, exist_ok=True)
    seeds = {}
    with open(os.path.join(VEC, "options.json")) as f:
        for v in json.load(f)["option_wire_vectors"]:
            if "decoded" in v:
                seeds["vec-" + v["id"]] = bytes.fromhex(v["hex"])
    with open(os.path.join(VEC, "option-matrix.json")) as f:
        for row in json.load(f)["option_matrix"]:
            seeds["matrix-" + row["id"]] = bytes.fromhex(row["reply_options_hex"])

    aftr = bytes.fromhex("004000120461667472076578616d706c6503636f6d00")
    mape = bytes.fromhex("005e00250059000d011018c00002002820010db800005a001020010db8ffff00000000000000000001")
    lw = bytes.fromhex("0060002c005c0014c00002123820010db8001234005d000400083400005a001020010db8ffff00000000000000000002")
    mapt = bytes.fromhex("005f001e0059000d011018c00002002820010db800005b00094020010db8ffff0000")
    prio = bytes.fromhex("006f0006005e00600040")
    dns = tlv(23, bytes.fromhex("20010db8000000000000000000000053"))
    ia_na = tlv(3, bytes(12))
    seeds["all-options"] = ia_na + dns + aftr + mape + mapt + lw + prio + tlv(88, b"")
    # A few malformed replies (more are the kea-malformed-*.bin files beside these, added once by
    # hand); docs/dhcp-options.md §3 names the rejection each one must get.
    seeds["bad-rule-truncated"] = bytes.fromhex("005e0009005900050110180000") + lw
    seeds["bad-psid-padding"] = tlv(94, tlv(89, bytes.fromhex("011018c00002002820010db8ff") + tlv(93, bytes.fromhex("06040001")))
                                    + tlv(90, bytes(16)))
    seeds["bad-br-17"] = tlv(94, tlv(89, bytes.fromhex("011018c00002002820010db8ff")) + tlv(90, bytes(17)))
    seeds["bad-aftr-compression"] = bytes.fromhex("004000070461667472c000")
    seeds["bad-priority-dup"] = bytes.fromhex("006f00060017005e005e")
    seeds["bad-trailing"] = aftr + bytes.fromhex("010203")
    seeds["bad-container-overrun"] = aftr + bytes.fromhex("005e0055005a0010")
    for name, data in sorted(seeds.items()):
        with open(os.path.join(OUT, name + ".bin"), "wb") as f:
            f.write(data)
    print(f"{len(seeds)} seeds in {OUT}")


if __name__ == "__main__":
    main()
