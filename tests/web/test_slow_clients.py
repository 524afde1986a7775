"""Slow clients cannot starve the others (issue 14, point 5; reliability.md: 240 connections
sending a header byte every few seconds made every normal request fail for 40 s). A real
`isp serve` on loopback with a small connection limit: 50 connections trickle a header one byte
a second, and normal requests must still be answered, because the server closes the slow ones
at the header time limit (and answers a body that does not arrive with 408)."""

from __future__ import annotations

import select
import socket
import threading
import time
import urllib.error
import urllib.request

from webutil import running_server

SLOW = 50
LIMIT = 30  # fewer than the slow connections: without the time limits, every request would get 503


def _answered(base: str) -> bool:
    try:
        with urllib.request.urlopen(base + "/healthz", timeout=3) as r:
            return r.status == 200
    except (urllib.error.HTTPError, OSError):  # 503 over the limit, or refused
        return False


def test_slow_clients_are_cut_off_and_normal_requests_are_answered(tmp_path):
    with running_server(tmp_path, "--limit-concurrency", str(LIMIT), "--header-timeout", "2",
                        "--body-timeout", "2") as (base, _):
        port = int(base.rsplit(":", 1)[1])
        # A body that stops arriving (sent first, while under the limit): the headers in full, then
        # 9 of the 100 bytes promised.
        stalled = socket.create_connection(("127.0.0.1", port), timeout=10)
        stalled.sendall(b"POST /v1/assess HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nContent-Type: application/json\r\n"
                        b"Content-Length: 100\r\n\r\n{\"share\":" % port)
        header = b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nX-Slow: " % port + b"a" * 200
        slow = [socket.create_connection(("127.0.0.1", port), timeout=5) for _ in range(SLOW)]
        cut: dict[int, bytes] = {}  # connection -> what the server said before it closed it
        stop = threading.Event()

        def trickle():
            sent = 0
            while not stop.is_set() and len(cut) < SLOW and sent < len(header):
                readable, _, _ = select.select([s for i, s in enumerate(slow) if i not in cut], [], [], 0)
                for s in readable:  # the server answered or closed it
                    try:
                        cut[slow.index(s)] = s.recv(4096)
                    except OSError:
                        cut[slow.index(s)] = b""
                for i, s in enumerate(slow):
                    if i not in cut:
                        try:
                            s.sendall(header[sent:sent + 1])
                        except OSError:
                            cut[i] = b""
                sent += 1
                stop.wait(1)

        thread = threading.Thread(target=trickle, daemon=True)
        thread.start()
        try:
            answered = 0
            deadline = time.monotonic() + 15  # a bound on waiting, not a measurement
            while answered < 5 and time.monotonic() < deadline:
                answered += _answered(base)
                time.sleep(0.2)
            assert answered == 5, "normal requests were not answered while slow clients held connections"
            stalled_answer = stalled.recv(4096)
        finally:
            stop.set()
            thread.join(5)
            for s in [*slow, stalled]:
                s.close()
        assert stalled_answer.startswith(b"HTTP/1.1 408 ") and b"did not arrive within 2 seconds" in stalled_answer
        assert len(cut) == SLOW  # the server closed every slow connection, each with a 408 or nothing
        assert all(answer == b"" or answer.startswith(b"HTTP/1.1 408 ") for answer in cut.values()), set(cut.values())
