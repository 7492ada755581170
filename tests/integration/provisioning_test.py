#!/usr/bin/python3
"""Issue-4 integration suite: s46d provisions itself from a real kea-dhcp6 in network namespaces.

Each scenario builds its own namespaces (unique per run), starts Kea with a generated
configuration (and dnsmasq for the AFTR name), runs s46d on the CPE side and checks what
`s46ctl status --json` reports. Everything is torn down on every exit path (netlab.Lab).
Usage: provisioning_test.py BUILD_DIR [SCENARIO...]      (root; exits 77 = skipped otherwise)
"""
import json
import os
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from netlab import Dnsmasq, Kea, run, run_scenarios, s46ctl, s46d_status, skip_unless_root, wait_for  # noqa: E402

BUILD = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else "build")
S46D, S46CTL = f"{BUILD}/platform/s46d", f"{BUILD}/platform/s46ctl"

MAPE = [{"name": "s46-cont-mape"},
        {"space": "s46-cont-mape-options", "name": "s46-rule", "data": "1, 16, 24, 192.0.2.0, 2001:db8:1200::/40"},
        {"space": "s46-cont-mape-options", "name": "s46-br", "data": "2001:db8:ffff::1"}]
LW = [{"name": "s46-cont-lw"},
      {"space": "s46-cont-lw-options", "name": "s46-br", "data": "2001:db8:ffff::2"},
      {"space": "s46-cont-lw-options", "name": "s46-v4v6bind", "data": "198.51.100.18, 2001:db8:1200::/40"},
      {"space": "s46-v4v6bind-options", "name": "s46-portparams", "data": "0, 52/8"}]
DSLITE = [{"name": "aftr-name", "data": "aftr.example.net"},
          {"name": "dns-servers", "data": "2001:db8:0:1::1"}]
AFTR_ADDR = "2001:db8:ffff::a"


def prio(*codes):
    return [{"name": "s46-priority", "data": ", ".join(str(c) for c in codes)}]


class Cpe:
    """The ISP side (Kea, dnsmasq) and s46d on the CPE side, joined by one veth link."""

    def __init__(self, lab, options, timers=(1000, 2000, 3000, 4000), rapid_commit=True, dns=False, **kea_extra):
        self.lab = lab
        self.isp = lab.ns("isp")
        self.cpe = lab.ns("cpe")
        lab.link(self.isp, "isp0", self.cpe, "wan0", mac_a="02:00:00:00:00:02", mac_b="02:00:00:00:00:01")
        run("ip", "-6", "addr", "add", "2001:db8:0:1::1/64", "dev", "isp0", "nodad", ns=self.isp)
        # The CPE numbers its WAN side as SLAAC would (s46d's --dataplane none configures no
        # addresses), so it can reach the DNS server learned from option 23.
        run("ip", "-6", "addr", "add", "2001:db8:0:1::2/64", "dev", "wan0", "nodad", ns=self.cpe)
        if dns:
            Dnsmasq(lab, self.isp, "2001:db8:0:1::1", [("aftr.example.net", AFTR_ADDR)], ttl=300)
        # kea_extra: more netlab.Kea arguments (dhcp4o6_test.py: dhcp4o6, pool)
        self.kea = Kea(lab, self.isp, "isp0", option_data=options, timers=timers, rapid_commit=rapid_commit, **kea_extra)
        self.kea.start()
        self.sock = os.path.join(lab.tmp, "s46d.sock")
        self.state = os.path.join(lab.tmp, "state")
        self.log = os.path.join(lab.tmp, "s46d.log")
        self.daemon = None

    def start(self, *extra):
        self.daemon = self.lab.spawn(S46D, "--wan-interface", "wan0", "--state-dir", self.state, "--control-socket", self.sock,
                                     "--solicit-delay", "0", "--verbose", *extra, ns=self.cpe, log=self.log)
        wait_for(lambda: os.path.exists(self.sock), 5, what="s46d control socket")

    def ctl(self, *args):
        return s46ctl(S46CTL, self.sock, *args)

    def status(self):
        return s46d_status(self.ctl)

    def wait_mode(self, mode, timeout=5):
        return wait_for(lambda: (s := self.status()) and s["mode"] == mode and s, timeout, what=f"mode {mode}")

    def kill_daemon(self, sig=signal.SIGKILL):
        os.killpg(self.daemon.pid, sig)
        self.daemon.wait(5)


def kea_sent(cpe):
    """The message types Kea sent, from its packet log (DHCP6_PACKET_SEND ... packet TYPE)."""
    out = []
    for line in open(cpe.kea.log_path):
        if "DHCP6_PACKET_SEND" in line and "packet " in line:
            out.append(line.split("packet ", 1)[1].split()[0])
    return out


def check(cond, what):
    if not cond:
        raise AssertionError(what)


