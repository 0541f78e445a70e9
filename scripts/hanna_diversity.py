"""Every diversity metric per source on HANNA's LLM stories (validation for docs/DIVERSITY.md).

    python scripts/hanna_diversity.py [PATH/TO/hanna_llm_stories.csv] [--json]

Reads ../shared/data/hanna/hanna_llm_stories.csv at run time (576 stories by 6 LLMs for 96
WritingPrompts prompts, plus the human story of each prompt; Chhun et al., TACL 2024, MIT
licence); no text is copied into the project. Prints markdown tables (or the raw report as JSON),
and the calibration figures behind the TF-IDF equivalence threshold."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from benchmark.analysis.diversity import compression_ratio, diversity_report  # noqa: E402
from benchmark.analysis.diversity.ngrams import distinct_n  # noqa: E402
from benchmark.analysis.diversity.similarity import tfidf_vectors  # noqa: E402
from benchmark.analysis.diversity.tokens import ngram_ids, tokenise, words  # noqa: E402

DEFAULT_CSV = REPO / ".." / "shared" / "data" / "hanna" / "hanna_llm_stories.csv"
HUMAN = "Human"


def hanna_records(csv: Path) -> list[tuple[str, str, str]]:
    """(prompt number, source, story): the human story of each prompt, then the 6 LLMs'."""
    df = pd.read_csv(csv)
    prompt_no = {p: f"p{i:02d}" for i, p in enumerate(dict.fromkeys(df["Prompt"]))}
    humans = df.drop_duplicates("Prompt")
    records = [
        (prompt_no[p], HUMAN, h) for p, h in zip(humans["Prompt"], humans["Human"], strict=True)
    ]
    records += [
        (prompt_no[p], m, s) for p, m, s in zip(df["Prompt"], df["Model"], df["Story"], strict=True)
    ]
    return records


# (column header, path into a model's report)
TABLE: list[tuple[str, tuple[str, ...]]] = [
    ("words", ("mean_words",)),
    ("distinct-1", ("distinct_1",)),
    ("distinct-2", ("distinct_2",)),
    ("distinct-3", ("distinct_3",)),
    ("compression", ("compression_ratio",)),
    ("x similarity", ("cross_prompt_similarity",)),
    ("x self-BLEU", ("cross_prompt", "self_bleu")),
    ("x distinct-2", ("cross_prompt", "distinct_2")),
    ("x Vendi", ("cross_prompt", "vendi")),
    ("x distinct_k", ("cross_prompt", "distinct_k")),
    ("slop/1k", ("slop_per_1k",)),
    ("opening recur.", ("opening_recurrence",)),
    ("name recur.", ("name_recurrence",)),
]


def cell(report: dict[str, Any], path: tuple[str, ...]) -> Any:
    value: Any = report
    for key in path:
        value = value[key]
    return value


def markdown_table(report: dict[str, dict[str, Any]]) -> str:
    lines = [
        "| source | " + " | ".join(h for h, _ in TABLE) + " |",
        "|---" * (len(TABLE) + 1) + "|",
    ]
    for model, r in report.items():
        vals = []
        for _, path in TABLE:
            v = cell(r, path)
            vals.append("-" if v is None else f"{v:.1f}" if path == ("mean_words",) else f"{v:.3f}")
        lines.append(f"| {model} | " + " | ".join(vals) + " |")
    return "\n".join(lines)


def recurrence_lines(report: dict[str, dict[str, Any]]) -> str:
    lines = []
    for model, r in report.items():
        opens = (
            "; ".join(f"“{o['opening']}” ({o['prompts']})" for o in r["top_openings"][:3]) or "none"
        )
        names = ", ".join(f"{n['name']} ({n['prompts']})" for n in r["top_names"][:5]) or "none"
        slop = ", ".join(f"{s['text']} ({s['hits']})" for s in r["top_slop"][:5]) or "none"
        lines.append(f"- **{model}** — openings: {opens}. Names: {names}. Slop: {slop}.")
    return "\n".join(lines)


def calibration(records: list[tuple[str, str, str]]) -> dict[str, float]:
    """TF-IDF cosine (idf over all 672 stories) of pairs of stories for the same prompt by
    different sources, and of each story with its own first half: where the threshold must sit."""
    prompts = np.array([r[0] for r in records])
    texts = [r[2] for r in records]
    vectors = tfidf_vectors(tokenise(texts))
    sims = (vectors @ vectors.T).toarray()
    iu = np.triu_indices(len(texts), 1)
    same = sims[iu][prompts[iu[0]] == prompts[iu[1]]]
    other = sims[iu][prompts[iu[0]] != prompts[iu[1]]]
    halves = [" ".join(t.split()[: len(t.split()) // 2]) for t in texts]
    both = tfidf_vectors(tokenise(texts + halves))
    n = len(texts)
    self_half = np.asarray(both[:n].multiply(both[n:]).sum(axis=1)).ravel()
    return {
        "same_prompt_pairs": float(len(same)),
        "same_prompt_p99": float(np.quantile(same, 0.99)),
        "same_prompt_max": float(same.max()),
        "other_prompt_max": float(other.max()),
        "own_first_half_min": float(self_half.min()),
        "own_first_half_p01": float(np.quantile(self_half, 0.01)),
        "own_first_half_median": float(np.median(self_half)),
    }


TRUNCATE_WORDS = 200


def length_controlled(records: list[tuple[str, str, str]]) -> str:
    """Distinct-n pools all of a source's words, so longer texts score lower; this table
    repeats it on the first TRUNCATE_WORDS words of every text, and adds per-text means."""
    by_source: dict[str, list[str]] = {}
    for _, source, text in records:
        by_source.setdefault(source, []).append(text)
    lines = [
        f"| source | texts < {TRUNCATE_WORDS} words | distinct-1 | distinct-2 | distinct-3 "
        "| per-text distinct-2 | per-text compression |",
        "|---|---|---|---|---|---|---|",
    ]
    for source, texts in by_source.items():
        cut = tokenise([" ".join(words(t)[:TRUNCATE_WORDS]) for t in texts])
        pooled = distinct_n(ngram_ids(cut, 3), np.zeros(len(texts), dtype=np.int64), 1)
        full = tokenise(texts)
        per_text = distinct_n(ngram_ids(full, 2), np.arange(len(texts)), len(texts))[2]
        ratios = [compression_ratio([t]) for t in texts]
        short = int((full.lengths < TRUNCATE_WORDS).sum())
        lines.append(
            f"| {source} | {short} | {pooled[1][0]:.3f} | {pooled[2][0]:.3f} | {pooled[3][0]:.3f} "
            f"| {np.mean([v for v in per_text if v is not None]):.3f} "
            f"| {np.mean([r for r in ratios if r is not None]):.3f} |"
        )
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("csv", nargs="?", default=str(DEFAULT_CSV))
    ap.add_argument("--json", action="store_true", help="print the full report as JSON")
    args = ap.parse_args()
    csv = Path(args.csv)
    if not csv.is_file():
        sys.exit(f"hanna_diversity: {csv} not found (HANNA lives in ../shared/data/hanna)")
    records = hanna_records(csv)
    report = diversity_report(records)
    if args.json:
        print(json.dumps(report, indent=2, ensure_ascii=False))
        return
    print(markdown_table(report))
    print()
    print(recurrence_lines(report))
    print()
    print(length_controlled(records))
    print()
    cal = calibration(records)
    print("calibration: " + ", ".join(f"{k}={v:.3f}" for k, v in cal.items()))


if __name__ == "__main__":
    main()
