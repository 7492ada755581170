#!/usr/bin/python3
"""Traffic from the LAN host (runs inside the LAN namespace). Each subcommand prints one JSON object.

  udp    --dst IP --port P [--flows N] [--rounds R] [--tos T] [--bind SRC] [--wait S]
         one socket per flow, R request/response rounds per flow
  tcp    --dst IP --port P --bytes N         download N bytes ('GET N'), report the rate
  ping   --dst IP --ids 1,2,3 [--count C] [--tos T] [--bind SRC]   ICMP echo with chosen identifiers
  ptb    --dst IP --port P --size N [--wait S]   DF UDP of N payload bytes; report ICMP 3/4 received
  hold   --dst IP --port P --seconds S     one flow: request, print a 'ready' line, then collect all
                                           datagrams arriving on that socket for S seconds
  stream --dst IP --port P --seconds S [--interval I]  one request every I s on one socket; timeline
  flows  --dst IP --udp N --tcp M --icmp K --srcs A,B,...   N UDP sockets, M TCP connections and K ICMP
         echo identifiers open at the same time, spread over the LAN source addresses; each flow
         carries a tag the internet host logs (UDP payload 'flow:u:I', TCP 'GET 1000+I', ICMP seq
         1000+I) so that its translated port or identifier can be found there and at the peer
"""
import argparse
import json
import select
import socket
import struct
import sys
import time

IP_RECVTOS = 13
IP_MTU_DISCOVER, IP_PMTUDISC_DO, IP_MTU = 10, 2, 14


def out(obj):
    print(json.dumps(obj), flush=True)


def udp_sock(a):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.IPPROTO_IP, IP_RECVTOS, 1)
    if getattr(a, "tos", 0):
        s.setsockopt(socket.IPPROTO_IP, socket.IP_TOS, a.tos)
    s.bind((getattr(a, "bind", None) or "0.0.0.0", 0))
    return s


def recv_reply(s, wait):
    r, _, _ = select.select([s], [], [], wait)
    if not r:
        return None
    data, anc, _, peer = s.recvmsg(65535, 64)
    tos = None
    for level, kind, val in anc:
        if level == socket.IPPROTO_IP and kind == 1:
            tos = val[0]
    return data, tos, peer


def cmd_udp(a):
    socks = [udp_sock(a) for _ in range(a.flows)]
    flows = [{"lport": s.getsockname()[1], "rounds": []} for s in socks]
    for rnd in range(a.rounds):
        for i, s in enumerate(socks):
            msg = f"req:{i}:{rnd}".encode()
            ok, rtt, tos_rx = False, None, None
            for _ in range(a.tries):
                t0 = time.monotonic()
                s.sendto(msg, (a.dst, a.port))
                got = recv_reply(s, a.wait)
                while got and not got[0].endswith(msg):
                    got = recv_reply(s, a.wait)
                if got:
                    ok, rtt, tos_rx = True, round((time.monotonic() - t0) * 1000, 2), got[1]
                    reply = got[0].decode(errors="replace")
                    break
            flows[i]["rounds"].append({"ok": ok, "rtt_ms": rtt, "tos_rx": tos_rx, "reply": reply if ok else None})
    out({"cmd": "udp", "dst": a.dst, "port": a.port, "tos": a.tos, "flows": flows,
         "answered_flows": sum(1 for f in flows if all(r["ok"] for r in f["rounds"])),
         "ok": all(r["ok"] for f in flows for r in f["rounds"])})


def cmd_tcp(a):
    t0 = time.monotonic()
    res = {"cmd": "tcp", "dst": a.dst, "port": a.port, "want": a.bytes, "bytes": 0}
    try:
        s = socket.create_connection((a.dst, a.port), timeout=a.wait,
                                     source_address=(a.bind, 0) if a.bind else None)
        res["lport"] = s.getsockname()[1]
        s.settimeout(a.wait)
        s.sendall(f"GET {a.bytes}\n".encode())
        t1 = time.monotonic()
        while res["bytes"] < a.bytes:
            chunk = s.recv(262144)
            if not chunk:
                break
            res["bytes"] += len(chunk)
        dt = time.monotonic() - t1
        res.update(seconds=round(dt, 3), mbit_s=round(res["bytes"] * 8 / dt / 1e6, 2) if dt > 0 else None,
                   mss=s.getsockopt(socket.IPPROTO_TCP, socket.TCP_MAXSEG))
        s.close()
    except OSError as e:
        res["error"] = str(e)
    res["total_seconds"] = round(time.monotonic() - t0, 3)
    res["ok"] = res["bytes"] == a.bytes
    out(res)


