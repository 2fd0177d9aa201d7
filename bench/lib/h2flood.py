#!/usr/bin/env python3
"""HTTP/2 control-frame floods for bench/h2-flood.sh (python3 stdlib only).

The five kinds of router/src/test/java/io/gatehouse/proxy/H2FloodMemoryIT.java: SETTINGS, PING,
1-byte WINDOW_UPDATE, PRIORITY and empty DATA frames (the last after a POST's HEADERS). Each
attacker opens one connection after the other; each connection writes the preface and up to
FRAMES frames in batches of 100 and never reads while it floods. A connection ends when the proxy
cuts it (write error, or the socket reports reset/hang-up), when it has been open CONN_SECS, or when
the flood window (SECS) closes; then one bounded drain read tells whether the proxy had closed it
behind data we did not read (a FIN queued after unread ACKs). Everything is bounded: attackers x
MAX_CONNS connections, SECS seconds, FRAMES frames per connection.

Prints one JSON object: window start/end (epoch us), per kind: connections, cut by the proxy,
survived (we closed them at a limit), connect errors, time to the cut (ms, from the end of the TLS
handshake) and frames written before it.

Hand-written (no h2 library) on purpose: a client library would refuse to send these sequences.
"""
import argparse
import json
import resource
import select
import signal
import socket
import ssl
import statistics
import struct
import threading
import time

PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
DATA, HEADERS, PRIORITY, SETTINGS, PING, WINDOW_UPDATE = 0, 1, 2, 4, 6, 8
END_HEADERS = 0x4
BATCH = 100
POLL_CLOSED = select.POLLHUP | select.POLLERR | getattr(select, "POLLRDHUP", 0x2000)


def frame(ftype, flags, stream, payload=b""):
    n = len(payload)
    return struct.pack(">BHBBI", n >> 16, n & 0xFFFF, ftype, flags, stream & 0x7FFFFFFF) + payload


def hpack_literal(index, value):
    """Literal header field without indexing, indexed name, no Huffman (RFC 7541 6.2.2)."""
    v = value.encode()
    assert index < 15 and len(v) < 127
    return bytes([index, len(v)]) + v


def post_headers(authority, scheme):
    # :method POST (static 3), :scheme (6 http / 7 https), :path /empty, :authority
    block = bytes([0x83, 0x87 if scheme == "https" else 0x86])
    block += hpack_literal(4, "/empty") + hpack_literal(1, authority)
    return frame(HEADERS, END_HEADERS, 1, block)


KINDS = {
    "settings": (b"", frame(SETTINGS, 0, 0)),
    "ping": (b"", frame(PING, 0, 0, bytes(8))),
    "window_update": (b"", frame(WINDOW_UPDATE, 0, 0, struct.pack(">I", 1))),
    "priority": (b"", frame(PRIORITY, 0, 1, bytes([0, 0, 0, 0, 16]))),
    "empty_data": (None, frame(DATA, 0, 1)),  # prefix: HEADERS of a POST, filled in main()
}


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.conns = self.cut = self.cut_late = self.survived = self.errors = 0
        self.cut_ms = []
        self.frames_at_cut = []
        self.frames_total = 0
        self.stalled = 0
        self.last_us = 0

    def add(self, **kw):
        with self.lock:
            for k, v in kw.items():
                if isinstance(getattr(self, k), list):
                    getattr(self, k).append(v)
                else:
                    setattr(self, k, getattr(self, k) + v)


def closed_by_peer(sock, timeout_s):
    """True if the kernel reports a reset or the peer's FIN on the socket (nothing is read)."""
    p = select.poll()
    p.register(sock.fileno(), POLL_CLOSED)
    return any(ev & POLL_CLOSED for _, ev in p.poll(max(0, int(timeout_s * 1000))))


def drain_closed(conn, timeout_s):
    """Read (and drop) what the proxy sent, up to timeout_s: True on EOF or reset."""
    end = time.monotonic() + timeout_s
    try:
        while (left := end - time.monotonic()) > 0:
            conn.settimeout(left)
            if not conn.recv(65536):
                return True
    except (ssl.SSLError, ConnectionError, OSError) as e:
        return not isinstance(e, socket.timeout)
    return False


