#!/usr/bin/python3
"""Checks the test equipment's own MAP/lw4o6 arithmetic (swcalc.py) against tests/vectors/map.json.

No root needed. Prints one line per vector and 'N passed, M failed'; exit 1 on any failure."""
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import swcalc  # noqa: E402

VECTORS = os.path.join(HERE, "..", "..", "vectors", "map.json")


def rule_from_vector(r):
    rule = swcalc.Rule(r["ipv6_prefix"], r["ipv4_prefix"], r["ea_len"], offset=r.get("psid_offset"))
    if r.get("explicit_psid_len"):
        rule.explicit_k, rule.explicit_psid = r["explicit_psid_len"], r["explicit_psid"]
    return rule


def rule_from_text(text):
    # "2001:db8::/40,192.0.2.0/24,ea=16,F=1" or "2001:db8:f0::/48,198.18.0.0/24,ea=12,a=6"
    parts = text.split(",")
    rule = swcalc.Rule(parts[0], parts[1], 0)
    for p in parts[2:]:
        key, val = p.split("=")
        if key == "ea":
            rule.o = int(val)
        elif key == "F":
            rule.fmr = val == "1"
        elif key == "a":
            rule.offset = int(val)
    return rule


def check_bmr(v):
    inp, exp = v["input"], v["expected"]
    if "bind_ipv4" in inp:
        src = swcalc.lw_tunnel_source(inp["bind_ipv4"], inp["bind_prefix"], [inp["delegated_prefix"]], inp["psid"])
        ports = swcalc.PortSet(inp["offset"], inp["psid_len"], inp["psid"])
        got = {"b4_ipv6_address": str(src), "port_ranges": ports.range_strings()}
        return [(k, got[k], exp[k]) for k in exp]
    rule = rule_from_vector(inp["rule"])
    try:
        b = swcalc.derive(rule, inp["end_user_prefix"], inp["default_psid_offset"])
    except ValueError as e:
        return [("error", str(e), exp.get("error"))]
    rs = b.ports.range_strings() if b.ports.k else []
    got = {"ipv4": str(b.ipv4), "psid": b.psid, "psid_len": b.ports.k, "map_ipv6_address": str(b.map_ipv6),
           "kind": rule.kind() if b.ipv4_len == 32 else "ipv4-prefix", "ipv4_len": b.ipv4_len,
           "offset": b.ports.a, "port_ranges_count": len(rs), "first_ranges": rs[:2], "last_ranges": rs[-2:]}
    return [(k, got.get(k), exp[k]) for k in exp]


def check_ports(v):
    inp, exp = v["input"], v["expected"]
    if "port" in inp:
        return [("psid", swcalc.psid_of(inp["port"], inp["a"], inp["k"]), exp["psid"])]
    ps = swcalc.PortSet(inp["a"], inp["k"], inp["psid"])
    rs = ps.range_strings()
    nf, nl = len(exp["first_ranges"]), len(exp["last_ranges"])
    out = [("first_ranges", rs[:nf], exp["first_ranges"]), ("last_ranges", rs[-nl:], exp["last_ranges"]),
           ("range_count", len(rs), exp["range_count"]), ("m", ps.m, inp["m"])]
    if "computed_total_ports" in v:
        out.append(("total", ps.count(), v["computed_total_ports"]))
    # membership agrees with the ranges, port by port
    listed = {p for lo, hi in ps.ranges() for p in range(lo, hi + 1)}
    out.append(("membership", all((p in ps) == (p in listed) for p in range(65536)), True))
    return out


def check_forwarding(v):
    inp, exp = v["input"], v["expected"]
    rules = [rule_from_text(t) for t in inp["fmrs"]]
    dst, rule = swcalc.destination(rules, inp["br"], inp["dst_ipv4"], inp["dst_port"])
    out = [("ipv6_dst", str(dst), exp["ipv6_dst"])]
    if "next_hop" in exp:
        out.append(("next_hop", "BR" if rule is None else "CE (FMR)", exp["next_hop"]))
    return out


def check_spoof(v):
    inp, exp = v["input"], v["expected"]
    if "rule" not in inp:
        return [("exempt", True, True)]  # the BR source exemption is a peer behaviour (ce2.py), not arithmetic
    rule = rule_from_text(inp["rule"])
    rfc_ok, strict_ok, _ = swcalc.source_check([rule], inp["outer_src"], inp["inner_src"], inp["inner_sport"])
    return [("rfc_check", "accept" if rfc_ok else "drop", exp["rfc_check"]),
            ("strict_check", "accept" if strict_ok else "drop", exp["strict_check"])]


