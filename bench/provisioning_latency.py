#!/usr/bin/python3
"""Control-plane latency of s46d against a real kea-dhcp6 (rapid commit) in namespaces (issue 4).

Runs s46d N times (fresh state each run) and reads the timings s46d measures itself
(`s46ctl status --json` -> timings): process start -> mode active, first Solicit sent -> Reply
received (the server and network's share, the baseline), and Reply arrival -> mode selected and
plan ready. Prints medians and p90 per mode. Root only.
Usage: bench/provisioning_latency.py BUILD_DIR [RUNS]
"""
import os
import statistics
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "integration"))
import provisioning_test as t  # noqa: E402
from netlab import Lab, skip_unless_root  # noqa: E402


def one(options, mode):
    with Lab() as lab:
        c = t.Cpe(lab, options, dns=False)
        c.start()
        s = c.wait_mode(mode)
        timings = s["timings"]
        c.kill_daemon()
        return timings


def main():
    skip_unless_root("the provisioning latency benchmark")
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 20
    for name, options, mode in (("mape", t.MAPE, "mape"), ("lw4o6", t.LW, "lw4o6"),
                                ("all three + 111", t.MAPE + t.LW + t.DSLITE + t.prio(96, 94, 64), "lw4o6")):
        rows = [one(options, mode) for _ in range(runs)]

        def col(key):
            v = sorted(r[key] for r in rows if key in r)
            return statistics.median(v), v[int(0.9 * (len(v) - 1))]

        s2m, s2m90 = col("start_to_mode_ms")
        rtt, rtt90 = col("first_send_to_reply_ms")
        r2p, r2p90 = col("reply_to_plan_us")
        print(f"{name:16s} runs={runs}  start->mode median {s2m:.2f} ms (p90 {s2m90:.2f})  "
              f"Solicit->Reply (baseline) median {rtt:.2f} ms (p90 {rtt90:.2f})  "
              f"Reply->plan median {r2p:.0f} us (p90 {r2p90:.0f})  start->mode / baseline = {s2m / rtt:.1f}x")


if __name__ == "__main__":
    main()
