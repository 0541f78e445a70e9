"""What the board page shows of the pairwise bundle on the board: plain lines (given to
ui.caption, which escapes them: judge and model names are bundle fields) and a table (cells
are text)."""

from __future__ import annotations

from typing import Any

import pandas as pd

from .boarddata import fmt_ci
from .links import model_page_url


def _pct(rate: Any, low: Any = None, high: Any = None) -> str:
    if rate is None:
        return "n/a"
    if low is None or high is None:
        return f"{rate:.1%}"
    return f"{rate:.1%} ({low:.1%} to {high:.1%})"


def pairwise_lines(shown: dict[str, Any]) -> list[str]:
    """The judge, the anchor(s) named, the judge's position figures and its bias card."""
    pos = shown.get("position") or {}
    lines = [
        f"Pairwise ratings (Bradley–Terry on an Elo-like scale, criterion "
        f"{shown.get('criterion', '?')}) by judge {shown.get('judge', '?')}, recomputed from "
        f"{shown.get('comparison_lines', '?')} submitted comparison lines ({shown.get('source')}).",
        f"Anchored: {shown.get('anchors', '?')}. Ratings are comparable only on this scale.",
        f"Judge position: flip rate {_pct(pos.get('flip_rate'), pos.get('flip_ci_low'), pos.get('flip_ci_high'))}"
        f" over {pos.get('pairs', '?')} pairs; first-seat win rate "
        f"{_pct(pos.get('first_seat_win_rate'), pos.get('first_seat_ci_low'), pos.get('first_seat_ci_high'))}"
        f"; length coefficient {shown.get('length_coefficient', '?')}.",
    ]
    card = shown.get("bias_card")
    if card:
        family = (
            f"; {card['family']} runs' win rate {_pct(card['family_win_rate'])} (rubric predicts "
            f"{_pct(card['family_rubric_win_rate'])})"
            if card.get("family")
            else ""
        )
        lines.append(
            f"Judge bias card ({card['stated']}): flip rate {_pct(card['flip_rate'])}, first-seat "
            f"win rate {_pct(card['first_seat_win_rate'])}, padded copy wins "
            f"{_pct(card['padded_win_rate'])} (ties {_pct(card['padded_tie_rate'])}), test-retest "
            f"agreement {_pct(card['retest_agreement'])} (K={card['retest_samples']}){family}."
        )
    return lines


def rating_cis(v: pd.DataFrame, *, length_controlled: bool = False) -> list[str]:
    """Each row's pairwise rating (or its length-controlled rating) with its 95% CI, as text."""
    p = "pw_lc" if length_controlled else "pw"
    return [
        fmt_ci(s, lo, hi, 0)
        for s, lo, hi in zip(v[f"{p}_rating"], v[f"{p}_ci_low"], v[f"{p}_ci_high"], strict=True)
    ]


def pairwise_table(view: pd.DataFrame) -> pd.DataFrame:
    """The rated runs, best pairwise rating first, beside their rubric score."""
    v = view[view["pw_rating"].notna()].sort_values("pw_rating", ascending=False, kind="stable")
    return pd.DataFrame(
        {
            "model": v["display"],
            "page": [model_page_url(k) for k in v["run_key"]],
            "pairwise rating [95% CI]": rating_cis(v),
            "length-controlled [95% CI]": rating_cis(v, length_controlled=True),
            "anchor": ["anchor" if a else "" for a in v["pw_anchor"]],
            "comparisons": v["pw_comparisons"],
            "rubric overall": v["overall"],
        }
    )