# ---------------------------------------------------------------------------------------------
# Scenarios

def test_mape_rapid_commit(lab):
    c = Cpe(lab, MAPE)
    t0 = time.monotonic()
    c.start()
    s = c.wait_mode("mape")
    took = time.monotonic() - t0
    check(s["plan"]["ipv4"] == "192.0.2.0" and s["plan"]["psid_len"] == 8, f"MAP-E binding from the /56: {s['plan']}")
    check(s["plan"]["map_ipv6"] == "2001:db8:1200::c000:200:0", s["plan"]["map_ipv6"])
    check(s["lease"]["prefixes"][0]["prefix"] == "2001:db8:1200::/56", s["lease"])
    check(s["lease"]["addresses"][0]["address"].startswith("2001:db8:0:1::"), s["lease"])
    check(s["lease"]["t1"] == 1000 and s["lease"]["t2"] == 2000, s["lease"])
    sent = kea_sent(c)
    check(sent == ["REPLY"], f"rapid commit: one Reply to the Solicit, Kea sent {sent}")
    return f"mape in {took * 1000:.0f} ms from process start, Kea sent {sent}"


def test_four_message_exchange(lab):
    c = Cpe(lab, MAPE, rapid_commit=False)
    c.start()
    s = c.wait_mode("mape")
    sent = kea_sent(c)
    check(sent == ["ADVERTISE", "REPLY"], f"without rapid commit: Advertise then Reply, Kea sent {sent}")
    check(s["dhcp_state"] == "Bound", s["dhcp_state"])
    return f"Solicit/Advertise/Request/Reply, Kea sent {sent}"


def test_lw4o6(lab):
    c = Cpe(lab, LW)
    c.start()
    s = c.wait_mode("lw4o6")
    p = s["plan"]
    check(p["ipv4"] == "198.51.100.18" and p["psid"] == 52 and p["port_ranges"] == ["13312-13567"], p)
    check(p["tunnel_source"] == "2001:db8:1200:0:0:c633:6412:34".replace(":0:0:", "::"), p["tunnel_source"])
    check(p["br"] == "2001:db8:ffff::2", p)
    return "lw4o6 198.51.100.18 PSID 52 via 2001:db8:ffff::2"


def test_dslite_resolves_aftr(lab):
    c = Cpe(lab, DSLITE, dns=True)
    c.start()
    c.wait_mode("dslite")
    s = wait_for(lambda: (s := c.status()) and s["plan"].get("aftr") == AFTR_ADDR and s, 8, what="AFTR resolved")
    check(s["plan"]["aftr_name"] == "aftr.example.net", s["plan"])
    check(s["plan"]["b4_ipv4"] == "192.0.0.2", s["plan"])
    check(s["plan"]["aftr_status"].startswith("aftr resolved: aftr.example.net -> " + AFTR_ADDR), s["plan"]["aftr_status"])
    return s["plan"]["aftr_status"]


def test_all_three_priority_orders(lab):
    c = Cpe(lab, MAPE + LW + DSLITE + prio(96, 94, 64), dns=True)
    c.start()
    s = c.wait_mode("lw4o6")
    check("option 111 prefers lw4o6" in s["reason"], s["reason"])
    c.kea.reload(MAPE + LW + DSLITE + prio(64, 96, 94))
    c.ctl("renew")
    s = c.wait_mode("dslite")
    check(s["transitions"] == 2, f"exactly one switch on the renew, got {s['transitions']} transitions")
    c.kea.reload(MAPE + LW + DSLITE + prio(94, 96, 64))
    c.ctl("renew")
    s = c.wait_mode("mape")
    check(s["transitions"] == 3, s["transitions"])
    return "111 [96,94,64] -> lw4o6, [64,96,94] -> dslite, [94,96,64] -> mape, one transition each"


def test_renew_unchanged_changes_nothing(lab):
    c = Cpe(lab, MAPE)
    c.start()
    c.wait_mode("mape")
    c.ctl("renew")
    wait_for(lambda: (s := c.status()) and s["dhcp_state"] == "Bound" and s, 5, what="renewed")
    time.sleep(0.3)
    s = c.status()
    check(s["transitions"] == 1, f"an unchanged Renew must not transition: {s['transitions']}")
    journal = json.loads(c.ctl("journal", "--json"))
    kinds = [e["kind"] for e in journal["events"]]
    check("lease_renewed" in kinds, kinds)
    return "renew with the same options: no transition"


