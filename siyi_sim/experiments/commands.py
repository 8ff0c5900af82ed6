"""``siyi sweep``, ``compare``, ``check``, ``explore`` and ``robustness``: parse, call the experiments library, print.

Registered from ``siyi_sim.cli`` (``register(subparsers)``); user errors are ``ValueError``s,
which the CLI turns into one line and exit code 2.
"""

from __future__ import annotations

import functools
import os
import sys
from pathlib import Path

from ..argtypes import add_runner_flags, positive_int
from ..errors import ParameterError

#: Library parameter names as this command line spells them.
FLAGS = {
    "out": "--out",
    "target": "--target-ci",
    "max_reps": "--max-reps",
    "baseline": "--baseline",
    "scheduler": "--scheduler",
    "backend": "--backend",
    "workers": "--workers",
    "csv": "--csv",
    "max_runs": "--max-runs",
    "max_points": "--max-points",
    "max_file_bytes": "--max-file-bytes",
    "draws": "--draws",
    "posterior": "--posterior",
}


def _flags(command):
    """Say the library's parameter errors with this command line's flags."""

    @functools.wraps(command)
    def wrapped(args) -> int:
        try:
            return command(args)
        except ParameterError as err:
            raise err.renamed(FLAGS) from None

    return wrapped


def _add_limits(p) -> None:
    from .plan import MAX_FILE_BYTES, MAX_POINTS, MAX_RUNS

    p.add_argument(
        "--max-runs", type=positive_int, default=MAX_RUNS, metavar="N", help=f"refuse plans over N runs ({MAX_RUNS:,})"
    )
    p.add_argument(
        "--max-points",
        type=positive_int,
        default=MAX_POINTS,
        metavar="N",
        help=f"refuse plans over N scenario x point cells ({MAX_POINTS:,})",
    )
    p.add_argument(
        "--max-file-bytes",
        type=positive_int,
        default=MAX_FILE_BYTES,
        metavar="N",
        help=f"refuse experiment files over N bytes ({MAX_FILE_BYTES:,})",
    )


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "sweep", help="run an experiment file (scenarios x points x replications) into a results folder; resumes"
    )
    p.add_argument("file", help="experiment file (TOML), e.g. experiments/smoke.toml")
    p.add_argument("--out", required=True, help="results folder (runs.parquet, daily/, manifest.json); rerun to resume")
    add_runner_flags(p, connect_timeout=True)
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
    _add_limits(p)
    p.set_defaults(func=_flags(_cmd_sweep))

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
    p.set_defaults(func=_flags(_cmd_compare))

    p = subparsers.add_parser(
        "check", help="verify a sweep folder (hashes, plan, daily files) and list every problem; --repair fixes them"
    )
    p.add_argument("dir", help="results folder of `siyi sweep`")
    p.add_argument(
        "--repair",
        action="store_true",
        help="remove damaged, foreign and stray files and recompute their runs (same results as an uninterrupted run)",
    )
    p.add_argument(
        "--workers", type=positive_int, default=None, help="parallel workers for --repair (default: all cores)"
    )
    p.set_defaults(func=_flags(_cmd_check))
    register_exploration(subparsers)


def register_exploration(subparsers) -> None:
    """``siyi explore`` and ``siyi robustness`` (docs/exploration.md)."""
    from ..argtypes import int_type

    p = subparsers.add_parser(
        "explore",
        help="run an ensemble: parameter draws (posterior or Latin hypercube) x the plan's policies x replications",
    )
    p.add_argument(
        "file", help="experiment file (TOML) whose scenarios/variants are the policies; no [grid]/[[points]]"
    )
    p.add_argument("--out", required=True, help="ensemble folder (a sweep folder; point = draw); rerun to resume")
    p.add_argument("--draws", type=positive_int, default=16, help="parameter draws (default 16)")
    p.add_argument(
        "--posterior",
        default=None,
        metavar="FILE",
        help="draw from this posterior file (`siyi calibrate --posterior`); default: Latin hypercube over the priors",
    )
    p.add_argument(
        "--sample", choices=["lhs", "sobol", "random"], default="lhs", help="design over the priors (default lhs)"
    )
    p.add_argument(
        "--draw-seed", type=int_type("draw-seed", minimum=0), default=0, help="seed of the draws (default 0)"
    )
    p.add_argument(
        "--keys",
        nargs="+",
        default=None,
        metavar="KEY",
        help="uncertain parameters to draw (default: all declared; see docs/exploration.md)",
    )
    add_runner_flags(p, connect_timeout=True)
    p.add_argument("--dry-run", action="store_true", help="print runs, time and size; write nothing")
    _add_limits(p)
    p.set_defaults(func=_flags(_cmd_explore))

    p = subparsers.add_parser(
        "robustness",
        help="per policy and outcome: median paired effect over the ensemble, 5-95 %% range, share better, regret, "
        "seed-only CI",
    )
    p.add_argument("dir", help="ensemble folder of `siyi explore`")
    p.add_argument("--baseline", default="baseline", help="policy to compare against (default: baseline)")
    p.add_argument("--metric", nargs="+", action="extend", default=None, metavar="KEY", help="outcomes (default: all)")
    p.add_argument("--csv", default=None, metavar="PATH", help="also write the table as CSV here")
    p.add_argument("--lang", choices=["en", "zh"], default=None, help="table language (default: $SIYI_LANG or en)")
    p.set_defaults(func=_flags(_cmd_robustness))


