#!/usr/bin/python3
"""Issue-13 integration suite: s46d provisions lw4o6 over DHCPv4-over-DHCPv6 (RFC 7341) from a real
kea-dhcp6 + kea-dhcp4 pair in network namespaces (netlab.Kea4o6).

The lw4o6 container has a BR and no V4V6BIND; option 88 names the ISP address. kea-dhcp4 hands out
one address with option 159 (RFC 7618). Expected values come from the servers' configuration and
the test equipment's own arithmetic (tests/lab/peers/swcalc.py), never from s46d's code; the wire
check decodes the capture with tshark (DHCPv6 layer) and scapy (the DHCPv4 inside option 87, which
Wireshark 4.0 leaves opaque). Everything is torn down on every exit path (netlab.Lab).
Usage: dhcp4o6_test.py BUILD_DIR [SCENARIO...]      (root; exits 77 = skipped otherwise)
"""
import ipaddress
import os
import shutil
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "lab", "peers"))
from netlab import DHCP4O6_PORT, KEA4_SOCKET_ADDR, Kea4o6, run, run_scenarios, skip_unless_root, wait_for  # noqa: E402
from provisioning_test import Cpe, check  # noqa: E402
import swcalc  # noqa: E402

ISP, IA_NA = "2001:db8:0:1::1", "2001:db8:0:1::100"
LW_CONTAINER = [{"name": "s46-cont-lw"}, {"space": "s46-cont-lw-options", "name": "s46-br", "data": "2001:db8:ffff::2"}]
LW_NO_BIND = LW_CONTAINER + [{"name": "dhcp4o6-server-addr", "data": ISP}]
# No route leads there from the CPE (it has only its on-link /64): every query fails to send.
UNROUTABLE_4O6_SERVER = "2001:db8:dead::1"
PD_POOL = {"prefix": "2001:db8:1234:5600::", "prefix-len": 56, "delegated-len": 56}
SHARED = {"subnet": "198.51.100.0/24", "pools": [{"pool": "198.51.100.18 - 198.51.100.18"}],
          "option-data": [{"name": "v4-portparams", "data": "0, 52/8"}]}


class Cpe4o6(Cpe):
    """provisioning_test's CPE with kea-dhcp4 behind kea-dhcp6 (option 88 = the ISP address)."""

    def __init__(self, lab, subnet4=(SHARED,), v4_timers=(1000, 2000, 4000), options=(), lw=LW_NO_BIND):
        super().__init__(lab, lw + list(options), pd_pool=PD_POOL, pool=f"{IA_NA} - {IA_NA}",
                         dhcp4o6={"port": DHCP4O6_PORT, "address": ISP})
        # The IA_NA address numbered on the WAN as an OS's DHCPv6 client would (s46d configures no
        # DHCPv6 addresses): the 4o6 answers go to the softwire source, here that address.
        run("ip", "-6", "addr", "add", f"{IA_NA}/64", "dev", "wan0", "nodad", ns=self.cpe)
        self.kea4 = Kea4o6(lab, self.isp, "isp0", list(subnet4), timers=v4_timers)
        self.kea4.start()
        self.binding = swcalc.dhcp4o6_binding(list(subnet4))

    def wait_mode(self, mode, timeout=5):
        """As Cpe.wait_mode, but a timeout names what s46d says instead."""
        try:
            return super().wait_mode(mode, timeout)
        except TimeoutError:
            s = self.status() or {}
            raise TimeoutError(f"no {mode} after {timeout} s: s46d is in {s.get('mode')} ({s.get('reason')})") from None

    def expected(self, status, bind_prefix=None):
        """The plan a conforming lwB4 must have: the kea-dhcp4 binding, the RFC 8539 source from
        the IA_NA address and delegated prefix s46d reports holding."""
        lease = status.get("lease") or {}
        na = [a["address"] for a in lease.get("addresses", [])]
        pd = [p["prefix"] for p in lease.get("prefixes", [])]
        b = self.binding
        ports = swcalc.PortSet(b["offset"], b["psid_len"], b["psid"]) if b["psid_len"] else swcalc.PortSet.all_ports()
        return {"ipv4": b["ipv4"], "psid_len": b["psid_len"], "psid": b["psid"], "port_ranges": ports.range_strings(),
                "tunnel_source": swcalc.dhcp4o6_softwire_source(na[0] if na else None, pd, bind_prefix),
                "br": "2001:db8:ffff::2"}


