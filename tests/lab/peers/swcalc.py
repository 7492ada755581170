"""Softwire arithmetic for the test equipment, written from the RFCs (not from s46d's code).

RFC 7597 §5.1 (port sets, GMA with offset), §5.2 (EA bits, IPv4 address/prefix, PSID), §6 (MAP
IPv6 address / interface identifier), §5/§5.3/§5.4 (forwarding: longest IPv4 match of the FMRs, else
the BR), §8.1 (source validation); RFC 7596 §5.1 (lwB4 tunnel source); RFC 7598 (the option
formats, here in Kea's option-data text form). Self-test: swcalc_selftest.py against
tests/vectors/map.json.

Addresses are handled as ipaddress objects or ints; PSIDs are right-aligned integers.
"""
import ipaddress

MAP_DEFAULT_OFFSET = 6   # RFC 7597 §5.1
LW_DEFAULT_OFFSET = 0    # RFC 7596 §5.1 (SHOULD)


def _mask(bits):
    return (1 << bits) - 1


# ----------------------------------------------------------------------------------------------
# Port sets (RFC 7597 §5.1): port = A (a bits) | PSID (k bits) | j (m bits), A != 0 when a > 0.

class PortSet:
    def __init__(self, a, k, psid):
        if not (0 <= a <= 16 and 0 <= k <= 16 and a + k <= 16):
            raise ValueError(f"bad port set a={a} k={k}")
        if (k and not 0 <= psid < (1 << k)) or (not k and psid != 0):
            raise ValueError(f"PSID {psid} does not fit in {k} bits")
        self.a, self.k, self.psid = a, k, psid
        self.m = 16 - a - k

    @classmethod
    def all_ports(cls):
        return cls(0, 0, 0)

    def ranges(self):
        """The ports as (first, last) ranges, ascending."""
        if self.k == 0:
            # No sharing: every port (RFC 7597 §5.1 speaks of excluding 0-1023 only for shared sets;
            # a full address keeps the whole space).
            return [(0, 65535)]
        out = []
        first_a = 1 if self.a > 0 else 0
        for big_a in range(first_a, 1 << self.a):
            lo = (big_a << (16 - self.a)) | (self.psid << self.m)
            out.append((lo, lo + (1 << self.m) - 1))
        return out

    def range_strings(self):
        return [f"{lo}-{hi}" for lo, hi in self.ranges()]

    def count(self):
        return sum(hi - lo + 1 for lo, hi in self.ranges())

    def psid_of(self, port):
        return (port >> self.m) & _mask(self.k)

    def __contains__(self, port):
        if self.k == 0:
            return 0 <= port <= 65535
        if self.a > 0 and (port >> (16 - self.a)) == 0:
            return False
        return self.psid_of(port) == self.psid

    def to_json(self):
        return {"offset": self.a, "psid_len": self.k, "psid": self.psid, "port_ranges": self.range_strings()}


def psid_of(port, a, k):
    return (port >> (16 - a - k)) & _mask(k)


# ----------------------------------------------------------------------------------------------
# Rules (RFC 7597 §5)

class Rule:
    def __init__(self, ipv6_prefix, ipv4_prefix, ea_len, fmr=False, offset=None, psid_len=None, psid=None):
        self.ipv6 = ipaddress.IPv6Network(ipv6_prefix, strict=False)
        self.ipv4 = ipaddress.IPv4Network(ipv4_prefix, strict=False)
        self.o = int(ea_len)
        self.fmr = bool(fmr)
        self.offset = offset            # None: the mechanism's default
        self.explicit_k = psid_len      # from PORTPARAMS (RFC 7598 §4.5)
        self.explicit_psid = psid
        if not 0 <= self.o <= 48:
            raise ValueError("ea-len out of range")

    @property
    def n(self):
        return self.ipv6.prefixlen

    @property
    def r(self):
        return self.ipv4.prefixlen

    def a(self, default=MAP_DEFAULT_OFFSET):
        return default if self.offset is None else self.offset

    def k(self):
        """PSID length for addresses under this rule (0 for a full address or a prefix)."""
        p = 32 - self.r
        if self.o + self.r > 32:
            return self.o - p
        if self.o + self.r == 32 and self.explicit_k:
            return self.explicit_k   # an explicit PSID overrides for a full address (RFC 7598 §4.5)
        return 0

    def kind(self):
        total = self.o + self.r
        if total < 32:
            return "ipv4-prefix"
        return "full-ipv4" if self.k() == 0 else "shared-ipv4"

    def port_set(self, psid, default_offset=MAP_DEFAULT_OFFSET):
        k = self.k()
        if k == 0:
            return PortSet.all_ports()
        return PortSet(self.a(default_offset), k, psid)

    def __repr__(self):
        return f"Rule({self.ipv6}, {self.ipv4}, ea={self.o}, F={int(self.fmr)}, a={self.offset}, k={self.explicit_k})"


