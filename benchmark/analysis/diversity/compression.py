"""Compression ratio (Shaib et al., 2024): how much gzip can shrink a set of texts.

ratio = UTF-8 bytes of the texts joined by single spaces / bytes of their gzip compression
(level 9, mtime 0 so the output is deterministic). Repetitive, homogeneous text compresses
more, so a higher ratio means less diversity. gzip only looks back 32 KiB, so the ratio sees
repetition between texts that sit near each other in the join (within a prompt's samples it
sees all of them; across hundreds of 400-word texts only the neighbouring ~40)."""

from __future__ import annotations

import gzip
from collections.abc import Sequence


def compression_ratio(texts: Sequence[str]) -> float | None:
    """Original size / gzip size of the joined texts; None when there is no text at all."""
    data = " ".join(texts).encode("utf-8")
    if not data.strip():
        return None
    return len(data) / len(gzip.compress(data, compresslevel=9, mtime=0))