def check_plan(c, s, bind_prefix=None):
    p, want = s["plan"], c.expected(s, bind_prefix)
    got = {"ipv4": p.get("ipv4", "").split("/")[0], "psid_len": p.get("psid_len"), "psid": p.get("psid"),
           "port_ranges": p.get("port_ranges"), "tunnel_source": p.get("tunnel_source"), "br": p.get("br")}
    if not want["psid_len"]:
        got["psid"] = want["psid"] = 0
    bad = {k: (got[k], want[k]) for k in want if got[k] != want[k]}
    check(not bad, f"plan differs from the servers' binding (got, want): {bad}")
    return got


def requests_seen(kea4):
    """DHCPREQUESTs kea-dhcp4 received (initial and renewals)."""
    return len([l for l in kea4.log_lines("DHCP4_PACKET_RECEIVED") if "DHCPREQUEST" in l])


# ---------------------------------------------------------------------------------------------
# Scenarios

def test_address_and_psid(lab):
    c = Cpe4o6(lab)
    t0 = time.monotonic()
    c.start()
    s = c.wait_mode("lw4o6", timeout=10)
    took = time.monotonic() - t0
    got = check_plan(c, s)
    # status (docs/dhcp4o6-client.md): where the binding came from and the 4o6 lease, against
    # kea-dhcp4's configuration (server id = its IPv4 socket address, timers as configured)
    lease = (s.get("dhcp4o6") or {}).get("lease") or {}
    pp = lease.get("port_params") or {}
    check(s.get("binding_origin") == "DHCP 4o6", f"binding_origin {s.get('binding_origin')!r}")
    check(lease.get("address") == "198.51.100.18" and (pp.get("psid"), pp.get("psid_length")) == (52, 8)
          and lease.get("server_id") == KEA4_SOCKET_ADDR.split("/")[0] and (lease.get("t1"), lease.get("t2")) == (1000, 2000),
          f"status dhcp4o6.lease {lease}")
    rows = [r for r in c.kea4.leases() if r.get("address") == "198.51.100.18"]
    check(rows, f"kea-dhcp4's lease file has no lease for 198.51.100.18: {c.kea4.leases()}")
    # s46d's own 4o6 timings (docs/performance.md): the Reply precedes the first query, so
    # Reply -> ACK covers query -> ACK; the plan follows the ACK; all lie within start -> mode.
    tm = s.get("timings") or {}
    keys = ("reply_to_dhcp4o6_ack_ms", "dhcp4o6_first_query_to_ack_ms", "dhcp4o6_ack_to_plan_us", "start_to_mode_ms")
    check(all(k in tm for k in keys), f"timings lacks one of {keys}: {tm}")
    check(0 < tm["dhcp4o6_first_query_to_ack_ms"] <= tm["reply_to_dhcp4o6_ack_ms"]
          and 0 < tm["dhcp4o6_ack_to_plan_us"]
          and tm["reply_to_dhcp4o6_ack_ms"] + tm["dhcp4o6_ack_to_plan_us"] / 1000 <= tm["start_to_mode_ms"]
          and tm["start_to_mode_ms"] <= took * 1000, f"inconsistent 4o6 timings: {tm} ({took * 1000:.0f} ms seen from outside)")
    return (f"lw4o6 {got['ipv4']} PSID {got['psid']}/{got['psid_len']} {got['port_ranges']} from {got['tunnel_source']} "
            f"over 4o6, {took * 1000:.0f} ms from process start")


def test_renew_at_t1(lab):
    c = Cpe4o6(lab, v4_timers=(2, 4, 8))
    c.start()
    s0 = c.wait_mode("lw4o6", timeout=10)
    n0, rows0 = requests_seen(c.kea4), len(c.kea4.leases())
    t0 = time.monotonic()
    wait_for(lambda: requests_seen(c.kea4) > n0, 6, interval=0.1, what="a renewing DHCPREQUEST at T1 (2 s)")
    took = time.monotonic() - t0
    time.sleep(0.3)
    rows = len(c.kea4.leases())
    check(rows > rows0, f"kea-dhcp4's lease file did not record the renewal ({rows0} -> {rows} rows)")
    s = c.status()
    check(s["mode"] == "lw4o6" and s["transitions"] == s0["transitions"],
          f"a renewal with the same binding must not transition: {s['mode']}, {s0['transitions']} -> {s['transitions']}")
    return f"renewal {took:.1f} s after the mode came up (T1 2 s), lease rows {rows0} -> {rows}, no transition"


