#!/usr/bin/python3
"""Issue-9 fault suite: s46d as a product under the faults a CPE meets, against a real kea-dhcp6.

Same structure as provisioning_test.py (whose Cpe it reuses): each scenario builds its own
namespaces (netlab.Lab, unique per run, torn down on every exit path), starts Kea, runs s46d on
the CPE side and checks real effects: Kea's packet log, the CPE namespace's links, addresses,
routes and rules, files on disk, the daemon's CPU time, what the control socket answers.

The wall-clock scenarios need Debian's libfaketime (package faketime); without it they report
"SKIP <name>: needs libfaketime", never a pass.

Usage: faults_test.py BUILD_DIR [SCENARIO...]     (root; exits 77 = skipped otherwise, or when
every selected scenario was skipped)
"""
import json
import os
import re
import resource
import signal
import socket
import stat
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import netlab  # noqa: E402
from netlab import run, run_scenarios, skip_unless_root, wait_for  # noqa: E402
import provisioning_test as P  # noqa: E402  (Cpe, the Kea option sets; reads BUILD from argv[1] too)
from provisioning_test import DSLITE, LW, MAPE, check, prio  # noqa: E402

S46D, S46CTL = P.S46D, P.S46CTL
FAKETIME_LIB = "/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1"
CLOCK_BOOTTIME = 7
netlab.Kea.debuglevel = 45  # Kea's log names what it received too (RELEASE, RENEW, REBIND)


# ---------------------------------------------------------------------------------------------
# Helpers

class Cpe(P.Cpe):
    """provisioning_test's Cpe, plus: an environment for s46d (libfaketime), starting without
    waiting for the socket (for instances that must refuse), and an optional LAN interface."""

    def __init__(self, lab, options, lan=False, **kw):
        super().__init__(lab, options, **kw)
        if lan:
            # The LAN port, as tests/lab has it: a veth to a LAN host namespace.
            self.lan = lab.ns("lan")
            lab.link(self.lan, "eth0", self.cpe, "lan0")
            run("ip", "addr", "add", "10.0.0.2/24", "dev", "eth0", ns=self.lan)
            run("ip", "addr", "add", "10.0.0.1/24", "dev", "lan0", ns=self.cpe)

    def spawn(self, *extra, env=None, sock=None, state=None, ns=None, log=None):
        return self.lab.spawn(S46D, "--wan-interface", "wan0", "--state-dir", state or self.state,
                              "--control-socket", sock or self.sock, "--solicit-delay", "0", "--verbose", *extra,
                              ns=ns or self.cpe, log=log or self.log, env=env)

    def start(self, *extra, env=None):
        self.daemon = self.spawn(*extra, env=env)
        wait_for(lambda: os.path.exists(self.sock) or self.daemon.poll() is not None, 5, what="s46d control socket")
        check(self.daemon.poll() is None, f"s46d exited ({self.daemon.returncode}): {tail(self.log)}")

    def ctl_raw(self, *args, sock=None):
        return subprocess.run([S46CTL, "--control-socket", sock or self.sock, *args], capture_output=True, text=True,
                              timeout=10)

    def journal_kinds(self):
        return [e["kind"] for e in json.loads(self.ctl("journal", "--json"))["events"]]


def tail(path, n=1500):
    try:
        return open(path, errors="replace").read()[-n:]
    except OSError:
        return ""


KEA_TS = re.compile(r"^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+)")


def kea_packets(cpe):
    """[(wall time, 'recv'|'send', TYPE)] from Kea's packet log."""
    out = []
    for line in open(cpe.kea.log_path, errors="replace"):
        m = KEA_TS.match(line)
        if not m:
            continue
        t = time.mktime(time.strptime(m.group(1).split(".")[0], "%Y-%m-%d %H:%M:%S")) + float("0." + m.group(1).split(".")[1])
        if "DHCP6_PACKET_SEND" in line and "packet " in line:
            out.append((t, "send", line.split("packet ", 1)[1].split()[0]))
        elif "DHCP6_PACKET_RECEIVED" in line:
            mt = re.search(r": (\w+) \(type \d+\) received", line)
            if mt:
                out.append((t, "recv", mt.group(1)))
    return out


def ns_state(ns):
    """What a daemon can leave behind in a namespace: links, addresses, routes (all tables), rules."""
    def j(*args):
        out = run("ip", "-j", *args, ns=ns).stdout.strip()
        return json.loads(out) if out else []
    links = {(l["ifname"], l.get("operstate")) for l in j("link", "show")}
    addrs = {(a["ifname"], i["family"], i["local"], i["prefixlen"]) for a in j("addr", "show") for i in a.get("addr_info", [])}
    routes = set()
    for fam in ("-4", "-6"):
        for r in j(fam, "route", "show", "table", "all"):
            routes.add((fam, r.get("type", "unicast"), r.get("dst"), r.get("dev"), r.get("table", "main"), r.get("gateway")))
    rules = {(fam, r.get("priority"), r.get("src"), r.get("dst"), r.get("table"), r.get("fwmark"))
             for fam in ("-4", "-6") for r in j(fam, "rule", "show")}
    return {"links": links, "addrs": addrs, "routes": routes, "rules": rules}


