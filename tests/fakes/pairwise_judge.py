"""A pairwise-aware fake judge for the loopback servers: it reads the two responses shown, each
carrying a `quality N` marker, and prefers the better one, with deterministic noise.

P(A wins) = sigmoid(spread * (qA - qB)) for every criterion, drawn from a hash of the request
(so a call asked again gives the same answer, and the two orders of a pair are independent
draws). `first_seat_bias` is the probability that the judge answers "A" whatever it sees (a
judge that favours the first seat); `length_bias` adds to A's logit per 100 words A has more than
B (a judge that rewards length); `flaky` is the probability that a call's winner is drawn at
random afresh (a judge whose repeated answers to one request differ: test-retest)."""

from __future__ import annotations

import hashlib
import math
import re
import threading
from collections import Counter
from dataclasses import dataclass
from typing import Any

from .responders import last_user_text, structured_schema

_SHOWN = re.compile(r'<response label="([AB])">\n(.*?)\n</response>', re.DOTALL)
_QUALITY = re.compile(r"quality (-?\d+(?:\.\d+)?)")


def shown_responses(body: dict[str, Any]) -> dict[str, str]:
    return dict(_SHOWN.findall(last_user_text(body)))


def quality_of(text: str) -> float:
    found = _QUALITY.search(text)
    return float(found.group(1)) if found else 0.0


def _uniform(*parts: object) -> float:
    # sha256, not crc32: CRC is linear, so near-identical prompts would draw correlated numbers.
    digest = hashlib.sha256("\x1f".join(map(str, parts)).encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


@dataclass
class PairwiseJudge:
    spread: float = 1.0
    first_seat_bias: float = 0.0
    length_bias: float = 0.0
    tie_band: float = 0.0  # |logit| below this answers "tie"
    flaky: float = 0.0

    def __post_init__(self) -> None:
        # How often each request has been seen: the n-th asking of one request draws afresh,
        # deterministically whatever order the server's threads answer in.
        self._seen: Counter[str] = Counter()
        self._lock = threading.Lock()

    def verdict(self, a: str, b: str, criterion: str, salt: str, n: int = 0) -> dict[str, Any]:
        if self.flaky and _uniform("flaky", salt, criterion, n) < self.flaky:
            pick = ("A", "B", "tie")[int(_uniform("pick", salt, criterion, n) * 3)]
            return {"reason": "Hard to say.", "winner": pick, "margin": 1}
        if _uniform("seat", salt, criterion) < self.first_seat_bias:
            return {"reason": "A reads better.", "winner": "A", "margin": 1}
        logit = self.spread * (quality_of(a) - quality_of(b))
        logit += self.length_bias * (len(a.split()) - len(b.split())) / 100
        if abs(logit) < self.tie_band:
            return {"reason": "Even.", "winner": "tie", "margin": 1}
        p = 1 / (1 + math.exp(-logit))
        winner = "A" if _uniform("win", salt, criterion) < p else "B"
        margin = 1 + min(2, int(abs(logit)))
        return {"reason": f"{winner} is better.", "winner": winner, "margin": margin}

    def __call__(self, body: dict[str, Any]) -> str | dict[str, Any]:
        schema = structured_schema(body)
        shown = shown_responses(body)
        if schema is None or set(shown) != {"A", "B"}:
            return "not a pairwise request"
        salt = last_user_text(body) + str(body.get("temperature"))
        with self._lock:
            n = self._seen[salt]
            self._seen[salt] += 1
        return {
            c: self.verdict(shown["A"], shown["B"], c, salt, n)
            for c in schema.get("properties", {})
        }
