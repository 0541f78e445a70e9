"""Diversity metric primitives against hand-computed values (and scikit-learn for TF-IDF)."""

from __future__ import annotations

import math
import random
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, TfidfVectorizer

from benchmark.analysis.diversity import SlopListError, compression_ratio, load_slop_list
from benchmark.analysis.diversity.ngrams import distinct_n, self_bleu
from benchmark.analysis.diversity.recurrence import names_per_text, recurrence_summary
from benchmark.analysis.diversity.similarity import (
    cross_group_similarity,
    gram,
    group_mean_similarity,
    stop_words,
    tfidf_vectors,
)
from benchmark.analysis.diversity.slop import slop_hits, slop_summary
from benchmark.analysis.diversity.tokens import ngram_ids, tokenise, words
from benchmark.analysis.diversity.vendi import equivalence_classes, vendi_score


def one_group(n: int) -> np.ndarray:
    return np.zeros(n, dtype=np.int64)


def test_words_lowercases_keeps_apostrophes_drops_punctuation() -> None:
    assert words("Don’t stop—the END. o'clock!") == ["don't", "stop", "the", "end", "o'clock"]


def test_tokenise_numbers_words_in_order_of_first_appearance() -> None:
    # Hand-computed: b a b | (empty) | C a don’t -> b=0, a=1, c=2, don't=3.
    tt = tokenise(["b a b", "", "C a don’t"])
    assert tt.vocab == {"b": 0, "a": 1, "c": 2, "don't": 3}
    assert list(tt.vocab) == ["b", "a", "c", "don't"]  # dict order is the id order
    assert tt.ids.dtype == np.int64 and tt.ids.tolist() == [0, 1, 0, 2, 1, 3]
    assert tt.text_of.tolist() == [0, 0, 0, 2, 2, 2] and tt.lengths.tolist() == [3, 0, 3]
    empty = tokenise([])
    assert empty.ids.dtype == np.int64 and empty.ids.tolist() == [] and empty.vocab == {}


def test_ngram_ids_do_not_cross_texts() -> None:
    tt = tokenise(["a b", "c d"])
    text, gram_ids = ngram_ids(tt, 2)[1]
    assert text.tolist() == [0, 1]  # "a b" and "c d", never "b c"
    assert len(set(gram_ids.tolist())) == 2


def test_distinct_n_hand_computed() -> None:
    # one set: "a b a b" + "a c". 1-grams a b a b a c: 3 distinct of 6; 2-grams ab ba ab ac:
    # 3 of 4; 3-grams aba bab: 2 of 2.
    tt = tokenise(["a b a b", "a c"])
    d = distinct_n(ngram_ids(tt, 3), one_group(2), 1)
    assert d == {1: [0.5], 2: [0.75], 3: [1.0]}


def test_distinct_n_per_group_and_empty_group() -> None:
    tt = tokenise(["a a", "b c", "x"])
    d = distinct_n(ngram_ids(tt, 2), np.array([0, 1, -1]), 3)
    assert d[1] == [0.5, 1.0, None]
    assert d[2] == [1.0, 1.0, None]


def _self_bleu(texts: list[str]) -> tuple[list[float | None], np.ndarray]:
    tt = tokenise(texts)
    return self_bleu(ngram_ids(tt, 4), tt.lengths, one_group(len(texts)), 1)


def test_self_bleu_hand_computed() -> None:
    # "the cat sat on the mat" vs "the cat sat on a mat": clipped precisions 5/6, 3/5, 2/4,
    # 1/3 both ways, equal lengths so BP = 1: BLEU = (1/12) ** (1/4).
    group, per_text = _self_bleu(["the cat sat on the mat", "the cat sat on a mat"])
    expected = (5 / 6 * 3 / 5 * 2 / 4 * 1 / 3) ** 0.25
    assert per_text.tolist() == pytest.approx([expected, expected], abs=1e-12)
    assert group[0] == pytest.approx(0.5372849659, abs=1e-9)


def test_self_bleu_smoothing_and_short_texts() -> None:
    # "x y" vs "x z": p1 = 1/2, p2 has no match -> 0.1 / 1; only 2 orders exist.
    group, _ = _self_bleu(["x y", "x z"])
    assert group[0] == pytest.approx(math.sqrt(0.5 * 0.1), abs=1e-12)


