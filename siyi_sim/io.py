"""File output that never leaves anything half written.

Every file siyi_sim writes goes through :func:`atomic_write`: the content is written to a hidden
temporary name in the target's folder and then renamed over the target (``os.replace`` is atomic
on POSIX), so a reader, a crash or ``kill -9`` sees the old file or the new one, never a part.
:func:`check_output_dir` refuses an unusable output folder before any work starts,
:func:`read_input_text` reads an input file only if it is a regular file of bounded size, and
:func:`refuse_store_path` keeps every output away from a results folder's own files.
Files and folders follow the umask (``mkdtemp`` alone would make them private).
Errors name the parameter (``out``), not a command-line flag; the CLI maps them to its flags.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import stat
import tempfile
from collections.abc import Callable
from pathlib import Path

from .errors import ParameterError

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
            raise ParameterError(name, f"{{name}} {brace_safe(path)!r} exists and is not a directory")
        if not os.access(path, os.W_OK | os.X_OK):
            raise ParameterError(name, f"{{name}} {brace_safe(path)!r} is not writable")
        return path
    ancestor = path.parent
    while not ancestor.exists() and ancestor != ancestor.parent:
        ancestor = ancestor.parent
    if not ancestor.is_dir():
        raise ParameterError(
            name, f"cannot create {{name}} {brace_safe(path)!r}: {brace_safe(ancestor)!r} is not a directory"
        )
    if not os.access(ancestor, os.W_OK | os.X_OK):
        raise ParameterError(
            name, f"cannot create {{name}} {brace_safe(path)!r}: {brace_safe(ancestor)!r} is not writable"
        )
    return path


# --- permissions ---------------------------------------------------------------------------------
def current_umask() -> int:
    """The process umask, read without changing it where Linux allows (``/proc/self/status``)."""
    with contextlib.suppress(OSError, ValueError):
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def make_temp_dir(parent: str | os.PathLike, prefix: str) -> Path:
    """A hidden temporary folder in ``parent`` with the umask's mode (``mkdtemp`` alone gives 0700)."""
    path = Path(tempfile.mkdtemp(dir=parent, prefix=prefix, suffix=".tmp"))
    path.chmod(0o777 & ~current_umask())
    return path


# --- inputs ------------------------------------------------------------------------------------
def read_input_text(path: str | os.PathLike, name: str, max_bytes: int) -> str:
    """Text of a regular file of at most ``max_bytes``; devices, FIFOs and huge files are refused unread."""
    path = Path(path)
    try:
        info = path.stat()
    except FileNotFoundError:
        raise ValueError(f"{name} {str(path)!r} not found") from None
    except OSError as err:
        raise ValueError(f"{name} {str(path)!r} cannot be read: {err.strerror or err}") from None
    if stat.S_ISDIR(info.st_mode):
        raise ValueError(f"{name} {str(path)!r} is a directory")
    if not stat.S_ISREG(info.st_mode):
        raise ValueError(f"{name} {str(path)!r} is not a regular file")
    if info.st_size > max_bytes:
        raise ParameterError(
            "max_file_bytes",
            f"{brace_safe(name)} {brace_safe(path)!r} has {info.st_size} bytes, more than the limit of {max_bytes} "
            "(raise it with {name})",
        )
    try:
        with open(path, "rb") as handle:
            data = handle.read(max_bytes + 1)
    except OSError as err:
        raise ValueError(f"{name} {str(path)!r} cannot be read: {err.strerror or err}") from None
    if len(data) > max_bytes:
        raise ValueError(f"{name} {str(path)!r} has more than the limit of {max_bytes} bytes")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise ValueError(f"{name} {str(path)!r} is not UTF-8 text") from None


# --- a results store's own files ---------------------------------------------------------------
#: Names inside a results folder that belong to the store (``siyi_sim.experiments.store``).
STORE_MARKER = "manifest.json"
STORE_RESERVED_NAMES = ("manifest.json", "runs.parquet", "daily", "parts", ".lock")


def store_file_owner(path: str | os.PathLike) -> Path | None:
    """The results folder whose own files ``path`` is (or lies inside), else None.

    A results folder is one holding ``manifest.json``; its own files are the reserved names above
    and everything under them. Symlinks are followed, so a link to ``runs.parquet`` counts too.
    """
    resolved = Path(os.path.abspath(path))
    with contextlib.suppress(OSError, RuntimeError):
        resolved = resolved.resolve()
    parts = resolved.parts
    for depth in range(len(parts) - 1, 0, -1):
        folder = Path(*parts[:depth])
        if parts[depth] in STORE_RESERVED_NAMES and (folder / STORE_MARKER).is_file():
            return folder
    return None


def refuse_store_path(path: str | os.PathLike, name: str = "out") -> None:
    """Our outputs never overwrite a results folder's own files (its manifest, rows, series)."""
    owner = store_file_owner(path)
    if owner is not None:
        raise ParameterError(
            name,
            f"{{name}} {brace_safe(path)!r} is a file of the results folder {brace_safe(owner)!r}; choose another path",
        )


def brace_safe(path: object) -> str:
    """A path safe inside a ``ParameterError`` template."""
    return str(path).replace("{", "{{").replace("}", "}}")


def apply_umask(path: str | os.PathLike) -> None:
    """Give a file made by ``mkstemp`` (0600) the mode an ordinary ``open`` would (0644 by default)."""
    path = Path(path)
    base = 0o777 if path.is_dir() else 0o666
    path.chmod(base & ~current_umask())
