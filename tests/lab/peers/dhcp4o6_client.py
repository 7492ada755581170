#!/usr/bin/python3
"""A DHCPv4-over-DHCPv6 test client (RFC 7341) with scapy, written from the RFCs and independent of
s46d's code: it proves a kea-dhcp6 + kea-dhcp4 pair serves 4o6 before any CPE is involved.

  dhcp4o6_client.py --src ADDR [--server ADDR | --multicast IFACE] [--saddr ADDR] [--renew]
                    [--solicit IFACE] [--timeout S]

--solicit first runs a DHCPv6 Solicit with rapid commit on IFACE asking for options 88 and 137
(RFC 7341 §5, RFC 8539 §5.1) and reports what the Reply carries; without --server the 4o6
exchange then goes to the first address of option 88 (multicast when 88 is empty). The exchange is
DISCOVER/OFFER/REQUEST/ACK, each DHCPv4 message in DHCPV4-QUERY option 87 (RFC 7341 §6) carrying
option 109 (OPTION_DHCP4O6_S46_SADDR, RFC 8539 §5.2) = --saddr; --renew adds a RENEWING REQUEST
(RFC 2131 §4.3.2: ciaddr set, no server id, no requested address); --renew-only IPV4 sends only
that renewal. Prints one JSON object:
messages seen, the lease (address, server id, lease time, T1, T2) and option 159 (RFC 7618) as
offset / PSID length / PSID. Exit 0 when every step got its answer (a NAK is an answer), 1 if not.
"""
import argparse
import ipaddress
import json
import os
import random
import socket
import struct
import sys
import time

from scapy.all import BOOTP, DHCP, raw

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import swcalc  # noqa: E402

DHCPV4_QUERY, DHCPV4_RESPONSE = 20, 21                      # RFC 7341 §6
OPTION_DHCPV4_MSG, OPTION_DHCP4_O_DHCP6_SERVER = 87, 88     # RFC 7341 §7
OPTION_S46_BIND_IPV6_PREFIX = 137                           # RFC 8539 §5.1
OPTION_DHCP4O6_S46_SADDR = 109                              # RFC 8539 §5.2 (a DHCPv4 option)
OPTION_V4_PORTPARAMS = 159                                  # RFC 7618 §4
UNICAST_FLAG = 0x800000                                     # RFC 7341 §6.2: the U bit of the 24-bit flags
ALL_DHCP_SERVERS = "ff02::1:2"
MSG_NAMES = {1: "discover", 2: "offer", 3: "request", 4: "decline", 5: "ack", 6: "nak", 7: "release"}


def v6_options(data):
    """DHCPv6 options (RFC 8415 §21.1) as {code: [payload, ...]}; ValueError on a truncated one."""
    out, i = {}, 0
    while i < len(data):
        if i + 4 > len(data):
            raise ValueError(f"truncated DHCPv6 option header at {i}")
        code, length = struct.unpack_from("!HH", data, i)
        if i + 4 + length > len(data):
            raise ValueError(f"option {code} length {length} runs past the message")
        out.setdefault(code, []).append(data[i + 4:i + 4 + length])
        i += 4 + length
    return out


def dhcpv4_query(bootp, unicast):
    """RFC 7341 §6.1: msg-type 20, the 24-bit flags, option 87. The U flag (§6.2) says the DHCPv4
    message would have been unicast on an IPv4 link (a RENEWING REQUEST, RFC 2131 §4.3.2), not how
    the DHCPv6 datagram travels: a DISCOVER sent to the option-88 unicast address has U clear."""
    flags = UNICAST_FLAG if unicast else 0
    return struct.pack("!I", (DHCPV4_QUERY << 24) | flags) + struct.pack("!HH", OPTION_DHCPV4_MSG, len(bootp)) + bootp


