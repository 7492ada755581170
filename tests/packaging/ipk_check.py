#!/usr/bin/env python3
"""Reads an OpenWrt .ipk back the way opkg (opkg-lede) does, and checks what opkg relies on.

usage: ipk_check.py PACKAGE.ipk [--arch OPENWRT_ARCH]

opkg-lede opens the file as gzip and reads a tar from it (an ar archive, the Debian .deb layout,
is not what it expects); it then reads debian-binary, control.tar.gz and data.tar.gz, each a
gzip'd tar, with its own tar reader, which knows the ustar entry types '0'-'6' (and the old
'\\0') plus GNU long names ('L', 'K'); a PAX header ('x', 'g') is an unknown type to it. This
reader parses the 512-byte headers itself rather than through Python's tarfile, which would
apply PAX headers silently. Checked:
  * outer: gzip; exactly ./debian-binary, ./data.tar.gz, ./control.tar.gz; debian-binary "2.0\\n";
  * every tar: header checksums, known entry types only;
  * control: the fields opkg and the OpenWrt feeds use, Architecture (= --arch), Installed-Size
    = the bytes of data's regular files; conffiles present in data as regular files;
    maintainer scripts executable (0755);
  * data: names ./-relative without "..", owner 0:0; every ELF file built for the
    Architecture's machine, class and byte order, and its ABI (e_flags: ARM EABI5 not
    soft-float; MIPS o32 at most MIPS32r2); every DT_NEEDED of a program or library in
    /usr/lib/s46d present there (the package brings its libraries).
Prints "PACKAGE: ok (...)" or each problem, one a line, and exits 1.
"""
import gzip
import struct
import sys

REQUIRED_FIELDS = ["Package", "Version", "Depends", "Source", "License", "Section", "Architecture",
                   "Installed-Size", "Maintainer", "Description"]
SCRIPTS = {"preinst", "postinst", "prerm", "postrm"}
KNOWN_TYPES = set(b"0123456") | {0, ord("L"), ord("K")}
# OpenWrt architecture (its prefix) -> (e_machine, ELF class 1=32/2=64, data 1=LE/2=BE)
MACHINES = [("aarch64_", (183, 2, 1)), ("arm_", (40, 1, 1)), ("mipsel_", (8, 1, 1)), ("mips_", (8, 1, 2)),
            ("x86_64", (62, 2, 1)), ("i386_", (3, 1, 1))]


class Problems(list):
    def add(self, text):
        self.append(text)


def octal(field):
    field = field.rstrip(b"\0 ").lstrip(b" ")
    return int(field, 8) if field else 0


def read_tar(blob, what, problems):
    """[(name, typeflag char, mode, uid, gid, data or link target)], as opkg's reader sees them."""
    entries, pos, long_name, long_link = [], 0, None, None
    while pos + 512 <= len(blob):
        header = blob[pos:pos + 512]
        if header == b"\0" * 512:
            break
        stored = octal(header[148:156])
        computed = sum(header[:148]) + 8 * 32 + sum(header[156:])
        if stored != computed:
            problems.add(f"{what}: bad header checksum at offset {pos}")
            return entries
        typeflag = header[156]
        size = octal(header[124:136])
        body = blob[pos + 512:pos + 512 + size]
        pos += 512 + (size + 511) // 512 * 512
        name = header[0:100].split(b"\0")[0]
        if header[257:262] == b"ustar" and header[345:500].split(b"\0")[0]:
            name = header[345:500].split(b"\0")[0] + b"/" + name
        if typeflag not in KNOWN_TYPES:
            kind = {ord("x"): "a PAX extended header", ord("g"): "a PAX global header"}.get(typeflag, "unknown")
            problems.add(f"{what}: entry '{name.decode(errors='replace')}' has typeflag '{chr(typeflag)}' ({kind}), "
                         "which opkg's tar reader does not know")
            continue
        if typeflag == ord("L"):
            long_name = body.split(b"\0")[0]
            continue
        if typeflag == ord("K"):
            long_link = body.split(b"\0")[0]
            continue
        if long_name is not None:
            name, long_name = long_name, None
        link = header[157:257].split(b"\0")[0]
        if long_link is not None:
            link, long_link = long_link, None
        char = "0" if typeflag == 0 else chr(typeflag)
        entries.append((name.decode(errors="replace"), char, octal(header[100:108]), octal(header[108:116]),
                        octal(header[116:124]), body if char == "0" else link.decode(errors="replace")))
    return entries


