#!/usr/bin/env python3
"""ctest package_ipk: builds the .ipk with packaging/openwrt/build-ipk, reads it back with
ipk_check.py, runs the packaged s46d and s46ctl through the package's own loader (under
qemu-user for a foreign architecture), and shows that the checker refuses what opkg could not
read or would install wrongly (a PAX tar, an ar archive, a wrong architecture, ...).

usage: ipk_test.py REPO NATIVE_BUILD_DIR [OPENWRT_ARCH]
OPENWRT_ARCH: aarch64_cortex-a53 (the default: ctest package_ipk; scripts/test runs scripts/cross
aarch64 first), arm_cortex-a7_neon-vfpv4 or mipsel_24kc (scripts/cross --packages), each from its
cross build in build-cross/<aarch64|armhf|mipsel>; skipped (77) without it.
S46_KEEP_PACKAGES=DIR: copy the checked .ipk there (scripts/cross reports its size).
"""
import copy
import gzip
import io
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile

repo, native_build = sys.argv[1], sys.argv[2]
sys.path.insert(0, os.path.join(repo, "tests", "packaging"))
import ipk_check  # noqa: E402

failures = []


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        failures.append(what)


# OpenWrt architecture -> (scripts/cross's name for the build, the qemu-user that runs it, the
# CPU it emulates). The CPU is the one the architecture names, not qemu's default ("max" on ARM,
# an FPU-equipped 24Kf on MIPS), so that an instruction the CPE's core lacks fails here.
CROSS = {"aarch64_cortex-a53": ("aarch64", "qemu-aarch64-static", "cortex-a53"),
         "arm_cortex-a7_neon-vfpv4": ("armhf", "qemu-arm-static", "cortex-a7"),
         "mipsel_24kc": ("mipsel", "qemu-mipsel-static", "24Kf")}
# Debian's mipsel is hard-float and a 24Kc has no FPU: the package runs on one only with the
# kernel's FPU emulator, which makes it a 24Kf to the program (so the runs below use 24Kf), and
# says so in its Description. Without the emulator: SIGILL, shown on the FPU-less 24Kc.
NO_FPU_CPU = {"mipsel_24kc": "24Kc"}
arch = sys.argv[3] if len(sys.argv) > 3 else "aarch64_cortex-a53"
if arch not in CROSS:
    sys.exit(f"ipk_test.py: architecture '{arch}' is not one of {', '.join(CROSS)}")
cross_name, qemu_program, cpu = CROSS[arch]
cross = os.path.join(repo, "build-cross", cross_name)
if not os.path.exists(os.path.join(cross, "platform", "s46d")):
    # scripts/test runs scripts/cross aarch64 before ctest; by hand, this test needs it too.
    print(f"SKIP: no {cross_name} cross build in {cross}: run scripts/cross {cross_name} first")
    sys.exit(77)
build_dir, qemu = cross, [qemu_program, "-cpu", cpu]
print(f"architecture {arch}, binaries from {build_dir}, run under {' '.join(qemu)}")

tmp = tempfile.mkdtemp()
out = os.path.join(tmp, "out")
env = dict(os.environ, SOURCE_DATE_EPOCH="1700000000")
built = subprocess.run([os.path.join(repo, "packaging/openwrt/build-ipk"), "--arch", arch, "--build-dir", build_dir,
                        "--out", out], capture_output=True, text=True, env=env)
check(built.returncode == 0, f"build-ipk --arch {arch}: {built.stderr.strip()}")
if built.returncode != 0:
    sys.exit(1)
package = built.stdout.strip().splitlines()[-1]

problems, summary = ipk_check.check(package, arch)
check(not problems, f"ipk_check: {problems or summary}")

# The same inputs give the same bytes.
again = subprocess.run([os.path.join(repo, "packaging/openwrt/build-ipk"), "--arch", arch, "--build-dir", build_dir,
                        "--out", os.path.join(tmp, "again")], capture_output=True, text=True, env=env)
with open(package, "rb") as a, open(again.stdout.strip(), "rb") as b:
    check(a.read() == b.read(), "build-ipk is reproducible (SOURCE_DATE_EPOCH)")

# Missing binaries: a clear refusal.
missing = subprocess.run([os.path.join(repo, "packaging/openwrt/build-ipk"), "--arch", arch, "--build-dir", tmp,
                          "--out", out], capture_output=True, text=True)
check(missing.returncode != 0 and "platform/s46d is missing" in missing.stderr, f"missing binaries: {missing.stderr.strip()}")

# ---- run what the package installs, through its own loader ----
root = os.path.join(tmp, "root")
os.makedirs(root)
with gzip.open(package) as outer, tarfile.open(fileobj=io.BytesIO(outer.read())) as t:
    data = t.extractfile("./data.tar.gz").read()
