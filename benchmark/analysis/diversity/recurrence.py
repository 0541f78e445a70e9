"""Recurrence across prompts: the same opening words, the same character names.

opening: the first OPENING_WORDS word tokens of a text (tokens.words, lowercased).
opening_recurrence: share of texts whose opening also opens a text written for another prompt.

names: a proper-noun heuristic, not a named-entity model. A capitalised word ([A-Z][a-z]+, at
least 2 letters) is a name candidate where it stands mid-sentence: the previous non-space
character is a letter, a digit, a comma or a semicolon; lines without sentence punctuation
(.!?") of at most 10 words are headings and are skipped. A candidate is a name for a model when
its mid-sentence capitalised uses outnumber its lowercase uses at least 10 to 1 across that
model's texts ("Rose" the character survives, "Hope" next to "hope" does not) and it is not in
benchmark/data/name_stoplist.yaml (titles, days, months, deities, transcript labels). Places
and organisations pass as names too: the heuristic counts proper nouns.
name_recurrence: over the (prompt, name) pairs of a model, the share whose name also appears
in a text for another prompt."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

OPENING_WORDS = 5
NAME_LOWERCASE_RATIO = 10
NAME_STOPLIST = Path(__file__).resolve().parents[2] / "data" / "name_stoplist.yaml"

_CAPITALISED = re.compile(r"\b[A-Z][a-z]+\b")
_SENTENCE_PUNCT = re.compile(r"[.!?\"“”]")
_MID_SENTENCE_PREV = re.compile(r"[A-Za-z0-9,;]")


@lru_cache(maxsize=1)
def name_stoplist() -> frozenset[str]:
    doc = yaml.safe_load(NAME_STOPLIST.read_text(encoding="utf-8"))
    return frozenset(w for group in doc.values() for w in group)


def opening(tokens: Sequence[str]) -> str | None:
    return " ".join(tokens[:OPENING_WORDS]) or None


def mid_sentence_capitalised(text: str) -> Counter[str]:
    """Capitalised words standing mid-sentence in the text, with their counts."""
    found: Counter[str] = Counter()
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped:
            continue
        if not _SENTENCE_PUNCT.search(stripped) and len(stripped.split()) <= 10:
            continue  # a title or heading: title case says nothing about names
        for m in _CAPITALISED.finditer(line):
            before = line[: m.start()].rstrip()
            if before and _MID_SENTENCE_PREV.fullmatch(before[-1]):
                found[m.group(0)] += 1
    return found


def names_per_text(texts: Sequence[str]) -> list[set[str]]:
    """The names each text uses, judged against all the given texts (one model's)."""
    capitalised = [mid_sentence_capitalised(t) for t in texts]
    cap_total: Counter[str] = Counter()
    for c in capitalised:
        cap_total.update(c)
    lower_total: Counter[str] = Counter()
    wanted = {w.lower() for w in cap_total}
    for text in texts:
        lower_total.update(w for w in re.findall(r"\b[a-z]+\b", text) if w in wanted)
    stop = name_stoplist()
    is_name = {
        w
        for w, n in cap_total.items()
        if w not in stop and n >= NAME_LOWERCASE_RATIO * lower_total[w.lower()]
    }
    return [{w for w in c if w in is_name} for c in capitalised]


def _recurring(
    keys_per_text: Sequence[set[str]], prompt_of_text: Sequence[str]
) -> dict[str, set[str]]:
    prompts: dict[str, set[str]] = defaultdict(set)
    for keys, p in zip(keys_per_text, prompt_of_text, strict=True):
        for k in keys:
            prompts[k].add(p)
    return prompts


def recurrence_summary(
    texts: Sequence[str],
    tokens: Sequence[Sequence[str]],
    prompt_of_text: Sequence[str],
    top: int = 10,
) -> dict[str, Any]:
    n_prompts = len(set(prompt_of_text))
    openings = [opening(t) for t in tokens]
    open_sets = [{o} if o else set() for o in openings]
    open_prompts = _recurring(open_sets, prompt_of_text)
    open_texts = Counter(o for o in openings if o)
    with_opening = [o for o in openings if o]
    recurrent_openings = sum(1 for o in with_opening if len(open_prompts[o]) >= 2)

    names = names_per_text(texts)
    name_prompts = _recurring(names, prompt_of_text)
    n_pairs = sum(len(ps) for ps in name_prompts.values())  # (prompt, name) pairs
    recurrent_pairs = sum(len(ps) for ps in name_prompts.values() if len(ps) >= 2)

    def ranked(prompts: dict[str, set[str]]) -> list[str]:
        keep = [k for k, ps in prompts.items() if len(ps) >= 2]
        return sorted(keep, key=lambda k: (-len(prompts[k]), k))[:top]

    return {
        "opening_recurrence": recurrent_openings / len(with_opening) if with_opening else None,
        "name_recurrence": recurrent_pairs / n_pairs if n_pairs else None,
        "top_openings": [
            {
                "opening": o,
                "prompts": len(open_prompts[o]),
                "texts": open_texts[o],
                "prompt_share": len(open_prompts[o]) / n_prompts,
            }
            for o in ranked(open_prompts)
        ],
        "top_names": [
            {
                "name": n,
                "prompts": len(name_prompts[n]),
                "prompt_share": len(name_prompts[n]) / n_prompts,
            }
            for n in ranked(name_prompts)
        ],
        "names_per_text": sum(len(n) for n in names) / len(names) if names else None,
    }
