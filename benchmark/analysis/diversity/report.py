"""`diversity_report`: every diversity and mode-collapse metric, per model.

Three views of a model's texts (docs/DIVERSITY.md defines each metric exactly):
- all texts pooled: distinct-n, compression ratio, slop rate, recurrence of openings and names;
- within a prompt: across the samples of one prompt, averaged over the prompts that have at
  least 2 samples (null, with a note, when none has);
- across prompts: the "cross-prompt set", the first sample (lowest sample index, else first
  in input order) of each prompt, so every pair in it comes from different prompts; capped at
  CROSS_PROMPT_CAP texts by a seeded sample. cross_prompt_similarity alone uses every pair of
  texts from different prompts (computed exactly from vector sums, so it needs no cap).

Each model is measured on its own texts only (TF-IDF vocabulary and idf included), so its
numbers do not change when other models are added to the report."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from ...errors import UsageError
from .compression import compression_ratio
from .io import Columns, Record, records_from_frame
from .ngrams import distinct_n, pooled_ngram_counts, self_bleu
from .recurrence import OPENING_WORDS, recurrence_summary
from .similarity import (
    Backend,
    Vectors,
    cross_group_similarity,
    gram,
    group_grams,
    group_mean_similarity,
    parse_backend,
    text_vectors,
)
from .slop import SlopList, load_slop_list, slop_summary
from .tokens import IntArray, TokenisedTexts, ngram_ids, tokenise
from .vendi import equivalence_classes, vendi_score, vendi_scores

DISTINCT_MAX_N = 3
BLEU_MAX_N = 4
CROSS_PROMPT_CAP = 2000
SAMPLE_SEED = 0
# Cosine above which two texts count as "the same" for distinct_k. TF-IDF: see
# docs/DIVERSITY.md for how it was set on HANNA; sentence-transformers: not calibrated here.
DEFAULT_THRESHOLD = {"tfidf": 0.5, "sentence-transformers": 0.9}

WITHIN_KEYS = (
    "distinct_1",
    "distinct_2",
    "distinct_3",
    "compression_ratio",
    "self_bleu",
    "mean_pairwise_similarity",
    "vendi",
    "distinct_k",
    "distinct_k_ratio",
)
# The top-level numbers of a report made with detail=False (plus settings and notes).
HEADLINE_KEYS = (
    "n_texts",
    "n_prompts",
    "samples_per_prompt",
    "n_words",
    "mean_words",
    *(f"distinct_{n}" for n in range(1, DISTINCT_MAX_N + 1)),
    "compression_ratio",
    "mean_pairwise_similarity",
    "cross_prompt_similarity",
    "vendi",
    "distinct_k",
    "slop_per_1k",
)


def _mean(values: Iterable[float | None]) -> float | None:
    vals = [v for v in values if v is not None]
    return float(sum(vals) / len(vals)) if vals else None


def _json_safe(obj: Any) -> Any:
    if isinstance(obj, dict):
        return {str(k): _json_safe(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_json_safe(v) for v in obj]
    if isinstance(obj, np.generic):
        obj = obj.item()
    if isinstance(obj, float) and not math.isfinite(obj):
        return None
    return obj


def _as_records(records: Iterable[Record] | pd.DataFrame) -> list[Record]:
    if isinstance(records, pd.DataFrame):
        return records_from_frame(records, "<DataFrame>", Columns()).records
    out: list[Record] = []
    for i, rec in enumerate(records):
        if not isinstance(rec, tuple | list) or len(rec) != 3:
            raise UsageError(f"records[{i}]: expected (prompt_id, model, text)")
        prompt, model, text = rec
        if not isinstance(text, str):
            raise UsageError(f"records[{i}]: text must be a string, got {type(text).__name__}")
        out.append((str(prompt), str(model), text))
    if not out:
        raise UsageError("records: no rows to measure")
    return out


class _ModelTexts:
    """One model's texts with the group arrays every metric needs."""

    def __init__(self, prompts: Sequence[str], texts: Sequence[str], cap: int) -> None:
        self.texts = list(texts)
        self.prompts = list(prompts)
        index: dict[str, int] = {}
        self.prompt_of = np.array(
            [index.setdefault(p, len(index)) for p in prompts], dtype=np.int64
        )
        self.n_prompts = len(index)
        self.sizes = np.bincount(self.prompt_of, minlength=self.n_prompts)
        self.within = np.where(self.sizes[self.prompt_of] >= 2, self.prompt_of, -1)
        _, first = np.unique(self.prompt_of, return_index=True)
        cross = np.sort(first)
        self.cross_sampled = len(cross) > cap
        if self.cross_sampled:
            rng = np.random.default_rng(SAMPLE_SEED)
            cross = np.sort(rng.choice(cross, size=cap, replace=False))
        self.cross: IntArray = cross.astype(np.int64)
        self.cross_group = np.full(len(self.texts), -1, dtype=np.int64)
        self.cross_group[self.cross] = 0
        self.within_groups = [
            np.flatnonzero(self.prompt_of == g) for g in np.flatnonzero(self.sizes >= 2)
        ]


