"""The diversity metrics' fast paths against straightforward references kept here.

Tokens (translate + split on ASCII text), slop names (a regex that skips to the names' first
letters) and slop phrases (a numpy walk of the trie over a whole run) are each compared with a
plain transcription of their definition in docs/DIVERSITY.md, on hostile text and on the demo
corpus; then whole reports are compared, every number equal (not approximately), with the
references swapped in for the fast paths (and distinct_n for the pooled distinct-n)."""

from __future__ import annotations

import random
import re
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import scipy.sparse as sp

from benchmark.analysis.diversity import diversity_report, load_records, load_slop_list
from benchmark.analysis.diversity import ngrams as ngrams_module
from benchmark.analysis.diversity import report as report_module
from benchmark.analysis.diversity import similarity as similarity_module
from benchmark.analysis.diversity import tokens as tokens_module
from benchmark.analysis.diversity import vendi as vendi_module
from benchmark.analysis.diversity.ngrams import distinct_n, pooled_ngram_counts
from benchmark.analysis.diversity.similarity import count_matrix, gram, group_grams, tfidf_vectors
from benchmark.analysis.diversity.slop import SlopList, slop_summary
from benchmark.analysis.diversity.tokens import (
    IntArray,
    TokenisedTexts,
    ngram_ids,
    tokenise,
    words,
)
from benchmark.analysis.diversity.vendi import equivalence_classes, vendi_score, vendi_scores

DEMO = sorted((Path(__file__).resolve().parents[2] / "benchmark/data/demo").glob("*.jsonl"))

# ---- references: the definitions, written plainly -------------------------------------------


def ref_words(text: str) -> list[str]:
    """docs/DIVERSITY.md, Tokens: curly apostrophes folded, lowercased, \\w+(?:'\\w+)*."""
    for curly in ("’", "‘", "ʼ"):
        text = text.replace(curly, "'")
    return re.findall(r"\w+(?:'\w+)*", text.lower())


def ref_tokenise(texts: list[str]) -> TokenisedTexts:
    """Each text's ref_words, numbered in order of first appearance with a dict."""
    tokens = [ref_words(t) for t in texts]
    vocab: dict[str, int] = {}
    ids = [vocab.setdefault(w, len(vocab)) for toks in tokens for w in toks]
    lengths = np.array([len(t) for t in tokens], dtype=np.int64)
    return TokenisedTexts(
        ids=np.array(ids, dtype=np.int64),
        text_of=np.repeat(np.arange(len(texts), dtype=np.int64), lengths),
        lengths=lengths,
        vocab=vocab,
    )


def ref_names(slop: SlopList, text: str) -> list[tuple[int, int, str]]:
    """Names: case-sensitive whole words, the longest name first where several could match."""
    names = sorted(slop.name_index, key=len, reverse=True)
    if not names:
        return []
    pattern = re.compile(r"\b(?:" + "|".join(map(re.escape, names)) + r")\b")
    return [(m.start(), m.end(), m.group()) for m in pattern.finditer(text)]


def _part_matches(part: str, token: str) -> bool:
    if part == "*":
        return True
    if part.endswith("*"):
        return token.startswith(part[:-1])
    return token == part


def ref_phrase_entries(slop: SlopList, tokens: Sequence[str]) -> list[int]:
    """Left to right over every position and every entry: the longest entry matching at a
    position (ties: the earlier entry) is a hit, and the scan resumes after it."""
    phrases = [
        (i, e.text.lower().split()) for i, e in enumerate(slop.entries) if e.kind == "phrase"
    ]
    # (entries filed by their first word only to keep the test fast; entry order is kept)
    by_word: dict[str, list[tuple[int, list[str]]]] = {}
    by_prefix = [p for p in phrases if p[1][0].endswith("*")]
    for p in phrases:
        if not p[1][0].endswith("*"):
            by_word.setdefault(p[1][0], []).append(p)
    hits: list[int] = []
    i = 0
    while i < len(tokens):
        best: tuple[int, int] | None = None  # (length, entry)
        for entry, parts in sorted(by_word.get(tokens[i], []) + by_prefix):
            window = tokens[i : i + len(parts)]
            matches = len(window) == len(parts) and all(map(_part_matches, parts, window))
            if matches and (best is None or len(parts) > best[0]):
                best = (len(parts), entry)
        if best is None:
            i += 1
        else:
            hits.append(best[1])
            i += best[0]
    return hits