def iid(ipv4_int, psid):
    """RFC 7597 §6: 16 zero bits | 32-bit IPv4 (or prefix, zero padded) | 16-bit PSID (right aligned)."""
    return (ipv4_int << 16) | psid


def map_address(eup_int, eup_len, ipv4_int, psid):
    """End-user prefix | zero subnet-ID | IID; an End-user prefix longer than /64 overwrites the IID."""
    prefix_bits = eup_int & (_mask(eup_len) << (128 - eup_len)) if eup_len else 0
    return ipaddress.IPv6Address(prefix_bits | (iid(ipv4_int, psid) & _mask(128 - max(eup_len, 64))))


class Binding:
    """What a CE ends up with under a rule: IPv4 address or prefix, port set, MAP address."""

    def __init__(self, rule, ipv4, ipv4_len, ports, psid, map_ipv6, eup):
        self.rule, self.ipv4, self.ipv4_len, self.ports, self.psid = rule, ipv4, ipv4_len, ports, psid
        self.map_ipv6, self.eup = map_ipv6, eup

    def to_json(self):
        d = {"ipv4": str(self.ipv4), "ipv4_len": self.ipv4_len, "psid": self.psid, "map_ipv6": str(self.map_ipv6),
             "kind": self.rule.kind()}
        d.update(self.ports.to_json())
        return d


def select_bmr(rules, eup):
    """RFC 7597 §5: the BMR is the rule whose IPv6 prefix is the longest match for the End-user prefix."""
    eup = ipaddress.IPv6Network(eup, strict=False)
    best = None
    for r in rules:
        if r.n <= eup.prefixlen and eup.subnet_of(r.ipv6):
            if best is None or r.n > best.n:
                best = r
    return best


def derive(rule, eup, default_offset=MAP_DEFAULT_OFFSET):
    """CE side of RFC 7597 §5.2: the IPv4 address/prefix, PSID and MAP address for End-user prefix eup."""
    eup = ipaddress.IPv6Network(eup, strict=False)
    n, o, r = rule.n, rule.o, rule.r
    if n + o > eup.prefixlen:
        raise ValueError("n+o exceeds End-user prefix length (RFC 7597 5.2 MUST)")
    if not eup.subnet_of(rule.ipv6):
        raise ValueError("End-user prefix not under the rule's IPv6 prefix")
    ea = (int(eup.network_address) >> (128 - n - o)) & _mask(o) if o else 0
    p = 32 - r
    v4base = int(rule.ipv4.network_address)
    if o + r <= 32:
        ipv4_len = r + o
        ipv4 = v4base | (ea << (32 - r - o)) if o else v4base
        k = rule.k()
        if ipv4_len < 32:
            k = 0  # a prefix: PORTPARAMS is discarded (RFC 7598 §4.5)
        psid = rule.explicit_psid if k else 0
        if k and psid is None:
            raise ValueError("full address with an explicit PSID length but no PSID")
    else:
        ipv4_len = 32
        q = o - p
        ipv4 = v4base | (ea >> q)
        psid = ea & _mask(q)
        k = q
    ports = PortSet(rule.a(default_offset), k, psid) if k else PortSet.all_ports()
    # The End-user prefix itself (not only its first n+o bits) is what the CE numbers from.
    addr = map_address(int(eup.network_address), eup.prefixlen, ipv4, psid)
    return Binding(rule, ipaddress.IPv4Address(ipv4), ipv4_len, ports, psid, addr, eup)