def one_connection(args, ctx, prefix, flood_batch, stop, st):
    deadline = min(args.window_end, time.monotonic() + args.conn_secs)
    try:
        raw = socket.create_connection((args.host, args.port), timeout=5)
        raw.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        conn = ctx.wrap_socket(raw, server_hostname=args.authority) if ctx else raw
        if ctx and conn.selected_alpn_protocol() != "h2":
            conn.close()
            st.add(errors=1)
            return
    except (OSError, ssl.SSLError):
        st.add(errors=1)
        time.sleep(0.05)  # a refused connect must not turn into a busy loop
        return
    st.add(conns=1)
    t0 = time.monotonic()
    sent = 0
    cut = False
    try:
        conn.settimeout(args.stall_secs)
        conn.sendall(PREFACE + frame(SETTINGS, 0, 0) + prefix)
        while sent < args.frames and not stop.is_set() and time.monotonic() < deadline:
            n = min(BATCH, args.frames - sent)
            conn.sendall(flood_batch if n == BATCH else flood_batch[: n * (len(flood_batch) // BATCH)])
            sent += n
            if sent % (BATCH * 20) == 0 and closed_by_peer(conn, 0):
                cut = True
                break
    except socket.timeout:
        st.add(stalled=1)  # the proxy stopped reading us: back-pressure, not (yet) a cut
    except (ssl.SSLError, ConnectionError, OSError):
        cut = True
    if not cut:
        while not stop.is_set() and time.monotonic() < deadline:
            if closed_by_peer(conn, min(0.05, max(0, deadline - time.monotonic()))):
                cut = True
                break
    with st.lock:
        st.last_us = max(st.last_us, time.time_ns() // 1000)
    if cut:
        st.add(cut=1, cut_ms=(time.monotonic() - t0) * 1000, frames_at_cut=sent)
    elif drain_closed(conn, args.drain_secs):
        st.add(cut_late=1)  # closed behind data we never read: cut, time unknown
    else:
        st.add(survived=1)
    st.add(frames_total=sent)
    try:
        conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        conn.close()
    except OSError:
        pass


def attacker(args, ctx, kind, stop, st):
    prefix, one = KINDS[kind]
    if prefix is None:
        prefix = post_headers(args.authority, "https" if ctx else "http")
    batch = one * BATCH
    for _ in range(args.max_conns):
        if stop.is_set() or time.monotonic() >= args.window_end:
            return
        one_connection(args, ctx, prefix, batch, stop, st)


def summary(st):
    ms = sorted(st.cut_ms)
    q = lambda p: round(ms[min(len(ms) - 1, int(len(ms) * p))], 1) if ms else None
    return {
        "conns": st.conns, "cut": st.cut, "cut_late": st.cut_late, "survived": st.survived,
        "connect_errors": st.errors, "stalled": st.stalled,
        "cut_ms_p50": q(0.5), "cut_ms_p90": q(0.9), "cut_ms_max": round(ms[-1], 1) if ms else None,
        "frames_at_cut_p50": int(statistics.median(st.frames_at_cut)) if st.frames_at_cut else None,
        "frames_total": st.frames_total,
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--tls", action="store_true", help="h2 over TLS (ALPN h2), else h2c prior knowledge")
    ap.add_argument("--authority", default="a.example", help="SNI and :authority")
    ap.add_argument("--kinds", default=",".join(KINDS))
    ap.add_argument("--per-kind", type=int, default=2, help="attackers per kind")
    ap.add_argument("--max-conns", type=int, default=50,
                    help="connections per attacker, one after the other (a cut attacker reconnects)")
    ap.add_argument("--frames", type=int, default=100_000, help="frames per connection at most")
    ap.add_argument("--secs", type=float, default=10, help="flood window")
    ap.add_argument("--conn-secs", type=float, default=5, help="longest life of one flooding connection")
    ap.add_argument("--stall-secs", type=float, default=1, help="a write blocked this long ends the writing")
    ap.add_argument("--drain-secs", type=float, default=1)
    ap.add_argument("--out", help="write the JSON here too")
    args = ap.parse_args()

    ctx = None
    if args.tls:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        ctx.set_alpn_protocols(["h2"])
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    kinds = [k for k in args.kinds.split(",") if k]
    stats = {k: Stats() for k in kinds}
    start_us = time.time_ns() // 1000
    args.window_end = time.monotonic() + args.secs
    threads = [threading.Thread(target=attacker, args=(args, ctx, k, stop, stats[k]), daemon=True)
               for k in kinds for _ in range(args.per_kind)]
    for t in threads:
        t.start()
    hard_end = args.window_end + args.drain_secs + args.stall_secs + 5
    for t in threads:
        t.join(max(0, hard_end - time.monotonic()))
    stop.set()
    for t in threads:  # every thread checks stop at least once per stall/drain period
        t.join(args.stall_secs + args.drain_secs + 5)
    end_us = time.time_ns() // 1000
    # when the last connection stopped flooding (before its drain read)
    flood_end_us = max([s.last_us for s in stats.values()] + [start_us])
    total = Stats()
    for s in stats.values():
        for k in ("conns", "cut", "cut_late", "survived", "errors", "stalled", "frames_total"):
            setattr(total, k, getattr(total, k) + getattr(s, k))
        total.cut_ms += s.cut_ms
        total.frames_at_cut += s.frames_at_cut
    out = {"start_us": start_us, "end_us": end_us, "flood_end_us": flood_end_us, "alive_threads": sum(t.is_alive() for t in threads),
           "cpu_ms": round(1000 * sum(resource.getrusage(resource.RUSAGE_SELF)[:2])),
           "all": summary(total), "kinds": {k: summary(s) for k, s in stats.items()}}
    text = json.dumps(out)
    if args.out:
        with open(args.out, "w") as f:
            f.write(text + "\n")
    print(text)


if __name__ == "__main__":
    main()
