"""Benchmark `diversity_report` on SYNTHETIC texts (generated here, not real model output).

    python scripts/bench_diversity.py                      # 5 models x 200 prompts x 5 samples
    python scripts/bench_diversity.py --models 1 --samples 1   # worst case: 1 model, 5,000 prompts

Texts are ~400 words of Zipf-distributed pseudo-words with sentence punctuation and
capitalised names; each prompt has its own topic words and each model its own pet phrases, so
within-prompt similarity, recurrence and slop are non-trivial. Prints wall time of the report
(texts already in memory), its CPU time (all threads), the 1-minute load average (other
jobs on a shared machine inflate wall time) and the process's peak RSS (resource.getrusage, which includes the
interpreter, numpy/scipy/sklearn and the generated texts)."""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmark.analysis.diversity import diversity_report

SYLLABLES = [c + v for c in "bdfghklmnprstvwz" for v in "aeiou"] + list("aeiou")


def _vocabulary(rng: np.random.Generator, size: int) -> list[str]:
    """Pseudo-words, shortest first so that Zipf rank makes frequent words short, as in English."""
    words: set[str] = set()
    while len(words) < size:
        words.add("".join(rng.choice(SYLLABLES, size=rng.integers(1, 5))))
    return sorted(words, key=lambda w: (len(w), w))


def synthetic_records(
    n_texts: int, words: int, n_models: int, samples: int, seed: int
) -> list[tuple[str, str, str]]:
    rng = np.random.default_rng(seed)
    vocab = _vocabulary(rng, 20_000)
    zipf = 1.0 / np.arange(1, len(vocab) + 1)
    zipf /= zipf.sum()
    names = [w.capitalize() for w in _vocabulary(rng, 300)]
    n_prompts = max(1, n_texts // (n_models * samples))
    topics = [rng.choice(len(vocab), size=40, replace=False) for _ in range(n_prompts)]
    pets = [[" ".join(rng.choice(vocab[:2000], size=4)) for _ in range(5)] for _ in range(n_models)]
    records: list[tuple[str, str, str]] = []
    for m in range(n_models):
        for p in range(n_prompts):
            for _ in range(samples):
                if len(records) >= n_texts:
                    break
                ids = rng.choice(len(vocab), size=words, p=zipf)
                topical = rng.random(words) < 0.15
                ids[topical] = rng.choice(topics[p], size=int(topical.sum()))
                toks = [vocab[i] for i in ids]
                for k in rng.choice(words, size=6, replace=False):
                    toks[k] = names[rng.integers(len(names))]
                toks[0] = pets[m][rng.integers(5)]
                sentences, i = [], 0
                while i < len(toks):
                    n = int(rng.integers(8, 20))
                    s = " ".join(toks[i : i + n])
                    sentences.append(s[0].upper() + s[1:] + ".")
                    i += n
                records.append((f"p{p}", f"model-{m}", " ".join(sentences)))
    return records


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--texts", type=int, default=5000)
    ap.add_argument("--words", type=int, default=400)
    ap.add_argument("--models", type=int, default=5)
    ap.add_argument("--samples", type=int, default=5, help="samples per prompt")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    records = synthetic_records(args.texts, args.words, args.models, args.samples, args.seed)
    n_words = sum(len(t.split()) for _, _, t in records)
    start, cpu_start = time.perf_counter(), time.process_time()
    report = diversity_report(records)
    wall, cpu = time.perf_counter() - start, time.process_time() - cpu_start
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        json.dumps(
            {
                "synthetic": True,
                "texts": len(records),
                "mean_words": n_words / len(records),
                "models": len(report),
                "prompts_per_model": next(iter(report.values()))["n_prompts"],
                "samples_per_prompt": args.samples,
                "wall_seconds": round(wall, 2),
                "cpu_seconds": round(cpu, 2),
                "load_average_1min": round(os.getloadavg()[0], 2),
                "peak_rss_mib": round(peak_mib, 1),
            }
        )
    )


if __name__ == "__main__":
    main()
