"""The softwire lab on netlab.Lab: LAN host, CPE (s46d), ISP (Kea, dnsmasq, router), the
network-side peer (AFTR / lwAFTR / BR, scapy), the internet host, and optionally a second MAP-E CE.

    lan  eth0 10.0.0.2/24 ── lan0 10.0.0.1/24  cpe  wan0 2001:db8:0:1::2/64 ── isp0 ::1  isp
                                                                                core0 2001:db8:0:2::1 ── p6 ::2  peer
    BR 2001:db8:ffff::1, lwAFTR 2001:db8:ffff::2, AFTR 2001:db8:ffff::a (on the peer's lo)
    peer inet0 203.0.113.1/24 ── eth0 203.0.113.10/24 (default via .1)  inet  (UDP echo 7, TCP 8080, ping)
    isp ce2l 2001:db8:0:3::1 ── wan0 2001:db8:0:3::2  ce2 (second MAP-E CE)

The ISP routes the delegated prefixes to the CPE (and CE2's prefix to CE2) and the peer addresses
to the peer; dnsmasq on 2001:db8:0:1::1 answers every AFTR name of the options with the AFTR.
A case with "dhcp4o6" also runs kea-dhcp4 behind kea-dhcp6 as a DHCPv4-over-DHCPv6 server (RFC
7341; netlab.Kea4o6): option 88 names the ISP address, the CPE's IA_NA comes from a one-address
pool (IA_NA_ADDR) so the lwAFTR's binding is known before s46d asks.
Everything is torn down by Lab.close() on every exit path.
"""
import copy
import ipaddress
import json
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "tests", "integration"))
sys.path.insert(0, os.path.join(HERE, "peers"))
from netlab import DHCP4O6_PORT, Dnsmasq, Kea, Kea4o6, Lab, run, s46ctl, s46d_status, wait_for  # noqa: E402,F401
import swcalc  # noqa: E402

PY = "/usr/bin/python3"
MAC = {"lan": "02:00:00:00:01:02", "cpe_lan": "02:00:00:00:01:01", "cpe_wan": "02:00:00:00:00:01",
       "isp_cpe": "02:00:00:00:00:02", "isp_core": "02:00:00:00:02:01", "peer_v6": "02:00:00:00:02:02",
       "peer_v4": "02:00:00:00:03:01", "inet": "02:00:00:00:03:02", "isp_ce2": "02:00:00:00:04:01",
       "ce2": "02:00:00:00:04:02"}
ISP_ADDR, CPE_WAN_ADDR = "2001:db8:0:1::1", "2001:db8:0:1::2"
BR_ADDR, LWAFTR_ADDR, AFTR_ADDR = "2001:db8:ffff::1", "2001:db8:ffff::2", "2001:db8:ffff::a"
AFTR2_ADDR = "2001:db8:ffff::b"  # a second AAAA record for the AFTR name (case "aftr_addresses")
AFTR_PUBLIC = "198.51.100.1"
INET_HOST, PEER_V4 = "203.0.113.10", "203.0.113.1"
LAN_HOST, LAN_GW = "10.0.0.2", "10.0.0.1"
DEFAULT_PD_POOL = {"prefix": "2001:db8:1234:5600::", "prefix-len": 56, "delegated-len": 56}
IA_NA_ADDR = "2001:db8:0:1::100"  # the one address of the IA_NA pool in dhcp4o6 cases
UDP_PORT, TCP_PORT = 7, 8080
MODE_CODES = {"dslite": 64, "mape": 94, "lw4o6": 96}


class LabKea(Kea):
    """netlab's Kea with a fixed server DUID: an LLT DUID made at start-up changes when Kea is restarted
    with new options a second later, and the client's Renew (carrying the old server id) is dropped."""

    def configure(self, option_data, option_def=()):
        super().configure(option_data, option_def)
        with open(self.conf_path) as f:
            conf = json.load(f)
        conf["Dhcp6"]["server-id"] = {"type": "LLT", "persist": False, "htype": 1, "identifier": "020000000002",
                                      "time": 700000000}
        with open(self.conf_path, "w") as f:
            json.dump(conf, f, indent=1)


