"""`musebench agreement RATINGS` and `musebench calibrate --human H --judge J`: thin wrappers
over benchmark.measure.agreement and benchmark.measure.calibration."""

from __future__ import annotations

import argparse
import json
from typing import Any

# Kept literal so building the parser does not import the numeric stack (slow) for every command.
LEVEL_HELP = "nominal | ordinal | interval | ratio"


def register(sub: Any) -> None:
    p = sub.add_parser(
        "agreement", help="Krippendorff alpha per criterion with bootstrap CIs, kappa, AC1"
    )
    p.add_argument("ratings", help="ratings file in the long format (.csv, .jsonl, .parquet)")
    _common(p)
    p.set_defaults(func=run_agreement)

    c = sub.add_parser("calibrate", help="judge-vs-human agreement and calibration")
    c.add_argument("--human", required=True, help="human ratings (long format)")
    c.add_argument("--judge", required=True, help="judge ratings (long format; rater_id = judge)")
    c.add_argument(
        "--epsilon",
        type=float,
        default=0.2,
        help="alt-test cost-benefit margin (Calderon et al.: 0.2 experts, 0.15 skilled, "
        "0.1 crowd workers; default 0.2)",
    )
    c.add_argument("--folds", type=int, default=5, help="cross-fitting folds (default 5)")
    c.add_argument("--plots", metavar="DIR", help="write reliability-diagram PNGs here")
    _common(c)
    c.set_defaults(func=run_calibrate)


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--level",
        default="ordinal",
        help=f"level of measurement: {LEVEL_HELP} (default ordinal)",
    )
    p.add_argument("--n-boot", type=int, default=1000, help="bootstrap resamples (default 1000)")
    p.add_argument("--seed", type=int, default=0, help="bootstrap seed (default 0)")
    p.add_argument("--json", action="store_true", help="print one JSON document on stdout")


def _fmt(x: float | None, digits: int = 3) -> str:
    return "-" if x is None else f"{x:.{digits}f}"


def _dump(doc: dict[str, Any]) -> None:
    print(json.dumps(doc, indent=2, allow_nan=False))


def run_agreement(args: argparse.Namespace) -> int:
    from ..errors import UsageError
    from ..measure.agreement import alpha_table, check_level
    from ..measure.ratings import load_ratings

    level = check_level(args.level)
    if args.n_boot < 0:
        raise UsageError("--n-boot: must be >= 0")
    df = load_ratings(args.ratings)
    doc = alpha_table(df, level, n_boot=args.n_boot, seed=args.seed)
    if args.json:
        _dump(doc)
        return 0
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"Krippendorff's alpha ({level}) — {args.ratings}")
    for col in ("criterion", "alpha", "95% CI", "units", "raters", "kappa", "AC1", "note"):
        table.add_column(col, justify="left" if col in ("criterion", "note") else "right")
    rows = list(doc["criteria"].items())
    if doc["pooled"] is not None:
        rows.append(("(pooled)", doc["pooled"]))
    for name, e in rows:
        table.add_row(
            name,
            _fmt(e.get("alpha")),
            f"[{_fmt(e.get('ci_low'))}, {_fmt(e.get('ci_high'))}]",
            str(e.get("n_units", "-")),
            str(e.get("n_raters", "-")),
            _fmt(e.get("cohen_kappa")),
            _fmt(e.get("gwet_ac1")),
            e.get("note") or "",
        )
    console = Console()
    console.print(table)
    low = Table(title="raters vs leave-one-out consensus (lowest first)")
    for col in ("criterion", "rater", "alpha", "units"):
        low.add_column(col)
    for name, e in doc["criteria"].items():
        ranked = sorted(
            e["raters"].items(),
            key=lambda kv: float("inf") if kv[1]["alpha"] is None else kv[1]["alpha"],
        )
        for rater, r in ranked[:3]:
            low.add_row(name, rater, _fmt(r["alpha"]), str(r["n_units"]))
    console.print(low)
    return 0


def run_calibrate(args: argparse.Namespace) -> int:
    from ..errors import UsageError
    from ..measure.agreement import check_level
    from ..measure.calibration import calibrate
    from ..measure.ratings import load_ratings

    level = check_level(args.level)
    if args.n_boot < 0:
        raise UsageError("--n-boot: must be >= 0")
    if args.folds < 2:
        raise UsageError("--folds: must be >= 2")
    if not 0.0 <= args.epsilon < 1.0:
        raise UsageError("--epsilon: must be in [0, 1)")
    human = load_ratings(args.human)
    judge = load_ratings(args.judge)
    doc = calibrate(
        human,
        judge,
        level,
        epsilon=args.epsilon,
        folds=args.folds,
        n_boot=args.n_boot,
        seed=args.seed,
        plot_dir=args.plots,
    )
    if args.json:
        _dump(doc)
        return 0
    from rich.console import Console
    from rich.markup import escape

    from ..measure.tables import add_row, table

    console = Console()
    for judge_name, jd in doc["judges"].items():
        _print_judge_tables(console, escape(judge_name), level, jd["criteria"])
        if jd["systems"]:
            st = table(
                f"system ranking, judge {escape(judge_name)} vs humans",
                ["criterion", "spearman", "95% CI", "kendall", "systems", "note"],
            )
            for crit, s in jd["systems"].items():
                add_row(
                    st,
                    crit,
                    _fmt(s["spearman"]),
                    f"[{_fmt(s['ci_low'])}, {_fmt(s['ci_high'])}]",
                    _fmt(s["kendall"]),
                    str(s["n_systems"]),
                    s["note"] or "",
                )
            console.print(st)
    return 0


# What the short column heads of `calibrate` stand for (docs/CALIBRATION.md has the detail).
CALIBRATE_LEGEND = (
    "α j-for-h: alpha with the judge in place of a human; alt ω: alt-test winning rate; "
    "ρ: Spearman; τ: Kendall; acc, bal. F1, κ: binary accuracy, balanced F1, Cohen's kappa; "
    "ECE: calibration error before → after the calibration map"
)


def _print_judge_tables(console: Any, judge: str, level: str, criteria: dict[str, Any]) -> None:
    """One judge against the humans as two tables that fit 80 columns (twelve columns in one
    cut every number to `0.7…`), criterion names folded, never cut, and a legend."""
    from ..measure.tables import add_row, table

    agree = table(
        f"judge {judge} vs humans ({level}): agreement",
        ["criterion", "human α", "α j-for-h", "alt ω", "ρ", "τ", "units"],
    )
    accuracy = table(
        f"judge {judge} vs humans ({level}): accuracy and calibration",
        ["criterion", "MAE", "acc", "bal. F1", "κ", "ECE"],
    )
    for crit, e in criteria.items():
        add_row(
            agree,
            crit,
            _fmt(e["human_alpha"]),
            _fmt(e["alpha_judge_replaces_human"]),
            _fmt(e["alt_test_winning_rate"], 2),
            _fmt(e["spearman"]),
            _fmt(e["kendall"]),
            str(e["n_units"]),
        )
        cal = e.get("calibration") or {}
        add_row(
            accuracy,
            crit,
            _fmt(e["mae"]),
            _fmt(e["accuracy"]),
            _fmt(e["balanced_f1"]),
            _fmt(e["kappa"]),
            f"{_fmt(cal.get('ece_before'))} → {_fmt(cal.get('ece_after'))}",
        )
    console.print(agree)
    console.print(accuracy)
    console.print(CALIBRATE_LEGEND, highlight=False)
