"""Reading a built board (no Streamlit here, so it is testable on its own): the board frame,
its metadata, the rejected bundles, per-task scores and one run's details. A source is a board
folder or `hf://datasets/ORG/NAME[@REV]` (a published board, else the repo's submissions built
into a local cache)."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from benchmark.errors import UsageError

from .files import BOARD_FILE, DETAILS_DIR, META_FILE, REJECTED_FILE, TASKS_FILE
from .hub import download_board, model_slug, parse_hf_source

DATA_ENV = "MUSEBENCH_BOARD_DATA"
CACHE_ENV = "MUSEBENCH_CACHE"


@dataclass(frozen=True)
class BoardData:
    root: Path
    frame: pd.DataFrame
    meta: dict[str, Any]
    rejected: list[dict[str, Any]]
    tasks: pd.DataFrame

    @property
    def dimensions(self) -> list[str]:
        return list(self.meta.get("dimensions", []))

    @property
    def categories(self) -> list[str]:
        return list(self.meta.get("categories", []))


def cache_root() -> Path:
    base = os.environ.get(CACHE_ENV) or os.path.join(Path.home(), ".cache", "musebench")
    return Path(base) / "boards"


def resolve_source(source: str) -> Path:
    """A local board folder for `source` (downloading or building it when it is hf://)."""
    hub = parse_hf_source(source)
    if hub is None:
        root = Path(source)
        if not (root / BOARD_FILE).is_file():
            raise UsageError(
                f"--data: {root} holds no {BOARD_FILE} "
                "(build one with `musebench leaderboard build SOURCE --out DIR`)"
            )
        return root
    cache = cache_root() / model_slug(str(hub).removeprefix("hf://"))
    board = download_board(hub, cache / "published")
    if board is not None:
        return board
    from .build import build_board  # only a Space without a published board builds one

    build_board(source, cache / "built", cache=cache_root().parent)
    return cache / "built"


BOARD_FILES = (BOARD_FILE, META_FILE, REJECTED_FILE, TASKS_FILE)
Signature = tuple[tuple[str, int, int, int], ...]


def board_signature(root: str | Path) -> Signature:
    """What tells one build of the board at `root` from another: each file's inode, mtime and
    size. A rebuild writes new files and swaps the folder in, so every one changes; checking
    costs four stat calls, not a read of the board."""
    out = []
    for name in BOARD_FILES:
        st = (Path(root) / name).stat()
        out.append((name, st.st_ino, st.st_mtime_ns, st.st_size))
    return tuple(out)


def _older_board(frame: pd.DataFrame) -> pd.DataFrame:
    """A board built before runs were split into ranked and unranked and ranked by the rank
    score (a published board may be older than the app): its runs were all ranked on overall."""
    if "ranked" not in frame.columns:
        frame["ranked"] = True
        frame["unranked_reason"] = ""
    for suffix in ("", "_ci_low", "_ci_high"):
        if f"rank_score{suffix}" not in frame.columns and f"overall{suffix}" in frame.columns:
            frame[f"rank_score{suffix}"] = frame[f"overall{suffix}"]
    return frame


def load_board(root: str | Path) -> BoardData:
    root = Path(root)
    meta = json.loads((root / META_FILE).read_text(encoding="utf-8"))
    rejected = json.loads((root / REJECTED_FILE).read_text(encoding="utf-8"))
    return BoardData(
        root=root,
        frame=_older_board(pd.read_parquet(root / BOARD_FILE)),
        meta=meta,
        rejected=rejected,
        tasks=pd.read_parquet(root / TASKS_FILE),
    )


def load_details(root: str | Path, run_key: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(responses, judgments) of one run, for the sample viewer."""
    folder = Path(root) / DETAILS_DIR / run_key
    return (
        pd.read_parquet(folder / "responses.parquet"),
        pd.read_parquet(folder / "judgments.parquet"),
    )


def fmt_ci(score: Any, lo: Any, hi: Any, digits: int = 1) -> str:
    if score is None or pd.isna(score):
        return "—"
    if lo is None or hi is None or pd.isna(lo) or pd.isna(hi):
        return f"{score:.{digits}f}"
    return f"{score:.{digits}f} [{lo:.{digits}f}, {hi:.{digits}f}]"