def ns_diff(before, after):
    out = []
    for k in before:
        extra, gone = after[k] - before[k], before[k] - after[k]
        if extra:
            out.append(f"{k} left behind: {sorted(map(str, extra))}")
        if gone:
            out.append(f"{k} removed: {sorted(map(str, gone))}")
    return out


def cpu_ticks(pid):
    f = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return int(f[11]) + int(f[12])  # utime, stime (fields 14, 15)


def request(path, payload, timeout=10):
    """One raw control connection: send payload, read until the server closes or a line ends."""
    with socket.socket(socket.AF_UNIX) as s:
        s.settimeout(timeout)
        s.connect(path)
        try:
            s.sendall(payload)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server may close early on an oversized request; what it sent is still readable
        data = b""
        try:
            while not data.endswith(b"\n"):
                chunk = s.recv(65536)
                if not chunk:
                    break
                data += chunk
        except ConnectionResetError:
            pass
        return data


def sigterm(c, what=""):
    """SIGTERM to s46d; it must exit 0 within 5 s. Returns how long it took, in seconds."""
    t0 = time.monotonic()
    c.daemon.send_signal(signal.SIGTERM)
    try:
        rc = c.daemon.wait(5)
    except subprocess.TimeoutExpired:
        raise AssertionError(f"s46d still running 5 s after SIGTERM{what}: {tail(c.log, 400)}")
    took = time.monotonic() - t0
    check(rc == 0, f"exit status {rc} after SIGTERM{what}: {tail(c.log, 400)}")
    return took


def faketime_env(tsfile):
    return dict(os.environ, LD_PRELOAD=FAKETIME_LIB, FAKETIME_TIMESTAMP_FILE=tsfile, FAKETIME_NO_CACHE="1",
                DONT_FAKE_MONOTONIC="1")


def faketime_probe(lab):
    """Under the settings s46d gets: CLOCK_REALTIME follows the file, CLOCK_BOOTTIME does not."""
    tsfile = os.path.join(lab.tmp, "probe.faketime")
    code = ("import time;print(time.clock_gettime(0), time.clock_gettime(7))")
    out = {}
    for offset in ("+0", "+365d", "-365d"):
        open(tsfile, "w").write(offset + "\n")
        real_boot = time.clock_gettime(CLOCK_BOOTTIME)
        r = subprocess.run([sys.executable, "-c", code], env=faketime_env(tsfile), capture_output=True, text=True, timeout=10)
        rt, bt = map(float, r.stdout.split())
        out[offset] = (rt - time.time(), bt - real_boot)
    day = 86400
    check(abs(out["+0"][0]) < 5 and abs(out["+365d"][0] - 365 * day) < 5 and abs(out["-365d"][0] + 365 * day) < 5,
          f"libfaketime did not move CLOCK_REALTIME as asked: {out}")
    check(all(abs(b) < 5 for _, b in out.values()), f"libfaketime moved CLOCK_BOOTTIME (DONT_FAKE_MONOTONIC=1): {out}")
    return out


# ---------------------------------------------------------------------------------------------
# Scenarios

def test_sigterm_releases_and_cleans_up(lab):
    """SIGTERM: Release to Kea, exit 0 within 5 s, nothing s46d made left in the CPE namespace."""
    c = Cpe(lab, DSLITE, dns=True, lan=True)
    before = ns_state(c.cpe)
    c.start("--dataplane", "userspace", "--lan-interface", "lan0")
    s = wait_for(lambda: (s := c.status()) and s["mode"] == "dslite" and s["plan"].get("aftr") and s, 8, what="dslite up")
    # What s46d set up must be visible, or "nothing left" below would prove nothing.
    up = wait_for(lambda: (st := ns_state(c.cpe)) and ("s46tun0", "inet", "192.0.0.2", 32) in st["addrs"] and st,
                  5, what="s46tun0 with 192.0.0.2")
    added = ns_diff(before, up)
    tunnel_local = s["plan"]["tunnel_source"]
    check(("wan0", "inet6", tunnel_local, 128) in up["addrs"], f"tunnel source /128 on wan0: {tunnel_local} {added}")
    check(("-4", "unicast", "default", "s46tun0", "main", None) in up["routes"], f"IPv4 default route via s46tun0: {added}")
    mark = len(kea_packets(c))
    took = sigterm(c)
    time.sleep(0.2)  # Kea logs the Release it answered
    pk = kea_packets(c)[mark:]
    check(("recv", "RELEASE") in [p[1:] for p in pk], f"Kea saw no Release after SIGTERM: {pk}")
    kea_log = open(c.kea.log_path, errors="replace").read()
    check("DHCP6_RELEASE_NA" in kea_log and "DHCP6_RELEASE_PD" in kea_log and "released properly" in kea_log,
          "Kea released the address and the prefix (DHCP6_RELEASE_NA / DHCP6_RELEASE_PD)")
    after = ns_state(c.cpe)
    left = ns_diff(before, after)
    check(not left, f"s46d left state behind after SIGTERM: {left}")
    made = [f"{k[:-1]} {' '.join(str(x) for x in item[:4] if x)}"
            for k in up for item in sorted(map(tuple, up[k] - before[k]), key=str)
            if k != "routes" or item[4] == "main"]
    return f"Release seen by Kea, exit 0 in {took * 1000:.0f} ms; all removed of: {', '.join(made)}"