def offloads_off(ns, ifname):
    # veth offloads would hand AF_PACKET readers unfinished checksums and 64 KB GSO frames
    run("ethtool", "-K", ifname, "tx", "off", "tso", "off", "gso", "off", "gro", "off", ns=ns, check=False)


class Topology:
    def __init__(self, lab, case, build_dir, emulate=False, with_ce2=False, say=print, timeout=180, vm=None):
        self.lab, self.case, self.build = lab, case, build_dir
        # vm: a vmcpe.VmCpe; the CPE is then a QEMU guest running s46d with the kernel data plane,
        # and the cpe namespace only bridges its NICs to the lab (tests/lab/vmcpe.py)
        self.vm = vm
        self.emulate, self.with_ce2, self.say, self.timeout = emulate, with_ce2, say, timeout
        self.s46d = os.path.join(build_dir, "platform", "s46d")
        self.s46ctl = os.path.join(build_dir, "platform", "s46ctl")
        self.option_data = list(case["option_data"])
        self.pd_pool = case.get("pd_pool") or DEFAULT_PD_POOL
        self.dhcp4o6 = case.get("dhcp4o6")
        self.kea4 = None
        self.conf = self.parse(self.option_data)
        self.peers, self.peer_logs = {}, {}
        self.daemon = self.emulator = None
        self.dataplane_missing = None
        self.sock = os.path.join(lab.tmp, "s46d.sock")
        self.state = os.path.join(lab.tmp, "state")
        self.s46d_log = os.path.join(lab.tmp, "s46d.log")
        self.emu_status = os.path.join(lab.tmp, "ce_emul.status.json")
        self.inet_log = os.path.join(lab.tmp, "inet.jsonl")

    # ------------------------------------------------------------------------------------------
    def build_network(self):
        lab = self.lab
        self.lan, self.cpe, self.isp = lab.ns("lan"), lab.ns("cpe"), lab.ns("isp")
        self.peer, self.inet = lab.ns("peer"), lab.ns("inet")
        port_mac = {"lan0": MAC["cpe_lan"], "wan0": MAC["cpe_wan"]}
        if self.vm:
            from vmcpe import PORT_MAC as port_mac
        lab.link(self.lan, "eth0", self.cpe, "lan0", MAC["lan"], port_mac["lan0"])
        lab.link(self.cpe, "wan0", self.isp, "isp0", port_mac["wan0"], MAC["isp_cpe"])
        lab.link(self.isp, "core0", self.peer, "p6", MAC["isp_core"], MAC["peer_v6"])
        lab.link(self.peer, "inet0", self.inet, "eth0", MAC["peer_v4"], MAC["inet"])
        for ns, ifs in ((self.lan, ["eth0"]), (self.cpe, ["lan0", "wan0"]), (self.isp, ["isp0", "core0"]),
                        (self.peer, ["p6", "inet0"]), (self.inet, ["eth0"])):
            for i in ifs:
                offloads_off(ns, i)
        # LAN host
        run("ip", "addr", "add", f"{LAN_HOST}/24", "dev", "eth0", ns=self.lan)
        run("ip", "route", "add", "default", "via", LAN_GW, ns=self.lan)
        # CPE (the VM configures itself the same way: tests/lab/vm_cpe.sh)
        if self.vm:
            self.vm.plumb(self, run)
        else:
            run("ip", "addr", "add", f"{LAN_GW}/24", "dev", "lan0", ns=self.cpe)
            run("ip", "-6", "addr", "add", f"{CPE_WAN_ADDR}/64", "dev", "wan0", "nodad", ns=self.cpe)
            run("ip", "-6", "route", "add", "default", "via", ISP_ADDR, "dev", "wan0", ns=self.cpe)
            run("sysctl", "-qw", f"net.ipv4.ip_forward={0 if self.emulate else 1}", ns=self.cpe)
            if self.dhcp4o6:
                # The WAN also carries the address the IA_NA will bring, as an OS's DHCPv6 client
                # numbers it: s46d configures no DHCPv6 addresses, and the 4o6 answers to an IA_NA
                # softwire source reach it only once that address is local (docs/dhcp4o6-client.md).
                run("ip", "-6", "addr", "add", f"{IA_NA_ADDR}/64", "dev", "wan0", "nodad", ns=self.cpe)
        # ISP router
        run("sysctl", "-qw", "net.ipv6.conf.all.forwarding=1", ns=self.isp)
        run("ip", "-6", "addr", "add", f"{ISP_ADDR}/64", "dev", "isp0", "nodad", ns=self.isp)
        run("ip", "-6", "addr", "add", "2001:db8:0:2::1/64", "dev", "core0", "nodad", ns=self.isp)
        run("ip", "-6", "route", "add", "2001:db8:ffff::/64", "via", "2001:db8:0:2::2", ns=self.isp)
        pool = ipaddress.IPv6Network(f"{self.pd_pool['prefix']}/{self.pd_pool['prefix-len']}")
        run("ip", "-6", "route", "add", str(pool), "via", CPE_WAN_ADDR, ns=self.isp)
        # the peer (AFTR / lwAFTR / BR): its kernel must leave the tunnelled and transit traffic alone
        run("ip", "-6", "addr", "add", "2001:db8:0:2::2/64", "dev", "p6", "nodad", ns=self.peer)
        for addr in (BR_ADDR, LWAFTR_ADDR, AFTR_ADDR, AFTR2_ADDR):
            run("ip", "-6", "addr", "add", f"{addr}/128", "dev", "lo", ns=self.peer)
        run("ip", "-6", "route", "add", "default", "via", "2001:db8:0:2::1", ns=self.peer)
        run("ip", "addr", "add", f"{PEER_V4}/24", "dev", "inet0", ns=self.peer)
        self.quiet_kernel(self.peer, ipv4_self=PEER_V4)
        # internet host
        run("ip", "addr", "add", f"{INET_HOST}/24", "dev", "eth0", ns=self.inet)
        run("ip", "route", "add", "default", "via", PEER_V4, ns=self.inet)
        if self.with_ce2:
            self.ce2 = lab.ns("ce2")
            lab.link(self.isp, "ce2l", self.ce2, "wan0", MAC["isp_ce2"], MAC["ce2"])
            offloads_off(self.isp, "ce2l")
            offloads_off(self.ce2, "wan0")
            run("ip", "-6", "addr", "add", "2001:db8:0:3::1/64", "dev", "ce2l", "nodad", ns=self.isp)
            run("ip", "-6", "addr", "add", "2001:db8:0:3::2/64", "dev", "wan0", "nodad", ns=self.ce2)
            run("ip", "-6", "route", "add", "default", "via", "2001:db8:0:3::1", ns=self.ce2)
            self.quiet_kernel(self.ce2)

    def quiet_kernel(self, ns, ipv4_self=None):
        """RFC 2473 packets are the scapy program's business: keep the kernel from answering them
        (ICMPv6 parameter problems for next header 4) or forwarding transit IPv4."""
        rules = ["table ip6 s46lab {", " chain pre {", "  type filter hook prerouting priority -500; policy accept;",
                 "  ip6 nexthdr { 4, 44, 60 } drop", " }", "}"]
        if ipv4_self:
            rules += ["table ip s46lab {", " chain pre {", "  type filter hook prerouting priority -500; policy accept;",
                      f"  ip daddr != {ipv4_self} drop", " }", "}"]
        path = os.path.join(self.lab.tmp, f"nft-{ns}.nft")
        with open(path, "w") as f:
            f.write("\n".join(rules) + "\n")
        run("nft", "-f", path, ns=ns)

    # ------------------------------------------------------------------------------------------
    def start_services(self, control_plane=True):
        self.inetsrv = self.lab.spawn(PY, os.path.join(HERE, "inetsrv.py"), "--timeout", str(self.timeout),
                                      "--log", self.inet_log, "--udp-port", str(UDP_PORT), "--tcp-port", str(TCP_PORT),
                                      ns=self.inet, log=os.path.join(self.lab.tmp, "inetsrv.out"))
        wait_for(lambda: f":{TCP_PORT}" in run("ss", "-Hltn", ns=self.inet).stdout, 5, what="internet TCP server")
        if not control_plane:
            return
        names = [o.get("data", "").strip() for o in self.option_data if o["name"] == "aftr-name"]
        names += self.case.get("aftr_names", [])
        if names:
            if not any(o["name"] == "dns-servers" for o in self.option_data):
                self.option_data.append({"name": "dns-servers", "data": ISP_ADDR})
            Dnsmasq(self.lab, self.isp, ISP_ADDR, [(n, a) for n in names for a in self.aftr_addresses()], ttl=300)
        if self.dhcp4o6:
            self.start_kea4()
            kea4o6 = {"pool": f"{IA_NA_ADDR} - {IA_NA_ADDR}", "dhcp4o6": {"port": DHCP4O6_PORT, "address": ISP_ADDR}}
        else:
            kea4o6 = {}
        self.kea = LabKea(self.lab, self.isp, "isp0", option_data=self.kea6_options(self.option_data),
                          option_def=self.case.get("option_def", ()), pd_pool=self.pd_pool, **kea4o6)
        self.kea.start()

    def reconfigure_kea(self, option_data):
        option_data = list(option_data)
        if any(o["name"] == "aftr-name" for o in option_data) and not any(o["name"] == "dns-servers" for o in option_data):
            option_data.append({"name": "dns-servers", "data": ISP_ADDR})
        self.option_data = option_data
        self.conf = self.parse(option_data)
        self.kea.reload(self.kea6_options(option_data), self.case.get("option_def", ()))

    # ------------------------------------------------------------------------------------------
    # DHCPv4-over-DHCPv6 (case key "dhcp4o6", conformance/e2e/README.md)

    def parse(self, option_data):
        """The options' softwire configuration; in a dhcp4o6 case the lw4o6 binding is the one
        kea-dhcp4 will hand out (swcalc.dhcp4o6_binding) with the RFC 8539 softwire source."""
        conf = swcalc.parse_options(option_data)
        if self.dhcp4o6 and conf["lw"] is not None:
            b = swcalc.dhcp4o6_binding(self.dhcp4o6["subnet4"], self.dhcp4o6.get("option_data", ()))
            conf["lw"].update(b, bind_prefix=None, dhcp4o6={"ia_na": IA_NA_ADDR,
                                                            "bind_prefix": self.dhcp4o6.get("bind_ipv6_prefix")})
        return conf

    def kea6_options(self, option_data):
        """kea-dhcp6's options: the case's, plus 88 (the ISP address, or the case's "servers"; []
        = multicast) and 137 when the case gives a bind prefix."""
        out = list(option_data)
        if self.dhcp4o6:
            servers = self.dhcp4o6.get("servers", [ISP_ADDR])
            out.append({"name": "dhcp4o6-server-addr", "data": ", ".join(servers)})
            if self.dhcp4o6.get("bind_ipv6_prefix"):
                out.append({"name": "s46-bind-ipv6-prefix", "data": self.dhcp4o6["bind_ipv6_prefix"]})
        return out

    def start_kea4(self):
        d = self.dhcp4o6
        self.kea4 = Kea4o6(self.lab, self.isp, "isp0", d["subnet4"], d.get("option_data", ()),
                           timers=tuple(d.get("timers", (1000, 2000, 4000))))
        self.kea4.start()

    def retire_dhcp4o6_address(self, new_pool):
        """The operator takes the CPE's IPv4 address back (netlab.Kea4o6.retire): its next renewal
        is NAKed and a new DISCOVER gets new_pool's one address. Returns the new binding."""
        d = self.dhcp4o6
        old = swcalc.dhcp4o6_binding(d["subnet4"], d.get("option_data", ()))
        first = Kea4o6.retire(d["subnet4"][0], old["ipv4"], new_pool)
        if self.kea4:  # None with the independent plan alone (--no-s46d): only the peers change
            self.kea4.reload([first] + list(d["subnet4"][1:]), d.get("option_data", ()))
        # what a DISCOVER will now get: the subnet as if new_pool were its only pool
        self.dhcp4o6 = dict(d, subnet4=[dict(d["subnet4"][0], pools=[{"pool": new_pool}])] + list(d["subnet4"][1:]))
        self.conf = self.parse(self.option_data)
        return self.conf["lw"]

    def change_pd_pool(self, pd_pool):
        """Kea delegates from a new pool from now on (its leases are in memory, so the CPE's next
        Renew gets the new prefix); the ISP routes the new pool to the CPE."""
        old = ipaddress.IPv6Network(f"{self.pd_pool['prefix']}/{self.pd_pool['prefix-len']}")
        self.pd_pool = pd_pool
        new = ipaddress.IPv6Network(f"{pd_pool['prefix']}/{pd_pool['prefix-len']}")
        if new != old:
            run("ip", "-6", "route", "add", str(new), "via", CPE_WAN_ADDR, ns=self.isp)
        kea = getattr(self, "kea", None)
        if kea:  # absent with the independent plan alone (--no-s46d): only the route changes
            kea.pd_pool = pd_pool
            kea.reload(self.kea6_options(self.option_data), self.case.get("option_def", ()))

    # ------------------------------------------------------------------------------------------
    def peer_cmd(self, kind, timeout, conf=None):
        conf = conf or self.conf
        log = os.path.join(self.lab.tmp, f"peer-{kind}.jsonl")
        self.peer_logs[kind] = log
        base = [PY, os.path.join(HERE, "peers", f"{kind}.py"), "--timeout", str(timeout), "--log", log,
                "--v6-iface", "p6", "--v6-gw-mac", MAC["isp_core"]]
        v4 = ["--v4-iface", "inet0", "--v4-host-mac", MAC["inet"], "--v4-self", PEER_V4]
        if kind == "aftr":
            aftrs = [x for addr in self.aftr_addresses() for x in ("--aftr", addr)]
            return base + v4 + aftrs + ["--public", AFTR_PUBLIC, "--b4-inner", "10.0.0.0/24"]
        if kind == "lwaftr":
            lw = conf["lw"]
            args = base + v4 + ["--lwaftr", lw["br"] or LWAFTR_ADDR]
            for b in self.lw_bindings(conf):
                args += ["--binding", b]
            if self.case.get("lwaftr_icmp_policy"):
                args.append("--icmp-policy")
            return args
        if kind == "br":
            m = conf["mape"]
            args = base + v4 + ["--br", m["br"] or BR_ADDR]
            for r in m["rules"]:
                args += ["--rule", swcalc.rule_arg(r)]
            if self.case.get("path_mtu"):
                args += ["--path-mtu", str(self.case["path_mtu"])]
            return args
        raise ValueError(kind)

    def aftr_addresses(self):
        """The AAAA records of the AFTR name, all served by the AFTR peer."""
        return self.case.get("aftr_addresses") or [AFTR_ADDR]

    def lw_bindings(self, conf=None):
        """The lwAFTR's binding table: the CPE's binding (tunnel source from the delegated prefix, or
        by RFC 8539 in a dhcp4o6 case), plus any extra bindings the case lists."""
        lw = (conf or self.conf)["lw"]
        out = []
        if lw.get("ipv4"):
            src = swcalc.expected_plan("lw4o6", {"lw": lw}, self.delegated_prefix())["tunnel_source"]
            out.append(f"{src},{lw['ipv4']},a={lw['offset']},k={lw['psid_len']},psid={lw['psid']}")
        return out + self.case.get("extra_bindings", [])

    def delegated_prefix(self):
        """The prefix Kea delegates first: the start of the PD pool, at the delegated length."""
        return f"{self.pd_pool['prefix']}/{self.pd_pool['delegated-len']}"

    def start_peers(self, conf=None):
        conf = conf or self.conf
        kinds = [k for k, key in (("br", "mape"), ("lwaftr", "lw"), ("aftr", "dslite")) if conf[key]]
        for kind in kinds:
            if kind in self.peers:
                continue
            if kind == "lwaftr" and not conf["lw"].get("ipv4"):
                continue
            self.peers[kind] = self.lab.spawn(*self.peer_cmd(kind, self.timeout, conf), ns=self.peer,
                                              log=os.path.join(self.lab.tmp, f"peer-{kind}.out"))
        time.sleep(0.3)
        for kind, p in self.peers.items():
            if p.poll() is not None:
                raise RuntimeError(f"peer {kind} exited: {open(os.path.join(self.lab.tmp, f'peer-{kind}.out')).read()[-2000:]}")
        if self.with_ce2 and "ce2" not in self.peers:
            m = self.conf["mape"]
            ce2_eup = self.case["ce2"]["eup"]
            bmr = swcalc.select_bmr(m["rules"], ce2_eup)
            me = swcalc.derive(bmr, ce2_eup)
            self.ce2_binding = me
            run("ip", "-6", "route", "add", str(ipaddress.IPv6Network(ce2_eup)), "via", "2001:db8:0:3::2", ns=self.isp)
            run("ip", "-6", "addr", "add", f"{me.map_ipv6}/128", "dev", "lo", ns=self.ce2)
            log = os.path.join(self.lab.tmp, "peer-ce2.jsonl")
            self.peer_logs["ce2"] = log
            args = [PY, os.path.join(HERE, "peers", "ce2.py"), "--timeout", str(self.timeout), "--log", log,
                    "--v6-iface", "wan0", "--v6-gw-mac", MAC["isp_ce2"], "--br", m["br"] or BR_ADDR, "--eup", ce2_eup]
            for r in m["rules"]:
                args += ["--rule", swcalc.rule_arg(r)]
            self.peers["ce2"] = self.lab.spawn(*args, ns=self.ce2, log=os.path.join(self.lab.tmp, "peer-ce2.out"))

    def peer_records(self, kind):
        path = self.peer_logs.get(kind)
        if not path or not os.path.exists(path):
            return []
        out = []
        with open(path) as f:
            for line in f:
                try:
                    out.append(json.loads(line))
                except json.JSONDecodeError:
                    pass
        return out

    def inet_records(self):
        if not os.path.exists(self.inet_log):
            return []
        return [json.loads(l) for l in open(self.inet_log) if l.strip()]

    # ------------------------------------------------------------------------------------------
    def start_cpe(self):
        extra = list(self.case.get("s46d_args", []))
        if self.vm:
            conf = {"interfaces": {"wan": "wan0", "lan": "lan0"}, "dataplane": {"backend": "kernel"},
                    "dhcpv6": {"solicit_delay": 0}, "state": {"directory": "/tmp/s46d-state"},
                    "control": {"socket": "/run/s46d.sock"}, "log": {"level": "debug"}}
            self.vm.start(self, json.dumps(conf, indent=2), extra, {"wan": MAC["cpe_wan"], "lan": MAC["cpe_lan"]})
            self.s46d_log = os.path.join(self.vm.share, "s46d.log")
            self.vm.wait_ready()
            return
        dp = "none" if self.emulate else "userspace"
        self._spawn_s46d(dp, extra)
        try:
            wait_for(lambda: os.path.exists(self.sock) or self.daemon.poll() is not None, 5, what="s46d control socket")
        except TimeoutError:
            raise RuntimeError("s46d did not open its control socket: " + self.tail(self.s46d_log))
        if self.daemon.poll() is not None:
            msg = self.tail(self.s46d_log)
            if dp == "userspace":
                # No userspace data plane in this build: run the control plane alone so selection can
                # still be checked, and say plainly that no traffic can flow.
                self.dataplane_missing = msg.strip().splitlines()[-1] if msg.strip() else "s46d exited"
                self._spawn_s46d("none", extra)
                wait_for(lambda: os.path.exists(self.sock), 5, what="s46d control socket (--dataplane none)")
            else:
                raise RuntimeError("s46d exited: " + msg)

    def _spawn_s46d(self, dataplane, extra):
        if os.path.exists(self.sock):
            os.unlink(self.sock)
        # The CPE runs as a packaged one would: from a configuration file (docs/configuration.md),
        # with the scenario's own flags on top (flags override the file).
        self.config = os.path.join(self.lab.tmp, "s46d.conf")
        with open(self.config, "w") as f:
            json.dump({"interfaces": {"wan": "wan0", "lan": "lan0"},
                       "dataplane": {"backend": dataplane},
                       "dhcpv6": {"solicit_delay": 0},
                       "state": {"directory": self.state},
                       "control": {"socket": self.sock},
                       "log": {"level": "debug"}}, f, indent=2)
        args = [self.s46d, "--config", self.config, *extra]
        self.daemon = self.lab.spawn(*args, ns=self.cpe, log=self.s46d_log)

    def tail(self, path, n=3000):
        try:
            return open(path).read()[-n:]
        except OSError:
            return ""

    def ctl(self, *args):
        if self.vm:
            rc, out = self.vm.ctl(*args)
            if rc != 0:
                raise RuntimeError(f"s46ctl {' '.join(args)} (in the VM): {out.strip()[-300:]}")
            return out
        return s46ctl(self.s46ctl, self.sock, *args)

    def status(self):
        return s46d_status(self.ctl)

    def wait_mode(self, mode, timeout=8):
        def ready():
            s = self.status()
            if not s or s.get("mode") != mode:
                return None
            if mode == "dslite" and not (s.get("plan") or {}).get("aftr"):
                return None
            return s
        return wait_for(ready, timeout, interval=0.05, what=f"s46d mode {mode}")

    def counters(self):
        """s46d's counters (or the emulator's, when emulating the data plane)."""
        if self.emulate:
            try:
                return json.load(open(self.emu_status))["counters"]
            except (OSError, ValueError):
                return {}
        s = self.status() or {}
        return dict(s.get("counters") or {})

    # ------------------------------------------------------------------------------------------
    def start_emulator(self, status):
        """Stand in for the data plane, configured from s46d's own plan (so the peers still check
        s46d's control-plane arithmetic)."""
        if self.emulator:
            self.lab.stop(self.emulator)
            self.emulator = None
        mode, plan = status["mode"], status["plan"]
        src = plan.get("map_ipv6") or plan.get("tunnel_source")
        remote = plan.get("aftr") if mode == "dslite" else plan.get("br")
        run("ip", "-6", "addr", "replace", f"{src}/128", "dev", "wan0", "nodad", ns=self.cpe)
        if not getattr(self, "_cpe_quiet", False):
            self.quiet_kernel(self.cpe)
            self._cpe_quiet = True
            path = os.path.join(self.lab.tmp, "nft-emu.nft")
            with open(path, "w") as f:
                f.write("table ip s46emu {\n chain pre {\n  type filter hook prerouting priority -500; policy accept;\n"
                        f"  iifname \"lan0\" ip daddr != {LAN_GW} drop\n }}\n}}\n")
            run("nft", "-f", path, ns=self.cpe)
        args = [PY, os.path.join(HERE, "ce_emul.py"), "--mode", mode, "--timeout", str(self.timeout),
                "--log", os.path.join(self.lab.tmp, "ce_emul.jsonl"), "--status", self.emu_status,
                "--lan-host-mac", MAC["lan"], "--wan-gw-mac", MAC["isp_cpe"], "--tunnel-source", src, "--remote", remote,
                "--tunnel-mtu", str(plan.get("tunnel_mtu") or 1460)]
        if mode != "dslite":
            args += ["--ipv4", plan["ipv4"].split("/")[0], "--offset", str(plan["psid_offset"]), "--psid-len",
                     str(plan["psid_len"]), "--psid", str(plan["psid"])]
        if mode == "lw4o6" and plan.get("napt") is False:
            args.append("--no-napt")
        if mode == "mape":
            for r in plan.get("fmrs", []):
                rr = swcalc.Rule(r["ipv6_prefix"], r["ipv4_prefix"], r["ea_len"], fmr=r.get("fmr", True),
                                 offset=r.get("psid_offset"), psid_len=r.get("psid_len"), psid=r.get("psid"))
                args += ["--rule", swcalc.rule_arg(rr)]
        self.emulator = self.lab.spawn(*args, ns=self.cpe, log=os.path.join(self.lab.tmp, "ce_emul.out"))
        wait_for(lambda: os.path.exists(self.emu_status), 5, what="CE emulator")

    def traffic(self, *args, timeout=60):
        r = run(PY, os.path.join(HERE, "traffic.py"), *args, ns=self.lan, check=False, timeout=timeout)
        lines = [l for l in r.stdout.splitlines() if l.startswith("{")]
        if not lines:
            return {"ok": False, "error": (r.stderr or r.stdout).strip()[-500:]}
        return json.loads(lines[-1])

    def diagnostics(self):
        """Last lines of every log (for a failure report)."""
        out = {}
        for name in sorted(os.listdir(self.lab.tmp)):
            p = os.path.join(self.lab.tmp, name)
            if os.path.isfile(p) and (name.endswith(".out") or name.endswith(".log")):
                out[name] = self.tail(p, 800)
        if self.vm and getattr(self.vm, "share", None):
            for name in ("s46d.log", "output.log"):
                out[f"vm/{name}"] = self.vm.tail(name, 1500)
        return out


def expected_plan(topo, mode, delegated_prefix=None):
    return swcalc.expected_plan(mode, topo.conf, delegated_prefix or topo.delegated_prefix())


def copy_case(case):
    return copy.deepcopy(case)
