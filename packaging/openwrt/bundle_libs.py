#!/usr/bin/env python3
"""Copies the shared libraries a glibc-built program needs, and its loader, into one directory.

The .ipk built in this repository carries s46d and s46ctl built with Debian's (glibc) toolchains.
OpenWrt's own C library is musl, so the package brings glibc's loader and every library the
programs need (Kea, Boost, OpenSSL, c-ares, SQLite, libstdc++, glibc itself) into
/usr/lib/s46d, and /usr/sbin/s46d runs the program through that loader. This script finds
them: the DT_NEEDED entries of each program, and of each library found, in the search
directories (the cross sysroot first), plus the PT_INTERP loader.

usage: bundle_libs.py --dest DIR --search DIR [--search DIR...] PROGRAM...
Prints the loader's file name. Fails naming the library it could not find.
"""
import argparse
import os
import shutil
import struct
import sys


def elf_info(path):
    """(interpreter or None, [DT_NEEDED names]) of an ELF file; 32/64-bit, either byte order."""
    with open(path, "rb") as f:
        data = f.read()
    if data[:4] != b"\x7fELF":
        raise ValueError(f"{path}: not an ELF file")
    is64 = data[4] == 2
    end = "<" if data[5] == 1 else ">"
    if is64:
        phoff, = struct.unpack_from(end + "Q", data, 0x20)
        phentsize, phnum = struct.unpack_from(end + "HH", data, 0x36)
    else:
        phoff, = struct.unpack_from(end + "I", data, 0x1C)
        phentsize, phnum = struct.unpack_from(end + "HH", data, 0x2A)
    interp, dynamic, loads = None, None, []
    for i in range(phnum):
        off = phoff + i * phentsize
        if is64:
            p_type, _, p_offset, p_vaddr, _, p_filesz = struct.unpack_from(end + "IIQQQQ", data, off)
        else:
            p_type, p_offset, p_vaddr, _, p_filesz = struct.unpack_from(end + "IIIII", data, off)
        if p_type == 3:  # PT_INTERP
            interp = data[p_offset:p_offset + p_filesz].rstrip(b"\0").decode()
        elif p_type == 2:  # PT_DYNAMIC
            dynamic = (p_offset, p_filesz)
        elif p_type == 1:  # PT_LOAD
            loads.append((p_vaddr, p_offset, p_filesz))
    needed = []
    if dynamic:
        entry = struct.Struct(end + ("qQ" if is64 else "iI"))
        strtab, offsets = None, []
        for off in range(dynamic[0], dynamic[0] + dynamic[1], entry.size):
            tag, val = entry.unpack_from(data, off)
            if tag == 0:
                break
            if tag == 1:  # DT_NEEDED
                offsets.append(val)
            elif tag == 5:  # DT_STRTAB: a virtual address; find its file offset
                for vaddr, foff, size in loads:
                    if vaddr <= val < vaddr + size:
                        strtab = val - vaddr + foff
        for o in offsets:
            start = strtab + o
            needed.append(data[start:data.index(b"\0", start)].decode())
    return interp, needed


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dest", required=True)
    ap.add_argument("--search", action="append", required=True)
    ap.add_argument("programs", nargs="+")
    args = ap.parse_args()
    os.makedirs(args.dest, exist_ok=True)

    def find(name):
        for d in args.search:
            p = os.path.join(d, name)
            if os.path.exists(p):
                return p
        return None

    loader = None
    queue = list(args.programs)
    seen = set()
    while queue:
        path = queue.pop()
        interp, needed = elf_info(path)
        if interp:
            if loader and os.path.basename(interp) != loader:
                sys.exit(f"bundle_libs: {path} wants the loader {interp}, another program {loader}")
            loader = os.path.basename(interp)
            needed = needed + [loader]
        for name in needed:
            if name in seen:
                continue
            seen.add(name)
            found = find(name)
            if not found:
                sys.exit(f"bundle_libs: {name} (needed by {os.path.basename(path)}) is in none of: {' '.join(args.search)}")
            shutil.copyfile(os.path.realpath(found), os.path.join(args.dest, name))
            os.chmod(os.path.join(args.dest, name), 0o755 if name == loader else 0o644)
            queue.append(found)
    if not loader:
        sys.exit("bundle_libs: no program names a loader (PT_INTERP): static programs need no bundle")
    print(loader)


if __name__ == "__main__":
    main()