def test_sigterm_server_gone(lab):
    """SIGTERM while the server is gone: the Release goes unanswered, s46d still exits 0 within 5 s
    and still removes everything it set up."""
    c = Cpe(lab, LW, lan=True)
    before = ns_state(c.cpe)
    c.start("--dataplane", "userspace", "--lan-interface", "lan0")
    c.wait_mode("lw4o6")
    up = wait_for(lambda: (st := ns_state(c.cpe)) and any(l[0] == "s46tun0" for l in st["links"]) and st, 5, what="s46tun0")
    check(("-4", "unicast", "default", "s46tun0", "main", None) in up["routes"],
          f"IPv4 default route via s46tun0: {ns_diff(before, up)}")
    c.kea.stop()
    # While the Release waits for an answer, control requests that would change state are refused.
    c.daemon.send_signal(signal.SIGTERM)
    time.sleep(0.3)
    refused = c.ctl_raw("renew")
    check(refused.returncode != 0 and "shutting down" in refused.stderr,
          f"renew during the shutdown: exit {refused.returncode}, {refused.stderr.strip()}")
    took = sigterm(c, " with the server gone")
    left = ns_diff(before, ns_state(c.cpe))
    check(not left, f"s46d left state behind: {left}")
    return f"exit 0 without an answer to the Release; renew meanwhile refused ({refused.stderr.strip()[-60:]}); nothing left"


def test_kill9_restart_keeps_rebinding(lab):
    """kill -9, Kea gone, restart: restored from the store, still up and Rebinding 5 s later."""
    c = Cpe(lab, LW)
    c.start()
    c.wait_mode("lw4o6")
    c.kill_daemon()
    c.kea.stop()
    c.start()
    s = c.wait_mode("lw4o6", timeout=3)
    check(s["dhcp_state"] == "Rebinding", f"restored and rebinding: {s['dhcp_state']}")
    time.sleep(5)
    check(c.daemon.poll() is None, f"s46d exited while the server is silent: {tail(c.log, 400)}")
    s = c.status()
    check(s is not None, "status after 5 s without a server")
    check(s["mode"] == "lw4o6" and s["dhcp_state"] == "Rebinding",
          f"5 s later: mode {s['mode']}, {s['dhcp_state']}")
    return f"lw4o6 restored, still Rebinding 5 s after the restart ({s['transitions']} transitions since the restart)"


def state_file_modes(state):
    return {name: stat.S_IMODE(os.stat(os.path.join(state, name)).st_mode)
            for name in ("state.db", "state.db-wal", "state.db-shm") if os.path.exists(os.path.join(state, name))}


def test_state_files_private(lab):
    """state.db (and -wal, -shm if present) are 0600, on a fresh start and after kill -9 and a restart."""
    c = Cpe(lab, LW)
    c.start()
    c.wait_mode("lw4o6")
    fresh = state_file_modes(c.state)
    c.kill_daemon()
    c.start()
    c.wait_mode("lw4o6", timeout=3)
    again = state_file_modes(c.state)
    for when, modes in (("fresh", fresh), ("after kill -9 and restart", again)):
        check("state.db" in modes, f"{when}: state.db in {c.state}: {os.listdir(c.state)}")
        check(all(m == 0o600 for m in modes.values()), f"{when}: state files must be 0600: "
              f"{ {k: oct(v) for k, v in modes.items()} }")
    return f"0600: {', '.join(sorted(again))}"


def clock_step(lab, offset):
    probe = faketime_probe(lab)
    c = Cpe(lab, LW, timers=(4, 6, 8, 10))
    tsfile = os.path.join(lab.tmp, "s46d.faketime")
    open(tsfile, "w").write("+0\n")
    c.start(env=faketime_env(tsfile))
    c.wait_mode("lw4o6")
    replies = [p for p in kea_packets(c) if p[1:] == ("send", "REPLY")]
    check(len(replies) == 1, f"one Reply (rapid commit): {kea_packets(c)}")
    t_reply = replies[0][0]
    open(tsfile, "w").write(offset + "\n")
    t_step = time.time()
    seen, renewed = [], None
    deadline = time.monotonic() + 8
    while time.monotonic() < deadline:
        s = c.status()
        check(s is not None and c.daemon.poll() is None, f"s46d answers after the step: {tail(c.log, 400)}")
        seen.append((s["mode"], s["dhcp_state"]))
        check(s["mode"] == "lw4o6", f"mode after a {offset} wall-clock step: {s['mode']} ({s.get('reason')})")
        renews = [p for p in kea_packets(c) if p[1:] == ("recv", "RENEW")]
        if renews and not renewed:
            renewed = renews[0][0]
        if renewed and s["dhcp_state"] == "Bound" and len([p for p in kea_packets(c) if p[1:] == ("send", "REPLY")]) >= 2:
            break
        time.sleep(0.1)
    check(renewed is not None, f"no Renew within {time.time() - t_reply:.1f} s of the Reply (T1 4 s) after a "
          f"{offset} step; states {sorted(set(seen))}, Kea {kea_packets(c)}")
    at = renewed - t_reply
    # s46d keeps obtained_at in whole seconds, so T1 falls up to 1 s early; T2 (6 s) would be a Rebind.
    check(2.8 <= at <= 5.5, f"Renew {at:.2f} s after the Reply, T1 is 4 s")
    s = c.status()
    check(s["dhcp_state"] == "Bound" and s["mode"] == "lw4o6" and s["transitions"] == 1,
          f"after the Renew: {s['mode']} {s['dhcp_state']} {s['transitions']} transitions")
    check("lease_renewed" in c.journal_kinds(), f"journal: {c.journal_kinds()}")
    return (f"step {offset} {t_step - t_reply:.2f} s after the Reply; Renew at {at:.2f} s (T1 4 s), Bound, mode kept; "
            f"probe REALTIME offset {probe[offset][0] / 86400:+.0f} d, BOOTTIME {probe[offset][1]:+.2f} s")