def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack(f"!{len(b) // 2}H", b))
    s = (s >> 16) + (s & 0xffff)
    s += s >> 16
    return ~s & 0xffff


def cmd_ping(a):
    s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
    if a.tos:
        s.setsockopt(socket.IPPROTO_IP, socket.IP_TOS, a.tos)
    if a.bind:
        s.bind((a.bind, 0))
    ids = [int(x) for x in a.ids.split(",")]
    res = {"cmd": "ping", "dst": a.dst, "ids": {}, "rtt_ms": []}
    for seq in range(1, a.count + 1):
        for ident in ids:
            payload = b"s46lab" + struct.pack("!d", time.time())
            hdr = struct.pack("!BBHHH", 8, 0, 0, ident, seq)
            pkt = struct.pack("!BBHHH", 8, 0, csum(hdr + payload), ident, seq) + payload
            t0 = time.monotonic()
            s.sendto(pkt, (a.dst, 0))
            deadline = t0 + a.wait
            got = False
            for _, peer, _, (t, _, _, rid, rseq) in icmp_until(s, deadline):
                if t == 0 and rid == ident and rseq == seq and peer == a.dst:
                    got = True
                    res["rtt_ms"].append(round((time.monotonic() - t0) * 1000, 2))
                    break
            e = res["ids"].setdefault(str(ident), {"sent": 0, "received": 0})
            e["sent"] += 1
            e["received"] += int(got)
    res["sent"] = sum(e["sent"] for e in res["ids"].values())
    res["received"] = sum(e["received"] for e in res["ids"].values())
    res["ok"] = res["received"] == res["sent"]
    out(res)


def icmp_until(sock, deadline):
    """Each ICMPv4 message a raw socket reads before the deadline: (packet, sender, IP header
    length, (type, code, checksum, first and second 16-bit words of the rest of the header))."""
    while time.monotonic() < deadline:
        r, _, _ = select.select([sock], [], [], max(0, deadline - time.monotonic()))
        if not r:
            return
        data, peer = sock.recvfrom(65535)
        ihl = (data[0] & 15) * 4
        yield data, peer[0], ihl, struct.unpack_from("!BBHHH", data, ihl)


def cmd_ptb(a):
    icmp = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
    s = udp_sock(a)
    s.setsockopt(socket.IPPROTO_IP, IP_MTU_DISCOVER, IP_PMTUDISC_DO)
    lport = s.getsockname()[1]
    res = {"cmd": "ptb", "dst": a.dst, "size": a.size, "lport": lport, "frag_needed": []}
    try:
        s.sendto(b"p" * a.size, (a.dst, a.port))
    except OSError as e:
        res["send_error"] = str(e)
    for data, peer, ihl, (t, code, _, _, mtu) in icmp_until(icmp, time.monotonic() + a.wait):
        if t != 3 or code != 4:
            continue
        q = data[ihl + 8:]
        qihl = (q[0] & 15) * 4
        qs, qd = socket.inet_ntoa(q[12:16]), socket.inet_ntoa(q[16:20])
        qsport, qdport = struct.unpack_from("!HH", q, qihl) if len(q) >= qihl + 4 else (None, None)
        res["frag_needed"].append({"from": peer, "mtu": mtu, "quoted_src": qs, "quoted_dst": qd,
                                   "quoted_sport": qsport, "quoted_dport": qdport, "quoted_len": struct.unpack_from("!H", q, 2)[0]})
        break
    try:
        res["pmtu_after"] = s.getsockopt(socket.IPPROTO_IP, IP_MTU)
    except OSError:
        res["pmtu_after"] = None
    # then a datagram that fits the reported MTU must get through
    mtu = res["frag_needed"][0]["mtu"] if res["frag_needed"] else 1000
    small = max(64, mtu - 28 - 8)
    ok = False
    for _ in range(3):
        try:
            s.sendto(b"q" * small, (a.dst, a.port))
        except OSError as e:
            res["small_error"] = str(e)
            break
        got = recv_reply(s, 1.0)
        if got:
            ok = True
            break
    res.update(small_size=small, small_ok=ok, ok=bool(res["frag_needed"]) and ok)
    out(res)