def test_self_bleu_brevity_penalty() -> None:
    # "a b" against "a b c d": precisions 1, BP = exp(1 - 4/2). The reverse: BP = 1,
    # p = 2/4, 1/3, 0.1/2, 0.1/1.
    _, per_text = _self_bleu(["a b", "a b c d"])
    assert per_text[0] == pytest.approx(math.exp(-1.0), abs=1e-12)
    assert per_text[1] == pytest.approx((0.5 * (1 / 3) * 0.05 * 0.1) ** 0.25, abs=1e-12)


def test_self_bleu_closest_reference_length_ties_go_to_the_shorter() -> None:
    # hypothesis of 4 tokens, references of 3 and 5: r = 3, so BP = 1 and BLEU = 1 (every
    # n-gram of the hypothesis is in the 5-token reference). Taking r = 5 would give 0.7788.
    _, per_text = _self_bleu(["a b c d", "a b c", "a b c d e"])
    assert per_text[0] == pytest.approx(1.0, abs=1e-12)


def test_self_bleu_needs_two_texts_and_identical_texts_score_one() -> None:
    tt = tokenise(["p q r s", "p q r s", "alone here"])
    group, per_text = self_bleu(ngram_ids(tt, 4), tt.lengths, np.array([0, 0, 1]), 2)
    assert group[0] == pytest.approx(1.0)
    assert group[1] is None
    assert math.isnan(per_text[2])


def test_compression_ratio_joins_with_spaces_and_rewards_repetition() -> None:
    assert compression_ratio(["ab", "cd"]) == compression_ratio(["ab cd"])
    assert compression_ratio([]) is None
    assert compression_ratio(["  "]) is None
    repetitive = compression_ratio(["the same sentence again."] * 40)
    varied = compression_ratio([" ".join(f"w{i}x{i * 7 % 13}" for i in range(200))])
    assert repetitive is not None and varied is not None
    assert repetitive > 10 > varied


def test_vendi_score_worked_properties() -> None:
    assert vendi_score(np.ones((5, 5))) == pytest.approx(1.0)
    assert vendi_score(np.eye(7)) == pytest.approx(7.0)
    # three clusters of two identical items, clusters orthogonal: 3 effective items
    block = np.kron(np.eye(3), np.ones((2, 2)))
    assert vendi_score(block) == pytest.approx(3.0)
    # K = [[1, s], [s, 1]]: eigenvalues of K/2 are (1 +- s)/2; s = 0.5 -> 0.75, 0.25
    h = -(0.75 * math.log(0.75) + 0.25 * math.log(0.25))
    assert vendi_score(np.array([[1.0, 0.5], [0.5, 1.0]])) == pytest.approx(math.exp(h))
    assert math.exp(h) == pytest.approx(1.7547654, abs=1e-6)


def test_equivalence_classes_compare_with_the_first_member_only() -> None:
    # A~B and B~C but not A~C: C cannot join through B, which is not a representative.
    sim = np.array([[1.0, 0.6, 0.1], [0.6, 1.0, 0.6], [0.1, 0.6, 1.0]])
    assert equivalence_classes(sim, 0.5) == [[0, 1], [2]]
    assert equivalence_classes(sim, 0.6) == [[0], [1], [2]]  # strictly above the threshold
    assert len(equivalence_classes(np.ones((4, 4)), 0.5)) == 1


def test_tfidf_matches_scikit_learn() -> None:
    texts = [
        "The lighthouse keeper counted ships.",
        "Ships, ships and more ships passed the lighthouse!",
        "A keeper of bees counted nothing at all.",
        "Bees!",
    ]
    ours = tfidf_vectors(tokenise(texts))
    ref = TfidfVectorizer(
        tokenizer=words,
        lowercase=False,
        token_pattern=None,
        stop_words="english",
        sublinear_tf=True,
    ).fit_transform(texts)
    assert np.allclose((ours @ ours.T).toarray(), (ref @ ref.T).toarray(), atol=1e-6)


def test_stop_word_data_is_scikit_learns_list() -> None:
    assert stop_words() == ENGLISH_STOP_WORDS


