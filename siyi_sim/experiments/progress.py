"""A progress bar (count, rate, ETA) on a terminal; nothing at all when stdout is not a TTY,
so logs and CI output stay clean."""

from __future__ import annotations

import sys


class Progress:
    def __init__(self, total: int, done: int = 0, enabled: bool | None = None, desc: str = "sweep"):
        self.enabled = sys.stdout.isatty() if enabled is None else enabled
        self._bar = None
        if self.enabled:
            import shutil

            from tqdm import tqdm

            width = shutil.get_terminal_size().columns  # falls back to 80 where the tty reports 0
            self._bar = tqdm(
                total=total, initial=done, unit="run", desc=desc, file=sys.stdout, ncols=width, smoothing=0.1
            )

    def advance(self, n: int = 1) -> None:
        if self._bar is not None:
            self._bar.update(n)

    def grow(self, total: int) -> None:
        """Adaptive replication added runs."""
        if self._bar is not None:
            self._bar.total = total
            self._bar.refresh()

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None
