#!/usr/bin/python3
"""Compares the TUN-backend (B) runs of two or more builds from bench/tun_forwarding.py --json files.

    bench/tun_compare.py before=a1.json,a2.json,a3.json after=b1.json,b2.json,b3.json

Each build's files come from separate tun_forwarding.py invocations, run alternately (before,
after, after, before, ...) so that each pair saw the same machine load. Per direction and
size it prints, for each build, the median over all its B runs of the delivered rate, s46d's
CPU per delivered packet, and the per-file B/A (TUN over kernel forwarding in the same
invocation, which factors out the load the kernel path saw too); then each later build's
ratio to the first: rate, ns/pkt and B/A, medians against medians.
"""
import json
import statistics
import sys


def load(spec):
    label, _, files = spec.partition("=")
    if not label or not files:
        raise SystemExit(f"'{spec}': expected LABEL=file.json[,file.json...]")
    runs, ratios = [], []
    for path in files.split(","):
        with open(path) as f:
            data = json.load(f)
        runs += [r for r in data["runs"] if r["kind"] == "B" and not r.get("rate")]
        ratios += [(s["direction"], s["size"], s["ratio"]) for s in data["summary"] if not s["rate"]]
    return label, runs, ratios


def main():
    if len(sys.argv) < 3:
        raise SystemExit(__doc__)
    builds = [load(a) for a in sys.argv[1:]]
    cases = sorted({(r["direction"], r["size"]) for _, runs, _ in builds for r in runs}, key=lambda c: (c[0] != "out", c[1]))
    first = builds[0][0]
    head = "| direction | size |"
    for label, _, _ in builds:
        head += f" {label} kpps | {label} s46d ns/pkt | {label} B/A |"
    for label, _, _ in builds[1:]:
        head += f" {label}/{first} kpps | {label}/{first} ns/pkt | {label}/{first} B/A |"
    print(head)
    print("|---|---:|" + "---:|" * (3 * len(builds) + 3 * (len(builds) - 1)))
    for d, s in cases:
        med = []
        for label, runs, ratios in builds:
            sel = [r for r in runs if r["direction"] == d and r["size"] == s]
            pps = statistics.median([r["delivered_pps"] for r in sel]) if sel else 0.0
            ns = statistics.median([r["s46d_ns_per_packet"] for r in sel if r["s46d_ns_per_packet"]] or [0])
            ba = statistics.median([x for dd, ss, x in ratios if dd == d and ss == s] or [0])
            med.append((pps, ns, ba, len(sel)))
        row = f"| {d} | {s} |"
        for pps, ns, ba, n in med:
            row += f" {pps / 1e3:.1f} (n={n}) | {ns:.0f} | {ba:.2f} |"
        for pps, ns, ba, _ in med[1:]:
            row += (f" {pps / med[0][0] if med[0][0] else 0:.3f} | {ns / med[0][1] if med[0][1] else 0:.3f} |"
                    f" {ba / med[0][2] if med[0][2] else 0:.3f} |")
        print(row)


if __name__ == "__main__":
    main()
