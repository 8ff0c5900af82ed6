"""CLI sub-commands ``calibrate``, ``validate`` and ``case`` (registered by ``siyi_sim.cli``)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from ..argtypes import add_runner_flags, int_type, positive_int
from ..io import check_output_dir

DEFAULT_VALIDATION_DOC = "docs/validation.md"
DEFAULT_CALIBRATION_DOC = "docs/calibration.md"


def _non_negative(text: str) -> float:
    import argparse
    import math

    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid number {text!r}") from None
    if not math.isfinite(value) or value < 0:
        raise argparse.ArgumentTypeError(f"must be a non-negative number, not {text!r}")
    return value


def _cmd_calibrate(args) -> int:
    from .calibrate import CALIBRATION_FILE, DEFAULT_OUT, fit, holdout_check, read_calibration, write_calibration

    if args.posterior:
        return _cmd_posterior(args)
    if args.report is not None:
        return _write_calibration_report(args.report, args.calibration or CALIBRATION_FILE)
    if args.install and args.out:
        raise ValueError("give --out or --install, not both")
    target = CALIBRATION_FILE if args.install else (args.out or DEFAULT_OUT)
    check_output_dir(Path(target).parent, name="--out")
    runner = {"workers": args.workers, "backend": args.backend, "scheduler": args.scheduler}
    points = args.points
    record = fit(rounds=((points, 0.30), (points, 0.12), (points, 0.06)), replications=args.replications, **runner)
    if not args.no_holdout:
        record["holdout"] = holdout_check(record["values"], **runner)
    path = write_calibration(record, target)
    print(
        json.dumps(
            {
                "values": record["values"],
                "loss": record["fit"]["loss"],
                "holdout_passed": record.get("holdout", {}).get("passed"),
            },
            indent=2,
        )
    )
    print(f"wrote {path}")
    if not args.install:
        shipped = read_calibration(CALIBRATION_FILE).get("values")
        if shipped != record["values"]:
            print(f"scenarios still use {CALIBRATION_FILE}; rerun with --install to replace it")
    return 0


def _cmd_posterior(args) -> int:
    """``siyi calibrate --posterior``: ABC-SMC particles, predictive check and marginal figure."""
    from .posterior import (
        DEFAULT_OUT,
        POSTERIOR_FILE,
        AbcSettings,
        fit_posterior,
        marginal_figure,
        summary_table,
        write_posterior,
    )

    if args.report is not None:
        return _write_posterior_report(args.report, args.calibration or POSTERIOR_FILE)
    if args.install and args.out:
        raise ValueError("give --out or --install, not both")
    if args.calibration is not None:
        raise ValueError("--calibration applies to --report only")
    target = Path(POSTERIOR_FILE if args.install else (args.out or DEFAULT_OUT))
    if target.is_dir():
        raise ValueError(f"--out {str(target)!r} is a folder; name the posterior file (e.g. DIR/posterior_2020.json)")
    check_output_dir(target.parent, name="--out")
    figure = Path(args.figure) if args.figure else target.with_suffix(".png")
    check_output_dir(figure.parent, name="--figure")
    settings = AbcSettings(
        population_size=args.population_size,
        generations=args.generations,
        min_epsilon=args.min_epsilon,
        predictive_draws=args.predictive_draws,
        seed=args.abc_seed,
    )
    posterior = fit_posterior(settings, workers=args.workers, backend=args.backend, scheduler=args.scheduler)
    print(summary_table(posterior).to_string(index=False, float_format=lambda v: f"{v:.4g}"))
    for name, check in posterior.record["predictive"]["totals"].items():
        inside = "inside" if check["target_in_90"] else "OUTSIDE"
        print(
            f"predictive {name}: target {check['target']:,.0f}, mean {check['mean']:,.0f} "
            f"[{check['q05']:,.0f}, {check['q95']:,.0f}] ({inside} the 90 % range)"
        )
    print(f"wrote {write_posterior(posterior, target)}")
    print(f"wrote {marginal_figure(posterior, figure)}")
    return 0


def _write_posterior_report(doc: str, source) -> int:
    """Fit nothing: write the posterior's tables into DOC and its figure into DOC's img/ folder."""
    from .docblocks import write_block
    from .posterior import FIGURE_NAME, REPORT_TAG, load_posterior, marginal_figure, posterior_markdown

    posterior = load_posterior(source)
    figure = Path(doc).parent / "img" / FIGURE_NAME
    check_output_dir(figure.parent, name="--report")
    print(f"wrote {write_block(doc, REPORT_TAG, posterior_markdown(posterior))}")
    print(f"wrote {marginal_figure(posterior, figure)}")
    return 0


def _write_calibration_report(doc: str, calibration) -> int:
    from .calibrate import REPORT_TAG, read_calibration, report_markdown
    from .docblocks import write_block

    try:
        record = read_calibration(calibration)
    except (OSError, json.JSONDecodeError) as err:
        raise ValueError(f"cannot read calibration file {str(calibration)!r}: {err}") from None
    print(f"wrote {write_block(doc, REPORT_TAG, report_markdown(record))}")
    return 0


def _cmd_validate(args) -> int:
    from ..metrics import check_lang, default_lang
    from .validate import MARKDOWN_TAG, as_json, summary_line, validate, validation_markdown

    lang = check_lang(args.lang or default_lang())

    if args.markdown is not None:  # fail on a bad doc path before minutes of runs
        from .docblocks import read_block

        read_block(args.markdown, MARKDOWN_TAG)
    _warn_if_model_changed()
    results = validate(args.seeds, workers=args.workers, backend=args.backend, scheduler=args.scheduler)
    if args.json:
        print(json.dumps(as_json(results), default=_jsonable))
    else:
        for r in results:
            print(r.line(lang))
        print(summary_line(results, args.seeds, lang))
    if args.markdown is not None:
        from .docblocks import write_block

        path = write_block(args.markdown, MARKDOWN_TAG, validation_markdown(results))
        print(f"wrote {path}", file=sys.stderr if args.json else sys.stdout)
    return 0 if all(r.passed for r in results) else 1


def _warn_if_model_changed() -> None:
    """Warn when the model behaves differently from the one the calibration was fitted on."""
    from .calibrate import model_fingerprint, read_calibration

    fitted = read_calibration().get("model_fingerprint")
    if fitted and fitted != model_fingerprint():
        print(
            "siyi: warning: the model behaves differently from the one the calibration was fitted on "
            "(behaviour fingerprint changed); consider `siyi calibrate`",
            file=sys.stderr,
        )


def _jsonable(value):
    if hasattr(value, "tolist"):
        return value.tolist()
    if isinstance(value, float):
        return None
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def _cmd_case(args) -> int:
    from .cases import format_case, run_case

    out = run_case(args.name, args.seed)
    print(json.dumps(out, default=_jsonable) if args.json else format_case(out))
    return 0


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "calibrate",
        help="fit the free parameters to the 2020 totals (writes results/calibration_2020.json; --install replaces "
        "the shipped one)",
    )
    add_runner_flags(p, workers=2)
    p.add_argument("--replications", type=positive_int, default=4, help="own seeds per candidate (default 4)")
    p.add_argument("--points", type=positive_int, default=16, help="design points per round (default 16)")
    p.add_argument("--out", default=None, help="write the record here (default results/calibration_2020.json)")
    p.add_argument(
        "--install",
        action="store_true",
        help="replace the shipped siyi_sim/data/calibration_2020.json, which every scenario applies",
    )
    p.add_argument("--no-holdout", action="store_true", help="skip the 10-seed hold-out check")
    p.add_argument(
        "--report",
        nargs="?",
        const=DEFAULT_CALIBRATION_DOC,
        default=None,
        metavar="MARKDOWN",
        help=f"fit nothing: write the calibration file's tables into MARKDOWN (default {DEFAULT_CALIBRATION_DOC})",
    )
    p.add_argument(
        "--calibration",
        default=None,
        metavar="FILE",
        help="calibration file for --report (default: the shipped one; with --posterior: a posterior file)",
    )
    g = p.add_argument_group("posterior (ABC-SMC of the declared uncertainties; see docs/exploration.md)")
    g.add_argument(
        "--posterior",
        action="store_true",
        help="fit a weighted particle posterior instead (writes results/posterior_2020.json; --install: the shipped "
        "siyi_sim/data/posterior_2020.json; never the calibration file)",
    )
    g.add_argument("--population-size", type=positive_int, default=20, help="particles per generation (default 20)")
    g.add_argument("--generations", type=positive_int, default=3, help="most ABC-SMC generations (default 3)")
    g.add_argument(
        "--min-epsilon", type=_non_negative, default=1.0, help="stop at this noise-scaled distance (default 1.0)"
    )
    g.add_argument(
        "--predictive-draws", type=positive_int, default=8, help="posterior predictive runs on fresh seeds (default 8)"
    )
    g.add_argument(
        "--abc-seed", type=int_type("abc-seed", minimum=0), default=1, help="seed of the sampler (default 1)"
    )
    g.add_argument("--figure", default=None, metavar="PNG", help="marginal-posterior figure (default: beside --out)")
    p.set_defaults(func=_cmd_calibrate)

    p = subparsers.add_parser("validate", help="check patterns P1-P8 (exit 1 if any fails)")
    p.add_argument("--json", action="store_true", help='print {"patterns": [...]} as JSON')
    p.add_argument("--seeds", type=int_type("seeds", minimum=1), default=10, help="use seeds 1..N (default 10)")
    p.add_argument(
        "--lang", choices=["en", "zh"], default=None, help="language of the lines (default: $SIYI_LANG or en)"
    )
    add_runner_flags(p, workers=2)
    p.add_argument(
        "--markdown",
        nargs="?",
        const=DEFAULT_VALIDATION_DOC,
        default=None,
        metavar="MARKDOWN",
        help=f"also write the results table into MARKDOWN (default {DEFAULT_VALIDATION_DOC})",
    )
    p.set_defaults(func=_cmd_validate)

    p = subparsers.add_parser("case", help="replay a case of the seed: zhongchuan, quanzheng, yuanxiu")
    p.add_argument("name", help="zhongchuan | quanzheng | yuanxiu")
    p.add_argument("--seed", type=int_type("seed", minimum=0), default=1, help="non-negative integer seed")
    p.add_argument("--json", action="store_true", help="print the replay as JSON")
    p.set_defaults(func=_cmd_case)