def parse_response(data):
    """A DHCPV4-RESPONSE: (scapy BOOTP of option 87, flags). ValueError names what is wrong."""
    if len(data) < 4:
        raise ValueError(f"{len(data)} bytes: shorter than a DHCPv6 header")
    if data[0] != DHCPV4_RESPONSE:
        raise ValueError(f"message type {data[0]}, want DHCPV4-RESPONSE (21)")
    flags = int.from_bytes(data[1:4], "big")
    msgs = v6_options(data[4:]).get(OPTION_DHCPV4_MSG)
    if not msgs:
        raise ValueError("DHCPV4-RESPONSE without DHCPV4-MSG (87)")
    return BOOTP(msgs[0]), flags


def dhcp_opts(bootp):
    """The DHCPv4 options of a scapy BOOTP as {name or code: value}."""
    out = {}
    if DHCP not in bootp:
        return out
    for o in bootp[DHCP].options:
        if isinstance(o, tuple):
            out[o[0]] = o[1] if len(o) == 2 else o[1:]
    return out


def decode_portparams(value):
    """RFC 7618 §4: offset (1 byte), PSID-len (1 byte), PSID (16 bits, left-aligned, RFC 7597 §5.1)."""
    if not isinstance(value, bytes) or len(value) != 4:
        raise ValueError(f"option 159 must be 4 bytes, got {value!r}")
    offset, k, field = value[0], value[1], int.from_bytes(value[2:], "big")
    if k > 16:
        raise ValueError(f"option 159 PSID length {k} > 16")
    psid = field >> (16 - k) if k else 0
    if k and field & ((1 << (16 - k)) - 1):
        raise ValueError(f"option 159 PSID field {field:#06x} has bits beyond its {k}-bit PSID")
    return {"offset": offset, "psid_len": k, "psid": psid}