def check_kea_forms():
    conf = swcalc.parse_options([
        {"name": "s46-cont-mape"},
        {"space": "s46-cont-mape-options", "name": "s46-rule", "data": "1, 16, 24, 192.0.2.0, 2001:db8:1200::/40"},
        {"space": "s46-cont-mape-options", "name": "s46-br", "data": "2001:db8:ffff::1"},
        {"name": "s46-cont-lw"},
        {"space": "s46-cont-lw-options", "name": "s46-br", "data": "2001:db8:ffff::2"},
        {"space": "s46-cont-lw-options", "name": "s46-v4v6bind", "data": "198.51.100.18, 2001:db8:1200::/40"},
        {"space": "s46-v4v6bind-options", "name": "s46-portparams", "data": "0, 52/8"},
        {"name": "s46-priority", "data": "96, 94, 64"}])
    m = swcalc.expected_plan("mape", conf, "2001:db8:1200::/56")
    lw = swcalc.expected_plan("lw4o6", conf, "2001:db8:1200::/56")
    # the same numbers the provisioning suite checks s46d for (tests/integration/provisioning_test.py)
    return [("mape ipv4", m["ipv4"], "192.0.2.0"), ("mape map_ipv6", m["map_ipv6"], "2001:db8:1200::c000:200:0"),
            ("mape psid_len", m["psid_len"], 8), ("lw tunnel_source", lw["tunnel_source"], "2001:db8:1200::c633:6412:34"),
            ("lw ranges", lw["port_ranges"], ["13312-13567"]), ("priority", conf["priority"], [96, 94, 64])]


def check_dhcp4o6_source():
    """The 4o6 softwire source rule (RFC 8539 §6 as the project agreed it), one line per branch;
    expected values worked out by hand from the rule, not by running it."""
    na, pd = "2001:db8:0:1::100", "2001:db8:1234:5600::/56"
    src = swcalc.dhcp4o6_softwire_source
    out = [("no 137: IA_NA", src(na, [pd]), na),
           ("no 137, no IA_NA: PD::1", src(None, [pd]), "2001:db8:1234:5600::1"),
           ("137 covers the PD: PD::1", src(na, [pd], "2001:db8:1234::/48"), "2001:db8:1234:5600::1"),
           ("137 covers the IA_NA: IA_NA", src(na, [pd], "2001:db8:0:1::/64"), na),
           ("137 inside the PD: B::1", src(na, [pd], "2001:db8:1234:5678::/64"), "2001:db8:1234:5678::1"),
           ("137 /128 inside the PD: B", src(na, [pd], "2001:db8:1234:56ff::9/128"), "2001:db8:1234:56ff::9")]
    try:
        src(na, [pd], "2001:db8:9999::/48")
        out.append(("137 overlapping nothing", "accepted", "ValueError naming 137"))
    except ValueError as e:
        out.append(("137 overlapping nothing", "137" in str(e), True))
    b = swcalc.dhcp4o6_binding([{"subnet": "198.51.100.0/24", "pools": [{"pool": "198.51.100.18 - 198.51.100.18"}],
                                 "option-data": [{"name": "v4-portparams", "data": "0, 52/8"}]}])
    out.append(("binding from kea-dhcp4's subnet4", b, {"ipv4": "198.51.100.18", "offset": 0, "psid_len": 8, "psid": 52}))
    return out


def main():
    data = json.load(open(VECTORS))
    passed = failed = 0
    groups = [("map_bmr_vectors", check_bmr), ("port_set_vectors", check_ports), ("forwarding_vectors", check_forwarding),
              ("anti_spoof_vectors", check_spoof)]
    cases = [(v["id"], fn, v) for g, fn in groups for v in data[g]] + [("kea-option-data-forms", lambda _: check_kea_forms(), None),
                                                                  ("dhcp4o6-softwire-source", lambda _: check_dhcp4o6_source(), None)]
    for name, fn, v in cases:
        try:
            results = fn(v)
            bad = [(k, g, e) for k, g, e in results if g != e]
        except Exception as e:  # a crash is a failure of that vector
            bad = [("exception", repr(e), "")]
        if bad:
            failed += 1
            print(f"FAIL {name}: " + "; ".join(f"{k}: got {g!r}, want {e!r}" for k, g, e in bad))
        else:
            passed += 1
            print(f"PASS {name}")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
