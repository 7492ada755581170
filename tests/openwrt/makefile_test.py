#!/usr/bin/env python3
"""ctest openwrt_makefile: packaging/openwrt/Makefile parses (make -pn with stand-ins for an
OpenWrt tree's rules.mk, package.mk and cmake.mk), names the version CMake's project() has,
installs every file of packaging/openwrt/files from where it is and to where build-ipk puts it,
builds CMake targets that exist, declares /etc/config/s46d a conffile; and the Kea feed patch
is a well-formed patch that applies to the lines it names.

usage: makefile_test.py REPO
"""
import os
import re
import subprocess
import sys
import tempfile

repo = sys.argv[1]
pkg = os.path.join(repo, "packaging", "openwrt")
stub = os.path.join(repo, "tests", "openwrt", "makefile_stub")
failures = []


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        failures.append(what)


run = subprocess.run(["make", "-pn", "-C", pkg, "-f", "Makefile", f"TOPDIR={stub}"], capture_output=True, text=True)
check(run.returncode == 0, f"make -pn reads the Makefile: {run.stderr.strip()[:300]}")
db = run.stdout


def variable(name):
    m = re.search(rf"^{re.escape(name)} :?= (.*)$", db, re.M)
    return m.group(1) if m else None


def define(name):
    """A define's body; make -p prints a one-line define as NAME = body."""
    m = re.search(rf"^define {re.escape(name)}\n(.*?)^endef", db, re.M | re.S)
    if m:
        return m.group(1)
    m = re.search(rf"^{re.escape(name)} = (.*)$", db, re.M)
    return m.group(1) if m else None


with open(os.path.join(repo, "CMakeLists.txt")) as f:
    cmake_version = re.search(r"project\(s46d VERSION ([0-9.]+)", f.read()).group(1)
check(variable("PKG_NAME") == "s46d", f"PKG_NAME is s46d ({variable('PKG_NAME')})")
check(variable("PKG_VERSION") == cmake_version, f"PKG_VERSION {variable('PKG_VERSION')} = CMake's {cmake_version}")
check(variable("PKG_RELEASE") is not None and variable("PKG_RELEASE").isdigit(), "PKG_RELEASE is a number")
for needed in ("PKG_SOURCE", "PKG_LICENSE", "PKG_MAINTAINER"):
    check(bool(variable(needed)), f"{needed} is set")

package = define("Package/s46d")
check(package is not None, "Package/s46d is defined")
depends = re.search(r"DEPENDS:=(.*?)(?:\n\S|\Z)", (package or "").replace("\\\n", " "), re.S)
deps = set(depends.group(1).split()) if depends else set()
for dep in ("+kea-libs", "+libnftnl", "+libmnl", "+libsqlite3", "+libcares", "+libcap-ng", "+libstdcpp",
            "+kmod-ip6-tunnel", "+kmod-nft-nat"):
    check(dep in deps, f"DEPENDS has {dep}")
conffiles = define("Package/s46d/conffiles")
check(conffiles is not None and "/etc/config/s46d" in conffiles.split(), "conffiles: /etc/config/s46d")

install = define("Package/s46d/install") or ""
check(bool(install), "Package/s46d/install is defined")
# ./files/X $(1)/dest: every file shipped, installed from where it is, to where build-ipk puts it.
installed = dict(re.findall(r"\./files/(\S+) \$\(1\)(\S+)", install))
shipped = set(os.listdir(os.path.join(pkg, "files")))
check(set(installed) == shipped, f"the Makefile installs every file of files/ ({sorted(shipped ^ set(installed))} differ)")
with open(os.path.join(pkg, "build-ipk")) as f:
    build_ipk = f.read()
for name, dest in sorted(installed.items()):
    check(f'"$files/{name}" "$data{dest}"' in build_ipk, f"files/{name} -> {dest}, as build-ipk installs it")
check("$(LN) /lib/netifd/s46.script $(1)/etc/s46d/hooks.d/00-netifd" in install and
      "ln -s /lib/netifd/s46.script \"$data/etc/s46d/hooks.d/00-netifd\"" in build_ipk, "the 00-netifd hook link, in both")

# $(CMAKE_BINARY_DIR)/platform/P: P is a CMake executable the Makefile builds.
with open(os.path.join(repo, "platform", "CMakeLists.txt")) as f:
    executables = set(re.findall(r"add_executable\((\S+)", f.read()))
compile_ = define("Build/Compile") or ""
for program in re.findall(r"platform/(\S+) \$\(1\)", install):
    check(program in executables, f"{program} is a CMake executable in platform/")
    check(program in compile_.split(), f"Build/Compile builds {program}")

# The Kea patch: well formed, and it applies where its context stands.
with open(os.path.join(pkg, "feed-patches", "kea-stage-headers.patch")) as f:
    patch = f.read()
hunk = patch[patch.index("@@"):]
context = [line[1:] for line in hunk.splitlines()[1:] if line.startswith(" ")]
with tempfile.TemporaryDirectory() as tmp:
    os.makedirs(os.path.join(tmp, "net", "kea"))
    with open(os.path.join(tmp, "net", "kea", "Makefile"), "w") as f:
        f.write("\n".join(["# earlier lines"] * 10 + context) + "\n")
    applied = subprocess.run(["patch", "-p1", "-d", tmp], input=patch, capture_output=True, text=True)
    check(applied.returncode == 0, f"the Kea patch applies: {applied.stdout.strip()} {applied.stderr.strip()}")
    with open(os.path.join(tmp, "net", "kea", "Makefile")) as f:
        patched = f.read()
    check("define Build/InstallDev" in patched and "usr/include/kea" in patched, "it adds Build/InstallDev staging usr/include/kea")

if failures:
    print(f"{len(failures)} failure(s)")
    sys.exit(1)
print("openwrt_makefile: all checks passed")
