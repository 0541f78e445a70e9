"""`diversity_report`: structure, JSON safety, within/cross views, backends."""

from __future__ import annotations

import json
import sys
import types
from typing import Any

import numpy as np
import pandas as pd
import pytest

from benchmark.analysis.diversity import HEADLINE_KEYS, EmbeddingsError, diversity_report
from benchmark.errors import UsageError

STORIES = {
    "p1": "The lighthouse keeper counted ships until the fog swallowed the bay.",
    "p2": "A baker in Lyon burned every loaf on the morning her sister returned.",
    "p3": "Snow fell upward in the village, and the children stopped asking why.",
}
VARIED = [
    "Grandmother kept bees behind the chapel and sold honey to sailors.",
    "Our radio picked up a station that played tomorrow's weather.",
    "He mapped the caves by singing and listening for echoes.",
    "Twelve clocks in the museum disagreed about midnight.",
    "She trained crows to bring back lost wedding rings.",
    "The ferry left without passengers, carrying only lanterns.",
    "A chess club met underwater every leap year.",
    "Dust storms erased the border twice each spring.",
    "My neighbour grows violins instead of tomatoes.",
]
REQUIRED = {
    "distinct_2",
    "compression_ratio",
    "mean_pairwise_similarity",
    "cross_prompt_similarity",
    "vendi",
    "distinct_k",
    "slop_per_1k",
    "n_texts",
}


def collapsed_and_varied() -> list[tuple[str, str, str]]:
    """'parrot' repeats one story for every sample of every prompt; 'varied' writes a
    different story for each sample."""
    records = []
    for i, p in enumerate(STORIES):
        for s in range(3):
            records.append((p, "parrot", STORIES["p1"]))
            records.append((p, "varied", VARIED[3 * i + s]))
    return records


def test_report_keys_and_json_safety() -> None:
    report = diversity_report(collapsed_and_varied())
    assert list(report) == ["parrot", "varied"]
    for r in report.values():
        assert set(r) >= REQUIRED
        assert {"distinct_1", "distinct_3", "self_bleu", "within_prompt", "cross_prompt"} <= set(r)
        assert {"opening_recurrence", "name_recurrence", "top_openings", "top_names"} <= set(r)
        json.dumps(r, allow_nan=False)
    assert report["parrot"]["n_texts"] == 9
    assert report["parrot"]["samples_per_prompt"] == {"min": 3, "max": 3, "mean": 3.0}


@pytest.mark.parametrize("one_sample", [False, True])
def test_headline_report_has_the_full_reports_numbers(one_sample: bool) -> None:
    records = collapsed_and_varied()
    if one_sample:  # within-prompt numbers null in both
        records = [r for i, r in enumerate(records) if i % 6 < 2]
    full = diversity_report(records)
    head = diversity_report(records, detail=False)
    for model, r in head.items():
        assert list(r) == [*HEADLINE_KEYS, "settings", "notes"]
        assert {k: r[k] for k in HEADLINE_KEYS} == {k: full[model][k] for k in HEADLINE_KEYS}
        assert r["settings"]["detail"] is False and full[model]["settings"]["detail"] is True
        assert r["notes"] == full[model]["notes"]
        json.dumps(r, allow_nan=False)
    assert set(full["parrot"]) - set(head["parrot"]) == {
        "self_bleu",
        "opening_recurrence",
        "name_recurrence",
        "within_prompt",
        "cross_prompt",
        "top_openings",
        "top_names",
        "top_slop",
    }


def test_collapsed_model_hits_the_floor_of_every_metric() -> None:
    r = diversity_report(collapsed_and_varied())["parrot"]
    assert r["mean_pairwise_similarity"] == pytest.approx(1.0)
    assert r["cross_prompt_similarity"] == pytest.approx(1.0)
    assert r["self_bleu"] == pytest.approx(1.0)
    assert r["vendi"] == pytest.approx(1.0)
    assert r["distinct_k"] == 1.0
    assert r["cross_prompt"]["vendi"] == pytest.approx(1.0)
    assert r["cross_prompt"]["distinct_k"] == 1.0
    assert r["opening_recurrence"] == 1.0
    # the story has 11 words, 9 of them distinct ("the" thrice), and is repeated 9 times
    assert r["distinct_1"] == pytest.approx(9 / (9 * 11))
    v = diversity_report(collapsed_and_varied())["varied"]
    assert v["vendi"] == pytest.approx(3.0) and v["distinct_k"] == 3.0  # no shared content word
    assert v["mean_pairwise_similarity"] == pytest.approx(0.0, abs=1e-6)
    assert v["distinct_2"] == 1.0 and v["self_bleu"] < 0.1


def test_one_sample_per_prompt_gives_null_within_metrics_with_a_note() -> None:
    records = [(p, "m", t) for p, t in STORIES.items()]
    r = diversity_report(records)["m"]
    for key in ("self_bleu", "mean_pairwise_similarity", "vendi", "distinct_k"):
        assert r[key] is None
        assert r["within_prompt"][key] is None
    assert r["within_prompt"]["n_prompts"] == 0
    assert any("within-prompt metrics are null" in n for n in r["notes"])
    assert r["cross_prompt"]["n_texts"] == 3
    assert r["cross_prompt"]["distinct_k"] == 3.0
    assert r["cross_prompt_similarity"] is not None


