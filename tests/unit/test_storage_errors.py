"""Files that cannot be written or read back give one line naming the file, exit 2, and lose
nothing already written: a corrupt or truncated cache.sqlite (which a resume with every line
present does not even open), a full disk (ENOSPC injected at the write seams: the JSONL
appends, the cache's INSERT, the atomic JSON writes) and a corrupt scores.json in `report`.
After a full disk the same command resumes without paying again for any call it had stored.
Runs use the in-process mock provider; `mock_calls` counts the calls it received."""

from __future__ import annotations

import errno
import sqlite3
from collections import Counter
from pathlib import Path
from typing import IO, Any

import pytest

from benchmark.cli import main
from benchmark.errors import StorageError
from benchmark.records.rundir import JsonlAppender, RunDir
from benchmark.records.schemas import ResponseRecord
from tests.mock_calls import MockCalls

MINI = Path(__file__).parents[1] / "data" / "mini_suite"
SAMPLES = 3
UNIQUE_CALLS = SAMPLES * 8  # per sample: 1 + 3 + 1 model turns, 3 judge calls
ENOSPC = OSError(errno.ENOSPC, "No space left on device")


def _run(out: Path, *extra: str) -> int:
    return main(
        [
            "run",
            "--model",
            "mock/q0.7",
            "--judge",
            "mock/q0.7",
            "--out",
            str(out),
            "--suite",
            str(MINI),
            "--samples",
            str(SAMPLES),
            "--concurrency",
            "1",
            "--no-progress",
            *extra,
        ]
    )


def _one_line(capsys: pytest.CaptureFixture[str]) -> str:
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1, err
    assert "Traceback" not in err[0]
    return err[0]


def _cached(out: Path) -> int:
    with sqlite3.connect(out / "cache.sqlite") as db:
        return int(db.execute("SELECT COUNT(*) FROM completions").fetchone()[0])


def _assert_complete(out: Path) -> None:
    run = RunDir(out)
    keys = Counter((r.task_id, r.sample) for r in run.responses())
    assert len(keys) == 3 * SAMPLES and max(keys.values()) == 1
    jkeys = Counter((j.task_id, j.sample, j.item_id) for j in run.judgments())
    assert len(jkeys) == 9 * SAMPLES and max(jkeys.values()) == 1
    assert run.read_manifest().status == "complete"


# ---------------------------------------------------------------- corrupt cache