@pytest.mark.parametrize("max_rows", [1, 3, 4, 512])
def test_group_grams_are_each_groups_gram(monkeypatch: pytest.MonkeyPatch, max_rows: int) -> None:
    import benchmark.analysis.diversity.similarity as similarity

    monkeypatch.setattr(similarity, "GRAM_BATCH_ROWS", max_rows)
    rng = random.Random(3)
    texts = [" ".join(rng.choice("abcdefghij") * 3 for _ in range(12)) for _ in range(14)]
    v = tfidf_vectors(tokenise(texts))
    groups = [np.array(g) for g in ([0, 1, 2], [3, 4], [5], [6, 7, 8, 9, 10], [11, 12, 13])]
    blocks = list(similarity.group_grams(v, groups))
    assert len(blocks) == len(groups)
    for members, block in zip(groups, blocks, strict=True):
        assert np.array_equal(block, gram(v, members))


def test_tfidf_texts_without_content_words() -> None:
    v = tfidf_vectors(tokenise(["the and of", "it is", "lighthouse"]))
    k = gram(v, np.arange(3))
    assert k.tolist() == [[1.0, 1.0, 0.0], [1.0, 1.0, 0.0], [0.0, 0.0, 1.0]]


def test_group_and_cross_similarity_match_brute_force() -> None:
    rng = np.random.default_rng(3)
    vecs = rng.random((7, 5)).astype(np.float32)
    vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
    groups = np.array([0, 0, 0, 1, 1, 2, -1])
    k = vecs.astype(np.float64) @ vecs.T.astype(np.float64)
    within = group_mean_similarity(vecs, groups, 3)
    assert within[0] == pytest.approx(np.mean([k[0, 1], k[0, 2], k[1, 2]]), abs=1e-6)
    assert within[1] == pytest.approx(k[3, 4], abs=1e-6)
    assert within[2] is None
    cross_pairs = [k[i, j] for i in range(6) for j in range(6) if groups[i] != groups[j]]
    assert cross_group_similarity(vecs, groups, 3) == pytest.approx(np.mean(cross_pairs), abs=1e-6)
    assert cross_group_similarity(vecs, np.array([0, 0, -1, -1, -1, -1, -1]), 1) is None


SMALL_LIST = """\
version: 1
phrases:
  - {text: "a testament to", weight: 3}
  - {text: "tapestr*", weight: 2}
  - {text: "maybe just maybe", weight: 1}
  - {text: "shiver* down * spine", weight: 2}
names:
  - {text: "Vex", weight: 4}
"""


def test_slop_hand_computed(tmp_path: Path) -> None:
    path = tmp_path / "slop.yaml"
    path.write_text(SMALL_LIST)
    slop = load_slop_list(path)
    text = (
        "It was a testament to her tapestries. Maybe, just maybe, Vex would not vex them; "
        "a shiver ran down... no: shivers went down my spine."
    )
    toks = words(text)
    # a testament to (3) + tapestries (2) + maybe just maybe (1) + Vex (4, not "vex") +
    # "shivers went down my spine" does not match (2 words between); 0 for "shiver ran down".
    summary = slop_summary(slop, [text], tokenise([text]))
    assert summary["slop_per_1k"] == pytest.approx(1000 * 10 / len(toks))
    assert len(toks) == 25
    assert {s["text"]: s["hits"] for s in summary["top_slop"]} == {
        "a testament to": 1,
        "tapestr*": 1,
        "maybe just maybe": 1,
        "Vex": 1,
    }
    hits = slop_hits(slop, "Shivers down his spine.", words("Shivers down his spine."))
    assert sum(hits.values()) == 1


def test_slop_list_is_parsed_once_per_file_version(tmp_path: Path) -> None:
    path = tmp_path / "slop.yaml"
    path.write_text(SMALL_LIST)
    first = load_slop_list(path)
    assert load_slop_list(path) is first  # unchanged file: the parsed list is reused
    path.write_text(SMALL_LIST + '  - {text: "Zyx", weight: 1}\n')
    edited = load_slop_list(path)
    assert edited is not first
    assert [e.text for e in edited.entries][-1] == "Zyx"
    path.unlink()
    with pytest.raises(SlopListError, match="cannot read the slop list"):
        load_slop_list(path)


