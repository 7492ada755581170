#!/usr/bin/python3
"""Self-test of the test equipment, without s46d.

1. The peers' own MAP/lw4o6 arithmetic against tests/vectors/map.json (peers/swcalc_selftest.py).
2. (root) Negative checks: crafted packets sent from the CPE namespace must be rejected and logged by
   the peers — lwAFTR: unknown B4, port outside the binding (with ICMPv6 1/5); BR: a CE source whose
   EA bits do not match the inner source, a port outside its PSID; AFTR: traffic class not copied
   (flagged), NAT keyed by B4 address (two B4s, same inner source and port -> two public ports);
   CE2: a non-BR source that fails the RFC 7597 §8.1 check.
3. (root, unless --quick) Every e2e case through the lab with a scapy CE emulation in place of
   s46d and the plan taken from the independent arithmetic (conformance/e2e/run --no-s46d).

Prints PASS/FAIL lines and 'N passed, M failed'; exit 1 on failure, 77 when only step 1 could run
and --require-root was given.
"""
import json
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
PY = "/usr/bin/python3"
results = []


def report(ok, name, detail=""):
    results.append(ok)
    print(f"{'PASS' if ok else 'FAIL'} {name}" + (f": {detail}" if detail else ""), flush=True)


def inject(topo, **kw):
    import topology as T
    args = [PY, os.path.join(HERE, "peers", "inject.py"), "--v6-iface", "wan0", "--v6-gw-mac", T.MAC["isp_cpe"]]
    for k, v in kw.items():
        args += [f"--{k.replace('_', '-')}", str(v)]
    T.run(*args, ns=topo.cpe)


# The peers are Python and scapy: on a loaded 2-core host a packet can take well over a second to
# reach the log, so wait generously; the wait ends as soon as n records are there.
def records(topo, kind, wait=5.0, n=1):
    deadline = time.monotonic() + wait
    while True:
        recs = [r for r in topo.peer_records(kind) if r.get("dir") not in ("config",)]
        if len(recs) >= n or time.monotonic() > deadline:
            return recs
        time.sleep(0.05)