def test_clock_step_forward_year(lab):
    return clock_step(lab, "+365d")


def test_clock_step_back_year(lab):
    return clock_step(lab, "-365d")


def test_sighup_reload(lab):
    c = Cpe(lab, MAPE + LW + prio(94, 96))
    conf = os.path.join(lab.tmp, "s46d.conf")
    # A whole file (--check-config reads it alone); s46d's flags (Cpe.spawn) override the same keys.
    base = {"interfaces": {"wan": "wan0"}, "control": {"socket": c.sock}, "state": {"directory": c.state}}
    json.dump(dict(base, selection={"mode": "auto"}), open(conf, "w"))
    c.start("--config", conf)
    s = c.wait_mode("mape")
    check(s["transitions"] == 1, s["transitions"])
    # A good file: mode pinned to lw4o6.
    json.dump(dict(base, selection={"mode": "lw4o6"}), open(conf, "w"))
    r = run(S46D, "--check-config", conf, check=False)
    check(r.returncode == 0, f"--check-config on a good file: {r.returncode} {r.stdout} {r.stderr}")
    c.daemon.send_signal(signal.SIGHUP)
    try:
        s = c.wait_mode("lw4o6", timeout=5)
    except TimeoutError:
        raise AssertionError(f"no lw4o6 5 s after SIGHUP with a good file (s46d exit status {c.daemon.poll()}, "
                             f"status {c.status() and c.status()['mode']}): {tail(c.log, 300)}")
    check(s["transitions"] == 2, f"exactly one more transition on the reload: {s['transitions']}")
    bad_files = [("invalid JSON", json.dumps(base)[:-1] + ', "selection": {"mode": "mape"'),
                 ("a bad value", json.dumps(dict(base, selection={"mode": "carrier-pigeon"}))),
                 ("a number no double holds", json.dumps(base)[:-1] + ', "tunnel": {"mtu": 1e999}}')]
    for what, text in bad_files:
        open(conf, "w").write(text)
        r = run(S46D, "--check-config", conf, check=False)
        check(r.returncode == 2, f"--check-config on {what}: exit {r.returncode}")
        lines_before = len(open(c.log, errors="replace").read().splitlines())
        c.daemon.send_signal(signal.SIGHUP)
        line = wait_for(lambda: next((l for l in open(c.log, errors="replace").read().splitlines()[lines_before:]
                                      if re.search(r"reload.*(reject|refus)|(reject|refus).*reload", l, re.I)), None),
                        5, what=f"a 'reload rejected' log line for {what}: {tail(c.log, 400)}")
        time.sleep(0.5)
        check(c.daemon.poll() is None, f"s46d died on a SIGHUP with {what}")
        s = c.status()
        check(s is not None and s["mode"] == "lw4o6" and s["transitions"] == 2,
              f"running configuration kept after {what}: {s and (s['mode'], s['transitions'])}")
        failures = s.get("counters", {}).get("reload_failures")
        check(failures in (None, bad_files.index((what, text)) + 1), f"reload_failures counter after {what}: {failures}")
    return f"good file: mape -> lw4o6 in one transition; bad files rejected ('...{line.strip()[-90:]}'), lw4o6 kept"


def test_second_instance_refused(lab):
    c = Cpe(lab, MAPE)
    c.start()
    c.wait_mode("mape")
    ino = os.stat(c.sock).st_ino
    # The second instance in a namespace of its own: only the control socket can stop it.
    other = lab.ns("cpe2")
    run("ip", "link", "add", "wan0", "type", "veth", "peer", "name", "wan0p", ns=other)
    for ifname in ("wan0", "wan0p"):
        run("ip", "link", "set", ifname, "up", ns=other)
    log2 = os.path.join(lab.tmp, "s46d-second.log")
    second = c.spawn(state=os.path.join(lab.tmp, "state2"), ns=other, log=log2)
    try:
        rc = second.wait(5)
    except subprocess.TimeoutExpired:
        raise AssertionError(f"a second s46d on the same control socket is still running after 5 s: {tail(log2, 300)}")
    out = tail(log2, 1000)
    check(rc != 0, f"second instance exit status {rc}")
    check("another s46d is running" in out, f"the refusal names the other instance: {out.strip()}")
    check(os.path.exists(c.sock) and os.stat(c.sock).st_ino == ino, "the first instance's socket was replaced or removed")
    s = c.status()
    check(s is not None and s["mode"] == "mape", "the first instance still answers status")
    check(c.daemon.poll() is None, "the first instance is still running")
    return f"second exited {rc}: {out.strip().splitlines()[-1][:120]}; first answers"


