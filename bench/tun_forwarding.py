#!/usr/bin/python3
"""Issue 5: packets per second through s46d's TUN backend (--dataplane userspace, lw4o6) against
the kernel's own IPv4 forwarding between the same namespaces (docs/performance.md, "TUN backend
vs kernel forwarding").

    lan  eth0 10.0.0.2/24 ── lan0 10.0.0.1/24  cpe  wan0 2001:db8:0:1::2/64 ── p0 2001:db8:0:1::1/64  peer
                                                    198.18.1.1/24                198.18.1.2/24
    peer lo: lwAFTR 2001:db8:ffff::2/128, "internet" host 203.0.113.10/32

Run A (kernel): the cpe routes 203.0.113.0/24 via 198.18.1.2 (plain IPv4 forwarding, no NAT);
the peer routes 10.0.0.0/24 back via 198.18.1.1.
Run B (TUN backend): that route is removed, so the cpe's default route (s46tun0, installed by
s46d) carries LAN IPv4 into s46d: NAPT44 + lw4o6 encapsulation, out of the raw IPIP socket to the
lwAFTR address on the peer, where bench/tools/ipip_reflector counts (or, for the reverse
direction, learns the NAPT mappings and sends replies at full rate).
s46d is provisioned once with s46ctl provision (no Kea): an OPTION_S46_CONT_LW with a BIND of
192.0.2.18, PSID length 0 (the full address: NAPT may use every port) and BR 2001:db8:ffff::2.

Measurements (each --reps times, A and B interleaved, order alternating):
  out: LAN udp_blast send (16 source ports) -> 203.0.113.10:9, counted in the peer
  in:  peer -> LAN 10.0.0.2 ports 40000-40015 (B: through the NAPT reverse mappings, created by
       one outbound packet per flow first), counted by udp_blast on the LAN host
for each packet size (the IPv4 packet length, inner packet for B). Reports the rate delivered at
the far end (packets counted by the receiving program / time from its first to its last packet),
the ratio B/A of the medians, and s46d's CPU (utime+stime from /proc/<pid>/stat over the send window).

Usage: bench/tun_forwarding.py [--build DIR] [--reps 3] [--seconds 5] [--sizes 64,1400]
                               [--directions out,in] [--flows 16] [--rates 0,25000,...] [--json FILE]
--rates runs every case at each offered rate (packets/s per sender; 0 = flat out) and then also
reports, per path, the highest paced rate delivered with at most 1 % loss and the peak delivered
rate: flat out, the sender of run B competes with s46d for the same two cores and its excess
packets are dropped at the TUN queue or the IPIP socket, so the flat-out figure alone understates
what the TUN backend can carry.
Root only. Everything runs inside namespaces created for the run and removed on every exit path.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(ROOT, "tests", "integration"))
from netlab import Lab, run, wait_for  # noqa: E402

LAN_HOST, LAN_GW = "10.0.0.2", "10.0.0.1"
CPE_V4, PEER_V4 = "198.18.1.1", "198.18.1.2"
CPE_WAN6, PEER_WAN6 = "2001:db8:0:1::2", "2001:db8:0:1::1"
LWAFTR = "2001:db8:ffff::2"
INET_HOST = "203.0.113.10"
PUBLIC_V4 = "192.0.2.18"
DELEGATED = "2001:db8:12:3400::/56"
SPORTS = (40000, 40015)
DST_PORT = 9


def lw4o6_options_hex():
    """OPTION_S46_CONT_LW (96, RFC 7598 §5.3) holding
         OPTION_S46_V4V6BIND (92): 192.0.2.18, bind prefix 2001:db8:12:3400::/56,
             OPTION_S46_PORTPARAMS (93): offset 0, PSID length 0, PSID 0 (the whole address)
         OPTION_S46_BR (90): 2001:db8:ffff::2"""
    def opt(code, data):
        return code.to_bytes(2, "big") + len(data).to_bytes(2, "big") + data
    import ipaddress
    portparams = opt(93, bytes([0, 0]) + (0).to_bytes(2, "big"))
    prefix = ipaddress.IPv6Network(DELEGATED)
    bind = opt(92, ipaddress.IPv4Address(PUBLIC_V4).packed + bytes([prefix.prefixlen]) +
               prefix.network_address.packed[:(prefix.prefixlen + 7) // 8] + portparams)
    br = opt(90, ipaddress.IPv6Address(LWAFTR).packed)
    return opt(96, bind + br).hex()


def proc_cpu_seconds(pid):
    """(utime, stime) of the whole process (all threads), in seconds."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    hz = os.sysconf("SC_CLK_TCK")
    return int(fields[11]) / hz, int(fields[12]) / hz


