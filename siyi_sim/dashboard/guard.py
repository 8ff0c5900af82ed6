"""Keep the dashboard local: an ASGI middleware in front of Solara, and the host policy behind it.

The dashboard has no login, and anyone who can talk to it can run models on this machine. So:

* A host that is not a loopback address is served only when asked for (``allow_remote``), with a
  warning.
* Every HTTP and WebSocket request must name the served address in its ``Host`` header, and, if
  it has an ``Origin`` header (browsers send one with every WebSocket and every POST), that
  origin too. Otherwise it gets 403. This stops another web page open in the same browser from
  driving the dashboard (cross-site WebSocket hijacking), and DNS rebinding (``Host: evil.com``).
  When the dashboard serves beyond this machine, a ``Host`` is accepted if it is an IP address or
  this machine's own name, with the served port, and an ``Origin`` must then be that same host.
* Calls to Solara's API that lack what the endpoint needs get 400 instead of a 500 with a server
  traceback, and anything else that fails inside a request is logged as one line, never a
  traceback.
"""

from __future__ import annotations

import ipaddress
import logging
import socket
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1")
logger = logging.getLogger("siyi_sim.dashboard")


def is_loopback(host: str) -> bool:
    """True when every address ``host`` stands for is on this machine only (127.0.0.0/8, ::1)."""
    text = host.strip().strip("[]")
    try:
        return ipaddress.ip_address(text).is_loopback
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(text, None, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        return False
    return bool(infos) and all(ipaddress.ip_address(str(info[4][0]).split("%")[0]).is_loopback for info in infos)


def exposure_warning(host: str, allow_remote: bool) -> str | None:
    """Refuse a non-loopback ``host`` unless ``allow_remote``; then return the warning to print."""
    if is_loopback(host):
        return None
    if not allow_remote:
        raise ValueError(
            f"invalid host {host!r}: not a loopback address, and the dashboard has no login; "
            "serve beyond this machine only with allow_remote (--allow-remote)"
        )
    return (
        f"warning: serving on {host}: anyone who can reach this machine can use the dashboard and run models on it "
        "(there is no login)"
    )


@dataclass(frozen=True)
class HostPolicy:
    """Which ``Host``/``Origin`` values name the address the dashboard serves."""

    host: str
    port: int
    remote: bool = False
    names: frozenset[str] = field(default_factory=frozenset)

    @classmethod
    def for_address(cls, host: str, port: int) -> HostPolicy:
        remote = not is_loopback(host)
        names = {host.strip("[]").lower()}
        if remote:
            names |= {socket.gethostname().lower(), socket.getfqdn().lower()}
        else:
            names |= set(LOOPBACK_NAMES)
        return cls(host, port, remote, frozenset(names))

    def allows_host(self, value: str | None) -> bool:
        """``value`` is a ``host:port`` naming this server (the port may be left out only for 80)."""
        if not value:
            return False
        parts = urlsplit(f"//{value}")
        try:
            port = parts.port or 80
        except ValueError:
            return False
        name = (parts.hostname or "").lower()
        if port != self.port or not name:
            return False
        if name in self.names:
            return True
        if self.remote:  # any address of ours is fine; a DNS name we do not know is not
            try:
                ipaddress.ip_address(name)
                return True
            except ValueError:
                return False
        return False

    def allows_origin(self, origin: str | None, host: str | None) -> bool:
        """No ``Origin`` (not a browser), or ``http://`` + the very ``Host`` the request was sent to."""
        if origin is None:
            return True
        parts = urlsplit(origin)
        if parts.scheme != "http" or not parts.netloc or parts.path not in ("", "/"):
            return False
        return self.allows_host(parts.netloc) and parts.netloc.lower() == (host or "").lower()


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key.lower() == name:
            return value.decode("latin-1")
    return None


def malformed_api_call(scope: Scope) -> str | None:
    """Why a call to Solara's own API cannot be served, or None (Solara answers 500 to these)."""
    path = scope.get("path", "")
    if path.startswith("/_solara/api/close/"):
        query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
        if not query.get("session_id"):
            return "close needs a session_id"
    return None


class LocalOnly:
    """ASGI middleware: refuse requests not addressed to ``policy``'s address (403), and malformed
    API calls (400); turn any other failure inside a request into one log line."""

    def __init__(self, app: ASGIApp, policy: HostPolicy):
        self.app = app
        self.policy = policy

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope.get("type")
        if kind not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        host = _header(scope, b"host")
        if not self.policy.allows_host(host) or not self.policy.allows_origin(_header(scope, b"origin"), host):
            await _refuse(kind, send, 403, "forbidden: this dashboard answers only on its own address")
            return
        problem = malformed_api_call(scope)
        if problem:
            await _refuse(kind, send, 400, f"bad request: {problem}")
            return
        started = False

        async def watch(message: Message) -> None:
            nonlocal started
            if message["type"] in ("http.response.start", "websocket.accept", "websocket.close"):
                started = True
            await send(message)

        try:
            await self.app(scope, receive, watch)
        except Exception as err:  # one line in the server log, never a traceback
            logger.error("%s %s failed: %s: %s", kind, scope.get("path", "?"), err.__class__.__name__, err)
            if not started:
                await _refuse(kind, send, 500, "internal error")


async def _refuse(kind: str, send: Send, status: int, text: str) -> None:
    if kind == "websocket":  # closing before accepting makes the server answer the upgrade with 403
        await send({"type": "websocket.close", "code": 1008})
        return
    body = (text + "\n").encode()
    headers = [(b"content-type", b"text/plain; charset=utf-8"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