def test_second_instance_same_state_dir(lab):
    """Another control socket but the same state directory: refused too (the directory's lock)."""
    c = Cpe(lab, MAPE)
    c.start()
    c.wait_mode("mape")
    other_sock = os.path.join(lab.tmp, "other.sock")
    second = c.spawn(sock=other_sock, log=os.path.join(lab.tmp, "second.log"))
    try:
        rc = second.wait(5)
    except subprocess.TimeoutExpired:
        raise AssertionError("a second s46d on the same state directory is still running")
    msg = tail(os.path.join(lab.tmp, "second.log"), 400)
    check(rc != 0 and "another s46d is running on state directory" in msg, f"exit {rc}: {msg}")
    check(c.status()["mode"] == "mape", "the first still answers")
    return f"refused (exit {rc}): {msg.strip().splitlines()[-1][:120]}"


def test_socket_path_regular_file(lab):
    c = Cpe(lab, MAPE)
    content = "precious data, not a socket\n"
    open(c.sock, "w").write(content)
    p = c.spawn()
    try:
        rc = p.wait(5)
    except subprocess.TimeoutExpired:
        raise AssertionError(f"s46d started on a control socket path that is a regular file: {tail(c.log, 300)}")
    out = tail(c.log, 1000).strip()
    check(rc != 0, f"exit status {rc}")
    check(c.sock in out or "regular file" in out, f"the message names the path: {out}")
    check(os.path.isfile(c.sock) and not stat.S_ISSOCK(os.stat(c.sock).st_mode), "the regular file is gone or replaced")
    check(open(c.sock).read() == content, "the file's content changed")
    return f"refused (exit {rc}): {out.splitlines()[-1][:120]}; file intact"


def test_bad_control_requests(lab):
    c = Cpe(lab, MAPE)
    c.start()
    c.wait_mode("mape")
    notes = []

    def alive(after):
        check(c.daemon.poll() is None, f"s46d died after {after}: {tail(c.log, 300)}")
        s = c.status()
        check(s is not None and s["mode"] == "mape", f"status after {after}")

    # Invalid UTF-8: an error reply, with the protocol version.
    reply = request(c.sock, b'{"command":"status\xff"}\n')
    check(reply, "no reply to invalid UTF-8")
    ans = json.loads(reply.decode())
    check(ans.get("ok") is False and ans.get("version") == 1, f"invalid UTF-8 answered with an error, version 1: {ans}")
    alive("invalid UTF-8")
    notes.append(f"invalid UTF-8 -> {ans.get('error')!r}")
    # 1 MiB request: an error reply or a close, never a served request; the daemon stays bounded.
    rss0 = int(re.search(r"VmRSS:\s+(\d+)", open(f"/proc/{c.daemon.pid}/status").read()).group(1))
    t0 = time.monotonic()
    reply = request(c.sock, b'{"command":"status","pad":"' + b"a" * (1 << 20) + b'"}\n', timeout=10)
    took = time.monotonic() - t0
    if reply:
        ans = json.loads(reply.decode())
        check(ans.get("ok") is False and ans.get("version") == 1, f"1 MiB request answered with an error: {str(ans)[:200]}")
        notes.append(f"1 MiB -> {ans.get('error')!r} in {took:.2f} s")
    else:
        notes.append(f"1 MiB -> closed in {took:.2f} s")
    rss1 = int(re.search(r"VmRSS:\s+(\d+)", open(f"/proc/{c.daemon.pid}/status").read()).group(1))
    alive("a 1 MiB request")
    # Idle: the server closes it after about 5 s, and serves others meanwhile.
    with socket.socket(socket.AF_UNIX) as idle:
        idle.connect(c.sock)
        idle.settimeout(12)
        t0 = time.monotonic()
        s = c.status()
        check(s is not None, "status while an idle connection is open")
        try:
            data = idle.recv(4096)
        except socket.timeout:
            raise AssertionError("an idle connection still open after 12 s")
        except ConnectionResetError:
            data = b""
        closed_after = time.monotonic() - t0
    check(3.5 <= closed_after <= 8, f"idle connection closed after {closed_after:.1f} s (5 s default)")
    if data:
        ans = json.loads(data.decode())
        check(ans.get("ok") is False and ans.get("version") == 1, f"idle close reply: {ans}")
    alive("an idle connection")
    notes.append(f"idle closed after {closed_after:.1f} s")
    ans = json.loads(request(c.sock, b'{"command":"status"}\n').decode())
    check(ans.get("version") == 1 and ans.get("ok") is True, f"a good request still served, version 1: {str(ans)[:200]}")
    return "; ".join(notes) + f"; RSS {rss0} -> {rss1} KiB"


