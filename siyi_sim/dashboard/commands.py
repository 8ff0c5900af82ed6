"""``siyi dashboard``: the command-line entry of the dashboard (Solara is imported lazily)."""

from __future__ import annotations

from .server import DEFAULT_HOST, DEFAULT_PORT


def _cmd_dashboard(args) -> int:
    from .server import serve

    serve(args.host, args.port, allow_remote=args.allow_remote)
    return 0


def register(subparsers) -> None:
    p = subparsers.add_parser("dashboard", help="serve the interactive dashboard in the browser (Solara)")
    p.add_argument(
        "--host", default=DEFAULT_HOST, help=f"address to listen on (default {DEFAULT_HOST}: this machine only)"
    )
    p.add_argument("--port", default=str(DEFAULT_PORT), help=f"TCP port (default {DEFAULT_PORT})")
    p.add_argument(
        "--allow-remote",
        action="store_true",
        help="allow a --host other than this machine's loopback (the dashboard has no login; a warning is printed)",
    )
    p.set_defaults(func=_cmd_dashboard)