def test_single_prompt_gives_null_cross_metrics() -> None:
    r = diversity_report([("p", "m", STORIES["p1"]), ("p", "m", STORIES["p2"])])["m"]
    assert r["cross_prompt_similarity"] is None
    assert r["cross_prompt"]["vendi"] is None
    assert r["vendi"] is not None
    assert any("cross-prompt metrics are null" in n for n in r["notes"])


def test_a_model_is_measured_on_its_own_texts_only() -> None:
    records = collapsed_and_varied()
    alone = diversity_report([r for r in records if r[1] == "varied"])["varied"]
    together = diversity_report(records)["varied"]
    assert alone == together


def test_cross_prompt_set_is_first_sample_per_prompt_and_capped() -> None:
    records = [(f"p{i}", "m", f"story {i} about thing{i} and place{i}") for i in range(6)]
    records += [(f"p{i}", "m", "a second sample") for i in range(6)]
    r = diversity_report(records, cross_prompt_cap=4)["m"]
    assert r["cross_prompt"]["n_texts"] == 4 and r["cross_prompt"]["sampled"] is True
    assert any("sampled: 4 of 6 prompts" in n for n in r["notes"])
    full = diversity_report(records)["m"]["cross_prompt"]
    # the first samples are all different; the second samples (all identical) stay out
    assert full["distinct_k"] == 6.0 and full["sampled"] is False


def test_dataframe_input_orders_samples_by_sample_column() -> None:
    df = pd.DataFrame(
        {
            "prompt_id": [1, 1, 2, 2],
            "model": ["m"] * 4,
            "text": ["second one here", "first words", "other prompt text", "beta gamma"],
            "sample": [1, 0, 0, 1],
        }
    )
    r = diversity_report(df)["m"]
    assert r["top_openings"] == []
    assert r["n_prompts"] == 2
    # the cross-prompt set holds sample 0 of each prompt: "first words", "other prompt text"
    assert r["cross_prompt"]["distinct_1"] == pytest.approx(5 / 5)


def test_threshold_controls_distinct_k() -> None:
    records = [("p", "m", "red fox jumps high"), ("p", "m", "red fox jumps low")]
    assert diversity_report(records)["m"]["distinct_k"] == 1.0  # cosine ~0.75 > 0.5
    assert diversity_report(records, threshold=0.95)["m"]["distinct_k"] == 2.0


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"embeddings": "word2vec"}, "--embeddings: unknown backend 'word2vec'"),
        ({"threshold": 1.5}, "--threshold"),
        ({"cross_prompt_cap": 1}, "--cross-prompt-cap"),
    ],
)
def test_bad_options_are_usage_errors(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(UsageError, match=message):
        diversity_report([("p", "m", "text")], **kwargs)


def test_bad_records_are_usage_errors() -> None:
    with pytest.raises(UsageError, match="no rows"):
        diversity_report([])
    with pytest.raises(UsageError, match=r"records\[1\]: text must be a string"):
        diversity_report([("p", "m", "ok"), ("p", "m", 3)])  # type: ignore[list-item]


def test_sentence_transformers_missing_is_a_one_line_usage_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "sentence_transformers", None)  # import fails
    with pytest.raises(EmbeddingsError, match=r"pip install 'musebench\[embeddings\]'"):
        diversity_report([("p", "m", "a"), ("p", "m", "b")], embeddings="sentence-transformers")


def test_sentence_transformers_backend_uses_the_encoder(monkeypatch: pytest.MonkeyPatch) -> None:
    """A stand-in module with the real package's API (no weights): letter-count vectors."""
    loaded: list[str] = []

    class FakeEncoder:
        def __init__(self, name: str) -> None:
            loaded.append(name)

        def encode(self, texts: list[str], normalize_embeddings: bool = False) -> np.ndarray:
            vecs = np.array([[t.count(c) for c in "abcdefghij"] for t in texts], dtype=float)
            assert normalize_embeddings
            return vecs / np.linalg.norm(vecs, axis=1, keepdims=True)

    fake = types.ModuleType("sentence_transformers")
    fake.SentenceTransformer = FakeEncoder  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "sentence_transformers", fake)
    records = [("p", "m", "aaa bbb"), ("p", "m", "aaa bbb"), ("p", "m", "jjj iii")]
    r = diversity_report(records, embeddings="sentence-transformers:tiny-test")["m"]
    assert loaded == ["tiny-test"]
    assert r["settings"]["embeddings"] == "sentence-transformers:tiny-test"
    assert r["settings"]["equivalence_threshold"] == 0.9
    assert r["mean_pairwise_similarity"] == pytest.approx(1 / 3)  # pairs: 1, 0, 0
    assert r["distinct_k"] == 2.0


def test_dataframe_with_mixed_prompt_types_names_the_column() -> None:
    df = pd.DataFrame({"prompt_id": [1, "b"], "model": ["m", "m"], "text": ["x", "y"]})
    with pytest.raises(UsageError, match=r"<DataFrame>: column 'prompt_id' mixes value types"):
        diversity_report(df)
