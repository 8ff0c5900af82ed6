"""The one integer parser of the command line: a bad value is one line, exit code 2.

Every integer flag (``--seed``, ``--days``, ``--workers``, ``--seeds``, ...) goes through
:func:`parse_int`, given to argparse as ``type=int_type(name, minimum)``, so they all accept and
reject the same text with the same wording: ``invalid seed '1.5': must be an integer``.
:func:`add_runner_flags` gives every command that runs simulations the same runner flags.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable


def parse_int(text: object, name: str = "integer", minimum: int | None = None) -> int:
    """``text`` as an integer of at least ``minimum``; a ``ValueError`` naming ``name`` otherwise."""
    try:
        value = int(str(text).strip())
    except ValueError:
        raise ValueError(f"invalid {name} {text!r}: must be an integer") from None
    if minimum is not None and value < minimum:
        raise ValueError(f"invalid {name} {value}: must be >= {minimum}")
    return value


def int_type(name: str = "integer", minimum: int | None = None) -> Callable[[str], int]:
    """An argparse ``type=`` that parses with :func:`parse_int`."""

    def parse(text: str) -> int:
        try:
            return parse_int(text, name, minimum)
        except ValueError as err:
            raise argparse.ArgumentTypeError(str(err)) from None

    parse.__name__ = name  # argparse names the type in some messages
    return parse


positive_int = int_type(minimum=1)
non_negative_int = int_type(minimum=0)


def positive_seconds(text: str) -> float:
    """An argparse ``type=`` for a finite, positive number of seconds."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid number {text!r}") from None
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"must be a positive number of seconds, not {text!r}")
    return value


def add_runner_flags(p: argparse.ArgumentParser, workers: int | None = None, connect_timeout: bool = False) -> None:
    """``--workers``, ``--backend``, ``--scheduler`` (and ``--connect-timeout``) of the experiments
    runner, the same for every command that runs on it; ``workers`` None means all cores."""
    default = "all cores" if workers is None else str(workers)
    p.add_argument(
        "--workers",
        type=positive_int,
        default=workers,
        help=f"parallel workers (default: {default}; with --scheduler: ignored)",
    )
    p.add_argument(
        "--backend", choices=["local", "dask"], default="local", help="local process pool (default) or Dask distributed"
    )
    p.add_argument(
        "--scheduler",
        default=None,
        metavar="ADDRESS",
        help="running Dask scheduler, e.g. tcp://10.0.0.5:8786 (with --backend dask)",
    )
    if connect_timeout:
        p.add_argument(
            "--connect-timeout",
            type=positive_seconds,
            default=5.0,
            metavar="SECONDS",
            help="give up on an unreachable scheduler after this long (default 5); "
            "also how long to wait for a first worker (at least 30)",
        )
