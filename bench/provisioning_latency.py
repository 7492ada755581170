#!/usr/bin/python3
"""Control-plane latency of s46d against a real kea-dhcp6 (rapid commit) in namespaces (issues 4, 13).

Runs s46d N times (fresh state each run) and reads the timings s46d measures itself
(`s46ctl status --json` -> timings): process start -> mode active, first Solicit sent -> Reply
received (the server and network's share, the baseline), and Reply arrival -> mode selected and
plan ready. Prints medians and p90 per mode.
The "lw4o6 via DHCP 4o6" row (issue 13, RFC 7341) runs the integration test's kea-dhcp6 +
kea-dhcp4 pair (dhcp4o6_test.Cpe4o6): the Reply has a lw4o6 container without V4V6BIND plus
option 88, so the plan waits for a DISCOVER/OFFER/REQUEST/ACK inside DHCPV4-QUERY/RESPONSE.
Its baseline is first DHCPV4-QUERY sent -> ACK received; it also prints DHCPv6 Reply -> ACK (and
its difference to the baseline, Reply -> first query: s46d's own share) and ACK -> plan applied.
Root only.
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


def one_4o6():
    from dhcp4o6_test import Cpe4o6  # needs kea-dhcp4 and scapy only for this row
    with Lab() as lab:
        c = Cpe4o6(lab)
        c.start()
        timings = c.wait_mode("lw4o6", timeout=10)["timings"]
        c.kill_daemon()
        return timings


def col(rows, key):
    v = sorted(r[key] for r in rows if key in r)
    if len(v) != len(rows):
        sys.exit(f"{key}: reported in {len(v)} of {len(rows)} runs")
    return statistics.median(v), v[int(0.9 * (len(v) - 1))]


def main():
    skip_unless_root("the provisioning latency benchmark")
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 20
    for name, options, mode in (("mape", t.MAPE, "mape"), ("lw4o6", t.LW, "lw4o6"),
                                ("all three + 111", t.MAPE + t.LW + t.DSLITE + t.prio(96, 94, 64), "lw4o6")):
        rows = [one(options, mode) for _ in range(runs)]
        s2m, s2m90 = col(rows, "start_to_mode_ms")
        rtt, rtt90 = col(rows, "first_send_to_reply_ms")
        r2p, r2p90 = col(rows, "reply_to_plan_us")
        print(f"{name:16s} runs={runs}  start->mode median {s2m:.2f} ms (p90 {s2m90:.2f})  "
              f"Solicit->Reply (baseline) median {rtt:.2f} ms (p90 {rtt90:.2f})  "
              f"Reply->plan median {r2p:.0f} us (p90 {r2p90:.0f})  start->mode / baseline = {s2m / rtt:.1f}x")

    rows = [one_4o6() for _ in range(runs)]
    for r in rows:  # derived per run: what s46d does between the Reply and its first DHCPV4-QUERY
        if "reply_to_dhcp4o6_ack_ms" in r and "dhcp4o6_first_query_to_ack_ms" in r:
            r["reply_to_first_query_ms"] = r["reply_to_dhcp4o6_ack_ms"] - r["dhcp4o6_first_query_to_ack_ms"]
    s2m, s2m90 = col(rows, "start_to_mode_ms")
    rtt, rtt90 = col(rows, "first_send_to_reply_ms")
    r2a, r2a90 = col(rows, "reply_to_dhcp4o6_ack_ms")
    q2a, q2a90 = col(rows, "dhcp4o6_first_query_to_ack_ms")
    a2p, a2p90 = col(rows, "dhcp4o6_ack_to_plan_us")
    r2q, r2q90 = col(rows, "reply_to_first_query_ms")
    print(f"{'lw4o6 via 4o6':16s} runs={runs}  start->mode median {s2m:.2f} ms (p90 {s2m90:.2f})  "
          f"Solicit->Reply median {rtt:.2f} ms (p90 {rtt90:.2f})  "
          f"v6 Reply->4o6 ACK median {r2a:.2f} ms (p90 {r2a90:.2f})  "
          f"(of which Reply->first query median {r2q:.2f} ms, p90 {r2q90:.2f})  "
          f"4o6 query->ACK (baseline) median {q2a:.2f} ms (p90 {q2a90:.2f})  "
          f"ACK->plan median {a2p:.0f} us (p90 {a2p90:.0f})  "
          f"Reply->ACK / baseline = {r2a / q2a:.2f}x  start->mode / baseline = {s2m / q2a:.1f}x")


if __name__ == "__main__":
    main()