def test_restart_from_store_servers_stopped(lab):
    c = Cpe4o6(lab)
    c.start()
    s0 = c.wait_mode("lw4o6", timeout=10)
    c.kill_daemon()   # power loss: no Release
    c.kea4.stop()     # neither server will answer
    c.kea.stop()
    t0 = time.monotonic()
    c.start()
    s = c.wait_mode("lw4o6", timeout=3)
    took = time.monotonic() - t0
    check(s["plan"]["ipv4"] == s0["plan"]["ipv4"] and s["plan"]["tunnel_source"] == s0["plan"]["tunnel_source"],
          f"restored plan {s['plan']} != before {s0['plan']}")
    text = c.ctl("status")
    check("lw4o6" in text and "198.51.100.18" in text and "from DHCP 4o6" in text,
          f"s46ctl status does not show the restored 4o6 binding: {text[:600]}")
    return f"lw4o6 198.51.100.18 restored from the store {took * 1000:.0f} ms after start, both servers stopped"


def test_tshark_decodes_dhcpv4_query(lab):
    """The capture decoded independently: tshark (DHCPv6 layer) and scapy (the DHCPv4 inside)."""
    if not shutil.which("tshark"):
        from netlab import Skip
        raise Skip("tshark is not installed (scripts/test installs it)")
    from dhcp4o6_pcap import messages, tshark_version
    c = Cpe4o6(lab)
    pcap = os.path.join(lab.tmp, "4o6.pcap")
    cap = lab.spawn("tshark", "-i", "wan0", "-w", pcap, "-f", "udp port 547 or udp port 546", ns=c.cpe)
    wait_for(lambda: os.path.exists(pcap) and os.path.getsize(pcap) > 0, 10, what="tshark capturing")
    c.start()
    s = c.wait_mode("lw4o6", timeout=10)
    time.sleep(0.5)
    lab.stop(cap)
    msgs = messages(pcap)
    queries = [m for m in msgs if m["msgtype"] == 20]
    kinds = [(m["msgtype"], (m.get("inner") or {}).get("type")) for m in msgs]
    check([k for k in kinds if k[0] == 20][:2] == [(20, "discover"), (20, "request")],
          f"DHCPV4-QUERY carrying DISCOVER then REQUEST: {kinds}")
    check((21, "ack") in kinds, f"a DHCPV4-RESPONSE carrying the ACK: {kinds}")
    for q in queries:
        # RFC 7341 §5: to the option-88 address; §6.2: U only where the DHCPv4 message would have
        # been unicast (a RENEWING REQUEST has ciaddr set, RFC 2131 §4.3.2), so clear here.
        u = q["inner"]["ciaddr"] != "0.0.0.0"
        check(q["dst"] == ISP and q["flags"] == ("0x800000" if u else "0x000000"),
              f"{q['inner']['type']}: dst {q['dst']} (want {ISP}), flags {q['flags']} (U {'set' if u else 'clear'})")
        saddr = q["inner_options"].get(109)
        want = s["plan"]["tunnel_source"]
        check(saddr is not None and ipaddress.IPv6Address(saddr) == ipaddress.IPv6Address(want),
              f"option 109 (RFC 8539 5.2) in the {q['inner']['type']}: {saddr!r}, want the softwire source {want}")
    inner = "decodes" if any(m["inner_by_tshark"] for m in msgs) else "does not decode (scapy did)"
    return (f"{len(queries)} DHCPV4-QUERY to {ISP}, U flag clear, option 109 = {s['plan']['tunnel_source']}; "
            f"Wireshark {tshark_version()} {inner} the DHCPv4 inside option 87")


def counters(c):
    return (c.status() or {}).get("counters") or {}


def log_lines(c, text):
    with open(c.log, errors="replace") as f:
        return [l for l in f if text in l]


