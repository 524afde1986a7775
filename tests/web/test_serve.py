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


# --- the hardened server (issue 14, point 5) ---------------------------------------------

def _get(base: str, path: str, host: str | None = None) -> tuple[int, dict, bytes]:
    """GET with a chosen Host header (urllib always sends the address's own)."""
    import http.client

    port = int(base.rsplit(":", 1)[1])
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.putrequest("GET", path, skip_host=True)
        conn.putheader("Host", host or f"127.0.0.1:{port}")
        conn.endheaders()
        response = conn.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        conn.close()


def test_serve_answers_only_to_its_own_names_and_those_added(tmp_path):
    with running_server(tmp_path, "--allowed-host", "isp.council.example") as (base, _):
        port = int(base.rsplit(":", 1)[1])
        for host, status in [(f"127.0.0.1:{port}", 200), (f"localhost:{port}", 200), (f"[::1]:{port}", 200),
                             ("isp.council.example", 200), (f"rebind.evil.example:{port}", 400),
                             (f"localhost:{port + 1}", 400)]:
            assert _get(base, "/healthz", host)[0] == status, host
        status, headers, body = _get(base, "/rules/", f"rebind.evil.example:{port}")
        assert status == 400 and "location" not in headers and b"evil" not in body
        status, headers, _ = _get(base, "/rules/", f"localhost:{port}")
        assert status == 307 and headers["location"] == f"http://localhost:{port}/rules"


def test_a_malformed_allowed_host_stops_serve_with_one_line(tmp_path):
    result = subprocess.run([sys.executable, "-m", "isp_rules", "serve", "--allowed-host", "isp council", "--port", "0"],
                            check=False, capture_output=True, text=True, timeout=60)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines() == [
        "isp serve: --allowed-host or --host: 'isp council' is not a host name, an address, or one of them with :PORT"]


def test_the_access_log_holds_paths_never_query_strings(tmp_path):
    from conftest import COMPLETE

    with running_server(tmp_path, "--log-level", "info") as (base, _):
        port = int(base.rsplit(":", 1)[1])
        with urllib.request.urlopen(base + "/rules?q=Jane%20Example%2C%2012%20Acacia%20Avenue") as r:
            assert r.status == 200
        request = urllib.request.Request(base + "/v1/decisions?by=Jane%20Example%2C%20DSL", data=json.dumps(COMPLETE).encode(),
                                         headers={"content-type": "application/json"}, method="POST")
        with urllib.request.urlopen(request) as r:
            assert r.status == 201
    log = (tmp_path / f"server-{port}.log").read_text()
    assert '"GET /rules HTTP/1.1" 200' in log and '"POST /v1/decisions HTTP/1.1" 201' in log
    assert "Jane" not in log and "Acacia" not in log and "?" not in log


def test_serve_hands_its_workers_the_limits_hosts_and_one_form_secret(monkeypatch):
    """Each worker is a fresh process: what it must share with the others travels in the environment."""
    import os

    import uvicorn

    from isp_rules.web import options, server
    from isp_rules.web.tokens import FormTokens

    for name in (options.ALLOWED_HOSTS_ENV, options.FORM_SECRET_ENV, options.HEADER_TIMEOUT_ENV, options.BODY_TIMEOUT_ENV):
        monkeypatch.setenv(name, "")  # so that what serve sets is taken away after the test
        monkeypatch.delenv(name)
    ran = {}
    monkeypatch.setattr(uvicorn, "run", lambda *a, **k: ran.update(k))
    server.serve(host="127.0.0.1", port=8123, workers=2, log_level="info",
                 hosts=server.allowed_hosts("127.0.0.1", 8123, ("isp.council.example",)),
                 limits=server.Limits(header_timeout=3, body_timeout=7, keep_alive=4, connections=50))
    assert os.environ[options.ALLOWED_HOSTS_ENV] == "127.0.0.1:8123,localhost:8123,[::1]:8123,isp.council.example"
    assert (options.header_timeout(), options.body_timeout()) == (3, 7)
    assert len(os.environ[options.FORM_SECRET_ENV]) >= 40
    assert ran["http"] is server.HeaderDeadline and ran["timeout_keep_alive"] == 4 and ran["limit_concurrency"] == 50
    assert ran["log_config"]["loggers"]["uvicorn.access"]["filters"] == ["path_only"]
    assert ran["proxy_headers"] is False and ran["server_header"] is False
    # Two workers with the environment serve's: the same token for the same cookie.
    first, second = FormTokens(options.form_secret()), FormTokens(options.form_secret())
    assert first.token("n" * 43) == second.token("n" * 43)
    monkeypatch.delenv(options.FORM_SECRET_ENV)
    assert FormTokens(options.form_secret()).token("n" * 43) != first.token("n" * 43)  # without it, each has its own
    assert options.HostList.from_environment().allows("isp.council.example")


def test_each_worker_keeps_what_start_up_built_out_of_the_garbage_collectors_sight(tmp_path, monkeypatch):
    """`isp serve` starts its workers with worker_app(): the ruleset, the app and the modules are
    frozen for the collector, so a full collection under load does not walk them (a pause every
    waiting request would share). Run in a fresh process: freezing is for a whole process."""
    import os

    import uvicorn

    from isp_rules.web import options, server

    script = ("import gc; from isp_rules.web.app import worker_app; before = gc.get_freeze_count(); app = worker_app(); "
              "print(before, gc.get_freeze_count(), type(app).__name__)")
    env = {**os.environ, "ISP_REGISTER": str(tmp_path / "register.sqlite"), "XDG_CACHE_HOME": str(tmp_path / "cache")}
    done = subprocess.run([sys.executable, "-c", script], check=False, capture_output=True, text=True,
                          env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    before, after, kind = done.stdout.split()
    assert int(before) == 0 and int(after) > 10_000 and kind == "_App"
    # and it is the factory serve hands uvicorn
    for name in (options.ALLOWED_HOSTS_ENV, options.FORM_SECRET_ENV, options.HEADER_TIMEOUT_ENV, options.BODY_TIMEOUT_ENV):
        monkeypatch.setenv(name, "")  # so that what serve sets is taken away after the test
        monkeypatch.delenv(name)
    ran: dict = {}
    monkeypatch.setattr(uvicorn, "run", lambda *a, **k: ran.update(target=a[0], **k))
    server.serve(host="127.0.0.1", port=8124, workers=1, log_level="info",
                 hosts=server.allowed_hosts("127.0.0.1", 8124), limits=server.Limits())
    assert ran["target"] == "isp_rules.web.app:worker_app" and ran["factory"] is True
