#!/usr/bin/python3
"""Tables from bench/kernel/kernel_dataplane.sh's output (the "RESULT {json}" lines):
    bench/kernel/summarize.py build/kernel-bench/results/output.log [more logs...]
Medians, min-max, and ratios of medians; for throughput also the ratio within each rep."""
import json
import statistics
import sys
from collections import defaultdict

rows = []
for path in sys.argv[1:]:
    with open(path, errors="replace") as f:
        for line in f:
            if line.startswith("RESULT "):
                try:
                    rows.append(json.loads(line[7:]))
                except json.JSONDecodeError as e:
                    print(f"unparsed: {line.strip()} ({e})")


def med(xs):
    return statistics.median(xs) if xs else float("nan")


def spread(xs):
    return f"{min(xs):.1f}–{max(xs):.1f}" if xs else "-"


def table_order(key):
    """Rows by (direction, size): outbound first, then by size."""
    return (key[0] != "out", key[1])


def sequential(bench):
    """(dir, size) -> path -> rep -> row of a bench that runs one path at a time."""
    t = defaultdict(dict)
    for r in rows:
        if r.get("bench") == bench:
            t[(r["dir"], r["size"])].setdefault(r["path"], {})[r["rep"]] = r
    return t


def kpps(paths, p):
    return {rep: r["rx"]["pps"] / 1000 for rep, r in paths.get(p, {}).items()}


def delivered_fraction(paths, p):
    """Median delivered/sent; a rep whose sender reported nothing counts as 0, not as absent."""
    xs = []
    for r in paths.get(p, {}).values():
        sent = r["tx"].get("sent", 0)
        xs.append(r["rx"]["packets"] / sent if sent else 0)
    return med(xs)


def cpu_us_per_packet(paths, p):
    """/proc/stat busy jiffies (USER_HZ = 100) over the case / packets delivered."""
    xs = []
    for r in paths.get(p, {}).values():
        busy = float(r["cpu1"].split()[0]) - float(r["cpu0"].split()[0])
        if r["rx"]["packets"]:
            xs.append(busy * 10000 / r["rx"]["packets"])
    return med(xs)


def ratio_cell(a, b):
    """a / b: ratio of the medians, [range of the per-rep ratios]."""
    reps = sorted(set(a) & set(b))
    per = [a[i] / b[i] for i in reps if b[i]]
    m = med(list(a.values())) / med(list(b.values())) if a and b else float("nan")
    return f"{m:.2f} [{min(per):.2f}–{max(per):.2f}]" if per else f"{m:.2f}"


def kpps_cell(x):
    return f"{med(list(x.values())):.1f} ({spread(list(x.values()))})" if x else "-"


def concurrent(bench, pairs):
    """(dir, size) -> for each pair, cpe / cpe2 delivered pps within each rep, of a bench that
    pushes both CPEs at once."""
    groups = defaultdict(list)
    for r in rows:
        if r.get("bench") == bench:
            groups[(r["dir"], r["size"], r["pair"])].append(r)
    return {(d, size): [[r["a"]["rx"]["pps"] / r["b"]["rx"]["pps"] for r in groups.get((d, size, pair), []) if r["b"]["rx"]["pps"]]
                        for pair in pairs]
            for (d, size) in sorted({(k[0], k[1]) for k in groups}, key=table_order)}


def ratios_cell(xs):
    return f"{med(xs):.3f} [{min(xs):.3f}–{max(xs):.3f}]" if xs else "-"


lat = defaultdict(list)
for r in rows:
    if r.get("bench") == "latency":
        lat[(r["mode"], r["how"])].append(r)
