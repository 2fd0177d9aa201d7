#!/usr/bin/env python3
"""Open-loop HTTP/1.1 load at a fixed rate, one record per request (bench/kill-test.sh).

    killbench-load.py --port P --rate 1000 --conns 16 --start EPOCH --t0 EPOCH --until EPOCH
                      [--method GET|POST] [--host a.example] --out requests.tsv --snmp snmp.tsv

--conns keep-alive connections each send every conns/rate seconds on their own schedule (connection
k starts k/rate after --start), one request at a time: a request that is late because the previous
one on its connection was slow goes out at once, and its scheduled time is kept in the record.
A raw socket client on purpose: HTTP client libraries (Java's, Go's, urllib3) resend an idempotent
request by themselves when a reused connection fails, which would hide the proxy's failures.

requests.tsv: t_sched t_send t_done status error served_by, times in seconds from --t0 (negative =
warm-up); status 0 = no HTTP answer (error says why: refused, reset, closed, timeout); served_by is
the backend's body (be1..be4) on a 2xx.
snmp.tsv: t ActiveOpens AttemptFails EstabResets OutRsts, the kernel's TCP counters every 20 ms.
Run inside the test's own network namespace, AttemptFails counts the connects that were refused:
the proxy's connects to the killed endpoint (requests and health checks alike).
"""
import argparse
import asyncio
import sys
import time


def parse_args():
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--host", default="a.example")
    p.add_argument("--method", default="GET", choices=["GET", "POST"])
    p.add_argument("--rate", type=float, default=1000)
    p.add_argument("--conns", type=int, default=16)
    p.add_argument("--timeout", type=float, default=5.0)
    p.add_argument("--start", type=float, required=True)
    p.add_argument("--t0", type=float, required=True)
    p.add_argument("--until", type=float, required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--snmp", required=True)
    return p.parse_args()


async def read_response(reader):
    """-> (status, body, close): one response; Content-Length, chunked or close-delimited."""
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    status = int(lines[0].split(b" ", 2)[1])
    length, chunked, close = None, False, lines[0].startswith(b"HTTP/1.0")
    for line in lines[1:]:
        name, _, value = line.partition(b":")
        name, value = name.strip().lower(), value.strip().lower()
        if name == b"content-length":
            length = int(value)
        elif name == b"transfer-encoding" and b"chunked" in value:
            chunked = True
        elif name == b"connection":
            close = value == b"close" or (close and value != b"keep-alive")
    if chunked:
        body = b""
        while True:
            size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
            if size == 0:
                await reader.readuntil(b"\r\n")
                break
            body += (await reader.readexactly(size + 2))[:-2]
    elif length is not None:
        body = await reader.readexactly(length)
    else:
        body, close = await reader.read(), True
    return status, body, close


def error_name(e):
    if isinstance(e, asyncio.TimeoutError):
        return "timeout"
    if isinstance(e, ConnectionRefusedError):
        return "refused"
    if isinstance(e, ConnectionResetError):
        return "reset"
    if isinstance(e, asyncio.IncompleteReadError):
        return "closed"
    return type(e).__name__


async def connection(k, a, request, records):
    period = a.conns / a.rate
    t = a.start + k / a.rate
    reader = writer = None
    while t < a.until:
        delay = t - time.time()
        if delay > 0:
            await asyncio.sleep(delay)
        t_send = time.time()
        status, err, served = 0, "", ""
        try:
            if writer is None:
                reader, writer = await asyncio.wait_for(
                    asyncio.open_connection("127.0.0.1", a.port), a.timeout)
            writer.write(request)
            status, body, close = await asyncio.wait_for(read_response(reader), a.timeout)
            if 200 <= status < 300:
                served = body.strip().decode("ascii", "replace")[:16]
            if close:
                writer.close()
                writer = None
        except (OSError, asyncio.TimeoutError, asyncio.IncompleteReadError, ValueError, IndexError) as e:
            err = error_name(e)
            if writer is not None:
                writer.close()
            writer = None
        records.append((t, t_send, time.time(), status, err, served))
        t += period
    if writer is not None:
        writer.close()


def tcp_counters():
    with open("/proc/net/snmp") as f:
        rows = [l.split() for l in f if l.startswith("Tcp:")]
    d = dict(zip(rows[0][1:], rows[1][1:]))
    return d["ActiveOpens"], d["AttemptFails"], d["EstabResets"], d["OutRsts"]


async def sample_snmp(a, out):
    while time.time() < a.until + 0.5:
        out.append((time.time(),) + tcp_counters())
        await asyncio.sleep(0.02)


async def main():
    a = parse_args()
    body = b"x" * 64 if a.method == "POST" else b""
    request = (f"{a.method} / HTTP/1.1\r\nHost: {a.host}\r\nUser-Agent: killbench\r\n".encode()
               + (b"Content-Type: text/plain\r\nContent-Length: 64\r\n" if body else b"")
               + b"\r\n" + body)
    records, snmp = [], []
    tasks = [asyncio.create_task(connection(k, a, request, records)) for k in range(a.conns)]
    tasks.append(asyncio.create_task(sample_snmp(a, snmp)))
    await asyncio.gather(*tasks)
    with open(a.out, "w") as f:
        f.write("t_sched\tt_send\tt_done\tstatus\terror\tserved_by\n")
        for t, s, d, st, err, by in sorted(records):
            f.write(f"{t - a.t0:.6f}\t{s - a.t0:.6f}\t{d - a.t0:.6f}\t{st}\t{err}\t{by}\n")
    with open(a.snmp, "w") as f:
        f.write("t\tActiveOpens\tAttemptFails\tEstabResets\tOutRsts\n")
        for t, *c in snmp:
            f.write(f"{t - a.t0:.3f}\t" + "\t".join(c) + "\n")
    late = sum(1 for t, s, *_ in records if s - t > 0.05)
    print(f"requests={len(records)} late_over_50ms={late}", file=sys.stderr)


if __name__ == "__main__":
    asyncio.run(main())