def negative_tests():
    import topology as T
    from netlab import Lab
    import swcalc
    cases = {n: json.load(open(os.path.join(ROOT, "conformance", "e2e", f"{n}.json"))) for n in ("lw4o6", "mape", "dslite", "mesh")}

    # lwAFTR
    with Lab() as lab:
        case = dict(cases["lw4o6"], lwaftr_icmp_policy=True)
        topo = T.Topology(lab, case, "", timeout=30)
        topo.build_network()
        topo.start_services(control_plane=False)
        topo.start_peers()
        exp = swcalc.expected_plan("lw4o6", topo.conf, topo.delegated_prefix())
        inject(topo, outer_src=exp["tunnel_source"], outer_dst=T.LWAFTR_ADDR, inner_src=exp["ipv4"], inner_dst=T.INET_HOST,
               sport=13312, dport=7, payload="ok")
        inject(topo, outer_src=exp["tunnel_source"], outer_dst=T.LWAFTR_ADDR, inner_src=exp["ipv4"], inner_dst=T.INET_HOST,
               sport=4000, dport=7, payload="bad-port")
        inject(topo, outer_src="2001:db8:1234:5600::99", outer_dst=T.LWAFTR_ADDR, inner_src=exp["ipv4"],
               inner_dst=T.INET_HOST, sport=13312, dport=7, payload="bad-b4")
        recs = records(topo, "lwaftr", n=3)
        by_port = {(r.get("outer_src"), r.get("sport")): r for r in recs}
        good = by_port.get((exp["tunnel_source"], 13312), {})
        bad = by_port.get((exp["tunnel_source"], 4000), {})
        unk = by_port.get(("2001:db8:1234:5600::99", 13312), {})
        report(good.get("action") == "forward" and all(good.get("checks", {}).values()), "lwaftr forwards a bound source/port",
               str(good.get("checks")))
        report(bad.get("action") == "drop" and bad.get("checks", {}).get("port_in_set") is False and bad.get("icmp6_sent") == "1/5",
               "lwaftr drops a port outside the binding and answers ICMPv6 1/5", f"{bad.get('action')} {bad.get('checks')}")
        report(unk.get("action") == "drop" and unk.get("checks", {}).get("b4_bound") is False, "lwaftr drops an unknown B4",
               f"{unk.get('action')} {unk.get('reason')}")

    # BR and CE2
    with Lab() as lab:
        topo = T.Topology(lab, cases["mesh"], "", with_ce2=True, timeout=30)
        topo.build_network()
        topo.start_services(control_plane=False)
        topo.start_peers()
        exp = swcalc.expected_plan("mape", topo.conf, topo.delegated_prefix())
        ports = swcalc.PortSet(exp["offset"], exp["psid_len"], exp["psid"])
        good_port = ports.ranges()[0][0]
        outside = next(p for p in range(1024, 65536) if p not in ports)
        inject(topo, outer_src=exp["map_ipv6"], outer_dst=T.BR_ADDR, inner_src=exp["ipv4"], inner_dst=T.INET_HOST,
               sport=good_port, dport=7, payload="ok")
        inject(topo, outer_src=exp["map_ipv6"], outer_dst=T.BR_ADDR, inner_src=exp["ipv4"], inner_dst=T.INET_HOST,
               sport=outside, dport=7, payload="bad-port")
        inject(topo, outer_src=exp["map_ipv6"], outer_dst=T.BR_ADDR, inner_src="192.0.2.53", inner_dst=T.INET_HOST,
               sport=good_port, dport=7, payload="bad-addr")
        recs = records(topo, "br", n=3)
        by = {(r.get("inner_src"), r.get("sport")): r for r in recs}
        g, b1, b2 = by.get((exp["ipv4"], good_port), {}), by.get((exp["ipv4"], outside), {}), by.get(("192.0.2.53", good_port), {})
        report(g.get("action") == "forward" and g.get("checks", {}).get("source_strict"), "br forwards a consistent CE packet",
               str(g.get("checks")))
        report(b1.get("action") == "drop" and b1.get("checks", {}).get("source_rfc7597_8_1") is False,
               "br drops a source port outside the CE's PSID (RFC 7597 8.1)", f"{b1.get('action')} {b1.get('reason')}")
        report(b2.get("action") == "drop" and b2.get("checks", {}).get("source_strict") is False,
               "br drops an inner source the outer EA bits do not give", f"{b2.get('action')} {b2.get('reason')}")
        ce2 = topo.ce2_binding
        ce2_port = ce2.ports.ranges()[0][0]
        inject(topo, outer_src=exp["map_ipv6"], outer_dst=str(ce2.map_ipv6), inner_src=exp["ipv4"], inner_dst=str(ce2.ipv4),
               sport=good_port, dport=ce2_port, payload="mesh-ok")
        inject(topo, outer_src=exp["map_ipv6"], outer_dst=str(ce2.map_ipv6), inner_src="192.0.2.99", inner_dst=str(ce2.ipv4),
               sport=good_port, dport=ce2_port, payload="mesh-spoof")
        recs = records(topo, "ce2", n=2)
        by = {r.get("inner_src"): r for r in recs if r.get("dir") == "in"}
        ok, sp = by.get(exp["ipv4"], {}), by.get("192.0.2.99", {})
        report(ok.get("action") == "answer" and ok.get("mesh") and ok.get("reply_mesh"),
               "ce2 answers a mesh packet directly", f"{ok.get('action')} mesh={ok.get('mesh')} reply_to={ok.get('reply_to')}")
        report(sp.get("action") == "drop" and sp.get("checks", {}).get("source_strict") is False,
               "ce2 drops a CE packet that fails the 8.1 check", f"{sp.get('action')} {sp.get('reason')}")

    # AFTR
    with Lab() as lab:
        topo = T.Topology(lab, cases["dslite"], "", timeout=30)
        topo.build_network()
        topo.start_services(control_plane=False)
        topo.start_peers()
        for b4 in ("2001:db8:1234:5600::1", "2001:db8:1234:5600::2"):
            inject(topo, outer_src=b4, outer_dst=T.AFTR_ADDR, inner_src="10.0.0.2", inner_dst=T.INET_HOST, sport=5555,
                   dport=7, payload="x", tc=0x28)
        inject(topo, outer_src="2001:db8:1234:5600::1", outer_dst=T.AFTR_ADDR, inner_src="192.0.2.77", inner_dst=T.INET_HOST,
               sport=5556, dport=7, payload="nat-at-b4")
        recs = records(topo, "aftr", n=3)
        nat = {r.get("outer_src"): r.get("nat_port") for r in recs if r.get("sport") == 5555}
        report(len(set(nat.values())) == 2 and None not in nat.values(), "aftr keys NAT44 by B4 address", str(nat))
        r3 = next((r for r in recs if r.get("sport") == 5556), {})
        report(r3.get("checks", {}).get("b4_no_nat") is False, "aftr flags an inner source a B4 must not use (B4 does no NAT)",
               str(r3.get("checks")))
        tc = [r.get("checks", {}).get("tc_copied") for r in recs if r.get("sport") == 5555]
        report(tc == [True, True], "aftr checks the traffic class copy", str(tc))
        # inject.py sets tc = inner TOS; a mismatch must be flagged
        from scapy.all import IP, IPv6, UDP, Ether, Raw, raw  # noqa: F401
        T.run(PY, "-c", (
            "import sys; sys.path.insert(0, %r); import peerlib as pl; from scapy.all import IP, UDP, Raw;"
            "p = pl.Port('wan0', %r); i = pl.fix(IP(src='10.0.0.2', dst=%r, tos=0x28)/UDP(sport=5557, dport=7)/Raw(b'tc'));"
            "p.send(pl.encap('2001:db8:1234:5600::1', %r, i, tc=0))") % (os.path.join(HERE, "peers"), T.MAC["isp_cpe"],
                                                                           T.INET_HOST, T.AFTR_ADDR), ns=topo.cpe)
        recs = records(topo, "aftr", n=4)
        r4 = next((r for r in recs if r.get("sport") == 5557), {})
        report(r4.get("checks", {}).get("tc_copied") is False, "aftr flags a traffic class that was not copied",
               str(r4.get("checks")))