def system_busy():
    """(busy, total) jiffies over all CPUs, from /proc/stat."""
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:]]
    idle = v[3] + v[4]
    return sum(v) - idle, sum(v)


def link_stats(ns, ifname):
    r = run("ip", "-s", "-j", "link", "show", ifname, ns=ns, check=False)
    try:
        s = json.loads(r.stdout)[0]["stats64"]
        return {"rx": s["rx"]["packets"], "rx_dropped": s["rx"]["dropped"], "tx": s["tx"]["packets"], "tx_dropped": s["tx"]["dropped"]}
    except (ValueError, KeyError, IndexError):
        return {}


def raw6_ipip_drops(ns):
    """Receive-buffer drops of the IPPROTO_IPIP raw sockets in a namespace (/proc/net/raw6, last column)."""
    total = 0
    for line in run("cat", "/proc/net/raw6", ns=ns).stdout.splitlines()[1:]:
        f = line.split()
        if len(f) > 12 and f[1].endswith(":0004"):
            total += int(f[-1])
    return total


def perf_counts(text):
    """perf stat -x, output -> {event: value}."""
    out = {}
    for line in text.splitlines():
        f = line.split(",")
        if len(f) > 2:
            try:
                out[f[2]] = float(f[0])
            except ValueError:
                pass
    return out


