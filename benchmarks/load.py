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

With --compare REV it measures two servers side by side: this checkout's and REV's (a git
worktree in a temporary folder, run by the same interpreter and libraries with PYTHONPATH set to
it). Both run at once, but only one is driven at a time, alternately, round after round:

1. capacity: the closed-loop throughput above (the most requests per second the server answers
   with every worker busy), the median of the rounds;
2. latency at half capacity: a steady rate of half each server's own capacity, p99 over the
   rounds' requests pooled.

It prints both with the ratio NEW/OLD, against the aims (capacity at least twice the old
server's; p99 at half capacity at most 20 ms), then removes the worktree. The same requests go
to both; answers are checked against the scenarios' `expect: verdict` on this checkout only
(an older revision may rightly decide some differently), and must be HTTP 200 on both.

    python benchmarks/load.py --compare a042926
    python benchmarks/load.py --quick [--compare HEAD]   # a tiny run, for the tests

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


def start_server(workers: int, folder: str, root: Path = ROOT) -> tuple[subprocess.Popen, int]:
    """`isp serve` from the checkout at `root` (its package first on the path; its own register
    and ruleset cache in `folder`), once every worker answers."""
    port = free_port()
    env = {**os.environ, "ISP_REGISTER": os.path.join(folder, "register.sqlite"), "PYTHONPATH": str(root),
           "XDG_CACHE_HOME": os.path.join(folder, "cache")}
    proc = subprocess.Popen([sys.executable, "-m", "isp_rules", "serve", "--port", str(port), "--workers", str(workers),
                             "--log-level", "warning"], cwd=root, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    pids: set[int] = set()
    while len(pids) < workers:  # every worker up and answering
        if proc.poll() is not None:
            said = proc.stderr.read().decode() if proc.stderr is not None else ""
            raise SystemExit(f"isp serve exited: {said}")
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

    reconnects = 0  # kept-alive connections the server had closed when a request was sent on them

    async def post(self, body: bytes) -> tuple[int, bytes]:
        head = (f"POST /v1/assess HTTP/1.1\r\nHost: 127.0.0.1:{self.port}\r\nContent-Type: application/json\r\n"
                f"Content-Length: {len(body)}\r\n\r\n").encode()
        reused = self.writer is not None
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
        assert self.reader is not None
        self.writer.write(head + body)
        status_line = await self.reader.readline()
        if not status_line and reused:
            # The server closed the kept-alive connection (its idle limit) before reading the
            # request: send it again on a new one, as an HTTP client does. Counted, not hidden.
            Client.reconnects += 1
            self.close()
            self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
            self.writer.write(head + body)
            status_line = await self.reader.readline()
        if not status_line:
            raise ConnectionError("the server closed the connection without answering")
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
            self.writer = None


def check(status: int, payload: bytes, expected: str | None) -> str | None:
    if status != 200:
        return f"HTTP {status}: {payload[:200]!r}"
    verdict = json.loads(payload)["verdict"]
    if expected and verdict != expected:
        return f"verdict {verdict}, expected {expected}"
    return None


async def send(client: Client, request: tuple[bytes, str | None], since: float, latencies: list[float],
               errors: list[str]) -> None:
    """Send one request; its latency counts from `since` (when it was sent, or when it was due)."""
    body, expected = request
    try:
        status, payload = await client.post(body)
    except (OSError, asyncio.IncompleteReadError) as exc:
        errors.append(f"connection: {exc}")
        client.close()
        return
    latencies.append(time.perf_counter() - since)
    if (problem := check(status, payload, expected)):
        errors.append(problem)


async def closed_loop(port: int, bodies, clients: int, total: int):
    latencies: list[float] = []
    errors: list[str] = []
    counter = iter(range(total))

    async def run(client: Client):
        for i in counter:
            await send(client, bodies[i % len(bodies)], time.perf_counter(), latencies, errors)

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
            await send(client, bodies[i % len(bodies)], due, latencies, errors)

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


def stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(5)


def single(args: argparse.Namespace, bodies: list[tuple[bytes, str]]) -> int:
    """One server: this checkout's."""
    with tempfile.TemporaryDirectory() as folder:
        proc, port = start_server(args.workers, folder)
        try:
            asyncio.run(closed_loop(port, bodies, args.clients, args.warmup))  # warm-up, not reported
            print(f"isp serve, {args.workers} workers, {args.clients} concurrent clients, {len(bodies)} library scenarios "
                  f"in turn, {os.cpu_count()} CPUs (the load generator shares them)")
            t = asyncio.run(closed_loop(port, bodies, args.clients, args.requests))
            report("throughput (closed loop)", *t)
            s = asyncio.run(steady_rate(port, bodies, args.clients, args.requests // 2, args.rate))
            report(f"steady {args.rate:.0f} req/s", *s)
            print(f"sent again after the server closed an idle kept-alive connection: {Client.reconnects}")
        finally:
            stop(proc)
    return 1 if t[1] or s[1] else 0


CAPACITY_AIM = 2.0  # the new server answers at least twice as many requests a second as the old
P99_AIM_MS = 20.0  # at half its capacity


def compare(args: argparse.Namespace, bodies: list[tuple[bytes, str]]) -> int:
    """This checkout's server and REV's, driven alternately with the same requests."""
    from bench import worktree  # the same worktree handling as bench.py (this folder is on the path)

    unchecked = [(body, None) for body, _ in bodies]  # the old revision may rightly decide differently
    errors = 0
    with tempfile.TemporaryDirectory(prefix="isp-load-") as tmp, worktree(args.compare, Path(tmp)) as old_root:
        servers = []
        try:
            for label, root, mix in (("NEW", ROOT, bodies), ("OLD", old_root, unchecked)):
                folder = os.path.join(tmp, label)
                os.mkdir(folder)
                proc, port = start_server(args.workers, folder, root)
                servers.append((label, proc, port, mix))
            for _, _, port, mix in servers:
                asyncio.run(closed_loop(port, mix, args.clients, args.warmup))  # warm-up, not reported
            print(f"isp serve, {args.workers} workers each: NEW = this checkout, OLD = {args.compare}; "
                  f"{args.clients} concurrent clients, {len(bodies)} library scenarios in turn, {os.cpu_count()} CPUs "
                  f"shared with the load generator; {args.rounds} alternating rounds; load "
                  + " ".join(f"{x:.1f}" for x in os.getloadavg()))
            rates: dict[str, list[float]] = {label: [] for label, *_ in servers}
            for _ in range(args.rounds):
                for label, _, port, mix in servers:
                    lat, errs, elapsed = asyncio.run(closed_loop(port, mix, args.clients, args.requests))
                    rates[label].append(len(lat) / elapsed)
                    errors += len(errs)
                    for e in errs[:3]:
                        print(f"    error ({label}): {e}")
            capacity = {label: statistics.median(r) for label, r in rates.items()}
            steady: dict[str, list[float]] = {label: [] for label in rates}
            for _ in range(args.rounds):
                for label, _, port, mix in servers:
                    rate = capacity[label] / 2
                    total = max(50, int(rate * args.steady_seconds))
                    lat, errs, _ = asyncio.run(steady_rate(port, mix, args.clients, total, rate))
                    steady[label] += lat
                    errors += len(errs)
                    for e in errs[:3]:
                        print(f"    error ({label}): {e}")
        finally:
            for _, proc, *_ in servers:
                stop(proc)
    new, old = capacity["NEW"], capacity["OLD"]
    ratio = new / old
    print(f"{'capacity (closed loop):':<36} NEW {new:7.0f} req/s ({min(rates['NEW']):.0f}-{max(rates['NEW']):.0f})   "
          f"OLD {old:7.0f} req/s ({min(rates['OLD']):.0f}-{max(rates['OLD']):.0f})   NEW/OLD {ratio:.2f}x   "
          f"[aim >= {CAPACITY_AIM:g}x: {'met' if ratio >= CAPACITY_AIM else 'NOT met'}]")
    p99 = {label: pct(lat, 99) for label, lat in steady.items()}
    p50 = {label: pct(lat, 50) for label, lat in steady.items()}
    print(f"{'p99 at half capacity:':<36} NEW {p99['NEW']:7.1f} ms at {new / 2:.0f} req/s (p50 {p50['NEW']:.1f})   "
          f"OLD {p99['OLD']:7.1f} ms at {old / 2:.0f} req/s (p50 {p50['OLD']:.1f})   NEW/OLD {p99['NEW'] / p99['OLD']:.2f}x   "
          f"[aim NEW <= {P99_AIM_MS:g} ms: {'met' if p99['NEW'] <= P99_AIM_MS else 'NOT met'}]")
    print(f"{'failed requests:':<36} {errors} (and {Client.reconnects} sent again after the server closed an idle "
          "kept-alive connection)")
    return 1 if errors else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--requests", type=int, help="per phase (default 6000; 3000 a round with --compare)")
    parser.add_argument("--rate", type=float, default=300, help="requests/s in the steady-rate phase")
    parser.add_argument("--compare", metavar="REV", help="also serve this git revision and measure both side by side")
    parser.add_argument("--rounds", type=int, help="alternating rounds with --compare (default 3)")
    parser.add_argument("--quick", action="store_true", help="a tiny run that only shows every figure is produced")
    args = parser.parse_args()
    args.requests = args.requests or (200 if args.quick else 3000 if args.compare else 6000)
    args.rounds = args.rounds or (1 if args.quick else 3)
    args.warmup = 50 if args.quick else 500
    args.steady_seconds = 1.0 if args.quick else 8.0
    if args.quick:
        args.clients = min(args.clients, 10)
    try:
        import uvloop
        uvloop.install()
    except ImportError:
        pass
    bodies = library()
    return compare(args, bodies) if args.compare else single(args, bodies)


if __name__ == "__main__":
    sys.exit(main())
