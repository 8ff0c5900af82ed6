"""The ``siyi`` command: parse, call the library, print.

User errors (``ValueError``, ``OSError``, ``UsageError``) become one line on stderr and exit code 2.
SIGTERM is handled like Ctrl+C (the same clean-up runs, so a sweep stays resumable), with exit code
143 instead of 130.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import threading
from collections.abc import Callable

from . import __version__
from .argtypes import int_type
from .errors import ParameterError


class UsageError(Exception):
    """Bad command-line input that argparse itself did not catch."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one line, exit 2, no usage dump
        raise UsageError(message)


def _cmd_run(args) -> int:
    try:
        return _run(args)
    except ParameterError as err:
        raise err.renamed({"out": "--out", "force": "--force"}) from None


def _run(args) -> int:
    from .api import check_seed, check_value_types, simulate
    from .config import parse_assignment
    from .output import write_run_outputs

    overrides = dict(parse_assignment(text) for text in args.set or [])
    check_value_types(overrides, "--set")
    seed = check_seed(args.seed)
    days = args.days
    if args.out is not None:
        from .output import check_writable

        check_writable(args.out, args.force)
    from .experiments.memory import check_memory
    from .scenarios import scenario_config

    check_memory(scenario_config(args.scenario, overrides, days).flat(), what=f"scenario {args.scenario!r}")
    result = simulate(args.scenario, seed, days, overrides)
    if args.out is not None:
        from .provenance import run_provenance

        provenance = run_provenance(args.scenario, overrides, result.model.cfg.flat())
        write_run_outputs(result, args.out, series_format=args.format, force=args.force, provenance=provenance)
    if args.json:
        print(json.dumps(result.summary, sort_keys=False))
    else:
        from .metrics import format_summary

        print(format_summary(result.summary, _lang(args)))
        if args.out:
            print(f"wrote {args.out}")
    return 0


def _cmd_compare_scenarios(args) -> int:
    """The README's main job: campaign_2020 against baseline, side by side."""
    from .api import check_seed, run
    from .metrics import format_side_by_side

    seed = check_seed(args.seed)
    summaries = [run(name, seed) for name in args.scenarios]
    print(f"# {' vs '.join(args.scenarios)} (seed {seed}); baseline = 'clear but not close' (清有余而亲不足)")
    print(format_side_by_side(summaries, _lang(args)))
    return 0


def _lang(args) -> str:
    from .metrics import default_lang

    return args.lang or default_lang()


def _cmd_scenarios(args) -> int:
    from .scenarios import SCENARIOS

    width = max(map(len, SCENARIOS))
    for name, scenario in SCENARIOS.items():
        print(f"{name:<{width}}  {scenario.description}")
    return 0


def _cmd_params(args) -> int:
    """One line per parameter; calibrated ones show the value every scenario runs with."""
    from .config import parameter_table
    from .scenarios import CALIBRATED

    for row in parameter_table(CALIBRATED):
        effective = f"  effective={row.effective!r} (calibrated)" if row.calibrated else ""
        print(f"{row.key}  default={row.default!r}{effective}  unit={row.unit}  range={row.range}  {row.reason}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="siyi", description="siyi_sim: cadres placed in enterprises ('Four Helps, One Experience').")
    parser.add_argument("--version", action="version", version=f"siyi_sim {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    p = sub.add_parser("run", help="run one scenario and print its summary")
    p.add_argument("--scenario", default="campaign_2020", help="scenario name (see `siyi scenarios`)")
    p.add_argument("--seed", type=int_type("seed", minimum=0), default=0, help="non-negative integer seed")
    p.add_argument("--days", type=int_type("days"), default=None, help="horizon in days (default: the scenario's)")
    p.add_argument("--set", action="append", metavar="SECTION.KEY=VALUE", help="override a parameter (repeatable)")
    p.add_argument(
        "--out", default=None, help="new (or earlier `siyi run`) folder for summary.json, daily series and graphs"
    )
    p.add_argument("--force", action="store_true", help="write --out into a non-empty folder of other files")
    p.add_argument("--format", choices=["csv", "parquet"], default="csv", help="daily series format with --out")
    p.add_argument("--json", action="store_true", help="print exactly the summary JSON on stdout")
    p.add_argument("--lang", choices=["en", "zh"], default=None, help="table language (default: $SIYI_LANG or en)")
    p.set_defaults(func=_cmd_run)

    p = sub.add_parser("demo", help="the main job: campaign_2020 against baseline, side by side")
    p.add_argument("--seed", type=int_type("seed", minimum=0), default=0, help="non-negative integer seed")
    p.add_argument("--scenarios", nargs="+", default=["baseline", "campaign_2020"])
    p.add_argument("--lang", choices=["en", "zh"], default=None, help="table language (default: $SIYI_LANG or en)")
    p.set_defaults(func=_cmd_compare_scenarios)

    sub.add_parser("scenarios", help="list scenarios").set_defaults(func=_cmd_scenarios)
    sub.add_parser(
        "params", help="list parameters: key, default, calibrated value where there is one, unit, range, reason"
    ).set_defaults(func=_cmd_params)

    for register in _extensions():
        register(sub)
    return parser


def _extensions() -> list[Callable]:
    """Sub-command groups living beside their library code (sweep, brief, ...)."""
    registers = []
    # --- extension registrations (one line each) ---
    from .experiments.commands import register

    registers.append(register)
    from .dashboard.commands import register

    registers.append(register)
    from .calibration.commands import register

    registers.append(register)
    from .analysis.commands import register

    registers.append(register)
    # --- end extension registrations ---
    return registers


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised where Ctrl+C would be so that every ``except``/``finally`` cleans up alike."""


def _raise_terminated(signum, frame):
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # a second SIGTERM ends the process at once
    raise Terminated


def main(argv: list[str] | None = None) -> int:
    in_main_thread = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, _raise_terminated) if in_main_thread else None
    try:
        args = build_parser().parse_args(argv)
        return args.func(args)
    except BrokenPipeError:  # `siyi params | head`: the reader left; that is not an error
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())  # so the interpreter's final flush does not fail again
        return 0
    except (UsageError, ValueError, OSError) as err:
        print(f"siyi: error: {err}", file=sys.stderr)
        return 2
    except Terminated:
        print("siyi: terminated", file=sys.stderr)
        return 143
    except KeyboardInterrupt:
        print("siyi: interrupted", file=sys.stderr)
        return 130
    finally:
        if in_main_thread and previous is not None:
            signal.signal(signal.SIGTERM, previous)


if __name__ == "__main__":
    sys.exit(main())