def _distinct_pooled(
    tt: TokenisedTexts, grams: Sequence[tuple[IntArray, IntArray]] | None = None
) -> dict[str, Any]:
    """distinct-n of all texts pooled, as distinct_n gives it for one group holding every
    text: the same two integers (distinct n-grams, occurrences), so the same float. With the
    n-gram ids of ngram_ids (made anyway for a detailed report), the distinct n-grams are
    (largest id + 1), as ngram_ids numbers them 0, 1, 2, ...; else they are counted."""
    if grams is None:
        counts = pooled_ngram_counts(tt, DISTINCT_MAX_N)
    else:
        counts = [(int(g.max()) + 1 if len(g) else 0, len(g)) for _, g in grams[:DISTINCT_MAX_N]]
    return {
        f"distinct_{n}": distinct / total if total else None
        for n, (distinct, total) in enumerate(counts, start=1)
    }


def _lexical(tt: TokenisedTexts, mt: _ModelTexts, detail: bool) -> dict[str, dict[str, Any]]:
    if not detail:  # the pooled numbers need no n-gram ids
        return {"all": _distinct_pooled(tt), "within": {}, "cross": {}}
    grams = ngram_ids(tt, max(DISTINCT_MAX_N, BLEU_MAX_N))
    out: dict[str, dict[str, Any]] = {"all": _distinct_pooled(tt, grams), "within": {}, "cross": {}}
    for view, groups, n_groups in [
        ("within", mt.within, mt.n_prompts),
        ("cross", mt.cross_group, 1),
    ]:
        dist = distinct_n(grams[:DISTINCT_MAX_N], groups, n_groups)
        for n, per_group in dist.items():
            out[view][f"distinct_{n}"] = _mean(per_group)
    within_bleu, _ = self_bleu(grams[:BLEU_MAX_N], tt.lengths, mt.within, mt.n_prompts)
    cross_bleu, _ = self_bleu(grams[:BLEU_MAX_N], tt.lengths, mt.cross_group, 1)
    out["within"]["self_bleu"] = _mean(within_bleu)
    out["cross"]["self_bleu"] = cross_bleu[0]
    return out


def _semantic(
    vectors: Vectors, mt: _ModelTexts, threshold: float, detail: bool
) -> dict[str, dict[str, float | None]]:
    within_sim = group_mean_similarity(vectors, mt.within, mt.n_prompts)
    classes: list[float | None] = []
    ratios: list[float | None] = []
    grams = list(group_grams(vectors, mt.within_groups))
    vendis: list[float | None] = list(vendi_scores(grams))
    for members, k in zip(mt.within_groups, grams, strict=True):
        n_classes = len(equivalence_classes(k, threshold))
        classes.append(float(n_classes))
        ratios.append(n_classes / len(members))
    within = {
        "mean_pairwise_similarity": _mean(within_sim),
        "vendi": _mean(vendis),
        "distinct_k": _mean(classes),
        "distinct_k_ratio": _mean(ratios),
    }
    cross: dict[str, float | None] = {
        "mean_pairwise_similarity": cross_group_similarity(vectors, mt.prompt_of, mt.n_prompts),
        "vendi": None,
        "distinct_k": None,
        "distinct_k_ratio": None,
    }
    if detail and len(mt.cross) >= 2:
        k = gram(vectors, mt.cross)
        n_classes = len(equivalence_classes(k, threshold))
        cross.update(
            vendi=vendi_score(k),
            distinct_k=float(n_classes),
            distinct_k_ratio=n_classes / len(mt.cross),
        )
    return {"within": within, "cross": cross}


def _within_view(
    lex: dict[str, dict[str, Any]],
    sem: dict[str, dict[str, float | None]],
    mt: _ModelTexts,
) -> dict[str, Any]:
    n_within = len(mt.within_groups)
    within: dict[str, Any] = {}
    if n_within:
        within.update(lex["within"])
        within["compression_ratio"] = _mean(
            compression_ratio([mt.texts[i] for i in g]) for g in mt.within_groups
        )
        within.update(sem["within"])
    return {"n_prompts": n_within, **{k: within.get(k) for k in WITHIN_KEYS}}


def _cross_view(
    lex: dict[str, dict[str, Any]],
    sem: dict[str, dict[str, float | None]],
    mt: _ModelTexts,
) -> dict[str, Any]:
    multi = len(mt.cross) >= 2
    cross: dict[str, Any] = {k: (v if multi else None) for k, v in lex["cross"].items()}
    cross["compression_ratio"] = (
        compression_ratio([mt.texts[i] for i in mt.cross]) if multi else None
    )
    cross.update(sem["cross"])
    return {
        "n_texts": len(mt.cross),
        "sampled": mt.cross_sampled,
        **{k: cross.get(k) for k in WITHIN_KEYS},
    }