def test_descriptor_exhaustion(lab):
    c = Cpe(lab, MAPE)
    c.start()
    c.wait_mode("mape")
    pid = c.daemon.pid
    check(os.readlink(f"/proc/{pid}/exe").endswith("s46d"), f"pid {pid} is s46d")
    nfd = lambda: len(os.listdir(f"/proc/{pid}/fd"))  # noqa: E731
    # 64 descriptors, or fewer when s46d bounds its control connections below that (it answers
    # "too many" and closes): the accept() must really run out of descriptors.
    base = nfd()
    limit = min(64, base + 8)
    run("prlimit", "--pid", str(pid), f"--nofile={limit}:{limit}")
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, 4096), max(hard, 4096)))
    conns = []
    try:
        t0 = time.monotonic()
        for _ in range(200):
            s = socket.socket(socket.AF_UNIX)
            s.setblocking(False)
            try:
                s.connect(c.sock)
            except BlockingIOError:
                s.close()
                break
            conns.append(s)
        wait_for(lambda: nfd() >= limit - 1, 3, what=f"s46d at its descriptor limit {limit}")
        fds = nfd()
        hz = os.sysconf("SC_CLK_TCK")
        c0, w0 = cpu_ticks(pid), time.monotonic()
        time.sleep(2)
        used = (cpu_ticks(pid) - c0) / hz / (time.monotonic() - w0)
        check(time.monotonic() - t0 < 4.5, "measurement overran the idle timeout; the load was too slow")
        check(c.daemon.poll() is None, "s46d died at the descriptor limit")
        check(used < 0.10, f"s46d used {used * 100:.0f} % CPU while out of descriptors (must not spin)")
    finally:
        for s in conns:
            s.close()
    s = wait_for(lambda: c.status(), 8, what="status after the connections closed")
    check(s["mode"] == "mape", s["mode"])
    return (f"{len(conns)} connections, s46d at {fds}/{limit} descriptors ({base} before), "
            f"CPU {used * 100:.1f} % over 2 s; status answers again")


def test_control_group(lab):
    tag = lab.tag[-12:]
    group, user = f"s46g{tag}"[:31], f"s46u{tag}"[:31]
    run("groupadd", "--system", group)
    try:
        run("useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", "--gid", "nogroup",
            "--groups", group, user)
        try:
            c = Cpe(lab, MAPE)
            os.chmod(lab.tmp, 0o711)
            ctl_dir = os.path.join(lab.tmp, "run")
            os.mkdir(ctl_dir, 0o755)
            os.chmod(ctl_dir, 0o755)
            c.sock = os.path.join(ctl_dir, "control.sock")
            c.start("--control-group", group)
            c.wait_mode("mape")
            st = os.stat(c.sock)
            import grp
            check(stat.S_IMODE(st.st_mode) == 0o660, f"socket mode {oct(stat.S_IMODE(st.st_mode))}")
            check(st.st_gid == grp.getgrnam(group).gr_gid, f"socket group {st.st_gid}, want {group}")
            as_nobody = subprocess.run(["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups",
                                        S46CTL, "--control-socket", c.sock, "status", "--json"],
                                       capture_output=True, text=True, timeout=10)
            check(as_nobody.returncode != 0, f"nobody was served: {as_nobody.stdout[:200]}")
            check("permission" in (as_nobody.stderr + as_nobody.stdout).lower(),
                  f"the refusal mentions permission: {as_nobody.stderr.strip()}")
            as_member = subprocess.run(["setpriv", f"--reuid={user}", "--regid=nogroup", "--init-groups",
                                        S46CTL, "--control-socket", c.sock, "status", "--json"],
                                       capture_output=True, text=True, timeout=10)
            check(as_member.returncode == 0, f"member of {group} refused: {as_member.stderr.strip()}")
            j = json.loads(as_member.stdout)
            check(j.get("s46d", j)["mode"] == "mape", as_member.stdout[:200])
            return f"socket 0660 group {group}; nobody: {as_nobody.stderr.strip()[:100]}; member served"
        finally:
            subprocess.run(["userdel", user], capture_output=True)
    finally:
        subprocess.run(["groupdel", group], capture_output=True)


def test_waits_for_wan_interface(lab):
    """A WAN interface that does not exist yet (a VLAN or PPP device made later in boot) is waited
    for with a log line, not fatal; s46d provisions once it appears."""
    c = Cpe(lab, MAPE)
    run("ip", "link", "set", "wan0", "down", ns=c.cpe)
    run("ip", "link", "set", "wan0", "name", "wanx", ns=c.cpe)  # wan0 is gone
    c.start("--wan-interface", "wan0")  # the later flag wins over Cpe's own --wan-interface
    s = wait_for(lambda: (s := c.status()) and s, 5, what="status while waiting")
    check(s["mode"] == "none" and "waiting for the WAN interface" in s["dhcp_state"], f"while waiting: {s['mode']}, {s['dhcp_state']}")
    check("waiting for WAN interface wan0 to appear" in tail(c.log), f"the wait is logged: {tail(c.log, 300)}")
    time.sleep(1.5)
    check(c.daemon.poll() is None, f"s46d exited while waiting: {tail(c.log, 300)}")
    t0 = time.monotonic()
    run("ip", "link", "set", "wanx", "name", "wan0", ns=c.cpe)
    run("ip", "link", "set", "wan0", "up", ns=c.cpe)
    s = c.wait_mode("mape", timeout=8)
    took = time.monotonic() - t0
    check(s["dhcp_state"] == "Bound", s["dhcp_state"])
    return f"waited (status: {s['dhcp_state']} after), mape {took:.1f} s after wan0 appeared"


CAP_NET_BIND_SERVICE, CAP_NET_ADMIN, CAP_NET_RAW = 10, 12, 13