def ref_slop_summary(
    slop: SlopList, texts: Sequence[str], tt: TokenisedTexts, top: int = 10
) -> dict[str, Any]:
    """slop_summary as first written: one Counter of hits per text, phrases then names."""
    count: Counter[int] = Counter()
    in_texts: Counter[int] = Counter()
    for text, toks in zip(texts, tt.tokens, strict=True):
        hits = Counter(ref_phrase_entries(slop, toks))
        for _, _, name in ref_names(slop, text):
            hits[slop.name_index[name]] += 1
        count.update(hits)
        in_texts.update(hits.keys())
    n_words = int(tt.lengths.sum())
    weighted = sum(slop.entries[i].weight * c for i, c in count.items())
    ranked = sorted(count, key=lambda i: (-slop.entries[i].weight * count[i], slop.entries[i].text))
    return {
        "slop_per_1k": 1000.0 * weighted / n_words if n_words else None,
        "top_slop": [
            {
                "text": slop.entries[i].text,
                "kind": slop.entries[i].kind,
                "weight": slop.entries[i].weight,
                "hits": count[i],
                "texts": in_texts[i],
            }
            for i in ranked[:top]
        ],
    }


def ref_distinct_pooled(tt: TokenisedTexts, grams: Any = None) -> dict[str, Any]:
    """distinct-n of all texts as one group, by distinct_n over the dense n-gram ids of
    ngram_ids (which sorts or counts the ids)."""
    per_n = distinct_n(ngram_ids(tt, 3), np.zeros(tt.n_texts, dtype=np.int64), 1)
    return {f"distinct_{n}": values[0] for n, values in per_n.items()}


# ---- hostile inputs ---------------------------------------------------------------------------

OVERLAPPING_LIST = """\
version: 1
phrases:
  - {text: "a testament to", weight: 3}
  - {text: "a testament", weight: 1}
  - {text: "testament to the", weight: 2}
  - {text: "a * to", weight: 1}
  - {text: "delv*", weight: 3}
  - {text: "delve", weight: 2}
  - {text: "de*", weight: 1}
  - {text: "shiver* down * spine", weight: 3}
  - {text: "maybe just maybe", weight: 3}
  - {text: "just maybe", weight: 1}
  - {text: "the air was thick with", weight: 3}
  - {text: "the air thick with", weight: 3}
  - {text: "the air", weight: 1}
  - {text: "don't * me", weight: 2}
  - {text: "it's important to remember", weight: 2}
  - {text: "café au*", weight: 2}
  - {text: "x * * * y", weight: 1}
names:
  - {text: "Elara", weight: 3}
  - {text: "Kael", weight: 3}
  - {text: "Kaelen", weight: 3}
  - {text: "Zoë", weight: 2}
  - {text: "_x", weight: 1}
  - {text: "R2", weight: 1}
"""

SLOP_WORDS = (
    "a testament to the delve delves de delving shivers shiver down his her spine maybe just"
    " air was thick with don't it's important remember café au aux x y of"
    " Elara ELARA elara Kael Kaelen KaelKael Elara_ _x R2 Zoë Zoëy XElara A The Maybe"
)
PIECES = [
    *SLOP_WORDS.split(" "),
    "İstanbul",
    "straße",
    "ΣΟΦΟΣ",
    "naïve",
    "e\u0301",
    "K",
    "½",
    "٣",
    "𝔘𝔫𝔦",
    "🙂",
    "—",
    "don’t",
    "o‘clock",
    "itʼs",
    "'tis",
    "dogs'",
    "a''b",
    "x'y'z",
    "'",
    "''",
    "_",
    "__a_",
    "1999",
    "3rd",
    "\x00",
    "\x1f",
    "\x7f",
    "\u00a0",
    "\u2028",
    "\t",
    "\r\n",
    "\n\n",
    "...",
]
SEPARATORS = [" ", " ", " ", ", ", ". ", "\n", "—", "-", "'", "’", "", "; ", '!"', "  "]


