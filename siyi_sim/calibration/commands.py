"""CLI sub-commands ``calibrate``, ``validate`` and ``case`` (registered by ``siyi_sim.cli``)."""

from __future__ import annotations

import json


def _positive_int(text, name: str) -> int:
    try:
        value = int(str(text))
    except ValueError:
        raise ValueError(f"invalid {name} {text!r}: must be a positive integer") from None
    if value < 1:
        raise ValueError(f"invalid {name} {text!r}: must be a positive integer")
    return value


def _cmd_calibrate(args) -> int:
    from .calibrate import CALIBRATION_FILE, fit, holdout_check, write_calibration

    workers = _positive_int(args.workers, "workers")
    replications = _positive_int(args.replications, "replications")
    points = _positive_int(args.points, "points")
    record = fit(rounds=((points, 0.30), (points, 0.12), (points, 0.06)), replications=replications, workers=workers)
    if not args.no_holdout:
        record["holdout"] = holdout_check(record["values"], workers=workers)
    path = write_calibration(record, args.out or CALIBRATION_FILE)
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
    return 0


def _cmd_validate(args) -> int:
    from .validate import as_json, validate

    seeds = _positive_int(args.seeds, "seeds")
    _warn_if_model_changed()
    results = validate(seeds, workers=_positive_int(args.workers, "workers"))
    if args.json:
        print(json.dumps(as_json(results), default=_jsonable))
    else:
        for r in results:
            print(r.line())
        print(f"{sum(r.passed for r in results)}/{len(results)} patterns pass (seeds 1..{seeds})")
    return 0 if all(r.passed for r in results) else 1


def _warn_if_model_changed() -> None:
    import sys

    from .calibrate import model_fingerprint, read_calibration

    fitted = read_calibration().get("model_fingerprint")
    if fitted and fitted != model_fingerprint():
        print(
            "siyi: warning: the model code changed since the calibration was fitted; consider `siyi calibrate`",
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

    seed = int(args.seed) if str(args.seed).isdigit() else None
    if seed is None:
        raise ValueError(f"invalid seed {args.seed!r}: must be a non-negative integer")
    out = run_case(args.name, seed)
    print(json.dumps(out, default=_jsonable) if args.json else format_case(out))
    return 0


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "calibrate", help="fit the free parameters to the 2020 totals and write data/calibration_2020.json"
    )
    p.add_argument("--workers", default="2", help="parallel processes (default 2)")
    p.add_argument("--replications", default="4", help="own seeds per candidate (default 4)")
    p.add_argument("--points", default="16", help="design points per round (default 16)")
    p.add_argument("--out", default=None, help="write the record here instead of the package data file")
    p.add_argument("--no-holdout", action="store_true", help="skip the 10-seed hold-out check")
    p.set_defaults(func=_cmd_calibrate)

    p = subparsers.add_parser("validate", help="check patterns P1-P6 (exit 1 if any fails)")
    p.add_argument("--json", action="store_true", help='print {"patterns": [...]} as JSON')
    p.add_argument("--seeds", default="10", help="use seeds 1..N (default 10)")
    p.add_argument("--workers", default="2", help="parallel processes (default 2)")
    p.set_defaults(func=_cmd_validate)

    p = subparsers.add_parser("case", help="replay a case of the seed: zhongchuan, quanzheng, yuanxiu")
    p.add_argument("name", help="zhongchuan | quanzheng | yuanxiu")
    p.add_argument("--seed", default="1", help="non-negative integer seed")
    p.add_argument("--json", action="store_true", help="print the replay as JSON")
    p.set_defaults(func=_cmd_case)
