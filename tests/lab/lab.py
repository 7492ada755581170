#!/usr/bin/python3
"""The softwire lab: builds the topology, starts Kea, the network-side peer and s46d, prints s46d's
status and then live traffic from the LAN host to the internet host with PASS/FAIL lines.

  tests/lab/lab.py [--mode dslite|lw4o6|mape|auto|dhcp4o6] [--build DIR] [--bytes N] [--emulate-cpe] [--hold SECONDS]

auto offers all three mechanisms with S46 priority option 111 = [96, 94, 64]. dhcp4o6 is lw4o6
whose binding (address, port set) comes from kea-dhcp4 over DHCPv4-over-DHCPv6 (RFC 7341). --emulate-cpe runs
the scapy CE emulation (tests/lab/ce_emul.py) as the data plane, s46d only selecting. --hold keeps
the lab up for that long at the end (namespaces are named <tag>-lan, -cpe, ... for poking around).
Everything is removed on exit, Ctrl-C included. Exit status 1 when anything failed.
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)

CASES = {"mape": "mape.json", "lw4o6": "lw4o6.json", "dslite": "dslite.json", "auto": "priority-111-lw4o6.json",
         "dhcp4o6": "lw4o6-dhcp4o6-shared.json"}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--mode", default="mape", choices=sorted(CASES))
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    ap.add_argument("--bytes", type=int, default=1 << 20)
    ap.add_argument("--emulate-cpe", action="store_true")
    ap.add_argument("--hold", type=float, default=0)
    ap.add_argument("--skip-missing", action="store_true",
                    help="exit 77 (ctest: skipped) instead of 2 when not root or a tool is missing")
    a = ap.parse_args()
    unavailable = 77 if a.skip_missing else 2
    if os.geteuid() != 0:
        print("lab: needs root (network namespaces)")
        return unavailable
    os.environ["PATH"] += ":/usr/sbin:/sbin"
    for tool in ("ip", "nft", "ethtool", "kea-dhcp6", "dnsmasq") + (("kea-dhcp4",) if a.mode == "dhcp4o6" else ()):
        if not shutil.which(tool):
            print(f"lab: '{tool}' is missing (scripts/lab installs it)")
            return unavailable
    import e2e
    import topology as T
    from netlab import Lab

    case = json.load(open(os.path.join(ROOT, "conformance", "e2e", CASES[a.mode])))
    mode = case["expect"]["mode"]
    results = []

    def report(ok, what, detail=""):
        results.append(ok)
        print(f"{'PASS' if ok else 'FAIL'} {what}" + (f": {detail}" if detail else ""), flush=True)

    with Lab() as lab:
        topo = T.Topology(lab, case, os.path.abspath(a.build), emulate=a.emulate_cpe, timeout=3600)
        print(f"== lab {lab.tag}: {a.mode} ({case.get('about', '')})")
        topo.build_network()
        print(f"   lan {T.LAN_HOST} -> cpe (s46d) -> isp {T.ISP_ADDR} (Kea{' 4o6' if topo.dhcp4o6 else ''}, dnsmasq) -> peer "
              f"(BR {T.BR_ADDR}, lwAFTR {T.LWAFTR_ADDR}, AFTR {T.AFTR_ADDR}) -> internet {T.INET_HOST}")
        topo.start_services()
        topo.start_peers()
        print(f"   peers: {', '.join(sorted(topo.peers))} (logs in {lab.tmp})")
        t0 = time.monotonic()
        topo.start_cpe()
        if getattr(topo, "config", None):
            print(f"   s46d --config {topo.config}: " +
                  json.dumps(json.load(open(topo.config)), separators=(", ", ": ")))
        try:
            status = topo.wait_mode(mode, timeout=10)
        except TimeoutError:
            status = topo.status() or {}
        took = time.monotonic() - t0
        print("== s46d status")
        try:
            print("\n".join("   " + l for l in topo.ctl("status").splitlines()))
        except RuntimeError as e:
            print(f"   {e}")
        ck = e2e.Checks()
        exp = e2e.check_selection(topo, status, case["expect"], ck)
        report(not ck.failures, f"selection: mode {status.get('mode')} in {took:.1f} s",
               " | ".join(ck.failures) or (e2e.selection_text(mode, exp, status) + " (matches the independent arithmetic)"
                                           if exp else ""))
        if topo.dataplane_missing:
            report(False, "data plane", f"s46d refused --dataplane userspace ({topo.dataplane_missing}); "
                   "it runs with --dataplane none, so no IPv4 can cross the CPE and the traffic below fails")
        elif a.emulate_cpe and exp:
            topo.start_emulator(status)
            print("   (data plane: scapy CE emulation configured from s46d's plan)")
        if exp is None:
            exp = {"tunnel_source": "?", "ipv4": "?", "psid_len": 0}
        exp["napt"] = (status.get("plan") or {}).get("napt", True)
        peer = e2e.PEER_OF.get(mode, "br")
        mark, inet_mark = len(topo.peer_records(peer)), len(topo.inet_records())
        print(f"== traffic from the LAN host {T.LAN_HOST} to the internet host {T.INET_HOST}")
        # One unanswered-allowed warm-up echo first: the scapy peer resolves the internet host's
        # MAC on the first packet and loses it (the s46d counters show it encapsulated).
        topo.traffic("ping", "--dst", T.INET_HOST, "--ids", "4659", "--count", "1")
        p = topo.traffic("ping", "--dst", T.INET_HOST, "--ids", "4660,4661,4662", "--count", "3")
        rtt = p.get("rtt_ms") or []
        report(p.get("ok"), f"ping {T.INET_HOST}", f"{p.get('received')}/{p.get('sent')} replies" +
               (f", rtt avg {sum(rtt) / len(rtt):.2f} ms" if rtt else "") + (f" {p.get('error', '')}"))
        t = topo.traffic("tcp", "--dst", T.INET_HOST, "--port", str(T.TCP_PORT), "--bytes", str(a.bytes), "--wait", "10",
                         timeout=120)
        report(t.get("ok"), f"TCP download {a.bytes} B", f"{t.get('bytes')} B in {t.get('seconds')} s = {t.get('mbit_s')} Mbit/s"
               f" (MSS {t.get('mss')}) {t.get('error', '')}")
        u = topo.traffic("udp", "--dst", T.INET_HOST, "--port", str(T.UDP_PORT), "--flows", "4", "--rounds", "2", "--tos", "0x28")
        flows = u.get("flows", [])
        n_ok = sum(1 for f in flows for r in f["rounds"] if r["ok"])
        rtts = [r["rtt_ms"] for f in flows for r in f["rounds"] if r["ok"]]
        report(u.get("ok"), "UDP request/response", f"{n_ok}/{sum(len(f['rounds']) for f in flows)} answered" +
               (f", rtt avg {sum(rtts) / len(rtts):.2f} ms" if rtts else "") + f" {u.get('error', '')}")
        time.sleep(0.3)
        recs = topo.peer_records(peer)[mark:]
        ck = e2e.Checks()
        seen = e2e.check_outbound(recs, mode, exp, T.LAN_HOST, ck)
        e2e.check_inbound(recs, ck)
        e2e.check_inet(topo.inet_records()[inet_mark:], mode, exp, T.LAN_HOST, ck)
        ok = seen["n"] > 0 and not ck.failures
        report(ok, f"headers at the {peer}",
               f"{seen['n']} packets from the CPE, outer {exp.get('tunnel_source')} -> {e2e.PEER_ADDR.get(peer)}, "
               f"hop limits {sorted(h for h in seen['hlim'] if h is not None)}, {len(seen['ports'])} source ports/ids"
               + (" all in the port set" if exp.get("psid_len") else "") + (" | " + " | ".join(ck.failures) if ck.failures else ""))
        print("== counters" + (" (CE emulation)" if a.emulate_cpe else " (s46d)"))
        print("   " + json.dumps(topo.counters()))
        if a.hold:
            print(f"== holding the lab for {a.hold:.0f} s (Ctrl-C ends it): ip netns exec {topo.lan} ping {T.INET_HOST}")
            time.sleep(a.hold)
    failed = results.count(False)
    print(f"{len(results) - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
