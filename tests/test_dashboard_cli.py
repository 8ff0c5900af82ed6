"""`siyi dashboard` refuses bad addresses with one line and exit code 2, before Solara starts."""

import socket
import subprocess
import sys

import pytest

pytest.importorskip("solara")


def _siyi(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "siyi_sim.cli", "dashboard", *args],
        check=False,
        capture_output=True,
        text=True,
        timeout=60,
    )


def _one_error_line(result: subprocess.CompletedProcess) -> str:
    assert result.returncode == 2, result
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("siyi: error: ")
    assert result.stdout == ""
    return lines[0]


def test_port_in_use_is_one_line_and_exit_2():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        line = _one_error_line(_siyi("--host", "127.0.0.1", "--port", str(port)))
    assert f"port {port}" in line and "in use" in line


@pytest.mark.parametrize("host", ["no-such-host.invalid", "999.1.1.1", "192.0.2.7", ""])
def test_invalid_host_is_one_line_and_exit_2(host):
    line = _one_error_line(_siyi("--host", host, "--port", str(_free_port())))
    assert "invalid host" in line


@pytest.mark.parametrize("port", ["0", "70000", "http", "-5"])
def test_invalid_port_is_one_line_and_exit_2(port):
    line = _one_error_line(_siyi("--port", port))
    assert "invalid port" in line


def test_bind_hands_over_a_listening_socket():
    from siyi_sim.dashboard.server import bind

    sock = bind("127.0.0.1", _free_port())
    try:
        assert sock.getsockname()[0] == "127.0.0.1"
    finally:
        sock.close()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
