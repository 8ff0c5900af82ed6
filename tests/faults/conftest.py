"""The fault suite: hostile input, damaged stores, kills and races. Every case checks the
invariants users rely on, counted here and printed at the end of the run:

- no data loss: a folder's finished rows and our inputs survive every command;
- no silent wrong result: a damaged or foreign row is refused or recomputed, never used;
- no traceback: a user's mistake is one line on stderr and exit code 2;
- nothing half written: a refused command leaves no folder and no file behind.
"""

from __future__ import annotations

import collections
import sys
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parents[1]
REPO = TESTS.parent
if str(TESTS) not in sys.path:
    sys.path.insert(0, str(TESTS))  # tests/synthetic.py; set before any pool worker starts

CHECKED: collections.Counter[str] = collections.Counter()
FAILED: collections.Counter[str] = collections.Counter()


def invariant(name: str, holds: bool, detail: str = "") -> None:
    """Count one check of invariant ``name`` and fail the test when it does not hold."""
    CHECKED[name] += 1
    if not holds:
        FAILED[name] += 1
    assert holds, f"invariant {name!r} broken: {detail}"


@pytest.fixture()
def check():
    return invariant


def pytest_terminal_summary(terminalreporter) -> None:
    if not CHECKED:
        return
    stats = terminalreporter.stats

    def ours(kind: str) -> int:
        return sum(1 for report in stats.get(kind, []) if "faults/" in getattr(report, "nodeid", ""))

    cases = ours("passed") + ours("failed") + ours("error")
    failed = ours("failed") + ours("error")
    terminalreporter.write_sep("-", "fault suite")
    terminalreporter.write_line(f"cases tried: {cases}, failed: {failed}")
    for name in sorted(CHECKED):
        terminalreporter.write_line(f"  {name}: {CHECKED[name]} checks, {FAILED[name]} broken")