def _cmd_explore(args) -> int:
    from .explore import ensemble_plan, parameter_draws
    from .plan import Limits, load_plan

    limits = Limits(args.max_runs, args.max_points, args.max_file_bytes)
    plan = load_plan(args.file, limits)
    if args.draws * len(plan.scenarios) > args.max_points:
        raise ParameterError(
            "max_points",
            f"{args.draws} draws x {len(plan.scenarios)} policies is more than the limit of {args.max_points} cells "
            "(raise it with {name})",
        )
    draws = parameter_draws(args.draws, args.draw_seed, args.posterior, args.keys, args.sample)
    plan = ensemble_plan(plan, draws)
    if plan.n_runs > args.max_runs:
        raise ParameterError("max_runs", f"{plan.n_runs} runs, more than the limit of {args.max_runs} ({{name}})")
    return _run_plan(args, plan, args.workers or os.cpu_count() or 1)


def _run_plan(args, plan, workers: int, check=None, **options) -> int:
    """Dry-run (``--dry-run``) or run ``plan`` on the sweep runner and print the report: the tail
    that ``siyi sweep`` and ``siyi explore`` share. ``check(prepared)`` vets a dry run further."""
    if args.backend == "local" and args.scheduler:
        raise ValueError("--scheduler needs --backend dask")
    if args.dry_run:
        from .dryrun import dry_run
        from .sweep import prepare

        prepared = prepare(plan, args.out, max_runs=args.max_runs)
        if check is not None:
            check(prepared)
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
        connect_timeout=args.connect_timeout,
        command=sys.argv[1:],
        max_runs=args.max_runs,
        **options,
    )
    for line in report.lines():
        print(line)
    return 0


def _cmd_robustness(args) -> int:
    from ..io import atomic_write_text, refuse_store_path
    from .robustness import format_robustness, robustness_sentences, robustness_table
    from .store import load_runs

    if args.csv is not None:
        csv_path = Path(args.csv)
        refuse_store_path(csv_path, "csv")
        if csv_path.is_dir() or not csv_path.parent.is_dir():
            raise ValueError(f"cannot write --csv {str(csv_path)!r}: not a file in an existing folder")
    table = robustness_table(load_runs(args.dir), args.baseline, args.metric)
    print(format_robustness(table, args.baseline, lang=args.lang))
    sentences = robustness_sentences(table, args.baseline)
    if sentences:
        print()
        for sentence in sentences:
            print(sentence)
    if args.csv is not None:
        atomic_write_text(Path(args.csv), table.to_csv(index=False))
        print(f"\nwrote {args.csv}")
    return 0


def _cmd_sweep(args) -> int:
    from .adaptive import parse_target
    from .plan import Limits, load_plan

    limits = Limits(args.max_runs, args.max_points, args.max_file_bytes)
    plan = load_plan(args.file, limits)
    target = parse_target(args.target_ci) if args.target_ci else None

    def check(prepared) -> None:
        from .sweep import check_target

        check_target(prepared, target, args.max_reps, args.baseline)

    options = {"target": target, "max_reps": args.max_reps, "baseline": args.baseline}
    return _run_plan(args, plan, args.workers or os.cpu_count() or 1, check, **options)


def _cmd_compare(args) -> int:
    from ..io import atomic_write_text, refuse_store_path
    from ..metrics import default_lang
    from .compare import cost_effectiveness, format_comparison, format_cost_effectiveness, paired_comparison
    from .store import COMPARISON_FILE, load_runs

    runs = load_runs(args.dir)
    table = paired_comparison(runs, args.baseline, args.metric)
    csv_path = Path(args.csv) if args.csv else Path(args.dir) / COMPARISON_FILE
    refuse_store_path(csv_path, "csv")
    if csv_path.is_dir():
        raise ValueError(f"cannot write --csv {str(csv_path)!r}: it is a directory")
    if not csv_path.parent.is_dir():
        raise ValueError(f"cannot write --csv {str(csv_path)!r}: folder {str(csv_path.parent)!r} does not exist")
    net = format_cost_effectiveness(
        cost_effectiveness(runs, args.baseline), args.baseline, lang=args.lang or default_lang()
    )
    if net:  # net effects lead: what each additional outcome costs, then every paired difference
        print(net + "\n")
    print(format_comparison(table, args.baseline, lang=args.lang))
    atomic_write_text(csv_path, table.to_csv(index=False))
    print(f"\nwrote {csv_path}")
    return 0


def _cmd_check(args) -> int:
    """Exit 0 when the folder is sound, 1 when it has problems (listed); with --repair, fix them."""
    from .store import check_store

    problems = check_store(args.dir)
    if not args.repair:
        for problem in problems:
            print(problem)
        print(f"{len(problems)} problem{'s' if len(problems) != 1 else ''} in {args.dir}")
        return 1 if problems else 0
    from .sweep import repair_store

    report = repair_store(args.dir, workers=args.workers or os.cpu_count() or 1, command=sys.argv[1:])
    for line in report.lines():
        print(line)
    left = check_store(args.dir)
    for problem in left:
        print(problem)
    print(f"{len(left)} problem{'s' if len(left) != 1 else ''} left in {args.dir}")
    return 1 if left else 0
