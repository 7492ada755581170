"""End-to-end conformance cases through the lab: Kea serves the case's options, s46d selects, and
traffic from the LAN host is checked header by header at the network-side peer (its JSON log)
and at the internet host, against values computed independently (swcalc) from the options.

Used by conformance/e2e/run and (for the traffic part) tests/lab/lab.py.
"""
import ipaddress
import json
import os
import re
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import topology as T  # noqa: E402
from topology import swcalc  # noqa: E402

PEER_OF = {"mape": "br", "lw4o6": "lwaftr", "dslite": "aftr"}
PEER_ADDR = {"br": T.BR_ADDR, "lwaftr": T.LWAFTR_ADDR, "aftr": T.AFTR_ADDR}
OUTBOUND = ("b4->inet", "ce->inet")


class CaseFailure(Exception):
    pass


class Checks:
    def __init__(self):
        self.failures, self.notes = [], []

    def expect(self, cond, msg):
        if not cond:
            self.failures.append(msg)
        return cond

    def note(self, msg):
        self.notes.append(msg)


# ------------------------------------------------------------------------------------------------
# Expected values (independent arithmetic) and s46d's status

def fake_status(topo, mode):
    """What the status would say, built from swcalc alone (--no-s46d: tests the equipment only)."""
    exp = swcalc.expected_plan(mode, topo.conf, topo.delegated_prefix())
    plan = {"tunnel_mtu": 1460}
    if mode == "mape":
        plan.update(br=exp["br"], ipv4=exp["ipv4"], psid_offset=exp["offset"], psid_len=exp["psid_len"], psid=exp["psid"],
                    port_ranges=exp["port_ranges"], map_ipv6=exp["map_ipv6"], napt=True,
                    fmrs=[{"ipv6_prefix": str(r.ipv6), "ipv4_prefix": str(r.ipv4), "ea_len": r.o, "fmr": True,
                           **({"psid_offset": r.offset} if r.offset is not None else {}),
                           **({"psid_len": r.explicit_k, "psid": r.explicit_psid} if r.explicit_k else {})}
                          for r in topo.conf["mape"]["rules"] if r.fmr])
    elif mode == "lw4o6":
        plan.update(br=exp["br"], ipv4=exp["ipv4"], psid_offset=exp["offset"], psid_len=exp["psid_len"], psid=exp["psid"],
                    port_ranges=exp["port_ranges"], tunnel_source=exp["tunnel_source"],
                    napt="--gi4over6" not in " ".join(topo.case.get("s46d_args", [])))
    elif mode == "dslite":
        plan.update(aftr=T.AFTR_ADDR, tunnel_source=T.CPE_WAN_ADDR, b4_ipv4="192.0.0.2",
                    aftr_name=exp["aftr_name"])
    return {"mode": mode, "plan": plan if mode != "none" else None, "reason": "fake control plane (--no-s46d)",
            "counters": {}, "lease": {"prefixes": [{"prefix": topo.delegated_prefix()}]}}


def check_selection(topo, status, expect, ck):
    """s46d's selection and plan against the case and the independent arithmetic."""
    mode = expect["mode"]
    ck.expect(status.get("mode") == mode, f"mode {status.get('mode')!r} ({status.get('reason')}), want {mode!r}")
    if mode == "none" or status.get("mode") != mode:
        return None
    plan = status.get("plan") or {}
    prefixes = [p["prefix"] for p in (status.get("lease") or {}).get("prefixes", [])]
    delegated = prefixes[0] if prefixes else topo.delegated_prefix()
    ck.expect(delegated == topo.delegated_prefix(), f"delegated prefix {delegated}, PD pool start {topo.delegated_prefix()}")
    exp = swcalc.expected_plan(mode, topo.conf, delegated)
    if mode in ("mape", "lw4o6"):
        got_v4 = plan.get("ipv4", "").split("/")[0]
        ck.expect(got_v4 == exp["ipv4"], f"plan ipv4 {plan.get('ipv4')}, independent arithmetic {exp['ipv4']}")
        ck.expect(plan.get("psid_len") == exp["psid_len"], f"plan psid_len {plan.get('psid_len')}, want {exp['psid_len']}")
        if exp["psid_len"]:
            ck.expect(plan.get("psid") == exp["psid"], f"plan psid {plan.get('psid')}, want {exp['psid']}")
            ck.expect(plan.get("psid_offset") == exp["offset"], f"plan psid_offset {plan.get('psid_offset')}, want {exp['offset']}")
            ck.expect(plan.get("port_ranges") == exp["port_ranges"],
                      f"plan port_ranges {plan.get('port_ranges', [])[:3]}..., want {exp['port_ranges'][:3]}...")
        src = plan.get("map_ipv6") if mode == "mape" else plan.get("tunnel_source")
        ck.expect(src == exp["tunnel_source"], f"tunnel source {src}, independent arithmetic {exp['tunnel_source']}")
        ck.expect(plan.get("br") == exp["br"], f"plan BR {plan.get('br')}, options say {exp['br']}")
    else:
        ck.expect(plan.get("aftr") in topo.aftr_addresses(), f"AFTR {plan.get('aftr')}, DNS says {topo.aftr_addresses()}")
        ck.expect(plan.get("b4_ipv4") == "192.0.0.2", f"B4 IPv4 {plan.get('b4_ipv4')}")
        src = plan.get("tunnel_source", "")
        ok = src and (ipaddress.IPv6Address(src) in ipaddress.IPv6Network(delegated) or
                      ipaddress.IPv6Address(src) in ipaddress.IPv6Network("2001:db8:0:1::/64"))
        ck.expect(ok, f"B4 tunnel source {src} is neither in the delegated prefix nor on the WAN link")
        exp = dict(exp, tunnel_source=src)
    for key in ("ipv4", "psid", "port_ranges", "psid_len"):
        if key in expect:
            got = plan.get(key)
            if key == "ipv4" and got:
                got = got.split("/")[0]
            ck.expect(got == expect[key], f"case expects {key} {expect[key]}, s46d says {got}")
            ck.expect(exp.get(key) == expect[key], f"case file expects {key} {expect[key]} but the independent arithmetic gives {exp.get(key)}")
    return exp