def test_unroutable_4o6_server_counts_send_errors(lab):
    """Option 88 names a server no route leads to: each DHCPV4-QUERY fails in sendmsg. s46d counts
    it in dhcp4o6_send_errors, logs why, keeps retransmitting (RFC 2131 4.1 backoff) and waits."""
    c = Cpe4o6(lab, lw=LW_CONTAINER + [{"name": "dhcp4o6-server-addr", "data": UNROUTABLE_4O6_SERVER}])
    c.start()
    s = c.wait_mode("none", timeout=10)
    wait_for(lambda: counters(c).get("dhcp4o6_send_errors", 0) >= 2, 15, interval=0.2,
             what="dhcp4o6_send_errors counting the first DISCOVER and its retransmission")
    s = c.status()
    n = s["counters"]["dhcp4o6_send_errors"]
    check("waiting for a DHCP 4o6 lease" in (s.get("reason") or ""), f"mode none's reason: {s.get('reason')!r}")
    check((s.get("dhcp4o6") or {}).get("state") not in (None, "stopped"), f"the 4o6 client must keep trying: {s.get('dhcp4o6')}")
    errors = log_lines(c, f"DHCPv4-over-DHCPv6 send from {IA_NA} to {UNROUTABLE_4O6_SERVER}")
    check(errors and all("unreachable" in l.lower() for l in errors),
          f"the log must name the failed send and why (network unreachable): {errors[:3]}")
    check(c.daemon.poll() is None, "s46d exited")
    return f"{n} DHCPV4-QUERYs to {UNROUTABLE_4O6_SERVER} counted in dhcp4o6_send_errors; mode none, still trying"


def dhcpv4_response(xid):
    """A well-formed DHCPV4-RESPONSE (RFC 7341 6.2: msg-type 21, 24 bits of flags, then option 87
    DHCPV4-MSG holding the DHCPv4 message) carrying a DHCPACK, the DHCPv4 part written by scapy."""
    from scapy.all import BOOTP, DHCP, raw
    ack = raw(BOOTP(op=2, xid=xid, yiaddr="198.51.100.18") / DHCP(options=[("message-type", "ack"), "end"]))
    return bytes([21, 0, 0, 0]) + (87).to_bytes(2, "big") + len(ack).to_bytes(2, "big") + ack


def test_response_without_4o6_client_is_counted(lab):
    """A DHCPV4-RESPONSE while no 4o6 client runs (here: the container has no option 88, so lw4o6
    is not even a candidate) is counted in dhcp4o6_unexpected and dropped; nothing else changes."""
    c = Cpe4o6(lab, lw=LW_CONTAINER)
    c.start()
    c.wait_mode("none", timeout=10)
    s0 = c.status()
    check((s0.get("dhcp4o6") or {}).get("state") in (None, "stopped"), f"no 4o6 client must run: {s0.get('dhcp4o6')}")
    n0 = s0["counters"].get("dhcp4o6_unexpected")
    check(n0 == 0, f"dhcp4o6_unexpected before anything was sent: {n0}")
    payload = dhcpv4_response(0x1234).hex()
    # From the ISP side to the CPE's WAN address, port 546 (RFC 7341 6: DHCPV4-RESPONSE goes to
    # the client port); three datagrams, each counted once.
    run("/usr/bin/python3", "-c", "import socket,sys; s=socket.socket(socket.AF_INET6, socket.SOCK_DGRAM); "
        f"[s.sendto(bytes.fromhex('{payload}'), ('2001:db8:0:1::2', 546)) for _ in range(3)]", ns=c.isp)
    wait_for(lambda: counters(c).get("dhcp4o6_unexpected") == 3, 5, what="dhcp4o6_unexpected counting 3 responses")
    s = c.status()
    check(s["mode"] == "none" and s["transitions"] == s0["transitions"], f"an unexpected response changed the mode: {s['mode']}")
    check(len(log_lines(c, "no DHCP 4o6 client is running")) >= 1, "the log must say why the response was ignored")
    return "3 unsolicited DHCPV4-RESPONSEs counted in dhcp4o6_unexpected, mode unchanged"


SCENARIOS = [test_address_and_psid, test_renew_at_t1, test_restart_from_store_servers_stopped,
             test_tshark_decodes_dhcpv4_query, test_unroutable_4o6_server_counts_send_errors,
             test_response_without_4o6_client_is_counted]


def main():
    skip_unless_root("the DHCPv4-over-DHCPv6 integration suite", tools=("ip", "kea-dhcp6", "kea-dhcp4"),
                     packages="iproute2 kea-dhcp6-server kea-dhcp4-server")
    if os.system("/usr/bin/python3 -c 'import scapy.all' 2>/dev/null"):
        print("SKIP: needs python3-scapy (the capture's DHCPv4 is decoded with scapy)")
        sys.exit(77)
    run_scenarios(SCENARIOS, sys.argv[2:])


if __name__ == "__main__":
    main()