def test_slop_longest_entry_wins_and_hits_do_not_overlap(tmp_path: Path) -> None:
    path = tmp_path / "slop.yaml"
    path.write_text(
        'phrases:\n  - {text: "the air", weight: 1}\n  - {text: "the air was thick with", weight: 5}\n'
    )
    slop = load_slop_list(path)
    toks = words("The air was thick with smoke and the air was cold.")
    hits = slop_hits(slop, "", toks)
    assert sorted((slop.entries[i].text, n) for i, n in hits.items()) == [
        ("the air", 1),
        ("the air was thick with", 1),
    ]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("phrases: [{text: 'a b', weight: 0}]", "phrases[0].weight: expected a positive number"),
        ("phrases: [{weight: 2}]", "phrases[0].text: expected a string"),
        ("phrases: [{text: '* tail', weight: 1}]", "phrases[0].text: must start with a word"),
        ("phrases: [{text: 'a-b', weight: 1}]", "phrases[0].text: 'a-b' is not a word"),
        ("names: [{text: 'Two Words', weight: 1}]", "names[0].text: a name is one word"),
        (
            "phrases: [{text: 'A b', weight: 1}, {text: 'a B', weight: 2}]",
            "phrases[1].text: same pattern as an earlier entry",
        ),
        (
            "names: [{text: Kael, weight: 1}, {text: Kael, weight: 1}]",
            "names[1].text: 'Kael' is listed twice",
        ),
        ("just a string", "expected a mapping"),
        ("phrases: [unclosed", "not valid YAML"),
        ("phrases: {text: a}", "phrases: expected a list"),
        ("phrases: ['a b']", "phrases[0].text: expected a string"),
        ("names: [{text: Kael, weight: true}]", "names[0].weight: expected a positive number"),
        ("other: []", "expected a mapping with 'phrases' and/or 'names' lists"),
    ],
)
def test_bad_slop_list_names_file_and_field(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(content)
    with pytest.raises(SlopListError) as err:
        load_slop_list(path)
    assert str(path) in str(err.value)
    assert message in str(err.value)
    assert "\n" not in str(err.value)


def test_a_slop_list_that_is_a_directory(tmp_path: Path) -> None:
    with pytest.raises(SlopListError, match=f"{tmp_path}: cannot read the slop list"):
        load_slop_list(tmp_path)


def test_shipped_slop_list_loads_with_weights_from_one_to_three() -> None:
    slop = load_slop_list()
    assert len(slop.entries) >= 80
    assert {e.weight for e in slop.entries} == {1.0, 2.0, 3.0}
    texts = ["Elara stood, a testament to resilience."]
    assert slop_summary(slop, texts, tokenise(texts))["slop_per_1k"] == pytest.approx(
        1000 * (3 + 3 + 1) / 6
    )


WILDCARD_LIST = """
phrases:
  - {text: "a * of", weight: 1}
  - {text: "so tapestr*", weight: 2}
  - {text: "so tapestr* *", weight: 1}
  - {text: "of", weight: 1}
  - {text: "the * * end", weight: 3}
"""


@pytest.mark.parametrize("listed", ["shipped", "wildcards"])
def test_slop_summary_finds_what_a_full_scan_finds(tmp_path: Path, listed: str) -> None:
    """slop_summary scans a whole run at once over numpy arrays (slop_scan.py); scanning
    every position of every text with slop_hits must give the same hits. The texts mix
    the list's own words, so phrases start, continue, break off and end texts."""
    path = None
    if listed == "wildcards":  # '*' and a prefix in second place, a one-word entry
        path = tmp_path / "slop.yaml"
        path.write_text(WILDCARD_LIST)
    slop = load_slop_list(path)
    pieces = sorted({w for e in slop.entries for w in e.text.lower().rstrip("*").split()})
    pieces += ["the", "a", "of", "tapestry", "tapestries", "Elara", "", "."]
    rng = random.Random(7)
    texts = [" ".join(rng.choice(pieces) for _ in range(rng.randint(0, 60))) for _ in range(300)]
    texts += ["", "a testament to", "maybe just maybe", "it was a testament"]
    tt = tokenise(texts)
    expected: Counter[int] = Counter()
    for text, toks in zip(texts, tt.tokens, strict=True):
        expected.update(slop_hits(slop, text, toks))  # every position examined
    summary = slop_summary(slop, texts, tt, top=len(slop.entries))
    assert sum(expected.values()) > 300  # the texts really are full of slop
    assert {s["text"]: s["hits"] for s in summary["top_slop"]} == {
        slop.entries[i].text: n for i, n in expected.items()
    }


def test_recurrence_of_openings_and_names() -> None:
    texts = [
        "Once upon a time there was a girl. She met Mirabel at dawn.",
        "Once upon a time there lived a king. Later he met Mirabel too.",
        "The end came early for Osric, and for Mirabel.",
        "Rain fell. Nobody came for Osric.",
    ]
    prompts = ["p1", "p2", "p3", "p3"]
    rec = recurrence_summary(texts, [words(t) for t in texts], prompts)
    # "once upon a time there" opens texts for p1 and p2: 2 of 4 texts.
    assert rec["opening_recurrence"] == pytest.approx(0.5)
    assert rec["top_openings"][0]["opening"] == "once upon a time there"
    assert rec["top_openings"][0]["prompts"] == 2
    # (prompt, name) pairs: Mirabel p1 p2 p3, Osric p3 -> 3 of 4 recur.
    assert rec["name_recurrence"] == pytest.approx(0.75)
    assert [n["name"] for n in rec["top_names"]] == ["Mirabel"]


def test_names_heuristic_skips_sentence_starts_titles_and_common_words() -> None:
    texts = [
        "The Lost Harbour\n\nAt dawn the captain spoke to Captain Ahab and to Mr Pell. "
        "Hope is gone, said Ahab, and he had no hope left. Monday came for Pell.",
    ]
    found = names_per_text(texts)[0]
    # "The", "At", "Hope" start sentences; "Lost"/"Harbour" are in a heading line; Captain,
    # Mr and Monday are on the stop list.
    assert found == {"Ahab", "Pell"}


def _naive_bleu(hyp: list[str], refs: list[list[str]], max_n: int = 4) -> float:
    """Straight from the definition in docs/DIVERSITY.md, one n-gram at a time."""
    from collections import Counter

    def grams(t: list[str], n: int) -> Counter[tuple[str, ...]]:
        return Counter(tuple(t[i : i + n]) for i in range(len(t) - n + 1))

    if not hyp:
        return 0.0
    logs = []
    for n in range(1, max_n + 1):
        h = grams(hyp, n)
        if not h:
            continue
        m = sum(min(c, max(grams(r, n)[g] for r in refs)) for g, c in h.items())
        logs.append(math.log((m or 0.1) / sum(h.values())))
    r = min((len(x) for x in refs), key=lambda k: (abs(k - len(hyp)), k))
    bp = 1.0 if len(hyp) > r else math.exp(1 - r / len(hyp))
    return bp * math.exp(sum(logs) / len(logs))


def test_vectorised_self_bleu_and_distinct_match_naive_definitions() -> None:
    rng = np.random.default_rng(7)
    vocab = ["a", "b", "c", "d", "e", "the", "cat", "sat"]
    for _ in range(60):
        n = int(rng.integers(2, 9))
        texts = [" ".join(rng.choice(vocab, size=int(rng.integers(0, 12)))) for _ in range(n)]
        groups = rng.integers(-1, 3, size=n)
        tt = tokenise(texts)
        grams = ngram_ids(tt, 4)
        per_group, per_text = self_bleu(grams, tt.lengths, groups, 3)
        dist = distinct_n(grams[:3], groups, 3)
        for g in range(3):
            members = [i for i in range(n) if groups[i] == g]
            if len(members) >= 2:
                expected = [
                    _naive_bleu(tt.tokens[i], [tt.tokens[j] for j in members if j != i])
                    for i in members
                ]
                assert per_text[members].tolist() == pytest.approx(expected, abs=1e-9)
                assert per_group[g] == pytest.approx(np.mean(expected), abs=1e-9)
            else:
                assert per_group[g] is None
            for order in (1, 2, 3):
                occ = [
                    tuple(tt.tokens[i][k : k + order])
                    for i in members
                    for k in range(len(tt.tokens[i]) - order + 1)
                ]
                want = len(set(occ)) / len(occ) if occ else None
                assert dist[order][g] == (pytest.approx(want) if want is not None else None)