class Bench:
    def __init__(self, lab, build, seconds, flows, perf=False, rate=0, perf_record=None, s46d_nice=None, one_session=False):
        self.lab, self.seconds, self.flows, self.perf, self.rate = lab, seconds, flows, perf, rate
        self.perf_record, self.s46d_nice, self.one_session = perf_record, s46d_nice, one_session
        self.s46d_bin = os.path.join(build, "platform", "s46d")
        self.s46ctl_bin = os.path.join(build, "platform", "s46ctl")
        self.blast = os.path.join(build, "bench", "udp_blast")
        self.reflector = os.path.join(build, "bench", "ipip_reflector")
        for b in (self.s46d_bin, self.s46ctl_bin, self.blast, self.reflector):
            if not os.access(b, os.X_OK):
                raise SystemExit(f"missing {b}: build s46d s46ctl udp_blast ipip_reflector in {build}")
        self.sports = (SPORTS[0], SPORTS[0] + flows - 1)
        self.sock = os.path.join(lab.tmp, "s46d.sock")
        self.daemon = None
        self.kernel_route = False

    # ---------------------------------------------------------------------------------------
    def build_network(self):
        lab = self.lab
        self.lan, self.cpe, self.peer = lab.ns("lan"), lab.ns("cpe"), lab.ns("peer")
        lab.link(self.lan, "eth0", self.cpe, "lan0")
        lab.link(self.cpe, "wan0", self.peer, "p0")
        # Real checksums on the wire, as from a NIC (no CHECKSUM_PARTIAL shortcuts through veth).
        for ns, ifname in ((self.lan, "eth0"), (self.cpe, "lan0"), (self.cpe, "wan0"), (self.peer, "p0")):
            run("ethtool", "-K", ifname, "tx", "off", "tso", "off", "gso", "off", "gro", "off", ns=ns, check=False)
        run("ip", "addr", "add", f"{LAN_HOST}/24", "dev", "eth0", ns=self.lan)
        run("ip", "route", "add", "default", "via", LAN_GW, ns=self.lan)
        run("ip", "addr", "add", f"{LAN_GW}/24", "dev", "lan0", ns=self.cpe)
        run("ip", "addr", "add", f"{CPE_V4}/24", "dev", "wan0", ns=self.cpe)
        run("ip", "-6", "addr", "add", f"{CPE_WAN6}/64", "dev", "wan0", "nodad", ns=self.cpe)
        run("ip", "-6", "route", "add", "2001:db8:ffff::/64", "via", PEER_WAN6, ns=self.cpe)
        run("sysctl", "-qw", "net.ipv4.ip_forward=1", ns=self.cpe)
        run("ip", "addr", "add", f"{PEER_V4}/24", "dev", "p0", ns=self.peer)
        run("ip", "-6", "addr", "add", f"{PEER_WAN6}/64", "dev", "p0", "nodad", ns=self.peer)
        run("ip", "-6", "addr", "add", f"{LWAFTR}/128", "dev", "lo", ns=self.peer)
        run("ip", "addr", "add", f"{INET_HOST}/32", "dev", "lo", ns=self.peer)
        run("ip", "-6", "route", "add", DELEGATED, "via", CPE_WAN6, ns=self.peer)
        run("ip", "route", "add", "10.0.0.0/24", "via", CPE_V4, ns=self.peer)

    def start_s46d(self):
        state = os.path.join(self.lab.tmp, "state")
        self.log = os.path.join(self.lab.tmp, "s46d.log")
        cmd = (self.s46d_bin, "--wan-interface", "wan0", "--lan-interface", "lan0", "--dataplane", "userspace",
               "--state-dir", state, "--control-socket", self.sock, "--solicit-delay", "0", "--napt-host-share", "all")
        if self.one_session:
            self.daemon = subprocess.Popen(("ip", "netns", "exec", self.cpe) + cmd, stdout=open(self.log, "w"),
                                           stderr=subprocess.STDOUT, process_group=0)
            self.lab.procs.append(self.daemon)
        else:
            self.daemon = self.lab.spawn(*cmd, ns=self.cpe, log=self.log)
        wait_for(lambda: os.path.exists(self.sock) or self.daemon.poll() is not None, 5, what="s46d control socket")
        if self.daemon.poll() is not None:
            raise SystemExit("s46d exited: " + open(self.log).read()[-2000:])
        self.ctl("provision", "--options-hex", lw4o6_options_hex(), "--delegated-prefix", DELEGATED)
        st = wait_for(lambda: (s := self.status()) and s.get("mode") == "lw4o6" and s, 5, what="s46d mode lw4o6")
        self.plan = st["plan"]
        wait_for(lambda: "s46tun0" in run("ip", "route", "show", "default", ns=self.cpe).stdout, 5, what="default route via s46tun0")
        with open(f"/proc/{self.daemon.pid}/comm") as f:
            comm = f.read().strip()
        if comm != "s46d":
            raise SystemExit(f"pid {self.daemon.pid} is {comm}, not s46d")
        if self.s46d_nice is not None:
            # The nice value of s46d's main thread, and of its autogroup when it has a session of
            # its own (with sched_autogroup_enabled, nice only orders threads inside a session).
            os.setpriority(os.PRIO_PROCESS, self.daemon.pid, self.s46d_nice)
            if not self.one_session and os.path.exists(f"/proc/{self.daemon.pid}/autogroup"):
                with open(f"/proc/{self.daemon.pid}/autogroup", "w") as f:
                    f.write(str(self.s46d_nice))

    def ctl(self, *args):
        r = subprocess.run([self.s46ctl_bin, "--control-socket", self.sock, *args], capture_output=True, text=True, timeout=10)
        if r.returncode != 0:
            raise RuntimeError(f"s46ctl {' '.join(args)}: {r.stderr.strip()}")
        return r.stdout

    def status(self):
        try:
            # --json is the standard-named view (docs/control.md); the daemon's own status is its "s46d" member.
            return json.loads(self.ctl("status", "--json"))["s46d"]
        except (RuntimeError, ValueError):
            return None

    def use_kernel(self, on):
        """A: a specific route out of wan0 beats s46d's default route via the TUN. B: remove it."""
        if on and not self.kernel_route:
            run("ip", "route", "add", "203.0.113.0/24", "via", PEER_V4, "dev", "wan0", ns=self.cpe)
        elif not on and self.kernel_route:
            run("ip", "route", "del", "203.0.113.0/24", ns=self.cpe)
        self.kernel_route = on

    # ---------------------------------------------------------------------------------------
    def _spawn(self, ns, *cmd):
        # Each program gets a process group of its own (so it can be stopped alone); with
        # --one-session they stay in this script's session and so in its scheduler autogroup.
        group = {"process_group": 0} if self.one_session else {"start_new_session": True}
        p = subprocess.Popen(("ip", "netns", "exec", ns) + cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **group)
        self.lab.procs.append(p)
        return p

    def _result(self, p, timeout):
        try:
            out, err = p.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.lab.stop(p)
            raise RuntimeError(f"{p.args[4:]} did not finish")
        lines = [l for l in out.splitlines() if l.startswith("{")]
        if p.returncode != 0 or not lines:
            raise RuntimeError(f"{' '.join(p.args[4:])} failed ({p.returncode}): {err.strip()[-500:]}")
        return json.loads(lines[-1])

    def sanity(self):
        """Both directions through s46d once, end to end: every priming packet must come back
        (ipip_reflector reflect swaps the inner addresses and ports; s46d reverses the NAPT)."""
        self.use_kernel(False)
        sp = f"{self.sports[0]}-{self.sports[1]}"
        ref = self._spawn(self.peer, self.reflector, "reflect", "--bind", LWAFTR, "--seconds", "8", "--idle", "1.5")
        time.sleep(0.3)
        lan = self._spawn(self.lan, self.blast, "prime-recv", "--dst", INET_HOST, "--port", str(DST_PORT), "--sports", sp,
                          "--size", "100", "--seconds", "6", "--idle", "1")
        got, refl = self._result(lan, 15), self._result(ref, 15)
        want = 2 * self.flows
        if got["packets"] != want or refl["reflected"] != want:
            raise SystemExit(f"sanity: {want} packets out and back expected; reflector {refl}, LAN {got}")
        return f"{want} packets LAN -> s46d -> reflector -> s46d -> LAN"

    def measure(self, kind, direction, size):
        """One run; returns a dict with what was sent, what arrived and the CPU it took."""
        kernel = kind == "A"
        self.use_kernel(kernel)
        T = self.seconds
        counters0 = (self.status() or {}).get("counters") or {}
        tun0 = link_stats(self.cpe, "s46tun0")
        raw0 = raw6_ipip_drops(self.cpe)
        perf = None
        if self.perf and not kernel:
            perf = subprocess.Popen(["perf", "stat", "-x,", "-e", "raw_syscalls:sys_enter,context-switches,task-clock",
                                     "-p", str(self.daemon.pid)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, process_group=0)
            self.lab.procs.append(perf)
        if self.perf_record and not kernel:
            os.makedirs(self.perf_record, exist_ok=True)
            out = os.path.join(self.perf_record, f"s46d-{direction}-{size}-{time.strftime('%H%M%S')}.data")
            perf = subprocess.Popen(["perf", "record", "-q", "-g", "-o", out, "-p", str(self.daemon.pid)],
                                    stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, process_group=0)
            self.lab.procs.append(perf)
        sp = f"{self.sports[0]}-{self.sports[1]}"
        pace = ("--rate", str(self.rate)) if self.rate else ()
        if direction == "out":
            if kernel:
                rx = self._spawn(self.peer, self.blast, "recv", "--bind", INET_HOST, "--ports", str(DST_PORT),
                                 "--seconds", str(T + 10), "--idle", "1")
            else:
                rx = self._spawn(self.peer, self.reflector, "count", "--bind", LWAFTR, "--seconds", str(T + 10), "--idle", "1")
            time.sleep(0.3)  # receiver bound
            cpu0, sys0 = proc_cpu_seconds(self.daemon.pid), system_busy()
            tx = self._spawn(self.lan, self.blast, "send", "--dst", INET_HOST, "--port", str(DST_PORT), "--size", str(size),
                             "--seconds", str(T), "--sports", sp, *pace)
            sent = self._result(tx, T + 20)
        else:
            if kernel:
                rx = self._spawn(self.lan, self.blast, "recv", "--ports", sp, "--seconds", str(T + 10), "--idle", "1")
                time.sleep(0.3)
                cpu0, sys0 = proc_cpu_seconds(self.daemon.pid), system_busy()
                tx = self._spawn(self.peer, self.blast, "send", "--dst", LAN_HOST, "--port", str(self.sports[0]), "--size", str(size),
                                 "--seconds", str(T), "--sports", f"9000-{9000 + self.flows - 1}", *pace)
                sent = self._result(tx, T + 20)
            else:
                # The reflector learns the NAPT mappings from one outbound packet per flow, then blasts.
                tx = self._spawn(self.peer, self.reflector, "blast", "--bind", LWAFTR, "--flows", str(self.flows), "--size", str(size),
                                 "--seconds", str(T), "--learn-timeout", "10", *pace)
                time.sleep(0.3)
                cpu0, sys0 = proc_cpu_seconds(self.daemon.pid), system_busy()
                rx = self._spawn(self.lan, self.blast, "prime-recv", "--dst", INET_HOST, "--port", str(DST_PORT), "--sports", sp,
                                 "--size", "64", "--seconds", str(T + 10), "--idle", "1")
                sent = self._result(tx, T + 20)
        cpu1, sys1 = proc_cpu_seconds(self.daemon.pid), system_busy()
        perf_out = {}
        if perf:
            perf.send_signal(2)
            perf_out = perf_counts(perf.communicate(timeout=30)[1]) if self.perf else {}
        got = self._result(rx, T + 20)
        counters1 = (self.status() or {}).get("counters") or {}
        tun1 = link_stats(self.cpe, "s46tun0")
        window = sent["seconds"]
        s46d_cpu = sum(cpu1) - sum(cpu0)
        s46d_user = cpu1[0] - cpu0[0]
        delivered = got["pps"]
        rec = {
            "kind": kind, "direction": direction, "size": size,
            "sent": sent["sent"], "sent_pps": sent["pps"], "send_errors": sent["errors"],
            "delivered": got["packets"], "delivered_pps": delivered,
            "delivered_fraction": got["packets"] / sent["sent"] if sent["sent"] else 0.0,
            "sender_cpu": round((sent["cpu_user"] + sent["cpu_sys"]) / window, 3),
            "receiver_cpu": round((got["cpu_user"] + got["cpu_sys"]) / window, 3),
            "s46d_cpu": round(s46d_cpu / window, 3),
            "s46d_user_fraction": round(s46d_user / s46d_cpu, 3) if s46d_cpu else None,
            "s46d_ns_per_packet": round(s46d_cpu / got["packets"] * 1e9) if got["packets"] and not kernel else None,
            # All the CPU the run's own programs took (sender, receiver, s46d; softirq work is
            # charged to whichever of them the kernel ran it in), per delivered packet.
            "total_ns_per_packet": round((sent["cpu_user"] + sent["cpu_sys"] + got["cpu_user"] + got["cpu_sys"] +
                                          (0 if kernel else s46d_cpu)) / got["packets"] * 1e9) if got["packets"] else None,
            "system_busy": round((sys1[0] - sys0[0]) / max(1, sys1[1] - sys0[1]), 3),
            "load": os.getloadavg()[0],
        }
        if tun0 and tun1:
            rec["tun_tx_dropped"] = tun1.get("tx_dropped", 0) - tun0.get("tx_dropped", 0)
        rec["ipip_socket_drops"] = raw6_ipip_drops(self.cpe) - raw0
        handled = 0
        if perf_out:
            handled = sum(v for k, v in (counters1.items()) if k in ("outbound_packets", "inbound_packets")) - \
                sum(v for k, v in counters0.items() if k in ("outbound_packets", "inbound_packets"))
            rec["perf"] = perf_out
            if handled:
                rec["s46d_syscalls_per_packet"] = round(perf_out.get("raw_syscalls:sys_enter", 0) / handled, 3)
                rec["s46d_context_switches_per_packet"] = round(perf_out.get("context-switches", 0) / handled, 4)
        diff = {k: v - counters0.get(k, 0) for k, v in counters1.items() if isinstance(v, int) and v != counters0.get(k, 0)}
        if diff and not kernel:
            rec["s46d_counters"] = diff
        return rec


def median(xs):
    return statistics.median(xs) if xs else 0.0


def summarise(runs, directions, sizes, rate):
    """Medians per case at one offered rate (0: flat out), printed as a Markdown table."""
    summary = []
    label = "flat out" if not rate else f"paced at {rate / 1e3:g} kpps per sender"
    print(f"\n{label}:\n")
    print("| direction | size | A kernel kpps | B TUN backend kpps | B/A | A delivered | B delivered | s46d CPU (B) "
          "| s46d ns/pkt (B) | all CPU ns/pkt A | all CPU ns/pkt B |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for direction in directions:
        for size in sizes:
            sel = [r for r in runs if r["rate"] == rate and r["direction"] == direction and r["size"] == size]
            a, bb = [r for r in sel if r["kind"] == "A"], [r for r in sel if r["kind"] == "B"]
            if not a or not bb:
                continue
            ma, mb = median([r["delivered_pps"] for r in a]), median([r["delivered_pps"] for r in bb])
            row = {"rate": rate, "direction": direction, "size": size, "kernel_pps": ma, "tun_pps": mb, "ratio": mb / ma if ma else 0.0,
                   "kernel_delivered_fraction": median([r["delivered_fraction"] for r in a]),
                   "tun_delivered_fraction": median([r["delivered_fraction"] for r in bb]),
                   "s46d_cpu": median([r["s46d_cpu"] for r in bb]),
                   "s46d_ns_per_packet": median([r["s46d_ns_per_packet"] for r in bb if r["s46d_ns_per_packet"]]),
                   "total_ns_per_packet_A": median([r["total_ns_per_packet"] for r in a if r["total_ns_per_packet"]]),
                   "total_ns_per_packet_B": median([r["total_ns_per_packet"] for r in bb if r["total_ns_per_packet"]]),
                   "kernel_runs": [round(r["delivered_pps"]) for r in a], "tun_runs": [round(r["delivered_pps"]) for r in bb]}
            summary.append(row)
            print(f"| {direction} | {size} | {ma / 1e3:.1f} | {mb / 1e3:.1f} | {row['ratio']:.2f} | "
                  f"{row['kernel_delivered_fraction'] * 100:.1f} % | {row['tun_delivered_fraction'] * 100:.1f} % | "
                  f"{row['s46d_cpu'] * 100:.0f} % | {row['s46d_ns_per_packet']:.0f} | {row['total_ns_per_packet_A']:.0f} | "
                  f"{row['total_ns_per_packet_B']:.0f} |")
    return summary


def capacity(summary, directions, sizes, loss=0.01):
    """Over a sweep of offered rates: the highest paced rate delivered with at most `loss` lost
    (median of the repetitions), and the highest median delivered rate at any offered load."""
    out = []
    print(f"\ncapacity over the sweep (loss-free = highest paced rate with median loss <= {loss * 100:g} %):\n")
    print("| direction | size | A loss-free kpps | B loss-free kpps | B/A | A peak delivered kpps | B peak delivered kpps | B/A |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for direction in directions:
        for size in sizes:
            rows = [r for r in summary if r["direction"] == direction and r["size"] == size]
            if not rows:
                continue
            lf = {k: max([r["rate"] for r in rows if r["rate"] and r[f"{f}_delivered_fraction"] >= 1 - loss] or [0])
                  for k, f in (("A", "kernel"), ("B", "tun"))}
            peak = {"A": max(r["kernel_pps"] for r in rows), "B": max(r["tun_pps"] for r in rows)}
            c = {"direction": direction, "size": size, "loss_free_A": lf["A"], "loss_free_B": lf["B"], "peak_A": peak["A"], "peak_B": peak["B"]}
            out.append(c)
            print(f"| {direction} | {size} | {lf['A'] / 1e3:g} | {lf['B'] / 1e3:g} | {lf['B'] / lf['A'] if lf['A'] else 0:.2f} | "
                  f"{peak['A'] / 1e3:.1f} | {peak['B'] / 1e3:.1f} | {peak['B'] / peak['A']:.2f} |")
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--seconds", type=float, default=5.0)
    ap.add_argument("--sizes", default="64,1400")
    ap.add_argument("--directions", default="out,in")
    ap.add_argument("--flows", type=int, default=16)
    ap.add_argument("--json", help="write every run and the summary here")
    ap.add_argument("--rates", default="0",
                    help="offered rates to run, packets/s per sender, comma-separated; 0 = flat out (default: 0 only)")
    ap.add_argument("--perf-record", metavar="DIR", help="perf record -g s46d during the B runs (diagnostics; slows it)")
    ap.add_argument("--s46d-nice", type=int, help="renice s46d (diagnostics: how far the rate follows its CPU share)")
    ap.add_argument("--one-session", action="store_true",
                    help="keep s46d and the traffic programs in this script's session, i.e. one scheduler autogroup, instead of "
                         "a session (autogroup) each")
    ap.add_argument("--perf", action="store_true", help="perf stat s46d's syscalls and context switches in the B runs")
    args = ap.parse_args()
    if args.perf and args.perf_record:
        ap.error("--perf and --perf-record are separate diagnostic runs")
    if os.geteuid() != 0:
        print("SKIP: needs root (network namespaces)")
        sys.exit(77)
    sizes = [int(s) for s in args.sizes.split(",")]
    directions = args.directions.split(",")
    rates = [float(r) for r in args.rates.split(",")]
    runs = []
    started = time.time()
    with Lab() as lab:
        b = Bench(lab, os.path.abspath(args.build), args.seconds, args.flows, args.perf, 0,
                  args.perf_record, args.s46d_nice, args.one_session)
        b.build_network()
        b.start_s46d()
        print(f"s46d lw4o6: ipv4 {b.plan.get('ipv4')} tunnel source {b.plan.get('tunnel_source')} br {b.plan.get('br')} "
              f"ports {b.plan.get('port_ranges')}; sanity: {b.sanity()}", flush=True)
        case = 0
        for rep in range(args.reps):
            for rate in rates:
                b.rate = rate
                for direction in directions:
                    for size in sizes:
                        # A and B back to back, the order alternating from one case to the next.
                        order = ("A", "B") if (rep + case) % 2 == 0 else ("B", "A")
                        case += 1
                        for kind in order:
                            rec = b.measure(kind, direction, size)
                            rec["rep"], rec["rate"] = rep, rate
                            runs.append(rec)
                            extra = f" s46d {rec['s46d_cpu'] * 100:.0f}% CPU ({rec['s46d_ns_per_packet']} ns/pkt)" if kind == "B" else ""
                            print(f"rep {rep} {'flat' if not rate else f'{rate / 1e3:g}k'} {kind} {direction:3} {size:4} B: sent "
                                  f"{rec['sent_pps'] / 1e3:6.1f} kpps, delivered {rec['delivered_pps'] / 1e3:6.1f} kpps "
                                  f"({rec['delivered_fraction'] * 100:5.1f} %), sender {rec['sender_cpu'] * 100:.0f}% rx "
                                  f"{rec['receiver_cpu'] * 100:.0f}% system {rec['system_busy'] * 100:.0f}%"
                                  f" all {rec['total_ns_per_packet']} ns/pkt"
                                  f"{extra} drops: tun {rec.get('tun_tx_dropped')} ipip socket {rec['ipip_socket_drops']}"
                                  f"{' syscalls/pkt ' + str(rec.get('s46d_syscalls_per_packet')) if 'perf' in rec else ''}", flush=True)
        s = b.status() or {}
        final_counters = s.get("counters")
    summary = []
    for rate in rates:
        summary += summarise(runs, directions, sizes, rate)
    cap = capacity(summary, directions, sizes) if len(rates) > 1 else None
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"runs": runs, "summary": summary, "capacity": cap, "final_s46d_counters": final_counters,
                       "seconds": args.seconds, "flows": args.flows, "rates": rates, "reps": args.reps, "s46d_nice": args.s46d_nice,
                       "one_session": args.one_session, "autogroup": open("/proc/sys/kernel/sched_autogroup_enabled").read().strip(),
                       "started": time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(started)),
                       "wall_seconds": round(time.time() - started)}, f, indent=1)


if __name__ == "__main__":
    main()
