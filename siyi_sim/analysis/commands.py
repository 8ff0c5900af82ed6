"""``siyi brief`` and ``siyi sensitivity``: parse, call the analysis library, print.

Registered from ``siyi_sim.cli`` (``register(subparsers)``). User errors are ``ValueError``s,
which the CLI prints as one line with exit code 2.
"""

from __future__ import annotations

import os

from ..argtypes import add_runner_flags, non_negative_int, positive_int
from ..io import refuse_store_path
from ..metrics import LANGS, default_lang


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "brief",
        help="one self-contained HTML policy brief (findings table, figures, method, provenance) from a sweep folder",
    )
    p.add_argument("results", metavar="RESULTS_DIR", help="results folder of `siyi sweep`")
    p.add_argument("--out", required=True, metavar="DIR", help="folder for brief.html and findings.csv")
    p.add_argument("--baseline", default="baseline", help="scenario the others are compared with (default: baseline)")
    p.add_argument(
        "--metric",
        nargs="+",
        action="extend",
        default=None,
        metavar="KEY",
        help="indicators of the findings table (default: every registry indicator the results hold)",
    )
    p.add_argument(
        "--focus",
        default=None,
        metavar="SCENARIO",
        help="scenario replayed for survival, spillover and network figures (default: campaign_2020 if present)",
    )
    p.add_argument("--no-replay", action="store_true", help="skip figures that need a replayed run (faster)")
    p.add_argument(
        "--lang", choices=LANGS, default=None, help="language of the brief and its figures (default: $SIYI_LANG or en)"
    )
    p.add_argument("--pdf", action="store_true", help="also print brief.pdf with headless Chromium")
    p.add_argument("--discovery", metavar="DIR", help="add the PRIM box of this `siyi discover --out` folder")
    p.add_argument("--pareto", metavar="DIR", help="add the Pareto front of this `siyi optimize --out` folder")
    p.set_defaults(func=_cmd_brief)

    p = subparsers.add_parser(
        "sensitivity", help="Morris or Sobol sensitivity (SALib) of a summary key, run on the sweep runner; resumes"
    )
    p.add_argument("--method", choices=["morris", "sobol"], required=True)
    p.add_argument(
        "--params",
        required=True,
        metavar="A.B,C.D[=LO:HI],...",
        help="parameters to vary; bounds default to 0.5x-1.5x the effective (calibrated or default) value, "
        "within its valid range",
    )
    p.add_argument(
        "--metric", required=True, metavar="KEY", help="summary key to explain, e.g. program_issues_resolved"
    )
    p.add_argument(
        "--samples",
        type=positive_int,
        default=None,
        metavar="N",
        help="Morris trajectories (default 10) or Sobol base sample, a power of 2 (default 64)",
    )
    p.add_argument(
        "--reps",
        type=positive_int,
        default=2,
        metavar="R",
        help="replications per point (seeds shared across points); >= 2 to measure seed noise (default 2)",
    )
    p.add_argument(
        "--out",
        required=True,
        metavar="DIR",
        help="folder for sensitivity.csv/.png/.json and the sweep (OUT/sweep); rerun to resume",
    )
    p.add_argument(
        "--scenario", default="campaign_2020", help="scenario the parameters are varied in (default: campaign_2020)"
    )
    p.add_argument(
        "--versus",
        default=None,
        metavar="BASELINE",
        help="explain the paired effect SCENARIO - BASELINE (same seeds and parameters) instead of SCENARIO's level",
    )
    p.add_argument("--days", type=positive_int, default=None, help="horizon in days (default: the scenario's)")
    p.add_argument(
        "--set", action="append", metavar="SECTION.KEY=VALUE", help="fix a parameter for every run (repeatable)"
    )
    p.add_argument(
        "--seed", type=non_negative_int, default=0, help="sampling seed and base seed of the replications (default 0)"
    )
    add_runner_flags(p)
    p.set_defaults(func=_cmd_sensitivity)

    from .design_commands import register_design

    register_design(subparsers)


def _cmd_brief(args) -> int:
    import sys
    import warnings

    from .brief import PDF_FILE, write_brief

    refuse_store_path(args.out, "--out")  # never write into a results folder's own files
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", UserWarning)
            path = write_brief(
                args.results,
                args.out,
                pdf=args.pdf,
                baseline=args.baseline,
                metrics=args.metric,
                focus=args.focus,
                replays=not args.no_replay,
                lang=args.lang or default_lang(),
                discovery=args.discovery,
                pareto=args.pareto,
            )
    except ValueError as err:  # library errors name parameters; say the flags
        raise ValueError(_flags(str(err))) from None
    for message in dict.fromkeys(str(w.message) for w in caught):  # e.g. no CJK font: one line each
        print(f"siyi: warning: {message}", file=sys.stderr)
    print(f"wrote {path}" + (f" and {path.with_name(PDF_FILE)} (headless Chromium)" if args.pdf else ""))
    return 0


def _flags(message: str) -> str:
    for name, flag in (("out ", "--out "), ("focus scenario", "--focus scenario"), ("metrics", "--metric")):
        if message.startswith(name) or f" {name}" in message:
            return message.replace(name, flag, 1)
    return message


def _cmd_sensitivity(args) -> int:
    from ..config import parse_assignment
    from .sensitivity import format_table, run_sensitivity

    refuse_store_path(args.out, "--out")  # never write into a results folder's own files
    overrides = dict(parse_assignment(text) for text in args.set or [])
    result = run_sensitivity(
        args.method,
        args.params,
        args.metric,
        args.out,
        samples=args.samples,
        reps=args.reps,
        scenario=args.scenario,
        days=args.days,
        overrides=overrides,
        seed=args.seed,
        workers=args.workers or os.cpu_count() or 1,
        backend=args.backend,
        scheduler=args.scheduler,
        versus=args.versus,
    )
    print(format_table(result))
    return 0
