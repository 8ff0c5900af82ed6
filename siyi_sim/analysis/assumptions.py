"""The modelling choices a brief must disclose: ODD §11's register, as data.

docs/ODD.md §11 ("Register of deviations from and additions to MODEL.md") is the source. Its
rows are kept in ``siyi_sim/data/odd_register.json`` so an installed package (which ships no
docs) can print them in a brief's assumptions appendix; ``tests/test_analysis_brief.py`` fails
when the file and ODD.md differ. Regenerate with ``python -m siyi_sim.analysis.assumptions``.
"""

from __future__ import annotations

import json
import re
import sys
from dataclasses import asdict, dataclass
from pathlib import Path

from ..io import atomic_write_text

REGISTER_FILE = Path(__file__).resolve().parent.parent / "data" / "odd_register.json"
ODD_FILE = Path(__file__).resolve().parents[2] / "docs" / "ODD.md"
_SECTION = re.compile(r"^### 11\. .*$", re.MULTILINE)


@dataclass(frozen=True)
class Choice:
    number: int
    topic: str  # e.g. "order withdrawal [choice]"
    as_built: str
    parameters: str


def parse_register(odd_text: str) -> list[Choice]:
    """The rows of ODD §11's register table (markdown), in order; ValueError if it is missing."""
    match = _SECTION.search(odd_text)
    if not match:
        raise ValueError("ODD text has no section '### 11.' (register of choices)")
    rows = []
    for line in odd_text[match.end() :].splitlines():
        if line.startswith("#"):
            break
        cells = [c.strip() for c in line.strip().strip("|").split(" | ")]
        if len(cells) == 4 and cells[0].isdigit():
            rows.append(Choice(int(cells[0]), cells[1], cells[2], cells[3]))
    if not rows:
        raise ValueError("ODD section 11 holds no register rows")
    return rows


def register() -> list[Choice]:
    """The register as shipped with the package."""
    return [Choice(**row) for row in json.loads(REGISTER_FILE.read_text(encoding="utf-8"))]


def write_register(odd_path: Path = ODD_FILE, out: Path = REGISTER_FILE) -> Path:
    rows = parse_register(odd_path.read_text(encoding="utf-8"))
    atomic_write_text(out, json.dumps([asdict(r) for r in rows], ensure_ascii=False, indent=1) + "\n")
    return out


if __name__ == "__main__":
    print(f"wrote {write_register(*(Path(a) for a in sys.argv[1:3]))}")
