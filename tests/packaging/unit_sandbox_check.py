#!/usr/bin/env python3
"""Checks an strace of s46d against the systemd unit's SystemCallFilter= and
RestrictAddressFamilies=: every system call s46d made must be in the allow list (with the unit's
SystemCallErrorNumber=EPERM a missing one does not kill s46d, it silently fails -- the kind of
breakage no other test would see), and every socket() family must be allowed.

    unit_sandbox_check.py UNIT STRACE_OUTPUT      (strace -f -o STRACE_OUTPUT s46d ...)

The groups (@system-service ...) are expanded with this machine's `systemd-analyze syscall-filter`,
the systemd that would run the unit. Exit 0 and one summary line, or 1 and one line per finding.
"""
import re
import subprocess
import sys


def unit_settings(path, key):
    """The values of KEY= in [Service], as systemd accumulates them (an empty one resets)."""
    values, section = [], None
    for line in open(path, encoding="utf-8"):
        line = line.strip()
        if line.startswith("["):
            section = line
        elif section == "[Service]" and line.startswith(key + "="):
            value = line[len(key) + 1:].split()
            values = [] if not value else values + value
    return values


def syscall_groups():
    out = subprocess.run(["systemd-analyze", "syscall-filter"], check=True, capture_output=True, text=True).stdout
    groups, current = {}, None
    for line in out.splitlines():
        if line.startswith("@"):
            current = groups.setdefault(line.strip(), [])
        elif current is not None and line.strip() and not line.strip().startswith("#"):
            current.append(line.strip())
    return groups


def expand(names, groups):
    result = set()
    for name in names:
        if name.startswith("@"):
            if name not in groups:
                sys.exit(f"unit_sandbox_check: unknown system call group {name}")
            result |= expand(groups[name], groups)
        else:
            result.add(name)
    return result


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    unit, trace = sys.argv[1], sys.argv[2]
    filters = unit_settings(unit, "SystemCallFilter")
    families = set(unit_settings(unit, "RestrictAddressFamilies"))
    if not filters or any(f.startswith("~") for f in filters):
        sys.exit(f"unit_sandbox_check: {unit} has no SystemCallFilter= allow list (a deny list is not checked here)")
    if not families or any(f.startswith("~") for f in families):
        sys.exit(f"unit_sandbox_check: {unit} has no RestrictAddressFamilies= allow list")
    allowed = expand(filters, syscall_groups())

    used, used_families, findings = set(), set(), []
    call = re.compile(r"^\d+\s+(?:<\.\.\. )?([a-z0-9_]+)(?:\(| resumed>)")
    for line in open(trace, encoding="utf-8", errors="replace"):
        m = call.match(line)
        if not m:
            continue
        used.add(m.group(1))
        s = re.match(r"^\d+\s+socket(?:pair)?\((AF_[A-Z0-9]+)", line)
        if s:
            used_families.add(s.group(1))
    if "execve" not in used:
        sys.exit(f"unit_sandbox_check: {trace} holds no execve: not an strace -f of s46d")
    # execve is strace starting s46d, before the unit's filter would apply (systemd installs it first
    # and allows execve for exactly that reason; it is in @system-service anyway).
    for name in sorted(used - allowed):
        findings.append(f"system call {name} is not allowed by SystemCallFilter= of {unit}")
    for family in sorted(used_families - families):
        findings.append(f"socket family {family} is not allowed by RestrictAddressFamilies= of {unit}")
    for f in findings:
        print(f"unit_sandbox_check: {f}", file=sys.stderr)
    if findings:
        return 1
    print(f"unit_sandbox_check: {len(used)} system calls and families {', '.join(sorted(used_families))}, all allowed by {unit}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
