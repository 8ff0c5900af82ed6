"""Lazy package exports (PEP 562): a package names what it offers without importing it, so the
CLI can register every sub-command without paying for Mesa, pandas, matplotlib or Dask."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from importlib import import_module
from typing import Any


def lazy_exports(package: str, namespace: dict[str, Any], exports: Mapping[str, str | None]) -> Callable[[str], Any]:
    """Return a module ``__getattr__`` that imports ``exports[name]`` (a submodule; ``None`` means
    the name is itself a submodule) on first access and caches the value in ``namespace``."""

    def __getattr__(name: str) -> Any:
        if name not in exports:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        module = exports[name]
        value = (
            import_module(f"{package}.{name}")
            if module is None
            else getattr(import_module(f"{package}.{module}"), name)
        )
        namespace[name] = value
        return value

    return __getattr__
