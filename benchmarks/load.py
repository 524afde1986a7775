"""Load benchmark for `isp serve`: POST /v1/assess from many concurrent clients.

    python benchmarks/load.py                     # 2 workers, 50 clients, 6000 requests
    python benchmarks/load.py --requests 20000 --workers 4

It starts the server itself on a free loopback port, sends every scenario of the library in
turn (so the mix of verdicts is realistic), checks each answer against the scenario's own
`expect: verdict`, stops the server and prints what it measured. Two phases:

1. throughput: every client sends its next request as soon as the last one is answered
   (closed loop). Requests per second is the capacity; latency here is mostly queueing,
   since 50 clients keep every worker busy all the time (Little's law: latency = clients / rate).
2. steady rate: the same clients send at a fixed total rate (default 300 requests/s), each
   request timed from when it was due, so a slow answer also counts against the ones queued
   behind it. This is the latency a user sees at that load.

A benchmark, not a test: it prints figures and exits 1 only if a request failed.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


def library() -> list[tuple[bytes, str]]:
    """(JSON body, expected verdict) for every scenario in the library."""
    out = []
    for path in sorted((ROOT / "scenarios").rglob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        expected = data.pop("expect", {}).get("verdict")
        out.append((json.dumps(data, default=str).encode(), expected))
    return out


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(workers: int, folder: str) -> tuple[subprocess.Popen, int]:
    port = free_port()
    env = {**os.environ, "ISP_REGISTER": os.path.join(folder, "register.sqlite")}
    proc = subprocess.Popen([sys.executable, "-m", "isp_rules", "serve", "--port", str(port), "--workers", str(workers),
                             "--log-level", "warning"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    pids: set[int] = set()
    while len(pids) < workers:  # every worker up and answering
        if proc.poll() is not None:
            raise SystemExit(f"isp serve exited: {proc.stderr.read().decode()}")
        if time.monotonic() > deadline:
            proc.kill()
            raise SystemExit("isp serve did not start in 60 s")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
                pids.add(json.load(r)["pid"])
        except OSError:
            time.sleep(0.1)
    return proc, port


class Client:
    """One keep-alive HTTP/1.1 connection; small enough that the load generator stays cheap."""

    def __init__(self, port: int):
        self.port = port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def post(self, body: bytes) -> tuple[int, bytes]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
        head = (f"POST /v1/assess HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                f"Content-Length: {len(body)}\r\n\r\n").encode()
        self.writer.write(head + body)
        status_line = await self.reader.readline()
        length = 0
        while True:
            line = await self.reader.readline()
            if line in (b"\r\n", b""):
                break
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value)
        payload = await self.reader.readexactly(length)
        return int(status_line.split()[1]), payload

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()


def check(status: int, payload: bytes, expected: str | None) -> str | None:
    if status != 200:
        return f"HTTP {status}: {payload[:200]!r}"
    verdict = json.loads(payload)["verdict"]
    if expected and verdict != expected:
        return f"verdict {verdict}, expected {expected}"
    return None


async def closed_loop(port: int, bodies, clients: int, total: int):
    latencies: list[float] = []
    errors: list[str] = []
    counter = iter(range(total))

    async def run(client: Client):
        for i in counter:
            body, expected = bodies[i % len(bodies)]
            t = time.perf_counter()
            status, payload = await client.post(body)
            latencies.append(time.perf_counter() - t)
            if (problem := check(status, payload, expected)):
                errors.append(problem)

    pool = [Client(port) for _ in range(clients)]
    start = time.perf_counter()
    await asyncio.gather(*(run(c) for c in pool))
    elapsed = time.perf_counter() - start
    for c in pool:
        c.close()
    return latencies, errors, elapsed


async def steady_rate(port: int, bodies, clients: int, total: int, rate: float):
    latencies: list[float] = []
    errors: list[str] = []
    start = time.perf_counter() + 0.2

    async def run(client: Client, k: int):
        for i in range(k, total, clients):  # request i is due at start + i / rate
            due = start + i / rate
            delay = due - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            body, expected = bodies[i % len(bodies)]
            status, payload = await client.post(body)
            latencies.append(time.perf_counter() - due)
            if (problem := check(status, payload, expected)):
                errors.append(problem)

    pool = [Client(port) for _ in range(clients)]
    await asyncio.gather(*(run(c, k) for k, c in enumerate(pool)))
    elapsed = time.perf_counter() - start
    for c in pool:
        c.close()
    return latencies, errors, elapsed


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))] * 1000


def report(name: str, latencies, errors, elapsed) -> None:
    print(f"{name:<28} {len(latencies):>6} requests in {elapsed:6.2f} s = {len(latencies) / elapsed:7.0f} req/s; "
          f"latency p50 {pct(latencies, 50):6.1f} ms, p99 {pct(latencies, 99):6.1f} ms, "
          f"max {max(latencies) * 1000:6.1f} ms, mean {statistics.fmean(latencies) * 1000:6.1f} ms; errors {len(errors)}")
    for e in errors[:5]:
        print(f"    error: {e}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--requests", type=int, default=6000, help="per phase")
    parser.add_argument("--rate", type=float, default=300, help="requests/s in the steady-rate phase")
    args = parser.parse_args()
    try:
        import uvloop
        uvloop.install()
    except ImportError:
        pass
    bodies = library()
    with tempfile.TemporaryDirectory() as folder:
        proc, port = start_server(args.workers, folder)
        try:
            asyncio.run(closed_loop(port, bodies, args.clients, 500))  # warm-up, not reported
            print(f"isp serve, {args.workers} workers, {args.clients} concurrent clients, {len(bodies)} library scenarios "
                  f"in turn, {os.cpu_count()} CPUs (the load generator shares them)")
            t = asyncio.run(closed_loop(port, bodies, args.clients, args.requests))
            report("throughput (closed loop)", *t)
            s = asyncio.run(steady_rate(port, bodies, args.clients, args.requests // 2, args.rate))
            report(f"steady {args.rate:.0f} req/s", *s)
        finally:
            proc.terminate()
            proc.wait(15)
    return 1 if t[1] or s[1] else 0


if __name__ == "__main__":
    sys.exit(main())