with tarfile.open(fileobj=io.BytesIO(gzip.decompress(data))) as t:
    t.extractall(root)
lib = os.path.join(root, "usr/lib/s46d")
with open(os.path.join(root, "usr/sbin/s46d")) as wrapper:
    loader = wrapper.read().split("exec /usr/lib/s46d/")[1].split()[0]


def run_packaged(program, *args):
    return subprocess.run(qemu + [os.path.join(lib, loader), "--library-path", lib, os.path.join(lib, program), *args],
                          capture_output=True, text=True)


version = run_packaged("s46d", "--version")
check(version.returncode == 0 and version.stdout.startswith("s46d "), f"packaged s46d --version: {version.stdout.strip()}{version.stderr.strip()[:200]}")
if arch in NO_FPU_CPU:
    qemu_cpu = qemu[:]
    qemu[2] = NO_FPU_CPU[arch]
    no_fpu = run_packaged("s46d", "--version")
    qemu[:] = qemu_cpu
    check(no_fpu.returncode != 0 and "Illegal instruction" in no_fpu.stderr,
          f"packaged s46d on a {NO_FPU_CPU[arch]} without FPU emulation stops with SIGILL (hard float): {no_fpu.stderr.strip()[:120]}")
    with gzip.open(package) as outer_gz, tarfile.open(fileobj=io.BytesIO(outer_gz.read())) as t:
        control_gz = t.extractfile("./control.tar.gz").read()
    with tarfile.open(fileobj=io.BytesIO(gzip.decompress(control_gz))) as t:
        description = t.extractfile("./control").read().decode()
    check("MIPS FPU emulator" in description, "the Description says the package needs the kernel's MIPS FPU emulator")
usage = run_packaged("s46d", "--help")
check(usage.returncode == 0 and "usage: s46d" in usage.stdout, f"packaged s46d --help: {usage.stderr.strip()[:200]}")
conf = os.path.join(tmp, "s46d.json")
translated = run_packaged("s46ctl", "config", "from-uci", os.path.join(root, "etc/config/s46d"), "--output", conf)
check(translated.returncode == 0, f"packaged s46ctl config from-uci /etc/config/s46d: {translated.stderr.strip()}")
checked = run_packaged("s46d", "--check-config", conf, "--wan-interface", "eth1")
check(checked.returncode == 0 and checked.stdout.strip() == f"{conf}: ok", f"packaged s46d --check-config: {checked.stdout}{checked.stderr}")
bad = run_packaged("s46d", "--check-config", conf, "--wan-interface", "eth1", "--wan-mtu", "5")
check(bad.returncode == 2 and "--wan-mtu" in bad.stderr, f"packaged s46d --check-config refuses --wan-mtu 5: {bad.stderr.strip()}")

# ---- what the checker must refuse ----
with gzip.open(package) as f, tarfile.open(fileobj=io.BytesIO(f.read())) as t:
    parts = {m.name: t.extractfile(m).read() for m in t.getmembers()}
with tarfile.open(fileobj=io.BytesIO(gzip.decompress(parts["./control.tar.gz"]))) as t:
    control = {m.name: (m, t.extractfile(m).read() if m.isfile() else None) for m in t.getmembers()}
data_tar = gzip.decompress(parts["./data.tar.gz"])