if lat:
    print("## plan ready -> traffic (ms; median, min–max over reps)")
    print("| mode | s46d apply | s46d first packet | shell apply | shell first packet | s46d / shell, apply | s46d / shell, first packet | n |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for mode in ("dslite", "lw4o6", "mape"):
        s, b = lat.get((mode, "s46d"), []), lat.get((mode, "shell"), [])
        if not s or not b:
            continue
        sa, sf = [x["apply_ms"] for x in s], [x["first_packet_ms"] for x in s]
        ba, bf = [x["apply_ms"] for x in b], [x["first_packet_ms"] for x in b]
        print(f"| {mode} | {med(sa):.1f} ({spread(sa)}) | {med(sf):.1f} ({spread(sf)}) | {med(ba):.1f} ({spread(ba)}) "
              f"| {med(bf):.1f} ({spread(bf)}) | {med(sa) / med(ba):.3f} | {med(sf) / med(bf):.3f} | {len(s)}/{len(b)} |")
        n = [x["apply_ms"] for x in lat.get((mode, "s46d-nostore"), [])]
        if n:
            print(f"|   {mode}, s46d without its store | {med(n):.1f} ({spread(n)}) | | | | apply ÷ s46d's: {med(n) / med(sa):.3f} | | {len(n)} |")

tp = sequential("throughput")
if tp:
    print("\n## throughput (kpps delivered; median, min–max over reps; ratios of medians, [per-rep range])")
    print("| dir | size | kernel | userspace | limit | kernel / userspace | kernel / limit | delivered/sent k / u / l | guest CPU µs per delivered packet k / u / l |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for (d, size) in sorted(tp, key=table_order):
        paths = tp[(d, size)]
        k, u, l = kpps(paths, "kernel"), kpps(paths, "userspace"), kpps(paths, "limit")
        frac = {p: delivered_fraction(paths, p) for p in ("kernel", "userspace", "limit")}
        cpu = {p: cpu_us_per_packet(paths, p) for p in ("kernel", "userspace", "limit")}
        print(f"| {d} | {size} | {kpps_cell(k)} | {kpps_cell(u)} | {kpps_cell(l)} | {ratio_cell(k, u)} | {ratio_cell(k, l)} "
              f"| {frac['kernel']:.2f} / {frac['userspace']:.2f} / {frac['limit']:.2f} "
              f"| {cpu['kernel']:.0f} / {cpu['userspace']:.0f} / {cpu['limit']:.0f} |")

ab = concurrent("ab", ("aa", "ab"))
if ab:
    print("\n## concurrent: cpe vs cpe2 pushed at once (delivered pps of cpe / cpe2 within each rep; median [min–max])")
    print("| dir | size | A/A: limit / limit | A/B: s46d kernel / limit | A/B ÷ A/A | n |")
    print("|---|---:|---:|---:|---:|---:|")
    for (d, size), (aa, xb) in ab.items():
        print(f"| {d} | {size} | {ratios_cell(aa)} | {ratios_cell(xb)} | {med(xb) / med(aa):.3f} | {len(aa)}/{len(xb)} |")

for r in rows:
    if r.get("bench") in ("napt_memory", "conntrack_slab", "conntrack_growth", "s46d_memory", "s46d_memory_sessions"):
        print(json.dumps(r))
        if r["bench"] == "conntrack_growth":
            n = r["ct_after"] - r["ct_before"]
            if n > 0:
                print(f"  {n} new conntrack entries; slab +{r['slab_kib_after'] - r['slab_kib_before']} KiB = "
                      f"{(r['slab_kib_after'] - r['slab_kib_before']) * 1024 / n:.0f} B per entry")

# --flowtable (part "flowtable"): the kernel data plane with and without the flowtable.
ft = sequential("flowtable")
if ft:
    print("\n## --flowtable, sequential (kpps delivered; median, min–max over reps; ratio of medians, [per-rep range])")
    print("| dir | size | kernel | kernel --flowtable | **flowtable / without** | delivered/sent without / with | guest CPU µs per delivered packet without / with |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for (d, size) in sorted(ft, key=table_order):
        paths = ft[(d, size)]
        a, b = kpps(paths, "kernel"), kpps(paths, "kernelft")
        print(f"| {d} | {size} | {kpps_cell(a)} | {kpps_cell(b)} | {ratio_cell(b, a)} "
              f"| {delivered_fraction(paths, 'kernel'):.2f} / {delivered_fraction(paths, 'kernelft'):.2f} "
              f"| {cpu_us_per_packet(paths, 'kernel'):.0f} / {cpu_us_per_packet(paths, 'kernelft'):.0f} |")
fab = concurrent("ft_ab", ("fa", "fb"))
if fab:
    print("\n## --flowtable, concurrent: cpe / cpe2 delivered pps, median [min–max]; fa = without / without, fb = with / without")
    print("| dir | size | fa (A/A) | fb (A/B) | fb ÷ fa |")
    print("|---|---:|---:|---:|---:|")
    for (d, size), (aa, xb) in fab.items():
        last = f"{med(xb) / med(aa):.2f}" if aa and xb else "-"
        print(f"| {d} | {size} | {ratios_cell(aa)} | {ratios_cell(xb)} | {last} |")
offl = [r for r in rows if r.get("bench") == "ft_counters"]
if offl:
    print("\n## --flowtable: the host's counters at teardown (flowtable, flows_offloaded)")
    for r in offl:
        c = r.get("counters") or {}
        print(f"  {r['label']}: flowtable {c.get('flowtable')}, flows_offloaded {c.get('flows_offloaded', '-')}")
