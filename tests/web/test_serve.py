"""`isp serve` as a user runs it: loopback only unless told, worker processes (never threads),
and a clear line when the ruleset or the register setting is wrong."""

from __future__ import annotations

import json
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from webutil import running_server


def listening(port: int) -> set[str]:
    """The local addresses (hex, as the kernel lists them) with a socket listening on `port`."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            local, state = line.split()[1], line.split()[3]
            address, hex_port = local.split(":")
            if int(hex_port, 16) == port and state == "0A":  # 0A = LISTEN
                found.add(address)
    return found


def test_serves_on_loopback_only_by_default(tmp_path):
    with running_server(tmp_path) as (base, _):
        port = int(base.rsplit(":", 1)[1])
        assert listening(port) == {"0100007F"}  # 127.0.0.1 and nothing else
        with urllib.request.urlopen(base + "/") as r:
            assert r.status == 200 and b"Can I share this?" in r.read()


def test_workers_are_separate_processes(tmp_path):
    with running_server(tmp_path, "--workers", "2") as (base, proc):
        pids = set()
        # The second worker may still be loading the rules when the first answers: keep asking
        # (new connections spread over the workers) for up to 30 seconds.
        deadline = time.monotonic() + 30
        while len(pids) < 2 and time.monotonic() < deadline:
            with urllib.request.urlopen(base + "/healthz") as r:
                pids.add(json.load(r)["pid"])
            if len(pids) < 2:
                time.sleep(0.02)
        assert len(pids) == 2 and proc.pid not in pids


def test_a_bad_rules_directory_stops_serve_with_one_line(tmp_path):
    bad = tmp_path / "rules"
    bad.mkdir()
    (bad / "ruleset.yaml").write_text("name: x\nversion: 1\nrulez: []\n")
    result = subprocess.run([sys.executable, "-m", "isp_rules", "serve", "--rules", str(bad), "--port", "0"],
                            check=False, capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr and "ruleset.yaml" in result.stderr


def test_serve_help_shows_the_defaults():
    result = subprocess.run([sys.executable, "-m", "isp_rules", "serve", "--help"], check=False, capture_output=True, text=True)
    assert "--host TEXT" in result.stdout and "127.0.0.1" in result.stdout and "--workers" in result.stdout