def hostile_texts(n: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    ascii_noise = [chr(c) for c in range(128)]
    texts = []
    for _ in range(n):
        out = []
        for _ in range(rng.randint(0, 40)):
            roll = rng.random()
            out.append(rng.choice(ascii_noise) if roll < 0.15 else rng.choice(PIECES))
            out.append(rng.choice(SEPARATORS))
        texts.append("".join(out))
    return texts


EDGE_TEXTS = [
    "",
    " ",
    "\n\t ",
    "word",
    "Elara",
    "'",
    "—",
    "🙂🙂",
    "a testament to a testament to a testament to",
    "a testament to the end",  # "a testament to" (longest at 0) hides "testament to the"
    "maybe just maybe just maybe",
    "The air was thick with the air thick with the air.",
    "delve delving de delves",
    "Shivers down his spine; shiver down spine; shivers down the long spine",
    "x 1 2 3 y x 1 2 y",
    "Kaelen and Kael met ElaraElara, Elara_ and _x; R2 said Zoë, not Zoëy.",
    "DON'T tell me, don’t you tell me",
    "It's important to remember — it’s important to remember",
    "Café au lait, CAFÉ AUX",
    "İİİ ΣΟΦΟΣ straße ǅemal",
]


def hostile_records() -> list[tuple[str, str, str]]:
    """Three models: hostile random texts, the edge cases, and one-word texts."""
    records = []
    for i, text in enumerate(hostile_texts(90, seed=3)):
        records.append((f"p{i // 3}", "hostile", text))
    for i, text in enumerate(EDGE_TEXTS):
        records.append((f"p{i % 7}", "edges", text))
    for i, text in enumerate(["a", "delve", "Elara", "", "tapestry", "the", "a"]):
        records.append((f"p{i % 3}", "one-word", text))
    return records


def demo_records() -> list[tuple[str, str, str]]:
    return [rec for path in DEMO for rec in load_records(path).records]


# ---- the comparisons -------------------------------------------------------------------------


def test_demo_corpus_is_there() -> None:
    assert len(DEMO) == 3
    assert len(demo_records()) == 384


@pytest.mark.parametrize("source", ["hostile", "edges", "demo"])
def test_words_are_the_regex_tokens(source: str) -> None:
    if source == "hostile":
        texts = hostile_texts(3000, seed=1)
    elif source == "edges":
        texts = EDGE_TEXTS + [chr(c) * 3 + "a'b" + chr(c) for c in range(256)]
    else:
        texts = [text for _, _, text in demo_records()]
    assert any(text.isascii() for text in texts) and not all(text.isascii() for text in texts)
    for text in texts:
        assert words(text) == ref_words(text), repr(text)


@pytest.mark.parametrize("source", ["hostile", "edges", "demo", "empty"])
def test_tokenise_equals_the_reference(source: str) -> None:
    """Arrow's split and dictionary_encode against words and a dict, id for id."""
    texts = {
        "hostile": hostile_texts(3000, seed=4),
        "edges": [*EDGE_TEXTS, "", " \n", "'", "a", "", "b a"],
        "demo": [text for _, _, text in demo_records()],
        "empty": ["", "— ''"],
    }[source]
    for chosen in (texts, texts[::-1], texts[:1], []):
        fast, ref = tokenise(chosen), ref_tokenise(chosen)
        assert fast.ids.dtype == fast.lengths.dtype == fast.text_of.dtype == np.int64
        assert fast.ids.tolist() == ref.ids.tolist()
        assert fast.text_of.tolist() == ref.text_of.tolist()
        assert fast.lengths.tolist() == ref.lengths.tolist()
        assert list(fast.vocab.items()) == list(ref.vocab.items())
        assert fast.tokens == [ref_words(t) for t in chosen] == ref.tokens
        assert fast.n_texts == len(chosen)


def test_words_fast_path_examples() -> None:
    # The apostrophe rule on the translate path: kept only between two word characters.
    assert words("'Tis the dogs' bone; a''b x'y'z o'clock_") == [
        "tis", "the", "dogs", "bone", "a", "b", "x'y'z", "o'clock_",
    ]  # fmt: skip
    assert words("Don’t—stop “now”") == ["don't", "stop", "now"]  # non-ASCII separators
    # non-ASCII letters: kept through the UTF-8 translate, an apostrophe next to one is inner
    assert words("Café—naïve") == ["café", "naïve"]
    assert words("Café's 'é é' é''ß ÉÉ'x’Ω £5 x·y") == [
        "café's", "é", "é", "é", "ß", "éé'x'ω", "5", "x", "y",
    ]  # fmt: skip
    assert words("İx straße") == ref_words("İx straße")  # "İ" lowers to "i" + a combining dot


def test_no_word_character_is_whitespace_and_ascii_ones_are_the_tables() -> None:
    """What `words` relies on: str.split cuts only at the spaces the table made (no word
    character is whitespace), and the ASCII word characters are the table's [a-z0-9_]."""
    word = re.compile(r"\w")
    assert not [hex(c) for c in range(0x110000) if word.match(chr(c)) and chr(c).isspace()]
    ascii_word = "".join(c for c in map(chr, range(0x80)) if word.match(c))
    assert len(ascii_word) == 10 + 26 + 26 + 1
    assert "".join(sorted(set(ascii_word.lower()))) == "0123456789_abcdefghijklmnopqrstuvwxyz"


@pytest.mark.parametrize("listed", ["shipped", "overlapping"])
def test_names_match_the_plain_regex(tmp_path: Path, listed: str) -> None:
    slop = _slop(tmp_path, listed)
    assert slop.name_re is not None
    texts = hostile_texts(1500, seed=2) + EDGE_TEXTS + [t for _, _, t in demo_records()]
    n_hits = 0
    for text in texts:
        fast = [(m.start(), m.end(), m.group()) for m in slop.name_re.finditer(text)]
        assert fast == ref_names(slop, text), repr(text)
        n_hits += len(fast)
    assert n_hits > 200


@pytest.mark.parametrize("listed", ["shipped", "overlapping"])
@pytest.mark.parametrize("source", ["hostile", "demo"])
def test_slop_summary_matches_the_reference(tmp_path: Path, listed: str, source: str) -> None:
    slop = _slop(tmp_path, listed)
    if source == "hostile":
        texts = hostile_texts(600, seed=4) + EDGE_TEXTS
    else:
        texts = [text for _, _, text in demo_records()]
    tt = tokenise(texts)
    fast = slop_summary(slop, texts, tt, top=len(slop.entries))
    ref = ref_slop_summary(slop, texts, tt, top=len(slop.entries))
    assert fast == ref
    assert sum(s["hits"] for s in ref["top_slop"]) > 40  # the texts do hold slop
    assert list(map(repr, [fast["slop_per_1k"]])) == list(map(repr, [ref["slop_per_1k"]]))


def test_slop_summary_edge_cases_by_hand(tmp_path: Path) -> None:
    slop = _slop(tmp_path, "overlapping")
    texts = [
        "a testament to the end",
        "maybe just maybe just maybe",
        "The air was thick with the air thick with the air.",
        "x 1 2 3 y x 1 2 y",
        "",
    ]
    summary = slop_summary(slop, texts, tokenise(texts), top=len(slop.entries))
    hits = {s["text"]: s["hits"] for s in summary["top_slop"]}
    # "a testament to" wins at 0 (longest; "a * to" ties on length but comes later), so
    # "testament to the" (overlapping it) is not counted; "maybe just maybe" then "just maybe";
    # the three "air" phrases each once; "x * * * y" once (the second x has 2 words to y).
    assert hits == {
        "a testament to": 1,
        "maybe just maybe": 1,
        "just maybe": 1,
        "the air was thick with": 1,
        "the air thick with": 1,
        "the air": 1,
        "x * * * y": 1,
    }


@pytest.mark.parametrize("detail", [False, True])
@pytest.mark.parametrize("source", ["hostile", "demo"])
def test_report_equals_the_reference_report(
    monkeypatch: pytest.MonkeyPatch, source: str, detail: bool
) -> None:
    """Every number of diversity_report (floats equal, not approximately) with the fast paths
    and with the references swapped in for them."""
    records = hostile_records() if source == "hostile" else demo_records()
    fast = diversity_report(records, detail=detail)
    with monkeypatch.context() as patch:
        patch.setattr(tokens_module, "words", ref_words)
        patch.setattr(report_module, "tokenise", ref_tokenise)
        patch.setattr(similarity_module, "count_matrix", ref_count_matrix)
        patch.setattr(report_module, "slop_summary", ref_slop_summary)
        patch.setattr(report_module, "_distinct_pooled", ref_distinct_pooled)
        patch.setattr(report_module, "vendi_scores", lambda ks: [vendi_score(k) for k in ks])
        ref = diversity_report(records, detail=detail)
    assert fast == ref
    assert repr(fast) == repr(ref)  # the same floats, to the last digit, in the same order
    assert len(fast) == 3
    assert any(r["slop_per_1k"] for r in fast.values())


def _slop(tmp_path: Path, listed: str) -> SlopList:
    if listed == "shipped":
        return load_slop_list()
    path = tmp_path / "slop.yaml"
    path.write_text(OVERLAPPING_LIST, encoding="utf-8")
    return load_slop_list(path)


@pytest.mark.parametrize("n", [1, 2, 3, 7, 40, 64, 65, 150])
def test_equivalence_classes_small_sets_as_large_ones(
    monkeypatch: pytest.MonkeyPatch, n: int
) -> None:
    """Up to SMALL_SET items the classes come from Python floats; the numpy loop must agree,
    ties at the threshold included."""
    rng = np.random.default_rng(n)
    sim = rng.choice([0.2, 0.5, np.nextafter(0.5, 1.0), 0.9], size=(n, n))
    sim = np.triu(sim, 1) + np.triu(sim, 1).T + np.eye(n)
    fast = equivalence_classes(sim, 0.5)
    monkeypatch.setattr(vendi_module, "SMALL_SET", -1 if n <= vendi_module.SMALL_SET else n)
    assert equivalence_classes(sim, 0.5) == fast
    if n >= 40:
        assert 1 < len(fast) < n


def test_group_grams_on_the_demo_corpus_are_each_groups_gram() -> None:
    """The batched diagonal blocks equal each group's own gram, float for float."""
    texts = [text for _, _, text in demo_records()]
    tt = tokenise(texts)
    v = tfidf_vectors(tt)
    groups = [np.arange(i, min(i + 3, len(texts))) for i in range(0, len(texts), 3)]
    groups += [np.array([0, 200, 383]), np.arange(100, 140)]
    blocks = list(group_grams(v, groups))
    assert len(blocks) == len(groups)
    for members, block in zip(groups, blocks, strict=True):
        assert np.array_equal(block, gram(v, members))
        assert block.dtype == np.float64


def ref_pooled_counts(tt: TokenisedTexts, max_n: int) -> list[tuple[int, int]]:
    """(distinct n-grams, occurrences) by tuples of words, text by text."""
    out = []
    for n in range(1, max_n + 1):
        grams = [tuple(t[i : i + n]) for t in tt.tokens for i in range(len(t) - n + 1)]
        out.append((len(set(grams)), len(grams)))
    return out


@pytest.mark.parametrize("key_limit", [2**62, 64, 1])
@pytest.mark.parametrize("source", ["hostile", "edges", "demo", "tiny"])
def test_pooled_ngram_counts_are_the_counts_of_word_tuples(
    monkeypatch: pytest.MonkeyPatch, source: str, key_limit: int
) -> None:
    """Also with keys renumbered at every order (a tiny KEY_LIMIT), as a huge vocabulary
    would have them."""
    monkeypatch.setattr(ngrams_module, "KEY_LIMIT", key_limit)
    corpora = {
        "hostile": hostile_texts(400, seed=5),
        "edges": EDGE_TEXTS,
        "demo": [text for _, _, text in demo_records()],
        "tiny": ["", "a", "a b", "a b a b", "", "b a", "a"],
    }
    for texts in (corpora[source], corpora[source][:1], corpora[source][-2:]):
        tt = tokenise(texts)
        assert pooled_ngram_counts(tt, 5) == ref_pooled_counts(tt, 5)
    assert pooled_ngram_counts(tokenise([]), 3) == [(0, 0), (0, 0), (0, 0)]
    # by hand: "a b a b" + "b a": bigrams ab, ba, ab | ba -> 2 distinct of 4
    assert pooled_ngram_counts(tokenise(["a b a b", "b a"]), 3) == [(2, 6), (2, 4), (2, 2)]


def test_stacked_vendi_scores_are_each_matrixs_score() -> None:
    """vendi_scores (one eigvalsh per size) against vendi_score per matrix, float for float:
    the demo corpus's groups (sizes 1 to 40, mixed) and random Gram matrices, some of rank 1."""
    texts = [text for _, _, text in demo_records()]
    v = tfidf_vectors(tokenise(texts))
    groups = [np.arange(i, min(i + 3, len(texts))) for i in range(0, len(texts), 3)]
    groups += [np.array([0, 200, 383]), np.arange(100, 140), np.array([7]), np.arange(5, 10)]
    grams = list(group_grams(v, groups))
    rng = np.random.default_rng(0)
    for size in (1, 2, 3, 3, 5, 3, 8, 2):
        x = rng.normal(size=(size, rng.integers(1, 6)))
        x /= np.linalg.norm(x, axis=1, keepdims=True)
        grams.append(x @ x.T)
    assert len({g.shape[0] for g in grams}) > 5
    fast = vendi_scores(grams)
    assert fast == [vendi_score(g) for g in grams]
    assert repr(fast) == repr([vendi_score(g) for g in grams])
    assert vendi_scores([]) == []
    with pytest.raises(ValueError, match="empty set"):
        vendi_scores([np.ones((2, 2)), np.zeros((0, 0))])


def ref_count_matrix(rows: IntArray, cols: IntArray, shape: tuple[int, int]) -> Any:
    counts = sp.csr_matrix((np.ones(len(rows), dtype=np.float64), (rows, cols)), shape=shape)
    counts.sum_duplicates()
    return counts


def _same_csr(a: Any, b: Any) -> None:
    assert a.shape == b.shape and a.dtype == b.dtype
    assert a.indptr.dtype == b.indptr.dtype and a.indices.dtype == b.indices.dtype
    assert np.array_equal(a.indptr, b.indptr) and np.array_equal(a.indices, b.indices)
    assert a.data.tobytes() == b.data.tobytes()
    assert a.has_canonical_format and b.has_canonical_format


def test_count_matrix_is_scipys_summed_coo_matrix() -> None:
    rng = np.random.default_rng(1)
    for n_rows, n_cols, nnz in [(1, 1, 0), (1, 1, 5), (3, 4, 0), (5, 3, 40), (50, 900, 5000)]:
        rows = rng.integers(0, n_rows, nnz).astype(np.int64)
        cols = rng.integers(0, n_cols, nnz).astype(np.int64)
        for r, c in ((rows, cols), (np.sort(rows), cols)):
            _same_csr(
                count_matrix(r, c, (n_rows, n_cols)), ref_count_matrix(r, c, (n_rows, n_cols))
            )


@pytest.mark.parametrize("source", ["hostile", "edges", "demo"])
def test_tfidf_vectors_equal_the_ones_from_scipys_counts(
    monkeypatch: pytest.MonkeyPatch, source: str
) -> None:
    """The whole TF-IDF matrix, bit for bit, with scipy's construction of the counts swapped
    back in (texts with no content word included: they get the "empty" axis)."""
    texts = {
        "hostile": hostile_texts(600, seed=6),
        "edges": [*EDGE_TEXTS, "the a of", "", "and"],
        "demo": [text for _, _, text in demo_records()],
    }[source]
    tt = tokenise(texts)
    fast = tfidf_vectors(tt)
    monkeypatch.setattr(similarity_module, "count_matrix", ref_count_matrix)
    _same_csr(fast, tfidf_vectors(tt))
