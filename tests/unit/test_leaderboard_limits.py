"""Limits (issue 15, Build 6): bundle files over their size limit are rejected before anything
is parsed; a line over the line limit is rejected; a responses.jsonl above stream_above_mib is
verified line by line without being held, with the same outcome as when it is held."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import leaderboard.reading as reading
from benchmark.errors import UsageError
from leaderboard.reading import MIB
from leaderboard.rules import VerificationRules, load_rules, packaged_rules
from leaderboard.verify import BundleRejected, verify_bundle
from tests.leaderboard_helpers import bundle, lines, mini_suites


def rules(**update: object) -> VerificationRules:
    return packaged_rules().model_copy(update=update)


def limits(**files: float) -> VerificationRules:
    return rules(max_file_mib={**packaged_rules().max_file_mib, **files})


def reject(path: Path, r: VerificationRules) -> BundleRejected:
    with pytest.raises(BundleRejected) as info:
        verify_bundle(path, mini_suites(), rules=r)
    return info.value


@pytest.fixture
def honest(tmp_path: Path) -> Path:
    return bundle(tmp_path, "honest", samples=2)


def test_packaged_limits_cover_every_file() -> None:
    assert packaged_rules().max_file_mib == {
        "manifest.json": 1,
        "scores.json": 8,
        "responses.jsonl": 64,
        "judgments.jsonl": 64,
    }
    assert (packaged_rules().max_line_mib, packaged_rules().stream_above_mib) == (8, 16)


def test_rules_without_a_file_limit_are_an_error(tmp_path: Path) -> None:
    data = packaged_rules().model_dump()
    del data["max_file_mib"]["scores.json"]
    path = tmp_path / "rules.yaml"
    path.write_text(json.dumps(data))  # JSON is YAML
    with pytest.raises(UsageError, match="max_file_mib"):
        load_rules(path)


def test_file_over_its_limit_is_rejected_before_parsing(
    honest: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    size = (honest / "responses.jsonl").stat().st_size
    (honest / "responses.jsonl").write_bytes(b"not json " * (size // 9 + 1))  # never read

    def fail(*a: object, **k: object) -> None:
        raise AssertionError("parsed a file over its limit")

    monkeypatch.setattr(reading, "_lines", fail)
    monkeypatch.setattr(reading, "read_model", fail)
    err = reject(honest, limits(**{"responses.jsonl": size / MIB / 2}))
    limit = size / MIB / 2
    assert (err.code, err.reason) == (
        "too_large",
        f"too large: responses.jsonl is {(size // 9 + 1) * 9 / MIB:.1f} MiB, the limit is "
        f"{limit:g} MiB (max_file_mib in the board's verification rules)",
    )


@pytest.mark.parametrize("name", ["manifest.json", "scores.json", "judgments.jsonl"])
def test_every_file_has_its_limit(honest: Path, name: str) -> None:
    size = (honest / name).stat().st_size
    err = reject(honest, limits(**{name: (size - 1) / MIB}))
    assert err.code == "too_large" and err.reason.startswith(f"too large: {name} is ")
    verify_bundle(honest, mini_suites(), rules=limits(**{name: size / MIB}))  # at the limit


def test_line_over_the_line_limit_is_rejected(honest: Path) -> None:
    rows = lines(honest / "responses.jsonl")  # its lines are the bundle's longest
    longest = max(range(len(rows)), key=lambda i: len(rows[i].encode()))
    size = len(rows[longest].encode())  # with its newline
    err = reject(honest, rules(max_line_mib=(size - 1) / MIB))
    assert err.code == "too_large"
    assert err.reason.startswith(f"too large: responses.jsonl:{longest + 1}: a line over ")
    verify_bundle(honest, mini_suites(), rules=rules(max_line_mib=size / MIB))


def test_streamed_responses_verify_as_held_ones(honest: Path) -> None:
    held = verify_bundle(honest, mini_suites())
    streamed = verify_bundle(honest, mini_suites(), rules=rules(stream_above_mib=0))
    assert held.held_responses is not None and streamed.held_responses is None
    assert streamed.scores == held.scores and streamed.judgments == held.judgments
    assert streamed.responses == held.responses  # read again for the build


def test_streamed_responses_are_rederived(honest: Path) -> None:
    path = honest / "responses.jsonl"
    rows = [json.loads(x) for x in lines(path)]
    rows[-1]["text"] = "junk"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    err = reject(honest, rules(stream_above_mib=0))
    assert err.code == "text_mismatch"


def test_chunks_validate_as_the_whole_file(honest: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Lines validated a few at a time: the same records, and a bad line still named."""
    whole = verify_bundle(honest, mini_suites())
    monkeypatch.setattr(reading, "CHUNK_BYTES", 1000)
    assert verify_bundle(honest, mini_suites()).judgments == whole.judgments
    path = honest / "judgments.jsonl"
    rows = lines(path)
    rows[-1] = rows[-1].replace('"points":', '"points":"many","was":', 1)
    path.write_text("".join(rows))
    err = reject(honest, packaged_rules())
    assert err.code == "schema" and err.reason.startswith(f"judgments.jsonl:{len(rows)}:")
