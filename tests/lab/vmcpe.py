"""The CPE as a QEMU guest (conformance/e2e/run --dataplane kernel): s46d with its kernel data plane
inside Debian's stock kernel (docs/kernel-tests.md, "The VM as the CPE"), while the LAN host, Kea,
dnsmasq, the scapy peers and the internet host stay in the lab's namespaces on the host.

    lan eth0 ── lan0 ┐ brl ── tapl ══ virtio (MAC cpe_lan) → guest lan0 10.0.0.1/24
                     cpe namespace (QEMU runs here; no addresses, bridges only)
    isp isp0 ── wan0 ┘ brw ── tapw ══ virtio (MAC cpe_wan) → guest wan0 2001:db8:0:1::2/64

The guest is amd64 (s46d as built on the host) or arm64 (a cross-built s46d from scripts/cross
aarch64, with its libraries from that build's sysroot: qemu-user cannot carry NETLINK_NETFILTER,
so the arm64 kernel data plane runs in an arm64 QEMU system guest). The guest script is
tests/lab/vm_cpe.sh. s46d's control socket is reached through the 9p share:
one file per request (VmCpe.ctl). QEMU runs under the Lab (its own process group, stopped on
every exit path before the namespaces go).
"""
import glob
import os
import shutil
import subprocess
import time
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
MODULES = ["ip6_tunnel", "tunnel6", "nf_tables", "nft_chain_nat", "nft_nat", "nft_masq", "nft_ct", "nft_numgen",
           "nft_objref", "nf_conntrack_netlink", "nfnetlink", "9p", "9pnet_virtio", "virtio_pci", "virtio_net"]
# The bridge ports in the cpe namespace get MACs of their own; the guest's NICs carry the CPE's.
PORT_MAC = {"lan0": "02:00:00:00:0f:01", "wan0": "02:00:00:00:0f:02"}


QEMU = {"amd64": "qemu-system-x86_64", "arm64": "qemu-system-aarch64"}


def cross_sysroot(build):
    """The sysroot a cross build linked against (S46_SYSROOT in its CMake cache), or None."""
    try:
        for line in open(os.path.join(build, "CMakeCache.txt")):
            if line.startswith("S46_SYSROOT:"):
                return line.split("=", 1)[1].strip() or None
    except OSError:
        pass
    return None


def unavailable(cache, arch="amd64", build=None):
    """Why the kernel data plane cannot be tested here (None when it can)."""
    if os.geteuid() != 0:
        return "the kernel data plane cases need root (namespaces, tap devices)"
    for tool in (QEMU[arch], "cpio", "depmod", "modprobe", "readelf"):
        if not shutil.which(tool) and not os.path.exists(f"/usr/sbin/{tool}") and not os.path.exists(f"/sbin/{tool}"):
            return f"{tool} is not installed (as root: scripts/qemu/setup --arch {arch})"
    if not glob.glob(os.path.join(cache, arch, "kernel", "boot", "vmlinuz-*")):
        return f"no {arch} guest kernel in {cache} (as root: scripts/qemu/setup --arch {arch} --cache {cache})"
    if arch == "arm64":
        if not os.path.exists(os.path.join(cache, "arm64", "sysroot", "bin", "busybox")):
            return f"no arm64 userland in {cache} (as root: scripts/qemu/setup --arch arm64 --cache {cache})"
        if not cross_sysroot(build):
            return f"{build} is not a cross build with a sysroot (scripts/cross aarch64)"
    elif not os.path.exists("/bin/busybox") or b"INTERP" in subprocess.run(
            ["readelf", "-lW", "/bin/busybox"], capture_output=True).stdout:
        return "/bin/busybox is not Debian's static busybox (busybox-static)"
    return None


