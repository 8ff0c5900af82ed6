"""``siyi discover`` and ``siyi optimize``: parse, call the library, print.

Registered from ``analysis/commands.py``. User errors are ``ValueError``s, which the CLI prints
as one line with exit code 2.
"""

from __future__ import annotations

import os

from ..argtypes import add_runner_flags, non_negative_int, positive_int


def register_design(subparsers) -> None:
    p = subparsers.add_parser(
        "discover", help="scenario discovery (PRIM): the parameter ranges in which a policy fails, from an ensemble"
    )
    p.add_argument("results", metavar="RESULTS_DIR", help="ensemble folder of `siyi explore` (or a sweep with points)")
    p.add_argument(
        "--failure",
        required=True,
        metavar="EXPR",
        help="condition on the paired effects per draw, e.g. 'clear_index < -0.01' "
        "or 'program_cost_yuan / issues_resolved_total > 50000'",
    )
    p.add_argument("--baseline", default="baseline", help="scenario the policy is paired with (default: baseline)")
    p.add_argument("--policy", default=None, help="policy scenario (default: the only other one)")
    p.add_argument("--threshold", type=float, default=0.8, metavar="D", help="density a box must reach (default: 0.8)")
    p.add_argument("--boxes", type=positive_int, default=3, metavar="N", help="at most N boxes (default: 3)")
    p.add_argument("--out", default=None, metavar="DIR", help="folder for boxes.csv, effects.parquet and figures")
    p.set_defaults(func=_cmd_discover)

    p = subparsers.add_parser(
        "optimize", help="Pareto program designs (optuna NSGA-II) over the program's levers, paired on seeds; resumes"
    )
    p.add_argument("--trials", type=positive_int, required=True, metavar="N", help="trials to reach in the study")
    p.add_argument("--seeds", type=positive_int, default=3, metavar="K", help="paired seeds per trial (default: 3)")
    p.add_argument(
        "--storage",
        default=None,
        metavar="URL",
        help="optuna storage, e.g. sqlite:///results/opt.db (default: OUT/study.db); rerun to continue",
    )
    p.add_argument("--study", default="siyi-design", metavar="NAME", help="study name in the storage")
    p.add_argument("--out", required=True, metavar="DIR", help="folder for pareto.parquet, trials.parquet, figures")
    p.add_argument("--scenario", default="campaign_2020", help="program whose levers are designed")
    p.add_argument("--baseline", default="baseline", help="scenario each design is paired with")
    p.add_argument("--days", type=positive_int, default=None, help="horizon in days (default: the scenario's)")
    p.add_argument(
        "--objectives",
        default=None,
        metavar="KEY:max|min,...",
        help="objectives (default: issues_resolved_total:max,program_cost_yuan:min,integrity_incidents:min)",
    )
    p.add_argument(
        "--set", action="append", metavar="SECTION.KEY=VALUE", help="fix a parameter for every run (repeatable)"
    )
    p.add_argument("--seed", type=non_negative_int, default=0, help="sampler seed and first run seed (default 0)")
    add_runner_flags(p)
    p.set_defaults(func=_cmd_optimize)


def _cmd_discover(args) -> int:
    from ..io import check_output_dir, refuse_store_path
    from .discovery import discover, format_boxes, write_discovery

    if args.out:  # refuse an unusable folder before the work, not after
        refuse_store_path(args.out, "--out")
        check_output_dir(args.out, "--out")
    try:
        result = discover(
            args.results,
            args.failure,
            baseline=args.baseline,
            policy=args.policy,
            threshold=args.threshold,
            max_boxes=args.boxes,
        )
    except ValueError as err:
        raise ValueError(_flags(str(err))) from None
    print(format_boxes(result))
    if args.out:
        written = write_discovery(result, args.out)
        print("wrote " + ", ".join(str(p) for p in written))
    return 0


def _cmd_optimize(args) -> int:
    from ..config import parse_assignment
    from ..experiments.optimize import format_front, parse_objectives, run_optimization
    from ..io import refuse_store_path

    refuse_store_path(args.out, "--out")
    overrides = dict(parse_assignment(text) for text in args.set or [])
    try:
        result = run_optimization(
            args.out,
            trials=args.trials,
            seeds=args.seeds,
            storage=args.storage,
            study_name=args.study,
            scenario=args.scenario,
            baseline=args.baseline,
            days=args.days,
            objectives=parse_objectives(args.objectives) if args.objectives else None,
            overrides=overrides,
            seed=args.seed,
            workers=args.workers or os.cpu_count() or 1,
            backend=args.backend,
            scheduler=args.scheduler,
        )
    except ValueError as err:
        raise ValueError(_flags(str(err))) from None
    print(format_front(result))
    return 0


_FLAGS = (
    ("policy ", "--policy "),
    ("baseline ", "--baseline "),
    ("threshold ", "--threshold "),
    ("results ", "RESULTS_DIR "),
    ("failure expression", "--failure"),
    ("objectives", "--objectives"),
    ("storage", "--storage"),
    ("trials", "--trials"),
    ("seeds", "--seeds"),
    ("out ", "--out "),
)


def _flags(message: str) -> str:
    """Library errors name parameters; the CLI says the flag."""
    for name, flag in _FLAGS:
        if message.startswith(name):
            return flag + message[len(name) :]
    return message
