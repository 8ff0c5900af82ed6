"""Serve the dashboard's Solara app on one address, checked before anything starts.

The address is bound here, before Solara is imported, so that a taken port or a host that is not
an address of this machine fails at once with one ``OSError``/``ValueError`` sentence (the CLI
turns it into ``siyi: error: ...`` and exit code 2) instead of a traceback from inside uvicorn.
The bound socket is then handed to uvicorn, so no other process can take the port in between.
A host that is not a loopback address needs ``allow_remote``, and every request passes through
:class:`.guard.LocalOnly`, which answers only requests addressed to the served address.
"""

from __future__ import annotations

import ipaddress
import os
import socket
import sys

APP_MODULE = "siyi_sim.dashboard.app"
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765

# Solara reads these when it is first imported. The dashboard must work on a closed network:
# no telemetry, no version check, no web fonts from a CDN, no "made with Solara" banner.
_SOLARA_ENV = {
    "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "false",
    "SOLARA_ASSETS_FONTAWESOME_ENABLED": "false",
    "SOLARA_THEME_SHOW_BANNER": "false",
    "SOLARA_THEME_TITLE": "siyi_sim dashboard",
    "SOLARA_CHECK_HOOKS": "off",
}


def check_port(port) -> int:
    """A TCP port number in 1..65535; anything else is a user error."""
    try:
        number = int(str(port), 10)
    except ValueError:
        raise ValueError(f"invalid port {port!r}: must be an integer from 1 to 65535") from None
    if not 1 <= number <= 65535:
        raise ValueError(f"invalid port {port!r}: must be an integer from 1 to 65535")
    return number


def check_host(host: str) -> str:
    """An IP address or a name that resolves to one; anything else is a user error."""
    text = (host or "").strip()
    if not text:
        raise ValueError("invalid host '': give an address such as 127.0.0.1")
    try:
        ipaddress.ip_address(text)
        return text
    except ValueError:
        pass
    try:
        socket.getaddrinfo(text, None, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise ValueError(f"invalid host {host!r}: not an IP address or a name this machine can resolve") from None
    return text


def bind(host: str, port) -> socket.socket:
    """Bind and listen on ``host:port``; return the socket or raise one sentence.

    ``SO_REUSEADDR`` is set as uvicorn sets it, so a port left in TIME_WAIT by an earlier run is
    reusable, while a port another process listens on still fails with "in use".
    """
    host = check_host(host)
    port = check_port(port)
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror:
        raise ValueError(f"invalid host {host!r}: not an IP address or a name this machine can resolve") from None
    family, _, _, _, address = infos[0]
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(address)
        sock.listen(128)
    except OSError as err:
        sock.close()
        if err.errno in (98, 48, 10048):  # EADDRINUSE on Linux, macOS, Windows
            raise OSError(f"port {port} on {host} is already in use; choose another with --port") from None
        if err.errno in (99, 49, 10049):  # EADDRNOTAVAIL
            raise ValueError(f"invalid host {host!r}: not an address of this machine") from None
        if err.errno == 13:
            raise OSError(f"permission denied to listen on {host}:{port}; use a port above 1023") from None
        raise OSError(f"cannot listen on {host}:{port}: {err.strerror or err}") from None
    return sock


def url_for(host: str, port: int) -> str:
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}/"


def serve(host: str = DEFAULT_HOST, port=DEFAULT_PORT, *, quiet: bool = False, allow_remote: bool = False) -> None:
    """Bind the address, then run the Solara app on it until interrupted."""
    from .guard import HostPolicy, LocalOnly, exposure_warning

    warning = exposure_warning(check_host(host), allow_remote)
    sock = bind(host, port)
    port = sock.getsockname()[1]
    for key, value in _SOLARA_ENV.items():
        os.environ.setdefault(key, value)
    os.environ["SOLARA_APP"] = APP_MODULE
    os.environ["SERVER_NAME"] = host
    os.environ["SERVER_PORT"] = str(port)

    import warnings

    import uvicorn
    from solara.server import settings as solara_settings

    # On plain-http loopback Solara falls back to SameSite=Lax cookies, which is right here.
    warnings.filterwarnings("ignore", message="Cookies with samesite=none require https")

    solara_settings.main.mode = "production"
    solara_settings.telemetry.mixpanel_enable = False
    from solara.server.starlette import app as solara_app

    guarded = LocalOnly(solara_app, HostPolicy.for_address(host, port))
    config = uvicorn.Config(guarded, host=host, port=port, log_level="warning", access_log=False, lifespan="on")
    server = uvicorn.Server(config)
    if warning:
        print(f"siyi dashboard: {warning}", file=sys.stderr, flush=True)
    if not quiet:
        print(f"siyi dashboard: serving on {url_for(host, port)} (Ctrl+C to stop)", flush=True)
    try:
        server.run(sockets=[sock])
    finally:
        sock.close()