def destination(rules, br, dst_ipv4, dst_port, default_offset=MAP_DEFAULT_OFFSET, fmr_only=True):
    """RFC 7597 §5, §5.4: IPv6 destination for an IPv4 destination (and port).

    Longest IPv4-prefix match among the FMRs (all rules when fmr_only is False, as a BR uses them);
    no match: the BR. Returns (ipv6 address, rule or None)."""
    dst = ipaddress.IPv4Address(dst_ipv4)
    best = None
    for r in rules:
        if (r.fmr or not fmr_only) and dst in r.ipv4:
            if best is None or r.r > best.r:
                best = r
    if best is None:
        return (ipaddress.IPv6Address(br) if br else None), None
    return ce_address(best, int(dst), dst_port, default_offset), best


def ce_address(rule, ipv4_int, port, default_offset=MAP_DEFAULT_OFFSET):
    """The MAP address of the CE that owns ipv4:port under rule (RFC 7597 §5.2 reversed, §6)."""
    n, o, r = rule.n, rule.o, rule.r
    p = 32 - r
    suffix = ipv4_int & _mask(p) if p else 0
    k = rule.k()
    if o + r <= 32:
        ea = suffix >> (p - o) if o else 0
        ipv4_field = ipv4_int & (_mask(r + o) << (32 - r - o)) if r + o else 0
        psid = psid_of(port, rule.a(default_offset), k) if (k and port is not None) else 0
    else:
        q = o - p
        psid = psid_of(port, rule.a(default_offset), q) if port is not None else 0
        ea = (suffix << q) | psid
        ipv4_field = ipv4_int
    eup_len = n + o
    eup = int(rule.ipv6.network_address) | ((ea << (128 - eup_len)) if o else 0)
    return map_address(eup, eup_len, ipv4_field, psid)


def source_check(rules, outer_src, inner_src, inner_port, default_offset=MAP_DEFAULT_OFFSET):
    """RFC 7597 §8.1 on a received encapsulated packet (not from the BR).

    Returns (rfc_ok, strict_ok, why). rfc: the rule matching the outer source gives (from the EA
    bits) an IPv4 address/prefix and PSID that must contain the inner source and port. strict: the
    outer source must equal the MAP address recomputed from the inner source and port."""
    src6 = ipaddress.IPv6Address(outer_src)
    src4 = ipaddress.IPv4Address(inner_src)
    cands = [r for r in rules if src6 in r.ipv6]
    if not cands:
        return False, False, f"no rule covers outer source {src6}"
    rule = max(cands, key=lambda r: r.n)
    n, o, r = rule.n, rule.o, rule.r
    ea = (int(src6) >> (128 - n - o)) & _mask(o) if o else 0
    p = 32 - r
    rfc_ok, why = True, "ok"
    if o + r <= 32:
        net = ipaddress.IPv4Network((int(rule.ipv4.network_address) | ((ea << (32 - r - o)) if o else 0), r + o))
        if src4 not in net:
            rfc_ok, why = False, f"inner source {src4} outside {net} (EA bits of the outer source)"
        k = rule.k() if r + o == 32 else 0
        if rfc_ok and k:
            want_psid = int(src6) & 0xffff
            if psid_of(inner_port, rule.a(default_offset), k) != want_psid:
                rfc_ok, why = False, f"port {inner_port} not in PSID {want_psid}"
    else:
        q = o - p
        want4 = ipaddress.IPv4Address(int(rule.ipv4.network_address) | (ea >> q))
        want_psid = ea & _mask(q)
        ports = PortSet(rule.a(default_offset), q, want_psid)
        if src4 != want4:
            rfc_ok, why = False, f"inner source {src4} != {want4} (EA bits of the outer source)"
        elif inner_port not in ports:
            rfc_ok, why = False, f"inner port {inner_port} not in PSID {want_psid} (a={ports.a}, k={q})"
    strict_ok = rfc_ok
    if rfc_ok:
        # the rule to recompute with is the one covering the inner source (longest IPv4 match)
        r4 = [x for x in rules if src4 in x.ipv4]
        if not r4:
            return rfc_ok, False, f"no rule covers inner source {src4}"
        best = max(r4, key=lambda x: x.r)
        want = ce_address(best, int(src4), inner_port, default_offset)
        if want != src6:
            strict_ok, why = False, f"outer source {src6} != recomputed MAP address {want}"
    return rfc_ok, strict_ok, why


