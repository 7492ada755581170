"""Test-equipment helpers: network namespaces, veth links, kea-dhcp6 (with kea-dhcp4 as its
DHCPv4-over-DHCPv6 back end) and dnsmasq.

Used by the integration tests and by scripts/lab. Independent of s46d's code: it only
runs programs and reads what they print. Every name carries a per-run tag, and everything
created is torn down on every exit path (context manager, atexit and SIGTERM/SIGINT).
"""
import atexit
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def skip_unless_root(what, tools=("ip", "kea-dhcp6"), packages="iproute2 kea-dhcp6-server"):
    """Exit with ctest's skip code (77) and a clear message when the test cannot run here."""
    if os.geteuid() != 0:
        print(f"SKIP: {what} needs root (network namespaces)")
        sys.exit(77)
    for tool in tools:
        if not shutil.which(tool) and not os.path.exists(f"/usr/sbin/{tool}"):
            print(f"SKIP: {what} needs '{tool}' (apt-get install {packages})")
            sys.exit(77)


def run(*cmd, check=True, ns=None, capture=True, timeout=30):
    if ns:
        cmd = ("ip", "netns", "exec", ns) + tuple(cmd)
    r = subprocess.run(cmd, capture_output=capture, text=True, timeout=timeout)
    if check and r.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed ({r.returncode}): {r.stderr.strip()}")
    return r


class Lab:
    """A set of namespaces and processes that disappear together."""

    def __init__(self, tag=None):
        self.tag = tag or f"s46t{os.getpid() % 100000}{random.randint(0, 999)}"
        self.namespaces = []
        self.procs = []
        self.tmp = tempfile.mkdtemp(prefix=f"{self.tag}-")
        self._closed = False
        atexit.register(self.close)
        for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
            signal.signal(sig, self._on_signal)

    def _on_signal(self, signum, _frame):
        self.close()
        sys.exit(128 + signum)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def ns(self, short):
        """Create namespace <tag>-<short> with loopback up and DAD off, so addresses work at once."""
        name = f"{self.tag}-{short}"
        run("ip", "netns", "add", name)
        self.namespaces.append(name)
        run("ip", "link", "set", "lo", "up", ns=name)
        for key in ("all", "default"):
            run("sysctl", "-qw", f"net.ipv6.conf.{key}.accept_dad=0", f"net.ipv6.conf.{key}.accept_ra=0", ns=name)
        return name

    def link(self, ns_a, if_a, ns_b, if_b, mac_a=None, mac_b=None):
        """A veth pair between two namespaces, both ends up."""
        # Temporary names in the root namespace: random, so parallel runs never collide.
        tmp_a, tmp_b = f"s46{random.getrandbits(40):010x}", f"s46{random.getrandbits(40):010x}"
        run("ip", "link", "add", tmp_a, "type", "veth", "peer", "name", tmp_b)
        for tmp, ns, ifname, mac in ((tmp_a, ns_a, if_a, mac_a), (tmp_b, ns_b, if_b, mac_b)):
            run("ip", "link", "set", tmp, "netns", ns)
            run("ip", "link", "set", tmp, "name", ifname, ns=ns)
            if mac:
                run("ip", "link", "set", ifname, "address", mac, ns=ns)
            run("sysctl", "-qw", f"net.ipv6.conf.{ifname}.accept_dad=0", ns=ns)
            run("ip", "link", "set", ifname, "up", ns=ns)

    def spawn(self, *cmd, ns=None, log=None, env=None):
        """Start a background process (in a namespace); it is killed on close()."""
        if ns:
            cmd = ("ip", "netns", "exec", ns) + tuple(cmd)
        out = open(log, "w") if log else subprocess.DEVNULL
        p = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, env=env, start_new_session=True)
        self.procs.append(p)
        return p

    def stop(self, p, timeout=3):
        if p.poll() is None:
            try:
                os.killpg(p.pid, signal.SIGTERM)
            except ProcessLookupError:
                return
            try:
                p.wait(timeout)
            except subprocess.TimeoutExpired:
                os.killpg(p.pid, signal.SIGKILL)
                p.wait()

    def close(self):
        if self._closed:
            return
        self._closed = True
        for p in reversed(self.procs):
            try:
                self.stop(p)
            except Exception:
                pass
        for name in reversed(self.namespaces):
            # Kill anything still running inside before deleting the namespace.
            subprocess.run(["ip", "netns", "pids", name], capture_output=True)
            pids = subprocess.run(["ip", "netns", "pids", name], capture_output=True, text=True).stdout.split()
            for pid in pids:
                try:
                    os.kill(int(pid), signal.SIGKILL)
                except (ProcessLookupError, ValueError):
                    pass
            subprocess.run(["ip", "netns", "del", name], capture_output=True)
        shutil.rmtree(self.tmp, ignore_errors=True)