def proc_status(pid):
    return dict(line.split(":", 1) for line in open(f"/proc/{pid}/status") if ":" in line)


def test_runs_unprivileged(lab):
    """--user/--group: after setup s46d runs as that user with exactly CAP_NET_ADMIN, CAP_NET_RAW and
    CAP_NET_BIND_SERVICE (none more in the bounding set), the state files are the user's, the userspace
    data plane still comes up, and SIGTERM still tears it down and Releases."""
    import pwd
    c = Cpe(lab, LW, lan=True)
    before = ns_state(c.cpe)
    c.start("--dataplane", "userspace", "--lan-interface", "lan0", "--user", "nobody", "--group", "nogroup")
    s = c.wait_mode("lw4o6")
    try:
        wait_for(lambda: any(l[0] == "s46tun0" for l in ns_state(c.cpe)["links"]), 5, what="s46tun0")
    except TimeoutError:
        raise AssertionError(f"no s46tun0 as nobody: {c.status().get('last_error')}: {tail(c.log, 600)}")
    st = proc_status(c.daemon.pid)
    nobody = pwd.getpwnam("nobody").pw_uid
    uids = [int(x) for x in st["Uid"].split()]
    check(uids == [nobody] * 4, f"uids (real, effective, saved, fs) {uids}, want nobody ({nobody})")
    want = (1 << CAP_NET_BIND_SERVICE) | (1 << CAP_NET_ADMIN) | (1 << CAP_NET_RAW)
    caps = {k: int(st[k].strip(), 16) for k in ("CapEff", "CapPrm", "CapBnd", "CapInh", "CapAmb")}
    shown = {k: hex(v) for k, v in caps.items()}
    check(caps["CapEff"] == want and caps["CapPrm"] == want, f"capabilities {shown}, want effective = permitted = {hex(want)}")
    # Nothing beyond the three can come back through an exec (libcap-ng empties the bounding set).
    check(caps["CapBnd"] & ~want == 0 and caps["CapInh"] == 0 and caps["CapAmb"] == 0, f"bounding/inheritable/ambient {shown}")
    owners = {name: os.stat(os.path.join(c.state, name)).st_uid for name in os.listdir(c.state) if name.startswith("state.db")}
    check(owners and all(u == nobody for u in owners.values()), f"state files owned by {owners}")
    # Still able to write its store as nobody: a Renew is journalled.
    c.ctl("renew")
    wait_for(lambda: "lease_renewed" in c.journal_kinds(), 5, what="lease_renewed journalled as nobody")
    mark = len(kea_packets(c))
    sigterm(c, " as nobody")
    time.sleep(0.2)
    check(("recv", "RELEASE") in [p[1:] for p in kea_packets(c)[mark:]], "Kea saw the Release")
    left = ns_diff(before, ns_state(c.cpe))
    check(not left, f"left behind after SIGTERM as nobody: {left}")
    return f"uid nobody, CapEff/CapPrm {hex(want)}, CapBnd {shown['CapBnd']}, lw4o6 {s['plan']['ipv4']} up, renew journalled, SIGTERM clean"


def test_unprivileged_refuses_foreign_state_dir(lab):
    """--user with an existing state directory the user cannot write: s46d refuses to start rather
    than take the directory over (it may be shared), and leaves its owner alone."""
    c = Cpe(lab, MAPE)
    os.makedirs(c.state, mode=0o700)
    os.chmod(c.state, 0o700)
    proc = c.spawn("--user", "nobody")
    try:
        rc = proc.wait(5)
    except subprocess.TimeoutExpired:
        raise AssertionError("s46d runs as nobody on a state directory nobody cannot write")
    msg = tail(c.log, 400)
    check(rc != 0 and "is not writable by nobody" in msg, f"exit {rc}: {msg}")
    check(os.stat(c.state).st_uid == 0, f"the directory's owner changed to {os.stat(c.state).st_uid}")
    return f"refused (exit {rc}): {msg.strip().splitlines()[-1][:140]}"


def test_vendor_hooks(lab):
    """Vendor hooks (docs/integration.md): "up" with the plan when the mode comes up, "down" at
    SIGTERM; a hook that hangs is killed at the timeout while s46d keeps answering."""
    c = Cpe(lab, MAPE)
    hooks = os.path.join(lab.tmp, "hooks.d")
    os.makedirs(hooks)
    record = os.path.join(lab.tmp, "hooks.log")
    with open(os.path.join(hooks, "10-record"), "w") as f:
        f.write("#!/bin/sh\nread -r json\n"
                f'echo "$S46_EVENT $S46_MODE $S46_IPV4 psid=$S46_PSID/$S46_PSID_LEN $json" >> {record}\n')
    with open(os.path.join(hooks, "20-hang"), "w") as f:
        f.write("#!/bin/sh\nsleep 60\n")
    for n in ("10-record", "20-hang"):
        os.chmod(os.path.join(hooks, n), 0o755)
    c.start("--dataplane", "none", "--hooks-dir", hooks, "--hook-timeout", "1")
    wait_for(lambda: os.path.exists(record) and "up mape" in open(record).read(), 10, what="the up hook")
    # While 20-hang sleeps, the control socket answers at once.
    t0 = time.monotonic()
    s = c.status()
    answer_ms = (time.monotonic() - t0) * 1000
    check(s["mode"] == "mape", f"status during a hanging hook: {s.get('mode')}")
    line = open(record).read().splitlines()[0]
    check(line.startswith(f"up mape {s['plan']['ipv4']} psid={s['plan']['psid']}/{s['plan']['psid_len']} "),
          f"the hook's environment: {line}")
    check(json.loads(line.split(" ", 4)[4])["plan"]["psid"] == s["plan"]["psid"], f"the hook's stdin: {line}")
    wait_for(lambda: "hook 20-hang (up): killed after the 1000 ms timeout" in open(c.log).read(), 5, what="the hang killed")
    took = sigterm(c)
    lines = open(record).read().splitlines()
    check(len(lines) == 2 and lines[1].startswith("down none "), f"the down hook at SIGTERM: {lines}")
    return f"up and down seen with the plan, status answered in {answer_ms:.0f} ms during a hanging hook, exit in {took * 1000:.0f} ms"