# ------------------------------------------------------------------------------------------------
# Header checks at the peer and at the internet host

def port_set_of(exp):
    if not exp.get("psid_len"):
        return swcalc.PortSet.all_ports()
    return swcalc.PortSet(exp["offset"], exp["psid_len"], exp["psid"])


def l4port(rec):
    if rec.get("proto") in ("udp", "tcp"):
        return rec.get("sport")
    if rec.get("proto") == "icmp":
        return rec.get("icmp_id")
    return None


def check_outbound(recs, mode, exp, lan_src, ck, what="outbound", any_lan_src=None):
    """Every packet the peer received from the CPE: outer and inner headers, port set, peer checks."""
    ports = port_set_of(exp)
    seen = {"n": 0, "ports": set(), "hlim": set(), "tc": set(), "bad": 0}
    bad_msgs = []
    for r in recs:
        if r.get("dir") not in OUTBOUND:
            continue
        if r.get("action") == "ignore":
            continue
        seen["n"] += 1
        seen["hlim"].add(r.get("hlim"))
        seen["tc"].add((r.get("tc"), r.get("tos")))
        errs = []
        if r.get("outer_src") != exp["tunnel_source"]:
            errs.append(f"outer source {r.get('outer_src')} != {exp['tunnel_source']}")
        want_src = lan_src if mode == "dslite" or not exp.get("napt", True) else exp["ipv4"]
        if any_lan_src and (mode == "dslite" or not exp.get("napt", True)):
            want_src = r.get("inner_src") if r.get("inner_src") in any_lan_src else any_lan_src[0]
        if r.get("inner_src") != want_src:
            errs.append(f"inner source {r.get('inner_src')} != {want_src}")
        p = l4port(r)
        if mode != "dslite" and p is not None and "embedded" not in r:
            seen["ports"].add((r["proto"], p))
            if p not in ports:
                errs.append(f"{r['proto']} source port/id {p} outside the port set")
        for name, ok in (r.get("checks") or {}).items():
            if not ok and not (name == "tc_copied" and mode == "mape"):
                errs.append(f"peer check {name} failed" + (f" ({r.get('reason')})" if r.get("reason") else ""))
        if r.get("action") not in ("forward", "hairpin"):
            errs.append(f"peer action {r.get('action')} ({r.get('reason')})")
        if errs:
            seen["bad"] += 1
            if len(bad_msgs) < 3:
                bad_msgs.append(f"{r.get('proto')} {r.get('inner_src')}:{l4port(r)} -> {r.get('inner_dst')}: " + "; ".join(errs))
    ck.expect(seen["bad"] == 0, f"{what}: {seen['bad']}/{seen['n']} packets wrong at the peer: " + " | ".join(bad_msgs))
    if mode == "mape" and any(tc != tos for tc, tos in seen["tc"]):
        ck.note("MAP-E traffic class not copied from the TOS (recommended, not required)")
    if None not in seen["hlim"] and seen["hlim"]:
        ck.expect(min(seen["hlim"]) > 0, "outer hop limit 0")
    return seen


def check_inet(recs, mode, exp, lan_src, ck):
    ports = port_set_of(exp)
    public = T.AFTR_PUBLIC if mode == "dslite" else (lan_src if not exp.get("napt", True) else exp["ipv4"])
    bad = [r for r in recs if r.get("src") != public or
           (mode != "dslite" and l4port_inet(r) is not None and l4port_inet(r) not in ports)]
    ck.expect(not bad, f"internet host saw {len(bad)} packets from outside {public} and its port set, e.g. {bad[:2]}")
    return len(recs)


def l4port_inet(r):
    return r.get("sport") if r.get("proto") in ("udp", "tcp") else r.get("icmp_id")


def check_inbound(recs, ck):
    bad = [r for r in recs if r.get("dir", "").startswith("inet->") and r.get("action") not in ("encap", "icmp-frag-needed")]
    ck.expect(not bad, f"peer could not send {len(bad)} replies back: {[(r.get('action'), r.get('reason')) for r in bad[:3]]}")


# ------------------------------------------------------------------------------------------------

