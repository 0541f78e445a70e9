"""Print the HANNA tables of docs/CALIBRATION.md (markdown) from the real data.

    python scripts/hanna_report.py [--data ../shared/data/hanna] [--n-boot 1000] [--plots DIR]

Reads HANNA at run time (never copied into the project): human agreement, every judge x
criterion figure of `musebench calibrate`, the same on a binarised (met / not met) view, and
what calibration and prediction-powered inference change for per-system leaderboard means.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

from benchmark.measure._hanna import CRITERIA, binarize, hanna_human_ratings, hanna_judge_ratings
from benchmark.measure.agreement import alpha_table
from benchmark.measure.calibration import calibrate
from benchmark.measure.ppi import classical_mean, ppi_mean

EPSILON = 0.1  # Calderon et al.'s rule of thumb for crowd workers (HANNA's raters)
THRESHOLD = 3.5  # binarised view: a 4 or 5 ("good"); judge columns are averages, so >= 3.5
LABELLED = 20  # stories per system given human labels in the PPI experiment (of 96)
REPEATS = 200


def f(x: float | None, d: int = 3) -> str:
    return "–" if x is None else f"{x:.{d}f}"


def table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(lines)


def human_section(humans: pd.DataFrame, n_boot: int) -> str:
    docs = {
        lvl: alpha_table(humans, lvl, n_boot=n_boot) for lvl in ("nominal", "ordinal", "interval")
    }
    rows = []
    for name in CRITERIA.values():
        o = docs["ordinal"]["criteria"][name]
        rows.append(
            [
                name,
                f(docs["nominal"]["criteria"][name]["alpha"]),
                f"{f(o['alpha'])} [{f(o['ci_low'])}, {f(o['ci_high'])}]",
                f(docs["interval"]["criteria"][name]["alpha"]),
            ]
        )
    p = docs["ordinal"]["pooled"]
    rows.append(
        [
            "(pooled)",
            f(docs["nominal"]["pooled"]["alpha"]),
            f"{f(p['alpha'])} [{f(p['ci_low'])}, {f(p['ci_high'])}]",
            f(docs["interval"]["pooled"]["alpha"]),
        ]
    )
    return table(["criterion", "α nominal", "α ordinal [95% CI]", "α interval"], rows)


def judge_section(doc: dict[str, Any]) -> tuple[str, str]:
    rows, sys_rows = [], []
    for judge, jd in doc["judges"].items():
        for name, e in jd["criteria"].items():
            c = e["calibration"]
            rows.append(
                [
                    judge,
                    name,
                    f(e["human_alpha"]),
                    f(e["alpha_judge_replaces_human"]),
                    f(e["alt_test_winning_rate"], 2),
                    f(e["alt_test_advantage_prob"], 2),
                    f(e["spearman"]),
                    f(e["kendall"]),
                    f(e["mae"], 2),
                    f"{f(c['ece_before'], 2)} → {f(c['ece_after'], 2)}",
                    f(c["error_after"], 2),
                ]
            )
            s = jd["systems"][name]
            sys_rows.append(
                [
                    judge,
                    name,
                    f"{f(s['spearman'], 2)} [{f(s['ci_low'], 2)}, {f(s['ci_high'], 2)}]",
                    f(s["kendall"], 2),
                ]
            )
    head = [
        "judge",
        "criterion",
        "human α",
        "α judge-for-human",
        "alt-test ω",
        "ρ̄",
        "Spearman",
        "Kendall",
        "MAE",
        "ECE before → after",
        "MAE after",
    ]
    return table(head, rows), table(
        ["judge", "criterion", "Spearman [95% CI]", "Kendall"], sys_rows
    )


def binary_section(doc: dict[str, Any]) -> str:
    rows = []
    for judge, jd in doc["judges"].items():
        for name, e in jd["criteria"].items():
            c = e["calibration"]
            rows.append(
                [
                    judge,
                    name,
                    f(e["human_alpha"]),
                    f(e["accuracy"]),
                    f(e["balanced_f1"]),
                    f(e["kappa"]),
                    f(e["alt_test_winning_rate"], 2),
                    f"{f(c['ece_before'], 2)} → {f(c['ece_after'], 2)}",
                    f"{f(c['error_before'], 3)} → {f(c['error_after'], 3)}",
                ]
            )
    head = [
        "judge",
        "criterion",
        "human α",
        "accuracy",
        "balanced F1",
        "κ",
        "alt-test ω",
        "ECE before → after",
        "Brier before → after",
    ]
    return table(head, rows)


def alt_test_sensitivity(docs: dict[str, dict[str, Any]]) -> str:
    """Winning rate and advantage probability under other epsilon / K choices."""
    first = next(iter(docs.values()))
    rows = []
    for judge, jd in first["judges"].items():
        for name in jd["criteria"]:
            row = [judge, name]
            for d in docs.values():
                e = d["judges"][judge]["criteria"][name]
                row.append(
                    f"{f(e['alt_test_winning_rate'], 2)} ({f(e['alt_test_advantage_prob'], 2)})"
                )
            rows.append(row)
    return table(["judge", "criterion", *docs], rows)


def ppi_section(humans: pd.DataFrame, judges: pd.DataFrame, seed: int) -> str:
    """Per judge x criterion, over systems and REPEATS random labelled subsets of LABELLED
    stories per system: error and CI coverage of each estimator of the system's human mean
    (all 96 stories)."""
    from sklearn.isotonic import IsotonicRegression

    rng = np.random.default_rng(seed)
    hmean = humans.groupby(["criterion", "unit_id"])["value"].mean()
    jmean = judges.groupby(["rater_id", "criterion", "unit_id"])["value"].mean()
    system = humans.drop_duplicates("unit_id").set_index("unit_id")["system"]
    rows = []
    keys = ("judge", "calibrated", "human-only", "ppi", "ppi++")
    for judge in sorted(judges["rater_id"].unique()):
        for name in CRITERIA.values():
            h = hmean.loc[name]
            j = jmean.loc[(judge, name)].reindex(h.index)
            err: dict[str, list[float]] = {k: [] for k in keys}
            cover: dict[str, list[bool]] = {k: [] for k in keys[2:]}
            width: dict[str, list[float]] = {k: [] for k in keys[2:]}
            for units in h.groupby(system.loc[h.index].to_numpy()).groups.values():
                y_all, f_all = h.loc[units].to_numpy(), j.loc[units].to_numpy()
                truth = y_all.mean()
                err["judge"].append(abs(f_all.mean() - truth))
                for _ in range(REPEATS):
                    lab = rng.choice(len(units), LABELLED, replace=False)
                    iso = IsotonicRegression(out_of_bounds="clip").fit(f_all[lab], y_all[lab])
                    err["calibrated"].append(abs(iso.predict(f_all).mean() - truth))
                    intervals = {
                        "human-only": classical_mean(y_all[lab]),
                        "ppi": ppi_mean(f_all, f_all[lab], y_all[lab]),
                        "ppi++": ppi_mean(f_all, f_all[lab], y_all[lab], power_tuning=True),
                    }
                    for k, (est, lo, hi) in intervals.items():
                        err[k].append(abs(est - truth))
                        cover[k].append(lo <= truth <= hi)
                        width[k].append(hi - lo)
            row = [judge, name] + [f(float(np.mean(err[k])), 2) for k in keys]
            for k in keys[2:]:
                row.append(f"{f(float(np.mean(cover[k])), 2)} / {f(float(np.mean(width[k])), 2)}")
            rows.append(row)
    head = [
        "judge",
        "criterion",
        "judge err",
        "calibrated err",
        "human-only err",
        "PPI err",
        "PPI++ err",
        "human-only cover / width",
        "PPI cover / width",
        "PPI++ cover / width",
    ]
    return table(head, rows)


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "hanna"
    p.add_argument("--data", default=str(default.resolve()))
    p.add_argument("--n-boot", type=int, default=1000)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--plots", help="directory for reliability diagrams")
    args = p.parse_args()
    start = time.perf_counter()
    humans = hanna_human_ratings(args.data)
    judges = hanna_judge_ratings(args.data)
    out_of_scale = int(((judges["value"] < 1) | (judges["value"] > 5)).sum())
    print(
        f"<!-- generated by scripts/hanna_report.py; judge values outside 1-5: {out_of_scale} of {len(judges)} -->\n"
    )
    print("### Human agreement\n")
    print(human_section(humans, args.n_boot) + "\n")
    doc = calibrate(
        humans,
        judges,
        "ordinal",
        epsilon=EPSILON,
        n_boot=args.n_boot,
        seed=args.seed,
        plot_dir=args.plots,
    )
    per_criterion, systems = judge_section(doc)
    print("### Judges vs humans (ordinal, 1-5)\n")
    print(per_criterion + "\n")
    print("### System rankings (11 systems)\n")
    print(systems + "\n")
    bdoc = calibrate(
        binarize(humans, THRESHOLD),
        binarize(judges, THRESHOLD),
        "nominal",
        epsilon=EPSILON,
        n_boot=args.n_boot,
        seed=args.seed,
        plot_dir=args.plots,
    )
    single = calibrate(
        humans,
        hanna_judge_ratings(args.data, reps=(1,)),
        "ordinal",
        epsilon=EPSILON,
        n_boot=0,
        seed=args.seed,
    )
    strict = calibrate(humans, judges, "ordinal", epsilon=0.0, n_boot=0, seed=args.seed)
    print("### Alt-test sensitivity: winning rate ω (advantage probability ρ̄)\n")
    print(
        alt_test_sensitivity(
            {f"ε={EPSILON:g}, K=4": doc, f"ε={EPSILON:g}, K=1": single, "ε=0, K=4": strict}
        )
        + "\n"
    )
    print(f"### Binarised view (value >= {THRESHOLD:g})\n")
    print(binary_section(bdoc) + "\n")
    print(f"### Leaderboard means: {LABELLED} of 96 stories per system labelled, {REPEATS} draws\n")
    print(ppi_section(humans, judges, args.seed) + "\n")
    print(f"<!-- {time.perf_counter() - start:.0f} s -->")
    return 0


if __name__ == "__main__":
    sys.exit(main())