def build_image(build, cache, work, arch="amd64"):
    """The guest image: modules, iproute2, nft, s46d and s46ctl with their libraries, vm_cpe.sh."""
    os.makedirs(work, exist_ok=True)
    out = os.path.join(work, "initramfs.cpio.gz")
    ktree = os.path.join(cache, arch, "kernel")
    if arch == "amd64":
        userland = ["--busybox", "/bin/busybox"]
    else:
        # Debian's arm64 busybox, iproute2 and nft (scripts/qemu/setup), s46d's libraries from the
        # cross build's sysroot (Kea, SQLite, ...), the C++ runtime from the cross toolchain.
        guest = os.path.join(cache, "arm64", "sysroot")
        userland = ["--busybox", os.path.join(guest, "bin", "busybox"), "--sysroot", guest,
                    "--sysroot", cross_sysroot(build), "--sysroot", "/usr/aarch64-linux-gnu"]
    args = [os.path.join(ROOT, "scripts", "qemu", "mkinitramfs"), "--out", out, *userland,
            "--kernel-tree", ktree, "--elf", "/bin/ip=/usr/sbin/ip", "--elf", "/usr/sbin/nft",
            "--bin", f"{build}/platform/s46d=/usr/bin/s46d", "--bin", f"{build}/platform/s46ctl=/usr/bin/s46ctl",
            "--script", os.path.join(HERE, "vm_cpe.sh")]
    for m in MODULES:
        args += ["--module", m]
    r = subprocess.run(args, capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError(f"mkinitramfs failed: {r.stderr.strip()[-1000:]}")
    kernel = glob.glob(os.path.join(ktree, "boot", "vmlinuz-*"))[0]
    return kernel, out


class VmCpe:
    def __init__(self, kernel, initrd, timeout=600, memory=768, arch="amd64"):
        self.kernel, self.initrd, self.timeout, self.memory, self.arch = kernel, initrd, timeout, memory, arch
        self.proc = None
        self.t_start = None
        self.boot_seconds = None

    def plumb(self, topo, run):
        """Taps and bridges in the cpe namespace (topo.cpe), joining the lab's veths to the VM."""
        ns = topo.cpe
        for side, tap, br in (("wan0", "tapw", "brw"), ("lan0", "tapl", "brl")):
            run("ip", "tuntap", "add", tap, "mode", "tap", ns=ns)
            run("ip", "link", "add", br, "type", "bridge", "stp_state", "0", "forward_delay", "0",
                "mcast_snooping", "0", ns=ns)
            for dev in (br, tap, side):
                # the namespace itself stays silent on these links (no link-local, no RS, no MLD)
                run("sysctl", "-qw", f"net.ipv6.conf.{dev}.disable_ipv6=1", ns=ns)
                run("ethtool", "-K", dev, "tx", "off", "tso", "off", "gso", "off", "gro", "off", ns=ns, check=False)
            run("ip", "link", "set", tap, "master", br, ns=ns)
            run("ip", "link", "set", side, "master", br, ns=ns)
            for dev in (tap, br):
                run("ip", "link", "set", dev, "up", ns=ns)

    def start(self, topo, config, extra_args, macs):
        lab = topo.lab
        self.share = os.path.join(lab.tmp, "vm")
        os.makedirs(os.path.join(self.share, "req"), exist_ok=True)
        with open(os.path.join(self.share, "s46d.conf"), "w") as f:
            f.write(config)
        with open(os.path.join(self.share, "s46d.args"), "w") as f:
            f.write("".join(a + "\n" for a in extra_args))
        for name, mac in (("wan.mac", macs["wan"]), ("lan.mac", macs["lan"])):
            with open(os.path.join(self.share, name), "w") as f:
                f.write(mac + "\n")
        self.console = os.path.join(lab.tmp, "vm-console.log")
        nics = []
        for i, (tap, mac) in enumerate((("tapw", macs["wan"]), ("tapl", macs["lan"]))):
            # vnet_hdr=off: no checksum or segmentation offload between guest and host, so every
            # frame on the bridges is a finished packet (the scapy peers read them raw)
            nics += ["-netdev", f"tap,id=n{i},ifname={tap},script=no,downscript=no,vnet_hdr=off",
                     "-device", f"virtio-net-pci,netdev=n{i},mac={mac},romfile="]
        cmd = [os.path.join(ROOT, "scripts", "qemu", "run-vm"), "--arch", self.arch, "--kernel", self.kernel,
               "--initrd", self.initrd, "--timeout", str(self.timeout), "--memory", str(self.memory),
               "--results", self.share, "--", *nics]
        self.t_start = time.monotonic()
        self.proc = lab.spawn(*cmd, ns=topo.cpe, log=self.console)

    def wait_ready(self, timeout=180):
        ready = os.path.join(self.share, "ready")
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if os.path.exists(ready):
                text = open(ready).read().strip()
                if text.isdigit():
                    self.boot_seconds = time.monotonic() - self.t_start
                    return True
                if text:
                    raise RuntimeError(f"s46d did not start in the VM: {self.tail('s46d.log')}")
            if self.proc.poll() is not None:
                raise RuntimeError(f"the VM ended before s46d was up: {self.console_tail()}")
            time.sleep(0.1)
        raise RuntimeError(f"s46d not up in the VM after {timeout} s: {self.console_tail()}")

    def ctl(self, *args, timeout=15):
        """s46ctl ARGS inside the guest; returns (exit status, output)."""
        rid = uuid.uuid4().hex[:12]
        base = os.path.join(self.share, "req", rid)
        with open(base + ".tmp", "w") as f:
            f.write("".join(a + "\n" for a in args))
        os.rename(base + ".tmp", base + ".args")
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if os.path.exists(base + ".rc"):
                rc = int(open(base + ".rc").read().strip() or 255)
                out = open(base + ".out").read()
                for ext in (".rc", ".out"):
                    os.unlink(base + ext)
                return rc, out
            if self.proc.poll() is not None:
                return 255, "the VM is gone"
            time.sleep(0.02)
        return 124, f"no answer from the guest within {timeout} s"

    def stop(self, lab, timeout=60):
        """Asks the guest to stop s46d (its teardown runs) and waits for the VM to power off.
        Returns s46d's exit status in the guest, or None."""
        if self.proc is None:
            return None
        open(os.path.join(self.share, "stop"), "w").close()
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            lab.stop(self.proc)
        try:
            return int(open(os.path.join(self.share, "s46d.exit")).read().strip())
        except (OSError, ValueError):
            return None

    def tail(self, name, n=1500):
        try:
            return open(os.path.join(self.share, name)).read()[-n:]
        except OSError:
            return ""

    def console_tail(self, n=1500):
        try:
            return open(self.console).read()[-n:]
        except OSError:
            return ""

    def leftovers(self):
        return [l for l in self.tail("output.log", 20000).splitlines() if l.startswith("LEFTOVER")]