def test_static_port_forwards(lab):
    """portmap add outside the port set: exit 2 naming the set; inside: listed, kept across kill -9
    and a restart, journaled; del removes it; the daemon keeps running through every refusal."""
    c = Cpe(lab, LW)  # PSID 52 of 8 bits, offset 0: 13312-13567
    c.start()
    c.wait_mode("lw4o6")
    r = c.ctl_raw("portmap", "add", "tcp", "80", "10.0.0.2")
    check(r.returncode == 2, f"outside the set: exit {r.returncode}, {r.stderr.strip()}")
    check("port 80 is not in this CPE's port set (198.51.100.18, PSID 52 of 8 bits, offset 0: 13312-13567)" in r.stderr,
          f"the refusal names the set: {r.stderr.strip()}")
    check(len(r.stderr.strip().splitlines()) == 1, f"one line: {r.stderr!r}")
    r = c.ctl_raw("portmap", "add", "tcp", "13400", "10.0.0.2:22")
    check(r.returncode == 0 and "forwarding tcp 13400 -> 10.0.0.2:22" in r.stdout, f"add: exit {r.returncode}, {r.stdout}{r.stderr}")
    r = c.ctl_raw("portmap", "add", "tcp", "13400", "10.0.0.3")
    check(r.returncode == 2 and "already forwarded" in r.stderr, f"duplicate: exit {r.returncode}, {r.stderr.strip()}")
    r = c.ctl_raw("portmap", "add", "udp", "13401", "224.0.0.5")
    check(r.returncode == 2 and "multicast" in r.stderr, f"multicast LAN host: exit {r.returncode}, {r.stderr.strip()}")
    want = [{"protocol": "tcp", "external_port": 13400, "lan_address": "10.0.0.2", "lan_port": 22, "enabled": True}]
    listed = json.loads(c.ctl("portmap", "list", "--json"))["forwards"]
    check(listed == want, f"listed: {listed}")
    check("tcp 13400 -> 10.0.0.2:22" in c.ctl("portmap"), "plain portmap shows the forward")

    c.kill_daemon()
    c.start()
    c.wait_mode("lw4o6", timeout=3)
    listed = json.loads(c.ctl("portmap", "list", "--json"))["forwards"]
    check(listed == want, f"after kill -9 and a restart: {listed}")
    check("port_forward" in c.journal_kinds(), "the add is journaled")

    r = c.ctl_raw("portmap", "del", "tcp", "13400")
    check(r.returncode == 0, f"del: exit {r.returncode}, {r.stderr.strip()}")
    check(json.loads(c.ctl("portmap", "list", "--json"))["forwards"] == [], "gone after del")
    r = c.ctl_raw("portmap", "del", "tcp", "13400")
    check(r.returncode == 2 and "no tcp forward on port 13400" in r.stderr, f"del again: exit {r.returncode}, {r.stderr.strip()}")
    check(c.daemon.poll() is None, f"s46d still running: {tail(c.log, 400)}")
    return "refused outside 13312-13567 naming the set; tcp 13400 kept across kill -9 + restart; deleted"


SCENARIOS = [test_sigterm_releases_and_cleans_up, test_sigterm_server_gone, test_kill9_restart_keeps_rebinding,
             test_state_files_private, test_clock_step_forward_year, test_clock_step_back_year, test_sighup_reload,
             test_second_instance_refused, test_second_instance_same_state_dir, test_socket_path_regular_file, test_bad_control_requests,
             test_descriptor_exhaustion, test_control_group, test_waits_for_wan_interface, test_runs_unprivileged,
             test_unprivileged_refuses_foreign_state_dir, test_vendor_hooks, test_static_port_forwards]


def main():
    skip_unless_root("the fault integration suite")
    os.environ["PATH"] += ":/usr/sbin:/sbin"
    for tool in ("dnsmasq", "kea-dhcp6", "prlimit", "setpriv"):
        if not any(os.path.exists(f"{d}/{tool}") for d in ("/usr/sbin", "/usr/bin")):
            print(f"SKIP: needs {tool}")
            sys.exit(77)
    run_scenarios(SCENARIOS, sys.argv[2:],
                  skip_reason=lambda sc: "needs libfaketime (apt-get install faketime)"
                  if sc.__name__.startswith("test_clock_step") and not os.path.exists(FAKETIME_LIB) else None)

if __name__ == "__main__":
    main()
