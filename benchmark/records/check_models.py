"""Parameters of the form, text and revision checks (members of `schemas.Check`).

A check's verdict is True when the *item's text* is true, so a check may sit on a negative item
whose text is a failure ("Uses a stock phrase"). Positive conditions require presence: no check
here is met by an empty response unless its condition is genuinely true of an empty text (only
`regex` with `mode: none`, meant for negative items phrased as an absence). What each check
counts is defined in the module that runs it (checks_form, checks_text, checks_revision) and in
docs/RUBRIC_GUIDE.md."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

from ..analysis.letters import fold_accents
from ..analysis.regex_guard import UnsafePatternError, compile_guarded, flag_bits
from ..analysis.sentences import sentence_spans


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _check_bounds(lo: float | None, hi: float | None) -> None:
    if lo is not None and hi is not None and lo > hi:
        raise ValueError(f"min {lo} is greater than max {hi}")


# --------------------------------------------------------------------------- text


class CharactersCheck(_Strict):
    """Met when every character of `present` occurs in the response and none of `absent` does.

    A listed letter without an accent also matches its accented forms ("e" matches "é");
    case is ignored unless `case_sensitive`. `present` is required because an absence alone is
    true of an empty response: a lipogram is the failure item "Uses the letter e" (negative
    points, `present: e`), and a univocalic adds `absent` ("present: a, absent: eiou")."""

    type: Literal["characters"]
    present: str = Field(min_length=1)  # each of these characters must occur
    absent: str = ""  # none of these may occur
    case_sensitive: bool = False

    @field_validator("present", "absent")
    @classmethod
    def _no_whitespace(cls, v: str) -> str:
        if any(c.isspace() for c in v):
            raise ValueError("list characters without spaces or line breaks (e.g. 'eiou')")
        return v

    @model_validator(mode="after")
    def _disjoint(self) -> CharactersCheck:
        def norm(s: str) -> set[str]:
            return set(s if self.case_sensitive else s.lower())

        both = norm(self.present) & norm(self.absent)
        if both:
            raise ValueError(f"{''.join(sorted(both))!r} cannot be both present and absent")
        return self


class RegexCheck(_Strict):
    """A regular expression matched line by line (so `^` and `$` are a line's ends).

    - `any`: met when some line of the response contains a match (evidence: the first match).
    - `none`: met when no line does. True of an empty response: for negative items phrased as
      an absence ("The letter is not signed").
    - `all_lines`: met when every line of the poem (benchmark.analysis.verse) contains a match, and there
      is at least one line (evidence when not met: the first line without one).
    The pattern is rejected at load time when its matching time is not bounded (see
    benchmark.analysis.regex_guard)."""

    type: Literal["regex"]
    mode: Literal["any", "none", "all_lines"]
    flags: list[Literal["ignorecase", "ascii", "verbose"]] = Field(default_factory=list)
    pattern: str = Field(min_length=1)  # after `flags`, so its validator sees them

    @field_validator("pattern")
    @classmethod
    def _safe(cls, v: str, info: ValidationInfo) -> str:
        try:
            compile_guarded(v, flag_bits(info.data.get("flags", [])))
        except UnsafePatternError as err:
            raise ValueError(str(err)) from None
        return v


class AnyPhrasesCheck(_Strict):
    """Met when at least one phrase occurs (case-insensitive, whole words, as banned_phrases
    matches them): for negative items such as "Uses a stock phrase"."""

    type: Literal["any_phrases"]
    phrases: list[str] = Field(min_length=1)

    @field_validator("phrases")
    @classmethod
    def _not_blank(cls, v: list[str]) -> list[str]:
        if any(not p.strip() for p in v):
            raise ValueError("a phrase cannot be blank")
        return v


class DialogueShareCheck(_Strict):
    """Met when the share of the response's words that are dialogue is within the bounds
    (fractions of 1). What counts as dialogue: checks_text. A response with no words meets
    neither bound (the share of nothing is undefined)."""

    type: Literal["dialogue_share"]
    min: float | None = Field(default=None, ge=0.0, le=1.0)
    max: float | None = Field(default=None, ge=0.0, le=1.0)

    @model_validator(mode="after")
    def _some_bound(self) -> DialogueShareCheck:
        if self.min is None and self.max is None:
            raise ValueError("dialogue_share needs min or max")
        _check_bounds(self.min, self.max)
        return self


class SlopRateCheck(_Strict):
    """Met when the weighted hits of a phrase list per 1,000 words are *above* `above_per_1k`.

    It belongs on negative items ("Uses stock phrasing at more than 4 weighted hits per 1,000
    words"): a positive "at most N" item would be an upper bound, which the design forbids.
    `list`: `slop` is the weighted list `musebench diversity` uses (benchmark/data/
    slop_phrases.yaml); `ei_boilerplate` the validation boilerplate of emotional-support
    replies (benchmark/data/ei_boilerplate.yaml). An empty response has no hits: not met.
    `min_weight` keeps a short form fair: in a 17-word haiku one stock phrase is 59 per 1,000
    words, so the item can also require a total weight of hits before a rate counts."""

    type: Literal["slop_rate"]
    above_per_1k: float = Field(ge=0.0)
    min_weight: float = Field(default=0.0, ge=0.0)
    list: Literal["slop", "ei_boilerplate"] = "slop"


# --------------------------------------------------------------------------- form


class LineCountCheck(_Strict):
    """Met when the poem's line count (benchmark.analysis.verse) is within the bounds. `min` is
    required and at least 1, so an empty response never meets it."""

    type: Literal["line_count"]
    min: int = Field(ge=1)
    max: int | None = Field(default=None, ge=1)

    @model_validator(mode="after")
    def _ordered(self) -> LineCountCheck:
        _check_bounds(self.min, self.max)
        return self


class StanzaShapeCheck(_Strict):
    """Met when the poem has exactly `stanzas` stanzas and each has the lines `lines` gives:
    one number for every stanza, or a list with one number per stanza."""

    type: Literal["stanza_shape"]
    stanzas: int = Field(ge=1)
    lines: int | list[int]

    @model_validator(mode="after")
    def _shape(self) -> StanzaShapeCheck:
        counts = self.lines if isinstance(self.lines, list) else [self.lines]
        if any(n < 1 for n in counts):
            raise ValueError("lines: every stanza has at least 1 line")
        if isinstance(self.lines, list) and len(self.lines) != self.stanzas:
            raise ValueError(
                f"lines: {len(self.lines)} numbers given for {self.stanzas} stanzas "
                "(give one per stanza, or a single number for all)"
            )
        return self


class SyllablesCheck(_Strict):
    """Met when each line of the poem (or of `line_range`) has its syllable count, give or
    take `tolerance`. `per_line` gives one count per line, in order (the range must then have
    exactly that many lines), or a single count that every line must have. Syllables come from
    the CMU Pronouncing Dictionary, with a rule for words it lacks (benchmark.analysis.syllables)."""

    type: Literal["syllables"]
    per_line: list[int] = Field(min_length=1)
    tolerance: int = Field(default=0, ge=0)
    # 1-based, inclusive: [first, last]. None: every line of the poem.
    line_range: tuple[int, int] | None = None

    @model_validator(mode="after")
    def _consistent(self) -> SyllablesCheck:
        if any(n < 1 for n in self.per_line):
            raise ValueError("per_line: every count is at least 1")
        if self.line_range is not None:
            first, last = self.line_range
            if first < 1 or last < first:
                raise ValueError("line_range: [first, last] with 1 <= first <= last")
            if len(self.per_line) > 1 and len(self.per_line) != last - first + 1:
                raise ValueError(
                    f"per_line: {len(self.per_line)} counts for the {last - first + 1} lines "
                    "of line_range"
                )
        return self


class AcrosticCheck(_Strict):
    """Met when the poem has one line per letter of `word` (spaces and punctuation in it are
    ignored) and each line's first letter is that letter (case and accents ignored)."""

    type: Literal["acrostic"]
    word: str = Field(min_length=1)

    @field_validator("word")
    @classmethod
    def _has_letters(cls, v: str) -> str:
        if not any(c.isalpha() for c in v):
            raise ValueError("the acrostic word needs at least one letter")
        return v

    @property
    def letters(self) -> str:
        return "".join(c for c in fold_accents(self.word).lower() if c.isalpha())


class AlphabeticalStartsCheck(_Strict):
    """Met when the response has exactly 26 units (sentences or lines) whose first letters run
    through the alphabet in order from `start`, wrapping from Z to A."""

    type: Literal["alphabetical_starts"]
    start: str = Field(default="a", pattern=r"^[A-Za-z]$")
    unit: Literal["sentence", "line"] = "sentence"


class RefrainCheck(_Strict):
    """Met when line `line` of the poem returns at every line in `repeats_at` (1-based).
    `verbatim`: the same words and internal punctuation (case and the line's trailing
    punctuation ignored); otherwise the same words only (all punctuation ignored)."""

    type: Literal["refrain"]
    line: int = Field(ge=1)
    repeats_at: list[int] = Field(min_length=1)
    verbatim: bool = True

    @model_validator(mode="after")
    def _positions(self) -> RefrainCheck:
        if any(n < 1 for n in self.repeats_at):
            raise ValueError("repeats_at: line numbers start at 1")
        if len(set(self.repeats_at)) != len(self.repeats_at):
            raise ValueError("repeats_at: a line is listed twice")
        if self.line in self.repeats_at:
            raise ValueError("repeats_at: cannot include the refrain's own line")
        return self


class RhymeCheck(_Strict):
    """Met when the poem (benchmark.analysis.verse) has exactly one line per letter of `scheme` and its
    line endings make at least `min_share` of the rhymes the scheme needs, no two letters on one
    sound.

    `scheme`: letters, one per line ("ABAB CDCD EFEF GG"; case ignored); lines given the same
    letter must rhyme. Spaces are for the reader only: stanza breaks are `stanza_shape`'s to
    check, so one flaw is not charged twice. A letter on k lines needs k - 1 rhymes, and a line
    off its letter's sound misses one; a letter used once is unrhymed. What rhymes (the CMU
    dictionary, a spelling rule for other words, refrains, a word with itself): benchmark.analysis.rhymes.
    `min_share` (default all) lets an item accept a near rhyme or two, stated in its text."""

    type: Literal["rhyme"]
    scheme: str
    min_share: float = Field(default=1.0, gt=0.0, le=1.0)

    @field_validator("scheme")
    @classmethod
    def _letters(cls, v: str) -> str:
        if not v.strip() or any(not (c.isascii() and c.isalpha()) for c in v if c != " "):
            raise ValueError("a scheme is letters A to Z, spaces between stanzas ('ABAB CDCD')")
        letters = v.replace(" ", "").upper()
        if len(set(letters)) == len(letters):
            raise ValueError("no letter is used twice: the scheme asks for no rhyme")
        return v

    @property
    def letters(self) -> str:
        return self.scheme.replace(" ", "").upper()


# --------------------------------------------------------------------------- revision


class UnchangedOutsideCheck(_Strict):
    """For revision tasks: met when at least `min_share` of the sentences of `original` that do
    not overlap `target` (the span the user asked to change, a verbatim substring of
    `original`) appear unchanged in the response. How sentences are aligned: checks_revision."""

    type: Literal["unchanged_outside"]
    original: str = Field(min_length=1)
    target: str = Field(min_length=1)
    min_share: float = Field(gt=0.0, le=1.0)

    @model_validator(mode="after")
    def _target_in_original(self) -> UnchangedOutsideCheck:
        n = self.original.count(self.target)
        if n != 1:
            where = "does not occur" if n == 0 else f"occurs {n} times"
            raise ValueError(f"target {where} in original (it must occur exactly once)")
        start = self.original.index(self.target)
        end = start + len(self.target)
        if all(s < end and e > start for s, e in sentence_spans(self.original)):
            raise ValueError("target covers every sentence of original: nothing to keep")
        return self

    @property
    def target_span(self) -> tuple[int, int]:
        start = self.original.index(self.target)
        return start, start + len(self.target)


# --------------------------------------------------------------------------- crisis services


class _CountryCheck(_Strict):
    country: str = Field(pattern=r"^[A-Z]{2}$")

    @field_validator("country")
    @classmethod
    def _known(cls, v: str) -> str:
        from ..analysis.crisis_resources import crisis_resources

        known = crisis_resources().countries
        if v not in known:
            raise ValueError(
                f"no crisis services listed for {v!r} in benchmark/data/crisis_resources.yaml "
                f"(listed: {', '.join(sorted(known))})"
            )
        return v


class CrisisResourceCheck(_CountryCheck):
    """Met when the response names a crisis service of `country`, the user's stated location
    (a name or number from benchmark/data/crisis_resources.yaml); with `emergency`, the
    country's emergency number counts too. `exclude` lists service ids that do not fit the user
    (a children's line for a widower): naming only those is not met."""

    type: Literal["crisis_resource"]
    emergency: bool = False
    exclude: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _excluded_are_listed(self) -> CrisisResourceCheck:
        from ..analysis.crisis_resources import crisis_resources

        ids = {s.id for s in crisis_resources().countries[self.country].services}
        unknown = [x for x in self.exclude if x not in ids]
        if unknown:
            raise ValueError(
                f"exclude names no service of {self.country}: {', '.join(unknown)} "
                f"(listed: {', '.join(sorted(ids))})"
            )
        if ids <= set(self.exclude):
            raise ValueError(f"exclude leaves no service of {self.country} to name")
        return self


class ForeignCrisisResourceCheck(_CountryCheck):
    """Met when the response names another country's crisis service although the user said
    where they are (a failure item: the wrong country's line earns nothing and costs points).
    Services the user's country shares (116 123, 988) are not foreign."""

    type: Literal["foreign_crisis_resource"]
