"""The dashboard stays local (issue 14, point 6): real HTTP and WebSocket requests on 127.0.0.1.

A page on another site, open in the same browser, must not be able to drive the dashboard
(its Origin is foreign), nor a DNS-rebinding name (its Host is foreign); malformed calls to
Solara's API get a 4xx, and the server never logs a traceback.
"""

from __future__ import annotations

import base64
import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytest.importorskip("solara")

from siyi_sim.dashboard.guard import HostPolicy, exposure_warning

REPO = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def dashboard(tmp_path_factory):
    """A real ``siyi dashboard`` on 127.0.0.1; yields (port, path of its stderr log)."""
    port = _free_port()
    log = tmp_path_factory.mktemp("dashboard") / "stderr.log"
    env = {**os.environ, "PYTHONPATH": str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    with log.open("w") as err:
        proc = subprocess.Popen(
            [sys.executable, "-m", "siyi_sim.cli", "dashboard", "--port", str(port)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=err,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            assert proc.poll() is None, log.read_text()
            try:
                if _http("GET", "/", port).status == 200:
                    break
            except OSError:
                time.sleep(0.2)
        yield port, log
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


class Answer:
    def __init__(self, status: int, body: bytes):
        self.status, self.body = status, body


def _http(method: str, path: str, port: int, headers: dict[str, str] | None = None) -> Answer:
    """One raw request, so that Host and Origin are exactly what we say."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
    try:
        conn.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
        for key, value in {"Host": f"127.0.0.1:{port}", **(headers or {})}.items():
            conn.putheader(key, value)
        conn.endheaders(b"{" if method in ("POST", "PUT") else None)
        response = conn.getresponse()
        return Answer(response.status, response.read())
    finally:
        conn.close()


def _websocket_upgrade(port: int, headers: dict[str, str]) -> int:
    """The status a WebSocket upgrade to Solara's kernel channel gets (101 means accepted)."""
    key = base64.b64encode(os.urandom(16)).decode()
    upgrade = {"Connection": "Upgrade", "Upgrade": "websocket", "Sec-WebSocket-Key": key, "Sec-WebSocket-Version": "13"}
    path = "/jupyter/api/kernels/siyi-test/channels?session_id=siyi-test"
    return _http("GET", path, port, {**upgrade, **headers}).status


def _no_traceback(log: Path) -> None:
    text = log.read_text()
    assert "Traceback" not in text, text


def test_http_request_for_another_host_is_refused(dashboard):
    port, log = dashboard
    assert _http("GET", "/", port, {"Host": f"127.0.0.1:{port}"}).status == 200
    assert _http("GET", "/", port, {"Host": f"localhost:{port}"}).status == 200
    for host in ["evil.com", f"evil.com:{port}", "127.0.0.1", f"127.0.0.1:{port + 1}", f"10.0.0.1:{port}", ""]:
        assert _http("GET", "/", port, {"Host": host}).status == 403, host
    _no_traceback(log)


def test_http_request_from_another_origin_is_refused(dashboard):
    port, log = dashboard
    own = f"http://127.0.0.1:{port}"
    assert _http("GET", "/", port, {"Origin": own}).status == 200
    for origin in [
        "http://evil.example",
        f"http://evil.example:{port}",
        f"http://localhost:{port}",
        "null",
        f"https://127.0.0.1:{port}",
    ]:
        assert _http("GET", "/", port, {"Origin": origin}).status == 403, origin
        assert _http("POST", "/_solara/api/close/x?session_id=1", port, {"Origin": origin}).status == 403, origin
    _no_traceback(log)


def test_websocket_upgrade_from_another_origin_or_host_is_refused(dashboard):
    port, log = dashboard
    assert _websocket_upgrade(port, {"Origin": f"http://127.0.0.1:{port}"}) == 101  # the page's own socket
    assert _websocket_upgrade(port, {"Origin": "http://evil.example"}) == 403
    assert _websocket_upgrade(port, {"Host": "evil.com", "Origin": "http://evil.com"}) == 403
    assert _websocket_upgrade(port, {"Host": f"evil.com:{port}"}) == 403
    _no_traceback(log)


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/_solara/api/close/x"),
        ("POST", "/_solara/api/close/x?session_id="),
        ("GET", "/_solara/api/close/x"),
        ("POST", "/_solara/api/evict/x"),
        ("PUT", "/jupyter/api/kernels/x"),
        ("GET", "/static/..%2f..%2fetc/passwd"),
        ("GET", "/static/assets/%00"),
        ("DELETE", "/"),
    ],
)
def test_malformed_api_call_gets_4xx_and_no_traceback(dashboard, method, path):
    port, log = dashboard
    status = _http(method, path, port).status
    assert 400 <= status < 500, (method, path, status)
    _no_traceback(log)


def test_non_loopback_host_needs_allow_remote():
    result = subprocess.run(
        [sys.executable, "-m", "siyi_sim.cli", "dashboard", "--host", "0.0.0.0", "--port", str(_free_port())],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "PYTHONPATH": str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", "")},
    )
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("siyi: error: invalid host '0.0.0.0'")
    assert "--allow-remote" in result.stderr


def test_allow_remote_warns_and_loopback_does_not():
    assert exposure_warning("127.0.0.1", allow_remote=False) is None
    assert exposure_warning("localhost", allow_remote=False) is None
    warning = exposure_warning("0.0.0.0", allow_remote=True)
    assert warning is not None and "0.0.0.0" in warning and "no login" in warning


def test_remote_policy_accepts_addresses_but_not_foreign_names():
    policy = HostPolicy.for_address("0.0.0.0", 8765)
    assert policy.allows_host("192.168.1.20:8765")
    assert policy.allows_host(f"{socket.gethostname()}:8765")
    assert not policy.allows_host("evil.com:8765")  # DNS rebinding
    assert not policy.allows_host("192.168.1.20:9999")
    assert policy.allows_origin("http://192.168.1.20:8765", "192.168.1.20:8765")
    assert not policy.allows_origin("http://evil.com:8765", "192.168.1.20:8765")
