"""`--max-cost`: a cap on what one command spends, checked before every paid call.

A call is let through only if the dollars spent so far, the most the calls under way can still
cost and the most this call can cost stay within the cap; "the most" is its input as sent plus
an answer at max_tokens (`call_usage`), at list prices with no cache reads. So the cap is never
passed, at the price of stopping a little early. Spending is the priced usage the providers
report, for this command only: cached answers are free, and a resume starts from zero."""

from __future__ import annotations

import math
from collections.abc import Iterable

from ..errors import BudgetReached, UsageError
from ..measure.cost import PriceTable, price_usage
from ..records.schemas import Usage
from .providers.base import GenerateRequest

# About what tokenizers give on English prose; used wherever a request's tokens are estimated.
CHARS_PER_TOKEN = 4


def call_usage(request: GenerateRequest) -> Usage:
    """The tokens of one call at most: its input as sent, its answer at max_tokens."""
    chars = sum(len(b.text) for b in request.system) + sum(len(m.content) for m in request.messages)
    if request.structured is not None:
        chars += len(str(request.structured.schema))
    return Usage(
        input_tokens=math.ceil(chars / CHARS_PER_TOKEN), output_tokens=request.params.max_tokens
    )


def require_price(spec: str, prices: PriceTable, flag: str = "--max-cost") -> None:
    if prices.find(spec) is None:
        raise UsageError(
            f"{flag}: no price for {spec} (add an entry with --prices FILE; "
            "input: 0 and output: 0 for a model that costs nothing)"
        )


class Budget:
    """The running account of one command's spending against its cap, in US dollars."""

    def __init__(self, cap: float, prices: PriceTable):
        self.cap = cap
        self.prices = prices
        self.spent = 0.0
        self.under_way = 0.0  # the most the calls started and not yet answered can cost

    def _dollars(self, spec: str, usage: Usage, batch: bool) -> float:
        dollars = price_usage(spec, usage, self.prices, batch=batch)
        if dollars is None:
            require_price(spec, self.prices)
        return dollars or 0.0

    def reserve(
        self, spec: str, requests: Iterable[GenerateRequest], *, batch: bool = False
    ) -> float:
        """Hold the most `requests` can cost, or raise BudgetReached if that could pass the
        cap. Returns the amount held, to `settle` when they are answered."""
        most = sum(self._dollars(spec, call_usage(r), batch) for r in requests)
        if self.spent + self.under_way + most > self.cap + 1e-12:
            raise BudgetReached(
                f"--max-cost ${self.cap:g}: stopped before a call that could pass it "
                f"(${self.spent:.4f} spent, ${self.under_way:.4f} under way, this call at most "
                f"${most:.4f}); the same command with a higher --max-cost resumes"
            )
        self.under_way += most
        return most

    def settle(self, held: float, spec: str, usage: Usage | None, *, batch: bool = False) -> None:
        """Release `held` and add what was spent (`usage` None: nothing known to be paid)."""
        self.under_way = max(0.0, self.under_way - held)
        if usage is not None:
            self.spent += self._dollars(spec, usage, batch)