def model_report(
    prompts: Sequence[str],
    texts: Sequence[str],
    *,
    backend: Backend,
    threshold: float,
    slop: SlopList,
    cross_prompt_cap: int = CROSS_PROMPT_CAP,
    detail: bool = True,
) -> dict[str, Any]:
    """Every metric for one model's texts (`prompts[i]` is the prompt of `texts[i]`).

    detail=False gives the headline numbers only (HEADLINE_KEYS, with the same values as the
    full report) and skips self-BLEU, the within/cross views, recurrence and the top lists:
    about half the cost, for a leaderboard that measures hundreds of runs."""
    mt = _ModelTexts(prompts, texts, cross_prompt_cap)
    tt = tokenise(mt.texts)
    lex = _lexical(tt, mt, detail)
    sem = _semantic(text_vectors(mt.texts, tt, backend), mt, threshold, detail)
    n_within = len(mt.within_groups)
    slop_part = slop_summary(slop, mt.texts, tt)
    n_words = int(tt.lengths.sum())
    report: dict[str, Any] = {
        "n_texts": len(mt.texts),
        "n_prompts": mt.n_prompts,
        "samples_per_prompt": {
            "min": int(mt.sizes.min()),
            "max": int(mt.sizes.max()),
            "mean": float(mt.sizes.mean()),
        },
        "n_words": n_words,
        "mean_words": n_words / len(mt.texts),
        **lex["all"],
        "compression_ratio": compression_ratio(mt.texts),
        "mean_pairwise_similarity": sem["within"]["mean_pairwise_similarity"],
        "cross_prompt_similarity": sem["cross"]["mean_pairwise_similarity"],
        "vendi": sem["within"]["vendi"],
        "distinct_k": sem["within"]["distinct_k"],
        "slop_per_1k": slop_part["slop_per_1k"],
    }
    if detail:
        within = _within_view(lex, sem, mt)
        rec = recurrence_summary(mt.texts, tt.tokens, mt.prompts)
        report |= {
            "self_bleu": within["self_bleu"],
            "opening_recurrence": rec["opening_recurrence"],
            "name_recurrence": rec["name_recurrence"],
            "within_prompt": within,
            "cross_prompt": _cross_view(lex, sem, mt),
            "top_openings": rec["top_openings"],
            "top_names": rec["top_names"],
            "top_slop": slop_part["top_slop"],
        }
    notes: list[str] = []
    if not n_within:
        notes.append(
            "within-prompt metrics are null: no prompt has 2 or more samples "
            "(self_bleu, mean_pairwise_similarity, vendi and distinct_k compare samples of one "
            "prompt); see cross_prompt for the same measures across prompts"
        )
    if len(mt.cross) < 2:
        notes.append("cross-prompt metrics are null: they need texts for 2 or more prompts")
    if detail and mt.cross_sampled:
        notes.append(
            f"cross-prompt set sampled: {len(mt.cross)} of {mt.n_prompts} prompts "
            f"(seed {SAMPLE_SEED}); cross_prompt_similarity uses every pair"
        )
    report["settings"] = {
        "embeddings": backend.label,
        "equivalence_threshold": threshold,
        "bleu_max_n": BLEU_MAX_N,
        "opening_words": OPENING_WORDS,
        "cross_prompt_cap": cross_prompt_cap,
        "detail": detail,
    }
    report["notes"] = notes
    return report


def diversity_report(
    records: Iterable[Record] | pd.DataFrame,
    *,
    embeddings: str = "tfidf",
    threshold: float | None = None,
    slop_list: str | None = None,
    cross_prompt_cap: int = CROSS_PROMPT_CAP,
    detail: bool = True,
) -> dict[str, dict[str, Any]]:
    """Diversity and mode-collapse metrics per model, JSON-safe (no NaN: undefined is None).

    `records`: (prompt_id, model, text) tuples, or a DataFrame with those columns (and an
    optional `sample` column giving the order of a prompt's samples). Within a prompt, samples
    keep the order given. `detail=False`: the headline numbers only (see model_report)."""
    backend = parse_backend(embeddings)
    if threshold is None:
        threshold = DEFAULT_THRESHOLD[backend.kind]
    if not -1.0 <= threshold <= 1.0:
        raise UsageError(f"--threshold: expected a cosine in [-1, 1], got {threshold}")
    if cross_prompt_cap < 2:
        raise UsageError(f"--cross-prompt-cap: expected at least 2, got {cross_prompt_cap}")
    slop = load_slop_list(slop_list)
    by_model: dict[str, tuple[list[str], list[str]]] = {}
    for prompt, model, text in _as_records(records):
        ps, ts = by_model.setdefault(model, ([], []))
        ps.append(prompt)
        ts.append(text)
    return {
        model: _json_safe(
            model_report(
                ps,
                ts,
                backend=backend,
                threshold=threshold,
                slop=slop,
                cross_prompt_cap=cross_prompt_cap,
                detail=detail,
            )
        )
        for model, (ps, ts) in by_model.items()
    }
