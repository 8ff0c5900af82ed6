"""The one integer parser of the command line: a bad value is one line, exit code 2.

Every integer flag (``--seed``, ``--days``, ``--workers``, ``--seeds``, ...) goes through
:func:`parse_int`, given to argparse as ``type=int_type(name, minimum)``, so they all accept and
reject the same text with the same wording: ``invalid seed '1.5': must be an integer``.
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
