"""The records pairwise comparison reads and writes (formats in docs/PAIRWISE.md)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from ...records.schemas import Usage

Winner = Literal["A", "B", "tie"]
Order = Literal["ab", "ba"]  # ab: run_a shown as A; ba: run_b shown as A
Preferred = Literal["run_a", "run_b", "tie"]
OVERALL = "overall"


class ComparisonRecord(BaseModel):
    """One line of comparisons.jsonl: one criterion of one judge call on one ordered pair."""

    model_config = ConfigDict(extra="forbid")
    task_id: str
    sample: int = Field(ge=0)  # run_a's response sample
    sample_b: int = Field(ge=0)  # run_b's response sample (= sample unless all sample pairs)
    run_a: str  # run_id; run_a is the run listed first on the command line
    run_b: str
    model_a: str
    model_b: str
    order: Order
    criterion: str
    judge: str
    judge_sample: int = 0  # K > 1 draws of one comparison (test-retest) are numbered from 0
    winner: Winner | None = None  # as the judge wrote it: A is always the response shown first
    margin: int | None = Field(default=None, ge=1, le=3)
    reason: str = ""
    # The judge's winner in terms of runs (order undone); None when there is no verdict.
    preferred: Preferred | None = None
    words_a: int = 0  # length of run_a's response (words of its text, before truncation)
    words_b: int = 0
    # sha256 of each response's text (before truncation): which response the judge saw, so a
    # published comparison can be checked against the run bundle's responses (docs/LEADERBOARD.md).
    sha256_a: str | None = None
    sha256_b: str | None = None
    truncated: bool = False
    error: str | None = None
    usage: Usage | None = None  # on the first criterion line of each call only


class RunRef(BaseModel):
    model_config = ConfigDict(extra="forbid")
    path: str
    run_id: str
    model: str


class PairwiseManifest(BaseModel):
    """DIR/pairwise.json: what the comparisons in DIR were made with. A resume must match it."""

    model_config = ConfigDict(extra="forbid")
    schema_version: int = 1
    suite_version: str
    runs: list[RunRef]
    judge: str
    judge_endpoint: str | None = None
    judge_params: dict[str, Any]
    sample_pairs: Literal["same", "all"] = "same"
    truncate: bool = False
    judge_samples: int = 1


class RatingCI(BaseModel):
    model_config = ConfigDict(extra="forbid")
    rating: float
    ci_low: float
    ci_high: float


class RunRating(BaseModel):
    model_config = ConfigDict(extra="forbid")
    model: str
    run_id: str
    rating: float
    ci_low: float
    ci_high: float
    lc_rating: float  # length-controlled
    lc_ci_low: float
    lc_ci_high: float
    comparisons: int  # pair outcomes (both orders folded) this run took part in
    anchor: bool = False


class PositionStats(BaseModel):
    """How the judge's verdicts move with the order the responses are shown in."""

    model_config = ConfigDict(extra="forbid")
    pairs: int  # pairs with a verdict in both orders
    flip_rate: float  # share of those whose preferred run changes with the order
    flip_ci_low: float
    flip_ci_high: float
    first_seat_win_rate: float  # of decisive single-order verdicts, share won by the A seat
    first_seat_ci_low: float
    first_seat_ci_high: float


class RatingsFile(BaseModel):
    """DIR/ratings.json."""

    model_config = ConfigDict(extra="forbid")
    schema_version: int = 1
    judge: str
    criterion: str
    method: dict[str, Any]
    anchors: dict[str, float]  # run_id -> the rating it is fixed at
    runs: list[RunRating]
    position: PositionStats
    length_coefficient: float  # the length term of the LC fit (logit per unit of tanh length)


# --------------------------------------------------------------------------- bias card


class RateCI(BaseModel):
    """A share with its 95% CI; all None when there is nothing to count (n = 0)."""

    model_config = ConfigDict(extra="forbid")
    rate: float | None
    ci_low: float | None
    ci_high: float | None
    n: int

    @classmethod
    def of(cls, values_by_task: dict[str, list[float]], resamples: int, seed: int) -> RateCI:
        n = sum(len(v) for v in values_by_task.values())
        if n == 0:
            return cls(rate=None, ci_low=None, ci_high=None, n=0)
        from .bootstrap import boot_mean_ci  # numpy only when a card is computed

        rate, low, high = boot_mean_ci(values_by_task, resamples, seed)
        return cls(rate=rate, ci_low=low, ci_high=high, n=n)


class LengthBias(BaseModel):
    model_config = ConfigDict(extra="forbid")
    padded_win_rate: RateCI  # of decisive single-order verdicts, the share won by the padded copy
    tie_rate: float  # of all single-order verdicts


class FamilyBias(BaseModel):
    model_config = ConfigDict(extra="forbid")
    family: str
    family_runs: list[str]
    win_rate: RateCI  # the family run's share of cross-family pair outcomes (a tie is 1/2)
    # The same share predicted by the runs' own rubric task scores (None without scores.json):
    # a win rate well above it is the judge preferring its own family.
    rubric_win_rate: float | None


class BiasCard(BaseModel):
    model_config = ConfigDict(extra="forbid")
    schema_version: int = 1
    judge: str
    judge_family: str
    runs: list[str]
    position: PositionStats
    length: LengthBias
    family: FamilyBias | None
    retest_samples: int
    retest_agreement: RateCI | None  # share of calls whose K verdicts all name the same winner