class Client:
    def __init__(self, src, server, ifname=None, saddr=None, mac="02:00:00:00:00:01", timeout=2.0, tries=3):
        self.src, self.server, self.ifname = src, server, ifname
        self.saddr = saddr or src
        self.mac = bytes.fromhex(mac.replace(":", ""))
        self.timeout, self.tries = timeout, tries
        self.unicast = not ipaddress.IPv6Address(server).is_multicast
        self.sock = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind((src, 546))
        self.dest = (server, 547, 0, socket.if_nametoindex(ifname) if ifname and not self.unicast else 0)
        self.log = []

    def bootp(self, kind, xid, ciaddr="0.0.0.0", extra=()):
        opts = [("message-type", kind), (OPTION_DHCP4O6_S46_SADDR, ipaddress.IPv6Address(self.saddr).packed),
                ("param_req_list", [1, 3, 6, 51, 54, 58, 59, OPTION_V4_PORTPARAMS]), *extra, "end"]
        return raw(BOOTP(op=1, xid=xid, ciaddr=ciaddr, chaddr=self.mac + bytes(10)) / DHCP(options=opts))

    def transact(self, kind, xid, want, **kw):
        """Send one DHCPv4 message in a DHCPV4-QUERY, retransmitting, until an answer of a type in
        `want` with our xid arrives; every response is logged with what was wrong with it."""
        renewing = kw.get("ciaddr", "0.0.0.0") != "0.0.0.0"
        query = dhcpv4_query(self.bootp(kind, xid, **kw), unicast=renewing)
        for attempt in range(self.tries):
            t0 = time.monotonic()
            self.sock.sendto(query, self.dest)
            self.log.append({"sent": kind, "xid": xid, "attempt": attempt + 1, "bytes": len(query), "u_flag": renewing})
            deadline = t0 + self.timeout * (2 ** attempt)
            while (left := deadline - time.monotonic()) > 0:
                self.sock.settimeout(left)
                try:
                    data, peer = self.sock.recvfrom(4096)
                except socket.timeout:
                    break
                try:
                    reply, flags = parse_response(data)
                except ValueError as e:
                    self.log.append({"ignored": str(e), "from": peer[0]})
                    continue
                o = dhcp_opts(reply)
                t = MSG_NAMES.get(o.get("message-type"), str(o.get("message-type")))
                entry = {"received": t, "from": peer[0], "flags": flags, "ms": round((time.monotonic() - t0) * 1000, 2)}
                if reply.xid != xid:
                    entry["ignored"] = f"xid {reply.xid:#x}, want {xid:#x}"
                elif t not in want:
                    entry["ignored"] = f"{t}, want {'/'.join(want)}"
                self.log.append(entry)
                if "ignored" not in entry:
                    return reply, o, t
        return None, {}, None

    def lease_of(self, reply, o):
        lease = {"address": reply.yiaddr, "server_id": o.get("server_id"), "lease_time": o.get("lease_time"),
                 "t1": o.get("renewal_time"), "t2": o.get("rebinding_time")}
        pp = o.get("v4-portparams", o.get(OPTION_V4_PORTPARAMS))
        if pp is not None:
            lease["portparams"] = decode_portparams(pp)
            p = lease["portparams"]
            ports = swcalc.PortSet(p["offset"], p["psid_len"], p["psid"]) if p["psid_len"] else swcalc.PortSet.all_ports()
            lease["port_ranges"] = ports.range_strings()
            lease["ports"] = ports.count()
        return lease

    def renew_only(self, ciaddr):
        """A RENEWING REQUEST for an address we are told we hold (e.g. one from before a server change)."""
        out = {"server": self.server, "src": self.src, "unicast": self.unicast, "ok": True}
        rack, ro, rt = self.transact("request", random.getrandbits(32), ("ack", "nak"), ciaddr=ciaddr)
        out["renew"] = rt
        if rt == "ack":
            out["renewed"] = self.lease_of(rack, ro)
        return out

    def run(self, renew=False):
        out = {"server": self.server, "src": self.src, "saddr": self.saddr, "unicast": self.unicast, "ok": False}
        xid = random.getrandbits(32)
        offer, o, t = self.transact("discover", xid, ("offer",))
        if offer is None:
            out["error"] = "no OFFER"
            return out
        out["offer"] = self.lease_of(offer, o)
        sid = o.get("server_id")
        ack, o, t = self.transact("request", xid, ("ack", "nak"),
                                  extra=[("requested_addr", offer.yiaddr), ("server_id", sid)])
        out["request"] = t
        if t != "ack":
            out["error"] = f"REQUEST answered with {t}" if t else "no answer to REQUEST"
            return out
        out["lease"] = self.lease_of(ack, o)
        if renew:
            rack, ro, rt = self.transact("request", random.getrandbits(32), ("ack", "nak"), ciaddr=ack.yiaddr)
            out["renew"] = rt
            if rt is None:
                out["error"] = "no answer to the renewing REQUEST"
                return out
            if rt == "ack":
                out["renewed"] = self.lease_of(rack, ro)
        out["ok"] = True
        return out