def main():
    quick = "--quick" in sys.argv
    r = subprocess.run([PY, os.path.join(HERE, "peers", "swcalc_selftest.py")], capture_output=True, text=True)
    report(r.returncode == 0, "peer arithmetic against tests/vectors/map.json", r.stdout.strip().splitlines()[-1])
    if r.returncode:
        print(r.stdout)
    if os.geteuid() != 0 or subprocess.run([PY, "-c", "import scapy.all"], capture_output=True).returncode != 0:
        print("SKIP: the namespace tests need root and python3-scapy")
        if "--require-root" in sys.argv:
            sys.exit(77 if all(results) else 1)
    else:
        os.environ["PATH"] += ":/usr/sbin:/sbin"
        try:
            negative_tests()
        except Exception as e:  # the lab itself failed
            import traceback
            traceback.print_exc()
            report(False, "negative peer tests", f"{type(e).__name__}: {e}")
        if not quick:
            r = subprocess.run([PY, os.path.join(ROOT, "conformance", "e2e", "run"), "--no-s46d"], capture_output=True,
                               text=True, timeout=900)
            print("\n".join("    " + l for l in r.stdout.strip().splitlines()))
            report(r.returncode == 0, "every e2e case with the CE emulation and the independent plan (no s46d)",
                   r.stdout.strip().splitlines()[-1] if r.stdout.strip() else r.stderr[-300:])
    failed = results.count(False)
    print(f"{len(results) - failed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
