#!/usr/bin/python3
"""The internet host's services (a real kernel host): UDP echo, a TCP server that serves N bytes
('GET N\\n'), and a log of every client endpoint and ICMP echo identifier it sees (the kernel answers
ping). JSON lines to --log; bounded by --timeout.

UDP echo replies carry 'echo:' + the request and the request's TOS (so the way back tests the
traffic-class copy too)."""
import argparse
import json
import select
import socket
import struct
import threading
import time

IP_RECVTOS = 13


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--udp-port", type=int, default=7)
    ap.add_argument("--tcp-port", type=int, default=8080)
    ap.add_argument("--timeout", type=float, required=True)
    ap.add_argument("--log", default="")
    a = ap.parse_args()
    lock = threading.Lock()
    logf = open(a.log, "a", buffering=1) if a.log else None
    t0 = time.monotonic()

    def log(rec):
        if logf:
            with lock:
                logf.write(json.dumps(dict(rec, t=round(time.monotonic() - t0, 4))) + "\n")

    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    u.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    u.setsockopt(socket.IPPROTO_IP, IP_RECVTOS, 1)
    u.bind(("0.0.0.0", a.udp_port))
    t = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    t.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    t.bind(("0.0.0.0", a.tcp_port))
    t.listen(64)
    icmp = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)

    def serve(conn, peer):
        conn.settimeout(10)
        try:
            req = b""
            while b"\n" not in req and len(req) < 100:
                chunk = conn.recv(100)
                if not chunk:
                    break
                req += chunk
            n = int(req.split()[1]) if req.startswith(b"GET ") else 0
            log({"proto": "tcp", "src": peer[0], "sport": peer[1], "bytes": n})
            block = b"x" * 65536
            left = n
            while left > 0:
                sent = conn.send(block[:min(left, len(block))])
                left -= sent
            conn.shutdown(socket.SHUT_WR)
            conn.recv(1)
        except (OSError, ValueError, IndexError) as e:
            log({"proto": "tcp", "src": peer[0], "sport": peer[1], "error": str(e)})
        finally:
            conn.close()

    deadline = time.monotonic() + a.timeout
    while time.monotonic() < deadline:
        r, _, _ = select.select([u, t, icmp], [], [], 0.2)
        for s in r:
            if s is u:
                data, anc, _, peer = u.recvmsg(65535, 64)
                tos = 0
                for level, kind, val in anc:
                    if level == socket.IPPROTO_IP and kind == 1:  # IP_TOS
                        tos = val[0]
                u.setsockopt(socket.IPPROTO_IP, socket.IP_TOS, tos)
                u.sendto(b"echo:" + data, peer)
                log({"proto": "udp", "src": peer[0], "sport": peer[1], "tos": tos, "len": len(data),
                     "data": data[:40].decode(errors="replace")})
            elif s is t:
                conn, peer = t.accept()
                threading.Thread(target=serve, args=(conn, peer), daemon=True).start()
            else:
                pkt = icmp.recv(65535)
                ihl = (pkt[0] & 15) * 4
                if len(pkt) >= ihl + 8 and pkt[ihl] == 8:
                    ident, seq = struct.unpack_from("!HH", pkt, ihl + 4)
                    src = socket.inet_ntoa(pkt[12:16])
                    log({"proto": "icmp", "src": src, "icmp_id": ident, "seq": seq, "tos": pkt[1]})


if __name__ == "__main__":
    main()