class CaseRun:
    def __init__(self, case, build, emulate=False, fake_cp=False, say=None, verbose=False, vm=None):
        self.case, self.build, self.emulate, self.fake_cp = case, build, emulate or fake_cp, fake_cp
        self.vm = vm  # a vmcpe.VmCpe: s46d runs in a QEMU guest with the kernel data plane
        self.say = say or (lambda *_: None)
        self.verbose = verbose
        self.ck = Checks()
        self.summary = []

    def traffic_args(self):
        bind = self.case.get("lan_ipv4")
        return ["--bind", bind.split("/")[0]] if bind else []

    def lan_src(self):
        bind = self.case.get("lan_ipv4")
        return bind.split("/")[0] if bind else T.LAN_HOST

    def mark(self, kind):
        return len(self.topo.peer_records(kind))

    def new(self, kind, mark):
        return self.topo.peer_records(kind)[mark:]

    def run(self, lab):
        case, ck = self.case, self.ck
        topo = self.topo = T.Topology(lab, case, self.build, emulate=self.emulate, with_ce2=bool(case.get("ce2")),
                                      timeout=case.get("timeout", 120), vm=self.vm)
        topo.build_network()
        if case.get("lan_ipv4"):
            T.run("ip", "addr", "add", case["lan_ipv4"], "dev", "eth0", ns=topo.lan)
        for src in self.flow_sources()[1:]:
            T.run("ip", "addr", "add", f"{src}/24", "dev", "eth0", ns=topo.lan)
        topo.start_services(control_plane=not self.fake_cp)
        topo.start_peers()
        if case.get("switch_to"):
            topo.start_peers(swcalc.parse_options(case["switch_to"]["option_data"]))
        mode = case["expect"]["mode"]
        if self.fake_cp:
            status = fake_status(topo, mode)
        else:
            topo.start_cpe()
            try:
                status = topo.wait_mode(mode) if mode != "none" else None
            except TimeoutError:
                status = None
            if status is None:
                time.sleep(0.5 if mode == "none" else 0)
                status = topo.status() or {}
        self.say(status_text(status))
        self.exp = check_selection(topo, status, case["expect"], ck)
        self.status = status
        if mode == "none" or self.exp is None:
            self.summary.append(f"mode {status.get('mode')}: {status.get('reason', '')}"[:120])
            return
        self.exp["napt"] = (status.get("plan") or {}).get("napt", True)
        self.summary.append(selection_text(mode, self.exp, status))
        if topo.dataplane_missing:
            ck.expect(False, f"traffic not run: s46d has no userspace data plane ({topo.dataplane_missing})")
            return
        if self.emulate:
            topo.start_emulator(status)
        scenario = case.get("scenario", "basic")
        getattr(self, f"scenario_{scenario}")()
        if case.get("flows"):
            self.check_flows()
        if self.vm:
            self.stop_vm()

    def stop_vm(self):
        """Kernel data plane: s46d in the guest must stop cleanly (exit 0) and leave no tunnel link
        or nftables table behind (vm_cpe.sh lists what it finds after the exit)."""
        t0 = time.monotonic()
        rc = self.vm.stop(self.topo.lab)
        keep = os.environ.get("S46_E2E_KEEP_VM")  # a directory: keep the share (logs) of every case
        if keep:
            import shutil
            shutil.copytree(self.vm.share, os.path.join(keep, self.case.get("name", "case")), dirs_exist_ok=True)
        self.ck.expect(rc == 0, f"s46d in the VM exited with {rc} on SIGTERM: {self.vm.tail('s46d.log', 400)}")
        left = self.vm.leftovers()
        self.ck.expect(not left, f"left behind after s46d's exit: {left}")
        self.summary.append(f"VM: s46d up {self.vm.boot_seconds:.1f} s after QEMU start, clean stop in "
                            f"{time.monotonic() - t0:.1f} s")

    # --------------------------------------------------------------------------------------------
    def basic_traffic(self, peer, udp_flows=4, tcp_bytes=None, ping=True, udp=True, tcp=True):
        topo, ck, mode, exp = self.topo, self.ck, self.case["expect"]["mode"], self.exp
        m_peer, m_inet = self.mark(peer), len(topo.inet_records())
        out = {}
        if udp:
            u = out["udp"] = topo.traffic("udp", "--dst", T.INET_HOST, "--port", str(T.UDP_PORT), "--flows", str(udp_flows),
                                          "--rounds", "2", "--tos", "0x28", *self.traffic_args())
            n_ok = sum(1 for f in u.get("flows", []) for r in f["rounds"] if r["ok"])
            n_all = sum(len(f["rounds"]) for f in u.get("flows", []))
            ck.expect(u.get("ok"), f"UDP request/response {n_ok}/{n_all} {u.get('error', '')}")
            tos = {r["tos_rx"] for f in u.get("flows", []) for r in f["rounds"] if r["ok"]}
            ck.expect(tos <= {0x28}, f"reply TOS {tos} (sent and echoed 0x28)")
            self.summary.append(f"udp {n_ok}/{n_all}")
        if tcp:
            nbytes = tcp_bytes or self.case.get("tcp_bytes", 262144)
            t = out["tcp"] = topo.traffic("tcp", "--dst", T.INET_HOST, "--port", str(T.TCP_PORT), "--bytes", str(nbytes),
                                          "--wait", "10", *self.traffic_args())
            ck.expect(t.get("ok"), f"TCP download {t.get('bytes')}/{nbytes} B {t.get('error', '')}")
            self.summary.append(f"tcp {t.get('bytes')} B {t.get('mbit_s')} Mbit/s")
        if ping:
            p = out["ping"] = topo.traffic("ping", "--dst", T.INET_HOST, "--ids", "4660,4661", "--count", "2",
                                           *self.traffic_args())
            ck.expect(p.get("ok"), f"ICMP echo {p.get('received')}/{p.get('sent')} {p.get('error', '')}")
            self.summary.append(f"icmp {p.get('received')}/{p.get('sent')}")
        time.sleep(0.3)
        recs = self.new(peer, m_peer)
        seen = check_outbound(recs, mode, exp, self.lan_src(), ck)
        check_inbound(recs, ck)
        want = (udp_flows * 2 if udp else 0) + (4 if ping else 0) + (3 if tcp else 0)
        ck.expect(seen["n"] >= want, f"the {peer} saw {seen['n']} packets from the CPE, expected at least {want}")
        inet = topo.inet_records()[m_inet:]
        check_inet(inet, mode, exp, self.lan_src(), ck)
        self.summary.append(f"{seen['n']} packets checked at the {peer}, {len(seen['ports'])} distinct ports/ids in the set")
        return out

    def flow_sources(self):
        """The LAN host's source addresses for the case's concurrent flows: 10.0.0.2 and up
        (flows.sources of them, default 8), or the case's lan_ipv4 alone."""
        flows = self.case.get("flows")
        if not flows:
            return []
        if self.case.get("lan_ipv4"):
            return [self.lan_src()]
        n = int(flows.get("sources", 8))
        return [str(ipaddress.IPv4Address(T.LAN_HOST) + j) for j in range(n)]

    def check_flows(self):
        """flows {"udp": N, "tcp": M, "icmp": K}: that many flows open at the same time from the
        LAN sources; each must be answered, and its translated port or identifier is found at the
        internet host by the flow's tag and then at the peer, where it must be inside the port set
        (MAP-E, lw4o6; for DS-Lite the peer must see the flow's own LAN source and port)."""
        topo, ck, mode, exp = self.topo, self.ck, self.case["expect"]["mode"], self.exp
        peer = PEER_OF[mode]
        want = self.case["flows"]
        n_udp, n_tcp, n_icmp = int(want.get("udp", 0)), int(want.get("tcp", 0)), int(want.get("icmp", 0))
        m_peer, m_inet = self.mark(peer), len(topo.inet_records())
        t0 = time.monotonic()
        res = topo.traffic("flows", "--dst", T.INET_HOST, "--port", str(T.UDP_PORT), "--tcp-port", str(T.TCP_PORT),
                           "--udp", str(n_udp), "--tcp", str(n_tcp), "--icmp", str(n_icmp),
                           "--srcs", ",".join(self.flow_sources()), "--wait", str(want.get("wait", 2.0)),
                           "--tries", str(want.get("tries", 3)), timeout=300)
        dt = time.monotonic() - t0
        if "udp" not in res:
            ck.expect(False, f"flows: the traffic program failed: {res.get('error')}")
            return
        time.sleep(0.5)
        inet = topo.inet_records()[m_inet:]
        recs = [r for r in self.new(peer, m_peer) if r.get("dir") in OUTBOUND]
        ports = port_set_of(exp)
        public = T.AFTR_PUBLIC if mode == "dslite" else exp["ipv4"]
        at_inet = {("udp", r.get("data")): r for r in inet if r.get("proto") == "udp"}
        at_inet.update({("tcp", r.get("bytes")): r for r in inet if r.get("proto") == "tcp" and "bytes" in r})
        at_inet.update({("icmp", r.get("seq")): r for r in inet if r.get("proto") == "icmp"})
        if mode == "dslite":  # the AFTR sees the B4's packets before its own NAT
            at_peer = {(r.get("proto"), r.get("inner_src"), l4port(r)) for r in recs}
        else:
            at_peer = {(r.get("proto"), l4port(r)) for r in recs}
        problems, external, retried = [], {"udp": set(), "tcp": set(), "icmp": set()}, 0
        found = {"udp": 0, "tcp": 0, "icmp": 0}
        for proto in ("udp", "tcp", "icmp"):
            for f in res[proto]:
                what = f"{proto} flow {f['i']} from {f['src']}:{f.get('lport', f.get('id'))}"
                if not f.get("ok"):
                    problems.append(f"{what}: no answer {f.get('error', '')}".strip())
                    continue
                retried += f.get("attempt", 1) > 1
                r = at_inet.get((proto, f["tag"]))
                if r is None:
                    problems.append(f"{what}: answered but not in the internet host's log")
                    continue
                ext = l4port_inet(r)
                external[proto].add(ext)
                found[proto] += 1
                if r.get("src") != public:
                    problems.append(f"{what}: arrived from {r.get('src')}, want {public}")
                if mode == "dslite":
                    local = f.get("lport") if proto != "icmp" else f["id"]
                    if (proto, f["src"], local) not in at_peer:
                        problems.append(f"{what}: the {peer} never saw it")
                else:
                    if ext not in ports:
                        problems.append(f"{what}: port/id {ext} outside the port set")
                    if (proto, ext) not in at_peer:
                        problems.append(f"{what}: port/id {ext} never seen at the {peer}")
        for proto in ("udp", "tcp", "icmp"):
            # NAPT must give concurrent flows distinct external ports (the AFTR's own NAT for DS-Lite)
            ck.expect(len(external[proto]) == found[proto],
                      f"flows: {found[proto]} {proto} flows at the internet host on {len(external[proto])} distinct ports/ids")
        ck.expect(not problems, f"flows: {len(problems)} of {n_udp + n_tcp + n_icmp} flows wrong: " + " | ".join(problems[:6]))
        check_outbound(recs, mode, exp, None, ck, what="flows traffic", any_lan_src=self.flow_sources())
        self.summary.append(f"flows: udp {sum(f['ok'] for f in res['udp'])}/{n_udp}, tcp {sum(f['ok'] for f in res['tcp'])}/{n_tcp}, "
                            f"icmp {sum(f['ok'] for f in res['icmp'])}/{n_icmp} answered and found at the {peer} "
                            f"({len(self.flow_sources())} LAN sources, {retried} needed a retry, {dt:.1f} s)")

    def scenario_basic(self):
        self.basic_traffic(PEER_OF[self.case["expect"]["mode"]])

    def scenario_mesh(self, hub=False):
        topo, ck = self.topo, self.ck
        self.basic_traffic("br", tcp=False)
        ce2 = topo.ce2_binding
        port = ce2.ports.ranges()[0][0]
        m_ce2, m_br = self.mark("ce2"), self.mark("br")
        u = topo.traffic("udp", "--dst", str(ce2.ipv4), "--port", str(port), "--flows", "2", "--rounds", "2",
                         *self.traffic_args())
        ck.expect(u.get("ok"), f"UDP to CE2 {ce2.ipv4}:{port}: {u.get('error', '')} {[[r['ok'] for r in f['rounds']] for f in u.get('flows', [])]}")
        ck.expect(all(r["reply"].startswith("ce2:") for f in u.get("flows", []) for r in f["rounds"] if r["ok"]),
                  "replies come from CE2")
        time.sleep(0.3)
        recs = [r for r in self.new("ce2", m_ce2) if r.get("dir") == "in"]
        ck.expect(len(recs) >= 4, f"CE2 saw {len(recs)} packets, want >= 4")
        for r in recs:
            for name, ok in (r.get("checks") or {}).items():
                ck.expect(ok, f"CE2 check {name} failed: {r.get('reason')}")
                if not ok:
                    break
        hair = [r for r in self.new("br", m_br) if r.get("action") == "hairpin"]
        if hub:
            ck.expect(all(r.get("via_br") for r in recs), "hub-and-spoke: every packet reaches CE2 via the BR")
            ck.expect(len(hair) >= 4, f"hub-and-spoke: the BR hairpinned {len(hair)} packets (both directions), want >= 4")
            ck.expect(all(not r.get("reply_mesh") for r in recs), "hub-and-spoke: CE2 answers via the BR")
            self.summary.append(f"CE2 {ce2.ipv4} reached via the BR ({len(hair)} hairpinned)")
        else:
            ck.expect(all(r.get("mesh") for r in recs), "mesh: every packet reaches CE2 directly, not via the BR")
            ck.expect(all(r.get("outer_src") == self.exp["tunnel_source"] for r in recs),
                      f"mesh: outer source {set(r.get('outer_src') for r in recs)} is the MAP address")
            ck.expect(not hair, f"mesh: the BR hairpinned {len(hair)} packets")
            ck.expect(all(r.get("reply_mesh") for r in recs if r.get("action") == "answer"), "CE2 answered directly")
            self.summary.append(f"mesh to CE2 {ce2.ipv4}:{port} ({len(recs)} packets direct)")
        # every source port the CPE used toward CE2 inside its port set
        ports = port_set_of(self.exp)
        bad = [r.get("sport") for r in recs if r.get("sport") is not None and r["sport"] not in ports]
        ck.expect(not bad, f"source ports toward CE2 outside the port set: {bad[:5]}")

    def scenario_hub_spoke(self):
        self.scenario_mesh(hub=True)

    def scenario_ptb(self):
        topo, ck = self.topo, self.ck
        path_mtu = self.case["path_mtu"]
        self.basic_traffic("br")
        m = self.mark("br")
        p = topo.traffic("ptb", "--dst", T.INET_HOST, "--port", str(T.UDP_PORT), "--size", str(path_mtu - 40),
                         "--wait", "2", *self.traffic_args())
        ptbs = [r for r in self.new("br", m) if r.get("action") == "ptb"]
        ck.expect(ptbs, "the BR never had to send Packet Too Big (the packet was small enough?)")
        fn = p.get("frag_needed") or []
        ck.expect(fn, f"no ICMPv4 3/4 reached the LAN host after the BR's ICMPv6 Packet Too Big ({p.get('send_error', '')})")
        if fn:
            f = fn[0]
            ck.expect(f["mtu"] == path_mtu - 40, f"relayed MTU {f['mtu']}, want {path_mtu} - 40 = {path_mtu - 40}")
            ck.expect(f["quoted_src"] == self.lan_src() and f["quoted_sport"] == p.get("lport"),
                      f"quoted packet {f['quoted_src']}:{f['quoted_sport']} is not the LAN host's {self.lan_src()}:{p.get('lport')}")
        ck.expect(p.get("small_ok"), f"a {p.get('small_size')} B datagram after the PTB did not get through")
        self.summary.append(f"PTB {path_mtu} -> ICMPv4 3/4 MTU {fn[0]['mtu'] if fn else None} at the LAN host")

    def scenario_spoof(self):
        topo, ck, mode, exp = self.topo, self.ck, self.case["expect"]["mode"], self.exp
        peer = PEER_OF[mode]
        self.basic_traffic(peer, tcp=False)
        m_inet = len(topo.inet_records())
        hold = subprocess.Popen(["ip", "netns", "exec", topo.lan, T.PY, os.path.join(HERE, "traffic.py"), "hold",
                                 "--dst", T.INET_HOST, "--port", str(T.UDP_PORT), "--seconds", "30", "--until", "legit",
                                 *self.traffic_args()],
                                stdout=subprocess.PIPE, text=True)
        try:
            ready = json.loads(hold.stdout.readline() or "{}")
            ck.expect(ready.get("first_reply"), f"the held flow got no first reply: {ready}")
            time.sleep(0.2)
            recs = [r for r in topo.inet_records()[m_inet:] if r.get("proto") == "udp" and r.get("len") == 4]
            if not recs:
                ck.expect(False, "the internet host never saw the held flow")
                return
            ext_port = recs[-1]["sport"]
            counters0 = topo.counters()
            remote = PEER_ADDR[peer]
            if mode == "dslite":
                dst4, dport = self.lan_src(), ready["lport"]
            else:
                dst4, dport = exp["ipv4"], ext_port
            spoofs = [("outer source not the tunnel peer", "2001:db8:ffff::99", T.INET_HOST, 7, dst4, dport)]
            if mode != "dslite":
                ports = port_set_of(exp)
                outside = next(p for p in range(1024, 65536) if p not in ports)
                spoofs.append(("destination port outside the port set", remote, T.INET_HOST, 7, dst4, outside))
                other = str(ipaddress.IPv4Address(exp["ipv4"]) + 1)
                spoofs.append(("destination address not ours", remote, T.INET_HOST, 7, other, dport))
            if mode == "mape":
                rule = swcalc.select_bmr(topo.conf["mape"]["rules"], topo.delegated_prefix())
                forged = swcalc.ce_address(rule, int(ipaddress.IPv4Address(exp["ipv4"])) ^ 0x1, 4000)
                spoofs.append(("CE source whose EA bits do not match the inner source (RFC 7597 8.1)", str(forged),
                               T.INET_HOST, 7, dst4, dport))
            n_spoof = 0
            for i, (why, o_src, i_src, sport, i_dst, i_dport) in enumerate(spoofs):
                inject(topo, o_src, exp["tunnel_source"], i_src, i_dst, sport, i_dport, f"spoof-{i}", 3)
                n_spoof += 3
            inject(topo, remote, exp["tunnel_source"], T.INET_HOST, dst4, 7, dport, "legit", 1)
            out, _ = hold.communicate(timeout=35)
        finally:
            if hold.poll() is None:
                hold.kill()
        res = json.loads(out.strip().splitlines()[-1])
        got = [x["data"] for x in res.get("received", [])]
        ck.expect("legit" in got, f"the control packet (from the {peer}, to the held flow) was not delivered: got {got}")
        leaked = [g for g in got if g.startswith("spoof")]
        ck.expect(not leaked, "spoofed packets delivered to the LAN host: " +
                  ", ".join(f"{g} ({spoofs[int(g.split('-')[1])][0]})" for g in sorted(set(leaked))))
        time.sleep(0.3)
        diff = counter_diff(counters0, topo.counters())
        rx = re.compile(self.case.get("counter_regex", "spoof|drop|invalid|reject|discard|not_mine|unexpected"))
        hit = sum(v for k, v in diff.items() if rx.search(k))
        if self.vm:  # ip6_tunnel and nf_nat drop them; s46d's kernel data plane counts no drops
            ck.note("drop counters not checked: the kernel data plane has none")
        else:
            ck.expect(hit >= n_spoof, f"drop counters rose by {hit} for {n_spoof} spoofed packets (changes: {diff or 'none'})")
        self.summary.append(f"{n_spoof} spoofed packets dropped ({len(spoofs)} kinds), counters {diff}")

    def scenario_exhaustion(self):
        topo, ck, mode, exp = self.topo, self.ck, self.case["expect"]["mode"], self.exp
        peer = PEER_OF[mode]
        ports = port_set_of(exp)
        n = ports.count()
        m_peer = self.mark(peer)
        c0 = topo.counters()
        u = topo.traffic("udp", "--dst", T.INET_HOST, "--port", str(T.UDP_PORT), "--flows", str(n + 1), "--rounds", "2",
                         "--wait", "0.4", "--tries", "2", *self.traffic_args(), timeout=90)
        flows = u.get("flows", [])
        full = [f for f in flows if all(r["ok"] for r in f["rounds"])]
        none_ok = [f for f in flows if not any(r["ok"] for r in f["rounds"])]
        ck.expect(len(full) == n, f"{len(full)} UDP flows answered in both rounds, the port set holds {n}")
        ck.expect(len(none_ok) == 1 and flows and flows[-1] in none_ok,
                  f"the flow beyond the port set must be refused: {[[r['ok'] for r in f['rounds']] for f in flows]}")
        time.sleep(0.3)
        recs = [r for r in self.new(peer, m_peer) if r.get("dir") in OUTBOUND and r.get("proto") == "udp"]
        used = {r.get("sport") for r in recs}
        ck.expect(len(used) <= n and all(p in ports for p in used), f"UDP source ports at the {peer}: {sorted(used)}")
        check_outbound(recs, mode, exp, self.lan_src(), ck, what="exhaustion traffic")
        diff = counter_diff(c0, topo.counters())
        rx = re.compile(self.case.get("counter_regex", "exhaust|no_port|no_free|refus"))
        hit = sum(v for k, v in diff.items() if rx.search(k))
        if self.vm:  # nf_nat refuses the flow silently; s46d's kernel data plane counts nothing for it
            ck.note("exhaustion counter not checked: the kernel data plane has none")
        else:
            ck.expect(hit >= 1, f"no exhaustion counter rose (changes: {diff or 'none'})")
        self.summary.append(f"{len(full)}/{n + 1} UDP flows mapped into {n} ports, flow {n + 1} refused, counters {diff}")
        self.basic_traffic(peer, udp=False)

    def scenario_switch(self):
        topo, ck, case = self.topo, self.ck, self.case
        mode0 = case["expect"]["mode"]
        target = case["switch_to"]
        mode1 = target["expect"]["mode"]
        peer0, peer1 = PEER_OF[mode0], PEER_OF[mode1]
        self.basic_traffic(peer0, tcp=False, ping=False)
        m1 = self.mark(peer1)
        stream = subprocess.Popen(["ip", "netns", "exec", topo.lan, T.PY, os.path.join(HERE, "traffic.py"), "stream",
                                   "--dst", T.INET_HOST, "--port", str(T.UDP_PORT), "--seconds", "7", "--interval", "0.1",
                                   *self.traffic_args()], stdout=subprocess.PIPE, text=True)
        try:
            time.sleep(1.5)
            t_switch = 1.5
            if self.fake_cp:
                topo.conf = swcalc.parse_options(target["option_data"])
                status = fake_status(topo, mode1)
            else:
                topo.reconfigure_kea(target["option_data"])
                topo.ctl("renew")
                status = topo.wait_mode(mode1, timeout=5)
            topo.conf = swcalc.parse_options(target["option_data"])
            if self.emulate:
                topo.start_emulator(status)
            t_done = time.monotonic()
            out, _ = stream.communicate(timeout=15)
        finally:
            if stream.poll() is None:
                stream.kill()
        res = json.loads(out.strip().splitlines()[-1])
        tl = res["timeline"]
        before = sum(1 for t, ok in tl if ok and t < t_switch)
        after = sum(1 for t, ok in tl if ok and t > t_switch + 2.0)
        late = sum(1 for t, ok in tl if t > t_switch + 2.0)
        ck.expect(before > 0, f"no replies before the switch ({before})")
        ck.expect(after > 0 and after >= late - 2,
                  f"after the switch to {mode1}: {after}/{late} requests answered (more than 2 s after the renew)")
        exp1 = check_selection(topo, status, target["expect"], ck)
        if exp1 is None:
            return
        exp1["napt"] = True
        self.exp = exp1
        recs = self.new(peer1, m1)
        seen = check_outbound(recs, mode1, exp1, self.lan_src(), ck, what=f"after the switch ({peer1})")
        ck.expect(seen["n"] > 0, f"the {peer1} saw no traffic after the switch")
        self.summary.append(f"switched {mode0} -> {mode1} under traffic: {before} answered before, {after}/{late} after "
                            f"(+{time.monotonic() - t_done:.1f} s)")
        self.case = dict(case, expect=target["expect"])
        self.basic_traffic(peer1, tcp=True, ping=True, udp=False)

    def scenario_no_binding(self):
        """The operator moves the CPE to another binding: Kea and the lwAFTR both change, nobody
        tells s46d. Its next packets draw ICMPv6 1/5 from the lwAFTR; with --on-no-binding
        reprovision it must renew by itself (RFC 7596 5.1) and carry traffic on the new binding."""
        topo, ck, case = self.topo, self.ck, self.case
        if self.needs_s46d_dataplane():
            return
        target = case["switch_to"]
        self.basic_traffic("lwaftr", tcp=False, ping=False)
        conf1 = swcalc.parse_options(target["option_data"])
        topo.reconfigure_kea(target["option_data"])
        self.lab_stop_peer("lwaftr")
        m1 = self.mark("lwaftr")
        topo.start_peers(conf1)
        want_ip = target["expect"].get("ipv4")
        status, t_moved, tl = self.stream_until(lambda st: (st.get("plan") or {}).get("ipv4") == want_ip,
                                                f"s46d on the new binding {want_ip}")
        recs = self.new("lwaftr", m1)
        refused = [r for r in recs if r.get("icmp6_sent")]
        ck.expect(len(refused) > 0, "the lwAFTR sent no ICMPv6 1/5 for the old binding")
        events = (status.get("events") or {})
        ck.expect(events.get("reprovisions", 0) >= 1, f"s46d did not re-provision on 1/5 (events {events})")
        exp1 = check_selection(topo, status, target["expect"], ck)
        if exp1 is None:
            return
        after = sum(1 for t, ok in tl if ok and t > t_moved + 1.0)
        late = sum(1 for t, ok in tl if t > t_moved + 1.0)
        ck.expect(after > 0 and after >= late - 2, f"after re-provisioning: {after}/{late} requests answered")
        journal = json.loads(topo.ctl("journal", "--json"))
        texts = [e.get("detail", "") for e in journal.get("events", [])]
        ck.expect(any("no binding" in t and "renewing" in t for t in texts), "no 'no binding ... renewing' journal entry")
        self.summary.append(f"1/5 x{len(refused)} -> renewed, on {want_ip} after {t_moved:.1f} s; {after}/{late} answered after")
        exp1["napt"] = True
        self.exp = exp1
        self.case = dict(case, expect=target["expect"])
        self.basic_traffic("lwaftr", tcp=True, ping=True, udp=False)

    def scenario_aftr_failover(self):
        """The AFTR name has two AAAA records; the ISP router starts rejecting the one s46d uses
        (an 'unreachable' route: ICMPv6 destination unreachable back to the B4). s46d must move
        to the other record by itself and carry traffic through it (docs/tunnel-events.md)."""
        topo, ck = self.topo, self.ck
        if self.needs_s46d_dataplane():
            return
        first = (self.status.get("plan") or {}).get("aftr")
        others = [x for x in topo.aftr_addresses() if x != first]
        ck.expect(len(others) == 1, f"the case needs two AFTR addresses, s46d uses {first} of {topo.aftr_addresses()}")
        if len(others) != 1:
            return
        second = others[0]
        self.basic_traffic("aftr", tcp=False, ping=False)
        T.run("ip", "-6", "route", "add", "unreachable", f"{first}/128", ns=topo.isp)
        m1 = self.mark("aftr")
        status, t_moved, tl = self.stream_until(lambda st: (st.get("plan") or {}).get("aftr") == second,
                                                f"s46d on the second AFTR {second}")
        events = status.get("events") or {}
        ck.expect((status.get("plan") or {}).get("aftr") == second,
                  f"s46d still on AFTR {(status.get('plan') or {}).get('aftr')} after {first} became unreachable (events {events})")
        ck.expect(events.get("aftr_failovers", 0) >= 1, f"no AFTR failover counted (events {events})")
        counters = status.get("counters") or {}
        ck.expect(counters.get("remote_unreachable_events", 0) >= 1, "no remote_unreachable_events counted")
        after = sum(1 for t, ok in tl if ok and t > t_moved + 1.0)
        late = sum(1 for t, ok in tl if t > t_moved + 1.0)
        ck.expect(after > 0 and after >= late - 2, f"after the failover: {after}/{late} requests answered")
        recs = [r for r in self.new("aftr", m1) if r.get("dir") == "b4->inet"]
        ck.expect(any(r.get("outer_dst") == second for r in recs), f"the AFTR saw nothing sent to {second}")
        self.summary.append(f"AFTR {first} unreachable -> moved to {second} after {t_moved:.1f} s; {after}/{late} answered after")
        self.basic_traffic("aftr", tcp=True, ping=True, udp=False)

    def needs_s46d_dataplane(self):
        """Tunnel events come from s46d's own packet path: with the CE emulation carrying the
        traffic (--emulate-cpe, --no-s46d) only the basic traffic of the case is checked."""
        if not self.emulate:
            return False
        self.summary.append("tunnel-event scenario needs s46d's data plane: basic traffic only")
        self.scenario_basic()
        return True

    def stream_until(self, done, what, seconds=8):
        """Runs a UDP request stream from the LAN host while waiting (up to `seconds`) for s46d's
        status to satisfy `done`. Returns the last status, when it was reached (seconds after the
        stream started) and the stream's timeline [(t, answered), ...]."""
        topo = self.topo
        t0 = time.monotonic()
        stream = subprocess.Popen(["ip", "netns", "exec", topo.lan, T.PY, os.path.join(HERE, "traffic.py"), "stream",
                                   "--dst", T.INET_HOST, "--port", str(T.UDP_PORT), "--seconds", str(seconds),
                                   "--interval", "0.1", *self.traffic_args()], stdout=subprocess.PIPE, text=True)
        try:
            try:
                status = T.wait_for(lambda: (lambda st: st if done(st) else None)(topo.status() or {}), seconds,
                                    interval=0.1, what=what)
            except TimeoutError:
                status = topo.status() or {}
            t_done = time.monotonic() - t0
            out, _ = stream.communicate(timeout=seconds + 12)
        finally:
            if stream.poll() is None:
                stream.kill()
        return status, t_done, json.loads(out.strip().splitlines()[-1])["timeline"]

    def restart_lwaftr(self):
        """The lwAFTR with the binding table of topo.conf as it is now; returns the log mark."""
        self.lab_stop_peer("lwaftr")
        mark = self.mark("lwaftr")
        self.topo.start_peers()
        return mark

    def warm_up(self):
        """One echo whose answer may be lost: a freshly started scapy peer resolves the internet
        host's MAC on its first packet and loses that packet (as in tests/lab/lab.py)."""
        self.topo.traffic("ping", "--dst", T.INET_HOST, "--ids", "4659", "--count", "1", *self.traffic_args())

    def scenario_dhcp4o6_nak(self):
        """The operator takes the CPE's IPv4 address back: kea-dhcp4 NAKs the renewal at T1 (RFC
        2131 §4.3.2, carried in DHCPV4-RESPONSE, RFC 7341). s46d must tear lw4o6 down and start
        over with a DISCOVER, which gets the case's dhcp4o6.retire_to pool; the lwAFTR now holds
        only the new binding, and traffic must flow on it."""
        topo, ck, case = self.topo, self.ck, self.case
        self.basic_traffic("lwaftr", tcp=False, ping=False)
        old = self.exp["ipv4"]
        before = self.status.get("transitions", 0)
        lw1 = topo.retire_dhcp4o6_address(case["dhcp4o6"]["retire_to"])
        ck.expect(lw1["ipv4"] != old, f"case error: retire_to gives the same address {old}")
        self.restart_lwaftr()
        if self.fake_cp:
            status = fake_status(topo, "lw4o6")
        else:
            modes = set()

            def moved():
                st = topo.status() or {}
                modes.add(st.get("mode"))
                return st if st.get("mode") == "lw4o6" and (st.get("plan") or {}).get("ipv4", "").split("/")[0] == lw1["ipv4"] else None
            t1 = case["dhcp4o6"].get("timers", [1000])[0]
            t0 = time.monotonic()
            try:
                status = T.wait_for(moved, t1 + 12, interval=0.05, what=f"s46d on the new address {lw1['ipv4']}")
            except TimeoutError:
                status = topo.status() or {}
            took = time.monotonic() - t0
            naks = topo.kea4.log_lines("DHCP4_PACKET_NAK")
            ck.expect(naks, "kea-dhcp4 sent no NAK (the renewal of the retired address)")
            after = status.get("transitions", 0)
            ck.expect("none" in modes or after - before >= 2,
                      f"after the NAK s46d must tear the mode down and start over: modes seen {sorted(map(str, modes))}, "
                      f"transitions {before} -> {after}")
            self.summary.append(f"NAK x{len(naks)} -> torn down, new lease {lw1['ipv4']} after {took:.1f} s "
                                f"(transitions {before} -> {after})")
            if self.emulate:
                topo.start_emulator(status)
        exp1 = check_selection(topo, status, {"mode": "lw4o6", "ipv4": lw1["ipv4"]}, ck)
        if exp1 is None:
            return
        self.summary.append(f"then {exp1['ipv4']} via {exp1['tunnel_source']}")
        if self.fake_cp:
            topo.start_emulator(status)
        exp1["napt"] = (status.get("plan") or {}).get("napt", True)
        self.exp = exp1
        self.warm_up()
        self.basic_traffic("lwaftr", tcp=False)

    def scenario_dhcp4o6_prefix_change(self):
        """The delegated prefix changes (Kea delegates from the case's pd_pool_to; s46d renews).
        The softwire source follows the prefix (RFC 8539 §6, option 137), so s46d must run a new
        4o6 exchange announcing the new source (option 109) and move the softwire; the lwAFTR,
        now bound to the new source only, must see it on every packet."""
        topo, ck, case = self.topo, self.ck, self.case
        self.basic_traffic("lwaftr", tcp=False, ping=False)
        old_src = self.exp["tunnel_source"]
        rows0 = len(topo.kea4.leases()) if topo.kea4 else 0
        topo.change_pd_pool(case["pd_pool_to"])
        new_src = swcalc.expected_plan("lw4o6", topo.conf, topo.delegated_prefix())["tunnel_source"]
        ck.expect(new_src != old_src, f"case error: the new prefix gives the same softwire source {old_src}")
        self.restart_lwaftr()
        if self.fake_cp:
            status = fake_status(topo, "lw4o6")
            topo.start_emulator(status)
        else:
            t0 = time.monotonic()
            topo.ctl("renew")
            try:
                status = T.wait_for(lambda: (lambda st: st if (st.get("plan") or {}).get("tunnel_source") == new_src else None)(
                    topo.status() or {}), 12, interval=0.05, what=f"s46d on the new softwire source {new_src}")
            except TimeoutError:
                status = topo.status() or {}
            took = time.monotonic() - t0
            rows = len(topo.kea4.leases())
            ck.expect(rows > rows0, f"no new 4o6 exchange after the prefix change (kea-dhcp4 lease rows {rows0} -> {rows})")
            self.summary.append(f"prefix {topo.delegated_prefix()}: source {old_src} -> "
                                f"{(status.get('plan') or {}).get('tunnel_source')} in {took:.1f} s, "
                                f"kea-dhcp4 lease rows {rows0} -> {rows}")
            if self.emulate:
                topo.start_emulator(status)
        exp1 = check_selection(topo, status, {"mode": "lw4o6"}, ck)
        if exp1 is None:
            return
        self.summary.append(f"then {exp1['ipv4']} via {exp1['tunnel_source']} from {topo.delegated_prefix()}")
        exp1["napt"] = (status.get("plan") or {}).get("napt", True)
        self.exp = exp1
        self.warm_up()
        self.basic_traffic("lwaftr", tcp=False)

    def lab_stop_peer(self, kind):
        p = self.topo.peers.pop(kind, None)
        if p is not None:
            self.topo.lab.stop(p)