def solicit(ifname, src, mac, timeout=3.0):
    """DHCPv6 Solicit with rapid commit, ORO 88 and 137 (RFC 7341 §5, RFC 8539 §5.1): what the Reply
    carries for 4o6 — the option 88 addresses, option 137 as prefix (None when absent) and the IA_PD."""
    from scapy.all import (DHCP6_Reply, DHCP6_Solicit, DHCP6OptClientId, DHCP6OptElapsedTime, DHCP6OptIA_NA,
                           DHCP6OptIA_PD, DHCP6OptOptReq, DHCP6OptRapidCommit, DUID_LL)
    trid = random.getrandbits(24)
    sol = (DHCP6_Solicit(trid=trid) / DHCP6OptClientId(duid=DUID_LL(lladdr=mac)) / DHCP6OptElapsedTime() /
           DHCP6OptRapidCommit() / DHCP6OptOptReq(reqopts=[23, 96, OPTION_DHCP4_O_DHCP6_SERVER, OPTION_S46_BIND_IPV6_PREFIX]) /
           DHCP6OptIA_NA(iaid=1) / DHCP6OptIA_PD(iaid=2))
    s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((src, 546))
    s.sendto(raw(sol), (ALL_DHCP_SERVERS, 547, 0, socket.if_nametoindex(ifname)))
    s.settimeout(timeout)
    try:
        while True:
            data, _ = s.recvfrom(4096)
            if data[0] == 7 and int.from_bytes(data[1:4], "big") == trid:
                break
    finally:
        s.close()
    opts = v6_options(data[4:])
    out = {"reply": True}
    if OPTION_DHCP4_O_DHCP6_SERVER in opts:
        b = opts[OPTION_DHCP4_O_DHCP6_SERVER][0]
        if len(b) % 16:
            raise ValueError(f"option 88 length {len(b)} is not a multiple of 16 (RFC 7341 §7.1)")
        out["dhcp4o6_servers"] = [str(ipaddress.IPv6Address(b[i:i + 16])) for i in range(0, len(b), 16)]
    out["bind_ipv6_prefix"] = None
    if OPTION_S46_BIND_IPV6_PREFIX in opts:
        b = opts[OPTION_S46_BIND_IPV6_PREFIX][0]
        plen = b[0]
        if plen > 128 or len(b) != 1 + (plen + 7) // 8:
            raise ValueError(f"option 137: prefix length {plen} with {len(b) - 1} prefix bytes (RFC 8539 §5.1)")
        out["bind_ipv6_prefix"] = str(ipaddress.IPv6Network((b[1:] + bytes(16 - len(b) + 1), plen)))
        out["bind_ipv6_prefix_bytes"] = b.hex()
    reply = DHCP6_Reply(data)
    out["ia_na"] = [str(o.addr) for o in reply.iterpayloads() if o.name == "DHCP6 IA Address Option (IA_TA or IA_NA suboption)"]
    out["ia_pd"] = [f"{o.prefix}/{o.plen}" for o in reply.iterpayloads() if o.name == "DHCP6 Option - IA_PD Prefix option"]
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--src", required=True, help="our IPv6 source (the servers match it to a 4o6-subnet)")
    ap.add_argument("--server", help="DHCPv4-over-DHCPv6 server address (default: option 88 from --solicit)")
    ap.add_argument("--multicast", metavar="IFACE", help="send to All_DHCP_Relay_Agents_and_Servers on IFACE")
    ap.add_argument("--solicit", metavar="IFACE")
    ap.add_argument("--saddr", help="option 109: the softwire source we announce (default --src)")
    ap.add_argument("--mac", default="02:00:00:00:00:01")
    ap.add_argument("--renew", action="store_true")
    ap.add_argument("--renew-only", metavar="IPV4", help="only a RENEWING REQUEST for IPV4 (no answer is not an error)")
    ap.add_argument("--timeout", type=float, default=1.0)
    a = ap.parse_args()
    out = {}
    server, ifname = a.server, a.multicast
    if a.solicit:
        try:
            out["dhcpv6"] = solicit(a.solicit, a.src, a.mac)
        except (socket.timeout, ValueError) as e:
            print(json.dumps({"ok": False, "error": f"DHCPv6 Solicit: {e or 'no Reply'}"}))
            return 1
        if not server and not ifname:
            servers = out["dhcpv6"].get("dhcp4o6_servers")
            if servers is None:
                print(json.dumps({"ok": False, "error": "the Reply has no option 88", **out}))
                return 1
            server, ifname = (servers[0], None) if servers else (ALL_DHCP_SERVERS, a.solicit)
    if ifname and not server:
        server = ALL_DHCP_SERVERS
    if not server:
        ap.error("--server, --multicast or --solicit is needed")
    c = Client(a.src, server, ifname=ifname, saddr=a.saddr, mac=a.mac, timeout=a.timeout)
    out.update(c.renew_only(a.renew_only) if a.renew_only else c.run(renew=a.renew))
    out["messages"] = c.log
    print(json.dumps(out))
    return 0 if out["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