def test_corrupt_cache_does_not_block_a_resume_with_every_line(
    mock_calls: MockCalls, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "run"
    assert _run(out) == 0
    db = out / "cache.sqlite"
    db.write_bytes(db.read_bytes()[:3000])  # truncated mid-page
    sent = len(mock_calls())
    capsys.readouterr()
    assert _run(out) == 0, capsys.readouterr().err
    assert len(mock_calls()) == sent
    assert main(["score", str(out), "--suite", str(MINI)]) == 0
    _assert_complete(out)


def test_corrupt_cache_when_calls_remain_names_the_file(
    mock_calls: MockCalls, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "run"
    assert _run(out) == 0
    judgments = out / "judgments.jsonl"
    lines = judgments.read_text().splitlines(keepends=True)
    llm = [i for i, line in enumerate(lines) if '"judge":"mock/q0.7"' in line]
    judgments.write_text("".join(line for i, line in enumerate(lines) if i != llm[-1]))
    db = out / "cache.sqlite"
    db.write_bytes(db.read_bytes()[:3000])
    before = {p.name: p.read_bytes() for p in out.iterdir() if p.name != "manifest.json"}
    sent = len(mock_calls())
    capsys.readouterr()
    assert _run(out) == 2
    line = _one_line(capsys)
    assert f"{db}: not a usable SQLite cache (database disk image is malformed)" in line
    assert f"mv {db} {db}.bad" in line
    assert len(mock_calls()) == sent
    after = {p.name: p.read_bytes() for p in out.iterdir() if p.name != "manifest.json"}
    assert after == before  # nothing lost or changed
    # Moved aside as the message says: the one missing judgment is asked again, nothing else.
    db.rename(out / "cache.sqlite.bad")
    assert _run(out) == 0
    assert len(mock_calls()) == sent + 1
    _assert_complete(out)


# ---------------------------------------------------------------- full disk


class FullDisk:
    """A file whose write `n` (from 0) writes half its text, then fails with ENOSPC: what a
    full disk does to a buffered append."""

    def __init__(self, fh: IO[str], n: int):
        self._fh = fh
        self._left = n

    def write(self, text: str) -> int:
        if self._left == 0:
            self._fh.write(text[: len(text) // 2])
            self._fh.flush()
            raise ENOSPC
        self._left -= 1
        return self._fh.write(text)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._fh, name)


def test_full_disk_at_an_append_stops_with_one_line_and_resumes(
    mock_calls: MockCalls,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    out = tmp_path / "run"
    real_open = Path.open

    def open_(self: Path, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
        fh = real_open(self, mode, *args, **kwargs)
        return FullDisk(fh, 4) if self.name == "responses.jsonl" and mode == "a" else fh

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(Path, "open", open_)
        assert _run(out) == 2
    line = _one_line(capsys)
    assert f"{out / 'responses.jsonl'}: cannot write (No space left on device)" in line
    assert "run the same command to resume" in line
    text = (out / "responses.jsonl").read_text()
    assert text.count("\n") == 4 and not text.endswith("\n")  # 4 lines and a partial one
    cached, sent = _cached(out), len(mock_calls())

    assert _run(out) == 0, capsys.readouterr().err
    _assert_complete(out)
    # Every call that was stored before the disk filled is free on resume.
    assert len(mock_calls()) - sent == UNIQUE_CALLS - cached
    assert RunDir(out).responses()[:4] == [
        ResponseRecord.model_validate_json(x) for x in text.splitlines()[:4]
    ]


class FullDatabase:
    """An SQLite connection whose `n`-th INSERT (from 1) fails as SQLite does on a full disk."""

    def __init__(self, db: sqlite3.Connection, n: int):
        self._db = db
        self._inserts = 0
        self._n = n

    def execute(self, sql: str, *args: Any) -> Any:
        if sql.startswith("INSERT"):
            self._inserts += 1
            if self._inserts == self._n:
                raise sqlite3.OperationalError("database or disk is full")
        return self._db.execute(sql, *args)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._db, name)


def test_full_disk_at_the_cache_stops_new_calls_and_resumes(
    mock_calls: MockCalls,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    out = tmp_path / "run"
    real_connect = sqlite3.connect
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(
            "benchmark.engine.cache.sqlite3.connect",
            lambda *a, **k: FullDatabase(real_connect(*a, **k), 7),
        )
        assert _run(out) == 2
    line = _one_line(capsys)
    assert (
        f"{out / 'cache.sqlite'}: cannot store a completed call (database or disk is full)" in line
    )
    # The 7th call could not be stored; no call was started after it.
    assert len(mock_calls()) == 7
    assert _cached(out) == 6

    assert _run(out) == 0, capsys.readouterr().err
    _assert_complete(out)
    assert len(mock_calls()) == 7 + UNIQUE_CALLS - 6  # only the unstored one again


def test_full_disk_at_scores_keeps_the_old_file(
    mock_calls: MockCalls,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    out = tmp_path / "run"
    assert _run(out) == 0
    old = (out / "scores.json").read_bytes()
    real_write = Path.write_text

    def write_text(self: Path, *args: Any, **kwargs: Any) -> int:
        if self.name == "scores.json.tmp":
            real_write(self, "{ partial")
            raise ENOSPC
        return real_write(self, *args, **kwargs)

    monkeypatch.setattr(Path, "write_text", write_text)
    capsys.readouterr()
    assert main(["score", str(out), "--suite", str(MINI)]) == 2
    assert f"{out / 'scores.json'}: cannot write (No space left on device)" in _one_line(capsys)
    assert (out / "scores.json").read_bytes() == old
    assert not (out / "scores.json.tmp").exists()


def test_appender_after_a_failed_write_appends_nothing(tmp_path: Path) -> None:
    path = tmp_path / "x.jsonl"
    appender = JsonlAppender(path)
    appender._fh = FullDisk(appender._fh, 1)  # type: ignore[assignment]
    record = ResponseRecord(task_id="t", sample=0, model="m", transcript=[], text="hi")
    appender.append(record)
    for _ in range(2):
        with pytest.raises(StorageError, match="No space left on device"):
            appender.append(record)
    appender.close()  # the failure was reported once: closing does not raise again
    text = path.read_text()
    assert text.count("\n") == 1 and not text.endswith("\n")
    JsonlAppender(path).close()  # the next open cuts the partial line
    assert path.read_text().count("\n") == 1 and path.read_text().endswith("\n")


# ---------------------------------------------------------------- report


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{\n  "model": "anthropic/m",\n  "overall": {', "scores.json:(root): Invalid JSON"),
        ('{"model": 3}', "scores.json:model: Input should be a valid string"),
    ],
)
def test_report_with_a_corrupt_scores_file(
    mock_calls: MockCalls,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    content: str,
    message: str,
) -> None:
    out = tmp_path / "run"
    assert _run(out, "--tasks", "story") == 0
    (out / "scores.json").write_text(content)
    for extra in ([], ["--json"]):
        capsys.readouterr()
        assert main(["report", str(out), *extra]) == 2
        line = _one_line(capsys)
        assert message in line
        assert f"musebench score {out}" in line