def lw_tunnel_source(bind_ipv4, bind_prefix, delegated_prefixes, psid):
    """RFC 7596 §5.1 Figure 3: longest match of the binding prefix against the CE's prefixes; that
    prefix padded to /64 | 16 zero bits | IPv4 | PSID."""
    bp = ipaddress.IPv6Network(bind_prefix, strict=False)
    best = None
    for d in delegated_prefixes:
        d = ipaddress.IPv6Network(d, strict=False)
        if d.overlaps(bp) and (best is None or d.prefixlen > best.prefixlen):
            best = d
    if best is None:
        raise ValueError(f"no delegated prefix matches binding prefix {bp}")
    return map_address(int(best.network_address), best.prefixlen, int(ipaddress.IPv4Address(bind_ipv4)), psid)


def dhcp4o6_softwire_source(ia_na, delegated_prefixes, bind_prefix=None):
    """The lwB4's softwire source when its binding comes over DHCPv4-over-DHCPv6 (RFC 8539 §6; the
    rule as conformance/e2e/README.md states it). Candidates in order: the IA_NA address (/128),
    then the delegated prefixes. Without option 137: the IA_NA address, else the first delegated
    prefix ::1. With 137 (bind prefix B): the first candidate P overlapping B; P inside B gives P's
    address (/128) or P::1, B inside P gives B's address (/128) or B::1. ValueError without one."""
    cands = ([ipaddress.IPv6Network(f"{ia_na}/128")] if ia_na else []) + \
        [ipaddress.IPv6Network(d, strict=False) for d in delegated_prefixes]

    def host(n):
        return n.network_address if n.prefixlen == 128 else n.network_address + 1

    if not cands:
        raise ValueError("no IA_NA address and no delegated prefix: no softwire source")
    if bind_prefix is None:
        return str(host(cands[0]))
    b = ipaddress.IPv6Network(bind_prefix, strict=False)
    for p in cands:
        if p.subnet_of(b):
            return str(host(p))
        if b.subnet_of(p):
            return str(host(b))
    raise ValueError(f"option 137 bind prefix {b} overlaps none of {[str(c) for c in cands]}")


def dhcp4o6_binding(subnet4, option_data=()):
    """What kea-dhcp4 will hand out over 4o6, from its configuration: the address of the first
    subnet's first pool (which must hold exactly one address, so the answer is known in advance)
    and option 159 (RFC 7618: 'offset, psid/psid-len', subnet option-data before global); without
    159 a full address (PSID length 0)."""
    sub = subnet4[0]
    first, _, last = sub["pools"][0]["pool"].partition("-")
    first, last = first.strip(), (last.strip() or first.strip())
    if "/" in first or first != last:
        raise ValueError(f"dhcp4o6 pool {sub['pools'][0]['pool']!r}: use a one-address pool 'A - A'")
    out = {"ipv4": first, "offset": LW_DEFAULT_OFFSET, "psid_len": 0, "psid": 0}
    for o in list(sub.get("option-data", [])) + list(option_data):
        if o.get("name") == "v4-portparams" or o.get("code") == 159:
            out["offset"], out["psid_len"], out["psid"] = parse_portparams(o["data"])
            break
    return out


# ----------------------------------------------------------------------------------------------
# Kea option-data (the text forms Kea takes; RFC 7598 fields)

def _split(data):
    return [x.strip() for x in data.split(",")]


def parse_portparams(data):
    """Kea 's46-portparams': 'offset, psid/psid-len'."""
    off, psid = _split(data)
    value, length = psid.split("/")
    return int(off), int(length), int(value)


def parse_rule(data):
    """Kea 's46-rule': 'flags, ea-len, prefix4-len, ipv4-prefix, ipv6-prefix'; F is flags & 1."""
    flags, ea_len, p4len, v4, v6 = _split(data)
    return Rule(v6, f"{v4}/{p4len}", int(ea_len), fmr=bool(int(flags) & 1))