def test_server_gone_rebind_expiry(lab):
    # Short lifetimes: T1 1 s, T2 2 s, preferred 3 s, valid 4 s.
    c = Cpe(lab, MAPE, timers=(1, 2, 3, 4))
    c.start()
    c.wait_mode("mape")
    c.kea.stop()
    states = set()
    deadline = time.monotonic() + 8
    while time.monotonic() < deadline:
        s = c.status()
        if s:
            states.add(s["dhcp_state"])
            if s["mode"] == "none":
                break
        time.sleep(0.05)
    check(s["mode"] == "none", f"mode torn down at expiry: {s['mode']}")
    check("Renewing" in states and "Rebinding" in states, f"states seen: {states}")
    check("lease expired" in s["reason"], s["reason"])
    return f"states {sorted(states)} then mode none"


def test_restart_restores_before_server_answers(lab):
    c = Cpe(lab, LW)
    c.start()
    c.wait_mode("lw4o6")
    c.kill_daemon()  # power loss: no Release
    c.kea.stop()     # the server will not answer the Rebind
    t0 = time.monotonic()
    c.start()
    s = c.wait_mode("lw4o6", timeout=3)
    took = time.monotonic() - t0
    check(s["dhcp_state"] == "Rebinding", f"restored and confirming with Rebind: {s['dhcp_state']}")
    check(s["plan"]["ipv4"] == "198.51.100.18", s["plan"])
    return f"lw4o6 restored from SQLite {took * 1000:.0f} ms after start, server silent"


def test_solicit_on_the_wire(lab):
    """tshark decodes what s46d sends: ORO, IA_NA, IA_PD, client id (an independent check)."""
    if not os.path.exists("/usr/bin/tshark"):
        return "SKIP tshark not installed"
    c = Cpe(lab, MAPE, rapid_commit=False)
    pcap = os.path.join(lab.tmp, "dhcp6.pcap")
    cap = lab.spawn("tshark", "-i", "wan0", "-w", pcap, "-f", "udp port 547 or udp port 546", ns=c.cpe)
    wait_for(lambda: os.path.exists(pcap) and os.path.getsize(pcap) > 0, 10, what="tshark capturing")
    c.start()
    c.wait_mode("mape")
    time.sleep(0.3)
    lab.stop(cap)
    out = subprocess.run(["tshark", "-r", pcap, "-Y", "dhcpv6.msgtype == 1 || dhcpv6.msgtype == 3", "-T", "fields",
                          "-e", "dhcpv6.msgtype", "-e", "dhcpv6.requested_option_code", "-e", "dhcpv6.iaid",
                          "-e", "dhcpv6.duidll.link_layer_addr"], capture_output=True, text=True).stdout
    lines = [l.split("\t") for l in out.strip().splitlines()]
    check(len(lines) >= 2, f"tshark saw Solicit and Request: {out}")
    for msgtype, oro, iaids, mac in lines:
        codes = {int(x) for x in oro.split(",")}
        check({23, 24, 64, 94, 95, 96, 111} <= codes, f"ORO of message {msgtype}: {sorted(codes)}")
        check({int(x, 16) for x in iaids.split(",")} >= {1, 2}, f"IA_NA and IA_PD iaids: {iaids}")
        check(mac == "02:00:00:00:00:01", f"DUID-LL from the WAN MAC: {mac}")
    return f"{len(lines)} client messages decoded, ORO {sorted(codes)}"


def test_bad_control_requests_keep_daemon_alive(lab):
    c = Cpe(lab, MAPE)
    c.start()
    c.wait_mode("mape")
    r = subprocess.run([S46CTL, "--control-socket", c.sock, "provision", "--options-hex", "00400003016100",
                        "--delegated-prefix", "2001:db8:99::/56"], capture_output=True, text=True)
    check(r.returncode == 0, r.stderr)
    s = c.status()
    check(s["mode"] == "none" and s["source"] == "external", s["mode"])
    check(any(x["option"] == 64 for x in s["rejected"]), s["rejected"])
    import socket
    with socket.socket(socket.AF_UNIX) as raw:
        raw.connect(c.sock)
        raw.sendall(b"this is not json\n")
        answer = json.loads(raw.recv(4096).decode())
    check(answer["ok"] is False and "not JSON" in answer["error"], answer)
    check(c.daemon.poll() is None, "daemon still running")
    return "malformed provisioning and control input rejected, daemon alive"


SCENARIOS = [test_mape_rapid_commit, test_four_message_exchange, test_lw4o6, test_dslite_resolves_aftr,
             test_all_three_priority_orders, test_renew_unchanged_changes_nothing, test_server_gone_rebind_expiry,
             test_restart_restores_before_server_answers, test_solicit_on_the_wire, test_bad_control_requests_keep_daemon_alive]


def main():
    skip_unless_root("the provisioning integration suite")
    for tool in ("dnsmasq", "kea-dhcp6"):
        if not any(os.path.exists(f"{d}/{tool}") for d in ("/usr/sbin", "/usr/bin")):
            print(f"SKIP: needs {tool}")
            sys.exit(77)
    run_scenarios(SCENARIOS, sys.argv[2:])

if __name__ == "__main__":
    main()
