"""DHCPv4-over-DHCPv6 messages in a capture, decoded twice: tshark for the DHCPv6 layer and scapy
for the DHCPv4 message inside option 87. Wireshark 4.0 shows DHCPV4-QUERY/RESPONSE (20/21) only
as message types and option 87 (DHCPV4-MSG) as an opaque blob: it does not decode the DHCPv4
inside, so that part is scapy's (RFC 2131/2132 layout), never s46d's code."""
import json
import re
import subprocess

from scapy.all import BOOTP

from dhcp4o6_client import MSG_NAMES, OPTION_DHCPV4_MSG, dhcp_opts


def tshark_version():
    first = subprocess.run(["tshark", "--version"], capture_output=True, text=True).stdout.split("\n")[0]
    m = re.search(r"\d+\.\d+\.\d+", first)
    return m.group(0) if m else first


def _walk(node, key):
    """Every value of `key` anywhere in tshark's JSON tree of one packet."""
    if isinstance(node, dict):
        for k, v in node.items():
            if k == key:
                yield v
            yield from _walk(v, key)
    elif isinstance(node, list):
        for v in node:
            yield from _walk(v, key)


def messages(pcap):
    """[{src, dst, msgtype, flags, inner_by_tshark, inner: {type, xid, ciaddr, yiaddr, options}}]
    for every DHCPv6 message of type 20/21 in pcap."""
    r = subprocess.run(["tshark", "-r", pcap, "-Y", "dhcpv6.msgtype == 20 || dhcpv6.msgtype == 21", "-T", "json", "-x"],
                       capture_output=True, text=True, check=True)
    out = []
    for pkt in json.loads(r.stdout or "[]"):
        layers = pkt["_source"]["layers"]
        d6 = layers.get("dhcpv6", {})
        m = {"src": layers.get("ipv6", {}).get("ipv6.src"), "dst": layers.get("ipv6", {}).get("ipv6.dst"),
             "msgtype": int(d6.get("dhcpv6.msgtype", 0)), "flags": d6.get("dhcpv6.xid"),
             # Did Wireshark itself decode a DHCPv4 message here (a "dhcp" layer)?
             "inner_by_tshark": "dhcp" in layers}
        for raw_hex in _walk(d6, "dhcpv6.option.type_str_raw"):
            blob = bytes.fromhex(raw_hex[0])
            if int.from_bytes(blob[:2], "big") != OPTION_DHCPV4_MSG:
                continue
            b = BOOTP(blob[4:])
            o = dhcp_opts(b)
            m["inner"] = {"type": MSG_NAMES.get(o.get("message-type"), o.get("message-type")), "xid": b.xid,
                          "ciaddr": b.ciaddr, "yiaddr": b.yiaddr,
                          "options": sorted(str(k) for k in o)}
            m["inner_options"] = o
        out.append(m)
    return out
