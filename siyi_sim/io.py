"""File output that never leaves anything half written.

Every file siyi_sim writes goes through :func:`atomic_write`: the content is written to a hidden
temporary name in the target's folder and then renamed over the target (``os.replace`` is atomic
on POSIX), so a reader, a crash or ``kill -9`` sees the old file or the new one, never a part.
:func:`check_output_dir` refuses an unusable output folder before any work starts.
Errors name the parameter (``out``), not a command-line flag; the CLI maps them to its flags.
"""

from __future__ import annotations

import contextlib
import itertools
import os
from collections.abc import Callable
from pathlib import Path

TEMP_PREFIX = ".tmp-"
_counter = itertools.count()


def atomic_write(path: str | os.PathLike, write: Callable[[Path], object]) -> None:
    """Call ``write(tmp)`` on a hidden temporary sibling of ``path``, then rename it over ``path``."""
    path = Path(path)
    tmp = path.parent / f"{TEMP_PREFIX}{path.name}-{os.getpid()}-{next(_counter)}"
    try:
        write(tmp)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise


def atomic_write_text(path: str | os.PathLike, text: str) -> None:
    atomic_write(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))


def atomic_write_bytes(path: str | os.PathLike, data: bytes) -> None:
    atomic_write(path, lambda tmp: tmp.write_bytes(data))


def check_output_dir(path: str | os.PathLike, name: str = "out") -> Path:
    """Refuse an output folder that cannot be used, writing nothing; return it as a ``Path``."""
    path = Path(path)
    if path.exists():
        if not path.is_dir():
            raise ValueError(f"{name} {str(path)!r} exists and is not a directory")
        if not os.access(path, os.W_OK | os.X_OK):
            raise ValueError(f"{name} {str(path)!r} is not writable")
        return path
    ancestor = path.parent
    while not ancestor.exists() and ancestor != ancestor.parent:
        ancestor = ancestor.parent
    if not ancestor.is_dir():
        raise ValueError(f"cannot create {name} {str(path)!r}: {str(ancestor)!r} is not a directory")
    if not os.access(ancestor, os.W_OK | os.X_OK):
        raise ValueError(f"cannot create {name} {str(path)!r}: {str(ancestor)!r} is not writable")
    return path