def gunzip(blob, what, problems):
    if blob[:2] != b"\x1f\x8b":
        if blob[:8] == b"!<arch>\n":
            problems.add(f"{what}: an ar archive (the .deb layout); opkg-lede reads a gzip'd tar")
        else:
            problems.add(f"{what}: not gzip data")
        return None
    try:
        return gzip.decompress(blob)
    except (OSError, EOFError) as e:
        problems.add(f"{what}: gzip: {e}")
        return None


def elf_header(data):
    """(machine, class, byte order) of an ELF file."""
    end = "<" if data[5] == 1 else ">"
    return struct.unpack_from(end + "H", data, 18)[0], data[4], data[5]


def elf_abi_problem(prefix, data):
    """Why an ELF of the right machine, class and byte order still does not fit the OpenWrt
    architecture's ABI (its e_flags), or None. 32-bit ARM and MIPS each have ABIs that share the
    machine number: an armel (soft-float) or n32 file would pass the machine check and then
    fail at load time, or call with the wrong registers."""
    end = "<" if data[5] == 1 else ">"
    flags = struct.unpack_from(end + "I", data, 0x30 if data[4] == 2 else 0x24)[0]
    if prefix == "arm_":
        # Every OpenWrt arm_* target is EABI5; arm_cortex-a7_neon-vfpv4 passes floats in VFP registers.
        if flags >> 24 != 5:
            return f"ARM EABI version {flags >> 24}, expected 5"
        if flags & 0x200:  # EF_ARM_ABI_FLOAT_SOFT
            return "soft-float ARM ABI, expected hard-float (VFP registers)"
    elif prefix in ("mipsel_", "mips_"):
        # OpenWrt's 24Kc/74Kc targets are o32 on MIPS32r2 at most.
        if flags & 0x20:  # EF_MIPS_ABI2
            return "MIPS n32 ABI, expected o32"
        if flags & 0xF000 not in (0, 0x1000):  # EF_MIPS_ABI: none given or O32
            return f"MIPS ABI field {flags & 0xF000:#x}, expected o32"
        levels = {0x0: "mips1", 0x1: "mips2", 0x5: "mips32", 0x7: "mips32r2"}
        if flags >> 28 not in levels:
            return f"MIPS architecture level {flags >> 28:#x} (EF_MIPS_ARCH), beyond mips32r2"
    return None


def elf_needed(data):
    """DT_NEEDED names of an ELF file (its program headers' PT_DYNAMIC and string table).
    Written apart from packaging/openwrt/bundle_libs.py's reader on purpose: this checks what that
    script bundled, and a reader shared by both would let one mistake pass unseen."""
    is64, end = data[4] == 2, "<" if data[5] == 1 else ">"
    phoff = struct.unpack_from(end + ("Q" if is64 else "I"), data, 0x20 if is64 else 0x1C)[0]
    phentsize, phnum = struct.unpack_from(end + "HH", data, 0x36 if is64 else 0x2A)
    dynamic, loads = None, []
    for i in range(phnum):
        off = phoff + i * phentsize
        if is64:
            p_type, _, p_offset, p_vaddr, _, p_filesz = struct.unpack_from(end + "IIQQQQ", data, off)
        else:
            p_type, p_offset, p_vaddr, _, p_filesz = struct.unpack_from(end + "IIIII", data, off)
        if p_type == 2:
            dynamic = (p_offset, p_filesz)
        elif p_type == 1:
            loads.append((p_vaddr, p_offset, p_filesz))
    if not dynamic:
        return []
    entry = struct.Struct(end + ("qQ" if is64 else "iI"))
    strtab, offsets = None, []
    for off in range(dynamic[0], dynamic[0] + dynamic[1], entry.size):
        tag, val = entry.unpack_from(data, off)
        if tag == 0:
            break
        if tag == 1:
            offsets.append(val)
        elif tag == 5:
            strtab = next((val - v + o for v, o, s in loads if v <= val < v + s), None)
    return [data[strtab + o:data.index(b"\0", strtab + o)].decode() for o in offsets]


def parse_control(text):
    fields, last = {}, None
    for line in text.splitlines():
        if line.startswith((" ", "\t")) and last:
            fields[last] += "\n" + line
        elif ":" in line:
            last, value = line.split(":", 1)
            fields[last] = value.strip()
    return fields