def cmd_hold(a):
    s = udp_sock(a)
    s.sendto(b"hold", (a.dst, a.port))
    got = recv_reply(s, a.wait)
    out({"ready": True, "lport": s.getsockname()[1], "first_reply": got[0].decode(errors="replace") if got else None})
    seen = []
    deadline = time.monotonic() + a.seconds
    while time.monotonic() < deadline:
        got = recv_reply(s, max(0, deadline - time.monotonic()))
        if got:
            seen.append({"from": f"{got[2][0]}:{got[2][1]}", "data": got[0].decode(errors="replace")})
            # --until: the datagram the test sends last arrived; stay a moment for stragglers.
            if a.until and seen[-1]["data"] == a.until:
                deadline = min(deadline, time.monotonic() + 0.3)
    out({"cmd": "hold", "lport": s.getsockname()[1], "received": seen})


def cmd_stream(a):
    s = udp_sock(a)
    timeline = []
    t0 = time.monotonic()
    i = 0
    while time.monotonic() - t0 < a.seconds:
        msg = f"stream:{i}".encode()
        ts = time.monotonic() - t0
        try:
            s.sendto(msg, (a.dst, a.port))
            got = recv_reply(s, a.interval)
            while got and not got[0].endswith(msg):
                got = recv_reply(s, a.interval)
        except OSError:
            got = None
        timeline.append([round(ts, 3), bool(got)])
        rest = a.interval - (time.monotonic() - t0 - ts)
        if rest > 0:
            time.sleep(rest)
        i += 1
    out({"cmd": "stream", "lport": s.getsockname()[1], "timeline": timeline,
         "answered": sum(1 for _, ok in timeline if ok), "sent": len(timeline)})