def wait_for(predicate, timeout=5.0, interval=0.02, what="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        v = predicate()
        if v:
            return v
        time.sleep(interval)
    raise TimeoutError(f"timed out after {timeout}s waiting for {what}")


def s46ctl(binary, sock, *args):
    """s46ctl's stdout for one command to the daemon on control socket sock; RuntimeError with its
    stderr when it fails."""
    r = subprocess.run([binary, "--control-socket", sock, *args], capture_output=True, text=True, timeout=10)
    if r.returncode != 0:
        raise RuntimeError(f"s46ctl {' '.join(args)}: {r.stderr.strip()}")
    return r.stdout


def s46d_status(ctl):
    """The daemon's own status through ctl (a function like s46ctl above with the socket bound), or
    None while it does not answer. --json is the standard-named view (docs/control.md); the
    daemon's own status is its "s46d" member."""
    try:
        return json.loads(ctl("status", "--json"))["s46d"]
    except (RuntimeError, ValueError, subprocess.TimeoutExpired):
        return None


class KeaServer:
    """One Kea server process in a namespace: its configuration at conf_path is checked (-t) before
    it starts, its pid and lock files stay in its own directory, and start() returns once
    listening() says it is ready."""

    program = None

    def start(self):
        r = run(self.program, "-t", self.conf_path, ns=self.ns, check=False)
        if r.returncode != 0:
            raise RuntimeError(f"{self.program} rejected its configuration: {r.stdout.strip()[-800:]} {r.stderr.strip()}")
        env = dict(os.environ, KEA_PIDFILE_DIR=self.dir, KEA_LOCKFILE_DIR=self.dir)
        self.proc = self.lab.spawn(self.program, "-c", self.conf_path, ns=self.ns,
                                   log=os.path.join(self.dir, "stdout"), env=env)
        wait_for(self.listening, 5, what=f"{self.program} listening")

    def stop(self):
        if self.proc:
            self.lab.stop(self.proc)
            self.proc = None


class Kea(KeaServer):
    """kea-dhcp6 in a namespace with a generated configuration: one subnet with an address and a
    prefix-delegation pool, the softwire options as option-data (Kea knows 64 and 88-96 from RFC
    6334 and RFC 7598; S46_PRIORITY, RFC 8026 §1.3, is defined here), leases in memory."""

    # 40 logs what Kea sends (DHCP6_PACKET_SEND); 45 also what it receives (DHCP6_PACKET_RECEIVED).
    debuglevel = 40
    program = "kea-dhcp6"

    def __init__(self, lab, ns, ifname, subnet="2001:db8:0:1::/64", pool="2001:db8:0:1::100 - 2001:db8:0:1::1ff",
                 pd_pool=None, option_data=(), option_def=(), timers=(1000, 2000, 3000, 4000), rapid_commit=True,
                 dhcp4o6=None):
        self.lab, self.ns, self.ifname = lab, ns, ifname
        # dhcp4o6: {"port": P, "address": A} makes this kea-dhcp6 the front end of a kea-dhcp4
        # (Kea4o6 below): it relays DHCPV4-QUERY over [::1]:P and also listens on the unicast
        # address A, the one option 88 names (RFC 7341 §5: clients unicast to the 88 addresses).
        self.dhcp4o6 = dhcp4o6
        self.dir = os.path.join(lab.tmp, f"kea-{ns}")
        os.makedirs(self.dir, exist_ok=True)
        self.conf_path = os.path.join(self.dir, "kea-dhcp6.json")
        self.log_path = os.path.join(self.dir, "kea-dhcp6.log")
        self.subnet, self.pool = subnet, pool
        self.pd_pool = pd_pool or {"prefix": "2001:db8:1200::", "prefix-len": 40, "delegated-len": 56}
        self.timers = timers
        self.rapid_commit = rapid_commit
        self.proc = None
        self.configure(option_data, option_def)

    def configure(self, option_data, option_def=()):
        defs = [{"name": "s46-priority", "code": 111, "space": "dhcp6", "type": "uint16", "array": True},
                # RFC 8539 §5.1 OPTION_S46_BIND_IPV6_PREFIX: bindprefix6-len, then the prefix
                # padded to whole bytes; Kea's ipv6-prefix type writes exactly that (Kea 2.2 has no
                # definition of its own).
                {"name": "s46-bind-ipv6-prefix", "code": 137, "space": "dhcp6", "type": "ipv6-prefix"}]
        defs += [d for d in option_def if d.get("code") not in (111, 137)]
        t1, t2, pref, valid = self.timers
        conf = {"Dhcp6": {
            "interfaces-config": {"interfaces": [self.ifname]},
            # A fixed DUID: an LLT DUID made at start-up changes when Kea restarts with new options
            # a second later, and clients' Renews (carrying the old server id) would be dropped.
            "server-id": {"type": "LLT", "persist": False, "htype": 1, "identifier": "020000000002", "time": 700000000},
            "lease-database": {"type": "memfile", "persist": False},
            "renew-timer": t1, "rebind-timer": t2, "preferred-lifetime": pref, "valid-lifetime": valid,
            "option-def": defs,
            "option-data": list(option_data),
            "subnet6": [{"id": 1, "subnet": self.subnet, "interface": self.ifname, "rapid-commit": self.rapid_commit,
                         "pools": [{"pool": self.pool}], "pd-pools": [self.pd_pool]}],
            "loggers": [{"name": "kea-dhcp6", "output_options": [{"output": self.log_path}],
                         "severity": "DEBUG", "debuglevel": self.debuglevel}],
        }}
        if self.dhcp4o6:
            conf["Dhcp6"]["dhcp4o6-port"] = self.dhcp4o6["port"]
            conf["Dhcp6"]["interfaces-config"]["interfaces"].append(f"{self.ifname}/{self.dhcp4o6['address']}")
        with open(self.conf_path, "w") as f:
            json.dump(conf, f, indent=1)

    def listening(self):
        return "ff02::1:2" in run("ss", "-Hlun", "sport = :547", ns=self.ns).stdout

    def reload(self, option_data, option_def=()):
        """New options: restart with the new configuration (leases are in memory: clients Renew/Rebind)."""
        self.configure(option_data, option_def)
        self.stop()
        self.start()


DHCP4O6_PORT = 6767          # kea-dhcp6 binds [::1]:6767, kea-dhcp4 [::1]:6768 (per namespace)
KEA4_SOCKET_ADDR = "198.18.0.1/24"  # the Kea 2.2 quirk address (Kea4o6 docstring); RFC 2544 range


class Kea4o6(KeaServer):
    """kea-dhcp4 as the DHCPv4-over-DHCPv6 back end of a Kea (kea-dhcp6) in the same namespace
    (RFC 7341): kea-dhcp6 hands it each DHCPV4-QUERY over the dhcp4o6 port and sends its answer
    back as DHCPV4-RESPONSE. subnet4 is a list of Kea subnet4 entries; each gets "4o6-interface"
    (the v6 side's interface) unless it names its own 4o6 selector. Leases go to a CSV file so a
    test can see renewals.

    Kea 2.2 quirk: kea-dhcp4 looks up an IPv4 socket on the interface the DHCPv6 message came in
    on even for 4o6, and without one it drops the query (DHCP4_PACKET_DROP_0007). So the interface
    gets KEA4_SOCKET_ADDR and kea-dhcp4 listens on it."""

    debuglevel = 50
    program = "kea-dhcp4"

    def __init__(self, lab, ns, ifname, subnet4, option_data=(), timers=(1000, 2000, 4000), port=DHCP4O6_PORT):
        self.lab, self.ns, self.ifname, self.port = lab, ns, ifname, port
        self.dir = os.path.join(lab.tmp, f"kea4-{ns}")
        os.makedirs(self.dir, exist_ok=True)
        self.conf_path = os.path.join(self.dir, "kea-dhcp4.json")
        self.log_path = os.path.join(self.dir, "kea-dhcp4.log")
        self.lease_path = os.path.join(self.dir, "kea-leases4.csv")
        self.timers = timers
        self.proc = None
        if KEA4_SOCKET_ADDR.split("/")[0] not in run("ip", "-4", "addr", "show", "dev", ifname, ns=ns).stdout:
            run("ip", "addr", "add", KEA4_SOCKET_ADDR, "dev", ifname, ns=ns)
        self.configure(subnet4, option_data)

    def configure(self, subnet4, option_data=()):
        t1, t2, valid = self.timers
        subnets = []
        for i, sub in enumerate(subnet4, 1):
            sub = dict(sub)
            sub.setdefault("id", i)
            if not any(k in sub for k in ("4o6-interface", "4o6-subnet", "4o6-interface-id")):
                sub["4o6-interface"] = self.ifname
            subnets.append(sub)
        conf = {"Dhcp4": {
            "interfaces-config": {"interfaces": [self.ifname], "dhcp-socket-type": "udp"},
            "dhcp4o6-port": self.port,
            "lease-database": {"type": "memfile", "persist": True, "name": self.lease_path, "lfc-interval": 0},
            "renew-timer": t1, "rebind-timer": t2, "valid-lifetime": valid,
            "option-data": list(option_data),
            "subnet4": subnets,
            "loggers": [{"name": "kea-dhcp4", "output_options": [{"output": self.log_path}],
                         "severity": "DEBUG", "debuglevel": self.debuglevel}],
        }}
        with open(self.conf_path, "w") as f:
            json.dump(conf, f, indent=1)

    def listening(self):
        # The IPC socket is connected to kea-dhcp6's port, so ss lists it without -l (as ESTAB).
        return f":{self.port + 1}" in run("ss", "-Hnua", f"sport = :{self.port + 1}", ns=self.ns).stdout

    def reload(self, subnet4, option_data=(), timers=None):
        """New subnets/options: restart; the lease file is kept, as after a real server restart.
        To make Kea 2.2 NAK a renewal, keep the address in a pool the client may not use
        (retire() below): an address in no pool at all is only met with silence
        (DHCP4_UNKNOWN_ADDRESS_REQUESTED), authoritative or not."""
        if timers:
            self.timers = timers
        self.configure(subnet4, option_data)
        self.stop()
        self.start()

    @staticmethod
    def retire(subnet, address, new_pool):
        """subnet4 entry `subnet` with `address` retired: its pool is reserved for a client class no
        client is in, and new_pool serves from now on. A renewal of `address` is then NAKed
        (DHCP4_PACKET_NAK_0004, RFC 2131 §4.3.2) and a new DISCOVER gets an address of new_pool."""
        return dict(subnet, pools=[{"pool": f"{address} - {address}", "client-class": "s46-retired"}, {"pool": new_pool}])

    def leases(self):
        """The lease file's rows as dicts (memfile CSV, one row per allocation or renewal)."""
        if not os.path.exists(self.lease_path):
            return []
        lines = [l.rstrip("\n").split(",") for l in open(self.lease_path) if l.strip()]
        if not lines:
            return []
        head = lines[0]
        return [dict(zip(head, l)) for l in lines[1:]]

    def log_lines(self, *codes):
        """kea-dhcp4's log lines carrying any of the message codes (e.g. DHCP4_LEASE_ALLOC)."""
        if not os.path.exists(self.log_path):
            return []
        return [l for l in open(self.log_path) if any(c in l for c in codes)]


class Dnsmasq:
    """An authoritative-enough DNS server answering fixed AAAA records (the AFTR name)."""

    def __init__(self, lab, ns, listen, records, ttl=300):
        args = ["dnsmasq", "--no-daemon", "--no-resolv", "--no-hosts", "--bind-interfaces",
                f"--listen-address={listen}", "--port=53", f"--local-ttl={ttl}", f"--auth-ttl={ttl}",
                f"--pid-file={os.path.join(lab.tmp, 'dnsmasq-' + ns + '.pid')}", "--log-queries"]
        for name, addr in records:
            args.append(f"--host-record={name},{addr}")
        self.proc = lab.spawn(*args, ns=ns, log=os.path.join(lab.tmp, f"dnsmasq-{ns}.log"))
        wait_for(lambda: ":53" in run("ss", "-Hlun", "sport = :53", ns=ns).stdout, 5, what="dnsmasq listening")


class Skip(Exception):
    """Raised by a scenario that cannot run here; reported as SKIP with its reason, never a pass."""


def run_scenarios(scenarios, wanted, skip_reason=lambda scenario: None):
    """Runs each scenario (or those named in `wanted`) in a fresh Lab, prints PASS/FAIL/SKIP with
    the scenario's note, and exits: 1 if any failed, 77 if all selected were skipped, else 0."""
    unknown = set(wanted) - {s.__name__ for s in scenarios}
    if unknown:
        print(f"unknown scenarios: {sorted(unknown)}")
        sys.exit(2)
    passed = failed = skipped = 0
    for scenario in scenarios:
        if wanted and scenario.__name__ not in wanted:
            continue
        t0 = time.monotonic()
        try:
            if (why := skip_reason(scenario)):
                raise Skip(why)
            with Lab() as lab:
                note = scenario(lab)
            passed += 1
            print(f"PASS {scenario.__name__} ({time.monotonic() - t0:.1f} s): {note}", flush=True)
        except Skip as e:
            skipped += 1
            print(f"SKIP {scenario.__name__}: {e}", flush=True)
        except Exception as e:  # report and go on with the next scenario
            failed += 1
            print(f"FAIL {scenario.__name__} ({time.monotonic() - t0:.1f} s): {type(e).__name__}: {e}", flush=True)
    print(f"{passed} passed, {failed} failed" + (f", {skipped} skipped" if skipped else ""))
    sys.exit(1 if failed else 77 if skipped and not passed else 0)