def check(path, arch=None):
    problems = Problems()
    with open(path, "rb") as f:
        outer_tar = gunzip(f.read(), "outer file", problems)
    if outer_tar is None:
        return problems, {}
    outer = read_tar(outer_tar, "outer tar", problems)
    names = [e[0] for e in outer]
    if sorted(names) != sorted(["./debian-binary", "./data.tar.gz", "./control.tar.gz"]):
        problems.add(f"outer tar: members {names}, expected exactly ./debian-binary, ./data.tar.gz, ./control.tar.gz")
    members = {e[0]: e[5] for e in outer if e[1] == "0"}
    if members.get("./debian-binary") != b"2.0\n":
        problems.add(f"debian-binary: {members.get('./debian-binary')!r}, expected '2.0\\n'")

    control_entries, data_entries = [], []
    for member, out in (("./control.tar.gz", control_entries), ("./data.tar.gz", data_entries)):
        if member in members:
            raw = gunzip(members[member], member, problems)
            if raw is not None:
                out.extend(read_tar(raw, member, problems))

    control_files = {e[0]: e for e in control_entries}
    fields = {}
    if "./control" not in control_files:
        problems.add("control.tar.gz: no ./control")
    else:
        fields = parse_control(control_files["./control"][5].decode(errors="replace"))
        for field in REQUIRED_FIELDS:
            if not fields.get(field):
                problems.add(f"control: no {field} field")
        if arch and fields.get("Architecture") != arch:
            problems.add(f"control: Architecture is {fields.get('Architecture')}, expected {arch}")
    for name, char, mode, *_ in control_entries:
        if name.lstrip("./") in SCRIPTS and (char != "0" or mode & 0o7777 != 0o755):
            problems.add(f"control.tar.gz: {name} has mode {mode & 0o7777:o}, expected 755")

    data_files = {}
    total = 0
    for name, char, mode, uid, gid, body in data_entries:
        if not name.startswith("./") or "/../" in name + "/":
            problems.add(f"data.tar.gz: '{name}' is not a ./-relative path")
        if uid != 0 or gid != 0:
            problems.add(f"data.tar.gz: '{name}' is owned by {uid}:{gid}, expected 0:0")
        if char == "0":
            data_files[name[1:]] = body
            total += len(body)
    if fields.get("Installed-Size") and fields["Installed-Size"] != str(total):
        problems.add(f"control: Installed-Size {fields['Installed-Size']}, but data's files hold {total} bytes")
    if "./conffiles" in control_files:
        for conffile in control_files["./conffiles"][5].decode().split():
            if conffile not in data_files:
                problems.add(f"conffiles: {conffile} is not a regular file in data.tar.gz")

    prefix, expected = next(((p, m) for p, m in MACHINES if fields.get("Architecture", "").startswith(p)), (None, None))
    if fields.get("Architecture") and expected is None:
        problems.add(f"control: Architecture {fields['Architecture']} is not one this checker knows")
    elfs = 0
    for name, body in sorted(data_files.items()):
        if body[:4] != b"\x7fELF":
            continue
        elfs += 1
        if expected and elf_header(body) != expected:
            problems.add(f"data.tar.gz: {name} is ELF machine/class/order {elf_header(body)}, "
                         f"but {fields['Architecture']} needs {expected}")
        elif expected and elf_abi_problem(prefix, body):
            problems.add(f"data.tar.gz: {name}: {elf_abi_problem(prefix, body)} for {fields['Architecture']}")
        if name.startswith("/usr/lib/s46d/"):
            for needed in elf_needed(body):
                if "/usr/lib/s46d/" + needed not in data_files:
                    problems.add(f"data.tar.gz: {name} needs {needed}, which /usr/lib/s46d does not have")
    return problems, {"files": len(data_files), "elf": elfs, "installed_size": total}


def main():
    args = sys.argv[1:]
    arch = None
    if "--arch" in args:
        i = args.index("--arch")
        arch = args[i + 1]
        del args[i:i + 2]
    if len(args) != 1:
        sys.exit("usage: ipk_check.py PACKAGE.ipk [--arch OPENWRT_ARCH]")
    problems, summary = check(args[0], arch)
    if problems:
        for p in problems:
            print(f"{args[0]}: {p}")
        sys.exit(1)
    print(f"{args[0]}: ok ({summary['files']} files, {summary['elf']} ELF, Installed-Size {summary['installed_size']})")


if __name__ == "__main__":
    main()