def cmd_flows(a):
    import threading
    srcs = a.srcs.split(",")
    res = {"cmd": "flows", "udp": [], "tcp": [], "icmp": []}
    t0 = time.monotonic()
    # UDP: every socket sends, then replies are collected; unanswered flows send again (a.tries).
    socks = []
    for i in range(a.udp):
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.bind((srcs[i % len(srcs)], 0))
        socks.append(s)
        res["udp"].append({"i": i, "src": srcs[i % len(srcs)], "lport": s.getsockname()[1], "tag": f"flow:u:{i}",
                           "ok": False})
    # TCP: one thread per connection, all open at once (each holds its connection until all are done)
    done = threading.Barrier(a.tcp + 1) if a.tcp else None

    def tcp_flow(i, rec):
        try:
            c = socket.create_connection((a.dst, a.tcp_port), timeout=a.wait * a.tries + 5,
                                         source_address=(rec["src"], 0))
            rec["lport"] = c.getsockname()[1]
            c.sendall(f"GET {1000 + i}\n".encode())
            n = 0
            while n < 1000 + i:
                chunk = c.recv(65536)
                if not chunk:
                    break
                n += len(chunk)
            rec["bytes"], rec["ok"] = n, n == 1000 + i
        except OSError as e:
            rec["error"] = str(e)
        try:
            done.wait(timeout=60)
        except threading.BrokenBarrierError:
            pass
        try:
            c.close()
        except Exception:
            pass
    threads = []
    for i in range(a.tcp):
        rec = {"i": i, "src": srcs[i % len(srcs)], "tag": 1000 + i, "ok": False}
        res["tcp"].append(rec)
        th = threading.Thread(target=tcp_flow, args=(i, rec), daemon=True)
        th.start()
        threads.append(th)
    # ICMP: one raw socket per source address, identifiers 20000+I, sequence 1000+I
    raws = {}
    for src in srcs[:max(1, min(len(srcs), a.icmp))]:
        r = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
        r.bind((src, 0))
        raws[src] = r
    for i in range(a.icmp):
        res["icmp"].append({"i": i, "src": srcs[i % len(srcs)], "id": 20000 + i, "tag": 1000 + i, "ok": False})

    def send_icmp(rec):
        payload = b"s46flow" + struct.pack("!I", rec["i"])
        hdr = struct.pack("!BBHHH", 8, 0, 0, rec["id"], rec["tag"])
        raws[rec["src"]].sendto(struct.pack("!BBHHH", 8, 0, csum(hdr + payload), rec["id"], rec["tag"]) + payload,
                                (a.dst, 0))
    by_sock = {s: res["udp"][i] for i, s in enumerate(socks)}
    by_icmp = {(r["id"], r["tag"]): r for r in res["icmp"]}
    for attempt in range(a.tries):
        for s, rec in by_sock.items():
            if not rec["ok"]:
                s.sendto(rec["tag"].encode(), (a.dst, a.port))
        for rec in res["icmp"]:
            if not rec["ok"]:
                send_icmp(rec)
        deadline = time.monotonic() + a.wait
        while time.monotonic() < deadline:
            if all(r["ok"] for r in res["udp"]) and all(r["ok"] for r in res["icmp"]):
                break
            rd, _, _ = select.select(list(by_sock) + list(raws.values()), [], [], max(0, deadline - time.monotonic()))
            for s in rd:
                if s in by_sock:
                    data = s.recv(2048)
                    rec = by_sock[s]
                    if data == b"echo:" + rec["tag"].encode():
                        rec["ok"], rec["attempt"] = True, attempt + 1
                else:
                    data, peer = s.recvfrom(65535)
                    ihl = (data[0] & 15) * 4
                    t, _, _, rid, rseq = struct.unpack_from("!BBHHH", data, ihl)
                    rec = by_icmp.get((rid, rseq))
                    if t == 0 and rec and peer[0] == a.dst:
                        rec["ok"], rec["attempt"] = True, attempt + 1
    try:  # every TCP connection is still open here: all flows existed at the same time
        done and done.wait(timeout=a.wait * a.tries + 30)
    except threading.BrokenBarrierError:
        pass
    for th in threads:
        th.join(timeout=5)
    res["seconds"] = round(time.monotonic() - t0, 2)
    res["ok"] = all(r["ok"] for k in ("udp", "tcp", "icmp") for r in res[k])
    out(res)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    for name in ("udp", "tcp", "ping", "ptb", "hold", "stream", "flows"):
        p = sub.add_parser(name)
        p.add_argument("--dst", required=True)
        p.add_argument("--port", type=int, default=7)
        p.add_argument("--wait", type=float, default=1.0)
        p.add_argument("--tos", type=lambda x: int(x, 0), default=0)
        p.add_argument("--bind", default=None)
        if name == "udp":
            p.add_argument("--flows", type=int, default=4)
            p.add_argument("--rounds", type=int, default=2)
            p.add_argument("--tries", type=int, default=3)
        if name == "tcp":
            p.add_argument("--bytes", type=int, default=1 << 20)
        if name == "ping":
            p.add_argument("--ids", default="4660")
            p.add_argument("--count", type=int, default=2)
        if name == "flows":
            p.add_argument("--udp", type=int, default=0)
            p.add_argument("--tcp", type=int, default=0)
            p.add_argument("--icmp", type=int, default=0)
            p.add_argument("--tcp-port", type=int, default=8080)
            p.add_argument("--srcs", default="10.0.0.2")
            p.add_argument("--tries", type=int, default=3)
        if name == "ptb":
            p.add_argument("--size", type=int, default=1400)
        if name in ("hold", "stream"):
            p.add_argument("--seconds", type=float, default=5)
            p.add_argument("--until", default="", help="hold: stop early once a datagram with this payload arrives")
            p.add_argument("--interval", type=float, default=0.1)
    a = ap.parse_args()
    {"udp": cmd_udp, "tcp": cmd_tcp, "ping": cmd_ping, "ptb": cmd_ptb, "hold": cmd_hold, "stream": cmd_stream, "flows": cmd_flows}[a.cmd](a)


if __name__ == "__main__":
    sys.exit(main())