def tar_gz(members, fmt=tarfile.GNU_FORMAT, pax_headers=None):
    """members: [(TarInfo, bytes or None)]; gzip level 1 keeps the test fast."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=fmt, pax_headers=pax_headers or {}) as t:
        for info, body in members:
            t.addfile(info, io.BytesIO(body) if body is not None else None)
    return gzip.compress(buf.getvalue(), compresslevel=1)


def file_info(name, body, mode=0o644):
    info = tarfile.TarInfo(name)
    info.size, info.mode = len(body), mode
    return info


def control_tar(change=None):
    members = []
    for name, (info, body) in sorted(control.items()):
        info, body = change(copy.copy(info), body) if change else (info, body)
        if body is not None:
            info.size = len(body)
        members.append((info, body))
    return tar_gz(members)


def write_ipk(name, outer_parts, fmt=tarfile.GNU_FORMAT, pax_headers=None):
    path = os.path.join(tmp, name)
    members = [(file_info(n, b), b) for n, b in outer_parts]
    with open(path, "wb") as f:
        f.write(tar_gz(members, fmt, pax_headers))
    return path


def outer(control_gz=None, data_gz=None, extra=()):
    return [("./debian-binary", b"2.0\n"), ("./data.tar.gz", data_gz or parts["./data.tar.gz"]),
            ("./control.tar.gz", control_gz or parts["./control.tar.gz"]), *extra]


def refused(path, expect, what, arch_arg=arch):
    problems, _ = ipk_check.check(path, arch_arg)
    check(any(expect in p for p in problems), f"refused: {what} ({problems[:2]})")


# The rewriting itself is sound: unchanged parts pass.
rewritten = write_ipk("same.ipk", outer())
problems, _ = ipk_check.check(rewritten, arch)
check(not problems, f"a rewritten but unchanged package passes ({problems[:2]})")

refused(write_ipk("pax-outer.ipk", outer(), tarfile.PAX_FORMAT, {"comment": "pax"}),
        "typeflag 'g'", "a PAX (global header) outer tar")
with tarfile.open(fileobj=io.BytesIO(data_tar)) as t:
    data_members = [(m, t.extractfile(m).read() if m.isfile() else None) for m in t.getmembers()]
refused(write_ipk("pax-data.ipk", outer(data_gz=tar_gz(data_members, tarfile.PAX_FORMAT, {"comment": "pax"}))),
        "typeflag 'g'", "a PAX data.tar.gz")
ar_path = os.path.join(tmp, "ar.ipk")
with open(ar_path, "wb") as f:
    f.write(b"!<arch>\n")
    for n, b in outer():
        f.write(f"{n[2:]:<16}{0:<12}{0:<6}{0:<6}{'100644':<8}{len(b):<10}`\n".encode() + b + (b"\n" if len(b) % 2 else b""))
refused(ar_path, "an ar archive", "an ar outer file (the .deb layout)")
refused(write_ipk("extra.ipk", outer(extra=[("./extra", b"x")])), "expected exactly", "a fourth outer member")
refused(write_ipk("binary.ipk", [("./debian-binary", b"2.1\n")] + outer()[1:]), "debian-binary", "debian-binary 2.1")


def set_field(field, value):
    def change(info, body):
        if info.name != "./control":
            return info, body
        lines = [f"{field}: {value}" if line.startswith(field + ":") else line for line in body.decode().split("\n")]
        return info, "\n".join(lines).encode()
    return change


other = "mipsel_24kc" if arch != "mipsel_24kc" else "aarch64_cortex-a53"
refused(write_ipk("arch.ipk", outer(control_gz=control_tar(set_field("Architecture", other)))), "ELF machine",
        f"ELF files labelled {other}", other)
refused(write_ipk("size.ipk", outer(control_gz=control_tar(set_field("Installed-Size", "1")))), "Installed-Size",
        "a wrong Installed-Size")
refused(write_ipk("nolicense.ipk", outer(control_gz=control_tar(set_field("License", "")))), "no License",
        "an empty License field")


def conffile_missing(info, body):
    return (info, b"/etc/config/s46d\n/etc/config/missing\n") if info.name == "./conffiles" else (info, body)


refused(write_ipk("conffile.ipk", outer(control_gz=control_tar(conffile_missing))), "/etc/config/missing",
        "a conffile not in data")


def script_mode(info, body):
    if info.name == "./postinst":
        info = copy.copy(info)
        info.mode = 0o644
    return info, body


refused(write_ipk("mode.ipk", outer(control_gz=control_tar(script_mode))), "postinst has mode 644",
        "a postinst without its execute bits")
owned = []
for info, body in data_members:
    if info.name == "./etc/config/s46d":
        info = copy.copy(info)
        info.uid = 1000
    owned.append((info, body))
refused(write_ipk("owner.ipk", outer(data_gz=tar_gz(owned))), "owned by 1000:0", "a data file owned by uid 1000")
# A 32-bit ARM or MIPS file of the right machine but another ABI (armel's soft float, MIPS n32):
# the e_flags bit set in the packaged s46d. AArch64 has one ABI, nothing to flip.
abi_bit = {"arm_cortex-a7_neon-vfpv4": (0x200, "soft-float"), "mipsel_24kc": (0x20, "n32")}.get(arch)
if abi_bit:
    other_abi = []
    for info, body in data_members:
        if info.name == "./usr/lib/s46d/s46d":
            flags = int.from_bytes(body[0x24:0x28], "little") | abi_bit[0]
            body = body[:0x24] + flags.to_bytes(4, "little") + body[0x28:]
        other_abi.append((info, body))
    refused(write_ipk("abi.ipk", outer(data_gz=tar_gz(other_abi))), abi_bit[1], f"an s46d for the {abi_bit[1]} ABI")
no_lib = [(i, b) for i, b in data_members if not i.name.startswith("./usr/lib/s46d/libkea-dhcp++")]
refused(write_ipk("nolib.ipk", outer(data_gz=tar_gz(no_lib))), "libkea-dhcp++", "a bundle missing a library")

if os.environ.get("S46_KEEP_PACKAGES"):
    os.makedirs(os.environ["S46_KEEP_PACKAGES"], exist_ok=True)
    shutil.copy(package, os.environ["S46_KEEP_PACKAGES"])
subprocess.run(["rm", "-rf", tmp])
if failures:
    print(f"{len(failures)} failure(s)")
    sys.exit(1)
print("package_ipk: all checks passed")
