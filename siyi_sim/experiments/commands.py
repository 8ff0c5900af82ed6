"""``siyi sweep`` and ``siyi compare``: parse, call the experiments library, print.

Registered from ``siyi_sim.cli`` (``register(subparsers)``); user errors are ``ValueError``s,
which the CLI turns into one line and exit code 2.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from ..argtypes import positive_int


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid number {text!r}") from None
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"must be a positive number of seconds, not {text!r}")
    return value


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "sweep", help="run an experiment file (scenarios x points x replications) into a results folder; resumes"
    )
    p.add_argument("file", help="experiment file (TOML), e.g. experiments/smoke.toml")
    p.add_argument("--out", required=True, help="results folder (runs.parquet, daily/, manifest.json); rerun to resume")
    p.add_argument(
        "--workers",
        type=positive_int,
        default=None,
        help="parallel workers (default: all cores; with --scheduler: ignored)",
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
    p.add_argument(
        "--connect-timeout",
        type=_seconds,
        default=5.0,
        metavar="SECONDS",
        help="give up on an unreachable scheduler after this long (default 5); also how long to wait for a first worker (at least 30)",
    )
    p.add_argument(
        "--dry-run", action="store_true", help="print number of runs, estimated time and output size; write nothing"
    )
    p.add_argument(
        "--target-ci",
        default=None,
        metavar="KEY=HALFWIDTH",
        help="add replications until the 95%% CI half-width of KEY (paired vs baseline) is at most HALFWIDTH",
    )
    p.add_argument(
        "--max-reps",
        type=positive_int,
        default=None,
        metavar="N",
        help="cap on replications with --target-ci (default 100)",
    )
    p.add_argument("--baseline", default="baseline", help="baseline scenario for --target-ci (default: baseline)")
    p.set_defaults(func=_cmd_sweep)

    p = subparsers.add_parser(
        "compare", help="per-scenario means and paired differences vs baseline with 95%% CIs, from a sweep folder"
    )
    p.add_argument("dir", help="results folder of `siyi sweep`")
    p.add_argument("--baseline", default="baseline", help="scenario to compare against (default: baseline)")
    p.add_argument(
        "--metric",
        nargs="+",
        action="extend",
        default=None,
        metavar="KEY",
        help="summary keys to compare (default: all numeric)",
    )
    p.add_argument("--csv", default=None, metavar="PATH", help="where to write the table (default: DIR/comparison.csv)")
    p.add_argument("--lang", choices=["en", "zh"], default=None, help="table language (default: $SIYI_LANG or en)")
    p.set_defaults(func=_cmd_compare)


def _cmd_sweep(args) -> int:
    from .adaptive import parse_target
    from .plan import load_plan

    plan = load_plan(args.file)
    workers = args.workers or os.cpu_count() or 1
    target = parse_target(args.target_ci) if args.target_ci else None
    if args.dry_run:
        from .dryrun import dry_run
        from .sweep import check_target, prepare

        if args.backend == "local" and args.scheduler:
            raise ValueError("--scheduler needs --backend dask")
        check_target(prepare(plan, args.out), target, args.max_reps, args.baseline)
        for line in dry_run(plan, args.out, workers).lines():
            print(line)
        return 0
    from .sweep import run_sweep

    report = run_sweep(
        plan,
        args.out,
        workers=workers,
        backend=args.backend,
        scheduler=args.scheduler,
        target=target,
        max_reps=args.max_reps,
        baseline=args.baseline,
        connect_timeout=args.connect_timeout,
    )
    for line in report.lines():
        print(line)
    return 0


def _cmd_compare(args) -> int:
    from .compare import format_comparison, paired_comparison
    from .store import atomic_write_text, load_runs

    runs = load_runs(args.dir)
    table = paired_comparison(runs, args.baseline, args.metric)
    csv_path = Path(args.csv) if args.csv else Path(args.dir) / "comparison.csv"
    if not csv_path.parent.is_dir():
        raise ValueError(f"cannot write --csv {str(csv_path)!r}: folder {str(csv_path.parent)!r} does not exist")
    print(format_comparison(table, args.baseline, lang=args.lang))
    atomic_write_text(csv_path, table.to_csv(index=False))
    print(f"\nwrote {csv_path}")
    return 0