def parse_options(option_data):
    """The softwire configuration a set of Kea option-data entries carries (the server's view).

    Returns {"mape": {...}|None, "lw": {...}|None, "dslite": {...}|None, "priority": [codes]|None}.
    Kea attaches every option of a sub-space to each option of the parent kind, so one
    's46-portparams' in 's46-rule-options' applies to every rule."""
    names = {(o.get("space", "dhcp6"), o["name"]) for o in option_data}
    by = {}
    for o in option_data:
        by.setdefault((o.get("space", "dhcp6"), o["name"]), []).append(o.get("data", ""))
    out = {"mape": None, "lw": None, "dslite": None, "priority": None}
    if ("dhcp6", "s46-cont-mape") in names:
        rules = [parse_rule(d) for d in by.get(("s46-cont-mape-options", "s46-rule"), [])]
        pp = by.get(("s46-rule-options", "s46-portparams"))
        if pp:
            off, k, psid = parse_portparams(pp[0])
            for r in rules:
                r.offset = off
                if k:
                    r.explicit_k, r.explicit_psid = k, psid
        brs = by.get(("s46-cont-mape-options", "s46-br"), [])
        out["mape"] = {"rules": rules, "br": brs[0].strip() if brs else None}
    if ("dhcp6", "s46-cont-lw") in names:
        brs = by.get(("s46-cont-lw-options", "s46-br"), [])
        bind = by.get(("s46-cont-lw-options", "s46-v4v6bind"))
        lw = {"br": brs[0].strip() if brs else None, "ipv4": None}
        if bind:
            v4, prefix = _split(bind[0])
            lw.update(ipv4=v4, bind_prefix=prefix, offset=LW_DEFAULT_OFFSET, psid_len=0, psid=0)
            pp = by.get(("s46-v4v6bind-options", "s46-portparams"))
            if pp:
                lw["offset"], lw["psid_len"], lw["psid"] = parse_portparams(pp[0])
        out["lw"] = lw
    if ("dhcp6", "aftr-name") in names:
        out["dslite"] = {"aftr_name": by[("dhcp6", "aftr-name")][0].strip()}
    if ("dhcp6", "s46-priority") in names:
        out["priority"] = [int(x) for x in _split(by[("dhcp6", "s46-priority")][0])]
    return out


def expected_plan(mode, conf, delegated_prefix):
    """What a conforming CE must end up with for `mode` under the parsed options (independent arithmetic)."""
    if mode == "mape":
        rules = conf["mape"]["rules"]
        bmr = select_bmr(rules, delegated_prefix)
        if bmr is None:
            raise ValueError("no BMR for the delegated prefix")
        b = derive(bmr, delegated_prefix)
        d = b.to_json()
        d.update(br=conf["mape"]["br"], tunnel_source=str(b.map_ipv6), tunnel_remote=conf["mape"]["br"])
        return d
    if mode == "lw4o6":
        lw = conf["lw"]
        ports = PortSet(lw["offset"], lw["psid_len"], lw["psid"]) if lw["psid_len"] else PortSet.all_ports()
        if lw.get("dhcp4o6"):  # the binding comes over DHCP 4o6: the source follows RFC 8539 (above)
            src = dhcp4o6_softwire_source(lw["dhcp4o6"]["ia_na"], [delegated_prefix], lw["dhcp4o6"]["bind_prefix"])
        else:
            src = lw_tunnel_source(lw["ipv4"], lw["bind_prefix"], [delegated_prefix], lw["psid"] if lw["psid_len"] else 0)
        d = {"ipv4": lw["ipv4"], "ipv4_len": 32, "psid": lw["psid"] if lw["psid_len"] else 0,
             "br": lw["br"], "tunnel_source": str(src), "tunnel_remote": lw["br"]}
        d.update(ports.to_json())
        return d
    if mode == "dslite":
        return {"ipv4": "192.0.0.2", "aftr_name": conf["dslite"]["aftr_name"]}
    return {}


def rule_arg(rule):
    """Command-line form of a rule for the peers: IPV6PREFIX,IPV4PREFIX,EA[,F][,a=N][,k=N,psid=N]."""
    s = f"{rule.ipv6},{rule.ipv4},{rule.o}"
    if rule.fmr:
        s += ",F"
    if rule.offset is not None:
        s += f",a={rule.offset}"
    if rule.explicit_k:
        s += f",k={rule.explicit_k},psid={rule.explicit_psid}"
    return s


def parse_rule_arg(text):
    parts = text.split(",")
    r = Rule(parts[0], parts[1], int(parts[2]))
    for p in parts[3:]:
        if p == "F":
            r.fmr = True
        elif p.startswith("a="):
            r.offset = int(p[2:])
        elif p.startswith("k="):
            r.explicit_k = int(p[2:])
        elif p.startswith("psid="):
            r.explicit_psid = int(p[5:])
    return r
