"""Will a run fit in memory? An estimate from population and policies, checked before writing.

The model's peak memory is set while the population is built: about 1.7 kB per firm (its
arrays, issues and ties) plus the firm x policy eligibility draw, ~11 bytes per pair (a float64
draw and boolean masks). Measured with ``tracemalloc`` at 3,000-24,000 firms and 182-4,000
policies (11 MB at the defaults, 274 MB at 6,000 x 4,000); the horizon and the cadre count hardly
matter (30 vs 120 days: same peak). The estimate doubles that for safety and adds the
interpreter, so it errs towards refusing only what clearly cannot fit.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

BYTES_PER_FIRM = 1_700
BYTES_PER_FIRM_POLICY = 11
SAFETY_FACTOR = 2.0
PROCESS_BYTES = 200 * 1024**2  # Python, numpy, pandas, Mesa loaded


def run_memory_bytes(flat_config: dict[str, Any]) -> int:
    """Estimated peak resident memory of one run (one worker process)."""
    firms = int(flat_config.get("population.n_enterprises", 0))
    policies = int(flat_config.get("policies.n_policies", 0))
    model = BYTES_PER_FIRM * firms + BYTES_PER_FIRM_POLICY * firms * policies
    return int(PROCESS_BYTES + SAFETY_FACTOR * model)


def available_memory_bytes() -> int | None:
    """``MemAvailable`` of this machine (Linux), else free physical pages; None if unknown."""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, AttributeError):
        return None


def check_memory(flat_config: dict[str, Any], workers: int = 1, what: str = "run", limit: int | None = None) -> None:
    """Refuse ``workers`` concurrent runs of ``flat_config`` that cannot fit in ``limit`` bytes
    (default: the machine's available memory)."""
    limit = available_memory_bytes() if limit is None else limit
    if limit is None:
        return
    need = run_memory_bytes(flat_config) * max(1, workers)
    if need > limit:
        firms = flat_config.get("population.n_enterprises")
        policies = flat_config.get("policies.n_policies")
        each = f" ({workers} at once)" if workers > 1 else ""
        raise ValueError(
            f"{what} with {firms} enterprises and {policies} policies needs about {_gib(need)}{each}, more than the "
            f"{_gib(limit)} of memory available; use fewer enterprises, policies or workers"
        )


def _gib(n: float) -> str:
    return f"{n / 1024**3:.1f} GiB"
