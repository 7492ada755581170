#!/usr/bin/env python3
"""ctest daemon_external_provisioning: s46d with dhcpv6.client false (--no-dhcp-client), as the
OpenWrt handler runs it with odhcp6c on wan6. No DHCPv6 socket is opened, so it runs on the
loopback interface with --dataplane none. Checked: renew is refused naming the external client;
odhcp6c's environment fed with s46ctl provision selects MAP-E (source external, dhcp_state
external); a restart after a crash restores the mode from the stored lease before any feed; an empty feed
(odhcp6c's unbound) withdraws it.

usage: external_provisioning_test.py BUILD_DIR
"""
import json
import os
import subprocess
import sys
import tempfile
import time

if os.geteuid() != 0:
    print("SKIP: s46d keeps its network capabilities, which needs root")
    sys.exit(77)
build = sys.argv[1]
s46d, s46ctl = os.path.join(build, "platform", "s46d"), os.path.join(build, "platform", "s46ctl")
tmp = tempfile.mkdtemp()
sock = os.path.join(tmp, "control.sock")
failures = []


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        failures.append(what)


def start():
    log = open(os.path.join(tmp, "log"), "a")
    p = subprocess.Popen([s46d, "--no-dhcp-client", "--wan-interface", "lo", "--dataplane", "none", "--state-dir",
                          os.path.join(tmp, "state"), "--control-socket", sock], stdout=log, stderr=log)
    for _ in range(50):
        if os.path.exists(sock) and ctl("status", "--json").returncode == 0:
            return p
        time.sleep(0.1)
    p.kill()
    sys.exit(f"s46d did not come up: {open(os.path.join(tmp, 'log')).read()}")


def ctl(*args, env=None):
    return subprocess.run([s46ctl, "--control-socket", sock, *args], capture_output=True, text=True, env=env)


def status():
    return json.loads(ctl("status", "--json").stdout)["s46d"]


MAPE = ("type=4,ealen=16,prefix4len=24,prefix6len=40,ipv4prefix=192.0.2.0,ipv6prefix=2001:db8::,offset=6,"
        "br=2001:db8:ffff::1")
FEED = {"MAPE": MAPE, "PREFIXES": "2001:db8:12:3400::/56,3600,7200"}

daemon = start()
try:
    renew = ctl("renew")
    check(renew.returncode != 0 and "DHCPv6 client is off" in renew.stderr, f"renew refused: {renew.stderr.strip()}")
    s = status()
    check(s["mode"] == "none" and s["dhcp_state"] == "external", f"before a feed: {s['mode']}, {s['dhcp_state']}")
    fed = ctl("provision", "--odhcp6c-env", env={"PATH": "/usr/bin:/bin", **FEED})
    s = status()
    check(fed.returncode == 0 and s["mode"] == "mape" and s["source"] == "external",
          f"odhcp6c's MAPE selects mape: {s['mode']}, {s['source']} {fed.stderr.strip()}")
    # EA bits 0x1234 of 2001:db8:12:3400::/56 under the /40 rule: IPv4 suffix 0x12, PSID 0x34.
    check(s["plan"]["ipv4"] == "192.0.2.18" and s["plan"]["psid"] == 0x34,
          f"the CE's IPv4 address and PSID: {s['plan'].get('ipv4')}, {s['plan'].get('psid')}")
    # A crash keeps the stored lease (a SIGTERM releases it: the handler then has odhcp6c renew).
    daemon.kill()
    daemon.wait(10)
    os.unlink(sock)

    daemon = start()
    s = status()
    check(s["mode"] == "mape", f"restarted after a crash: the stored lease restores mape before any feed ({s['mode']})")
    withdrawn = ctl("provision", "--odhcp6c-env", env={"PATH": "/usr/bin:/bin"})
    s = status()
    check(withdrawn.returncode == 0 and s["mode"] == "none", f"an empty feed (odhcp6c unbound) withdraws: {s['mode']}")
finally:
    daemon.terminate()
    daemon.wait(10)
    subprocess.run(["rm", "-rf", tmp])

if failures:
    print(f"{len(failures)} failure(s)")
    sys.exit(1)
print("daemon_external_provisioning: all checks passed")