def inject(topo, outer_src, outer_dst, inner_src, inner_dst, sport, dport, payload, count):
    T.run(T.PY, os.path.join(HERE, "peers", "inject.py"), "--v6-iface", "p6", "--v6-gw-mac", T.MAC["isp_core"],
          "--outer-src", outer_src, "--outer-dst", outer_dst, "--inner-src", inner_src, "--inner-dst", inner_dst,
          "--sport", str(sport), "--dport", str(dport), "--payload", payload, "--count", str(count),
          "--log", os.path.join(topo.lab.tmp, "inject.jsonl"), ns=topo.peer)


def counter_diff(a, b):
    out = {}
    for k, v in (b or {}).items():
        if isinstance(v, (int, float)) and v != (a or {}).get(k, 0):
            out[k] = v - (a or {}).get(k, 0)
    return out


def selection_text(mode, exp, status):
    if mode == "dslite":
        return f"dslite via AFTR {(status.get('plan') or {}).get('aftr')} from {exp.get('tunnel_source')}"
    ranges = exp.get("port_ranges", [])
    rs = ",".join(ranges[:2]) + (f",... ({len(ranges)} ranges)" if len(ranges) > 2 else "")
    return f"{mode} {exp['ipv4']} PSID {exp['psid']}/{exp['psid_len']} ports {rs} src {exp['tunnel_source']}"


def status_text(s):
    if not s:
        return "status: (none)"
    p = s.get("plan") or {}
    keys = ("ipv4", "b4_ipv4", "psid", "psid_len", "port_ranges", "map_ipv6", "tunnel_source", "br", "aftr", "tunnel_mtu")
    plan = {k: (p[k][:4] + ["..."] if k == "port_ranges" and len(p[k]) > 4 else p[k]) for k in keys if k in p}
    return f"status: mode={s.get('mode')} reason={s.get('reason')!r} plan={json.dumps(plan)} counters={json.dumps(s.get('counters'))}"
