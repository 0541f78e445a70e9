"""Programmatic checks: rubric items decided locally, without a judge.

`run_check(check, transcript, text)` returns a `CheckResult` whose verdict True always means
"the item is met" (so an item's text reads as the check's condition). Evidence is a verbatim
substring of the response `text` (the offending phrase, start tag, question or CSS declaration)
or "" when there is nothing to quote (an absence, a count). The verdict is None when the check
cannot be decided (the response has fewer assistant turns than the check names: an error) or
when it does not apply (`applicable` False: the page has none of the elements it is about and the
item says that is not applicable; see schemas.WhenAbsent).

Definitions: words, paragraphs and questions are defined in `benchmark.analysis.text_units`; where the
HTML is, in `benchmark.analysis.html_extract`; which colour pairs are checked, in `benchmark.analysis.contrast`.
Word and paragraph counts and phrase searches use `text` (all assistant turns joined by a blank
line); question counts use each assistant turn of the transcript. The form, text and revision
checks run in `checks_form`, `checks_text` and `checks_revision`, registered in `_RUNNERS`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..analysis.contrast import format_ratio
from ..analysis.html_extract import Document
from ..analysis.html_memo import contrast_report, parsed_html, response_html
from ..analysis.phrases import listed_hits, missing_phrases, phrase_hits
from ..analysis.text_units import paragraphs, questions, word_count
from ..records.schemas import (
    BannedPhrasesCheck,
    Check,
    ContrastCheck,
    HtmlElementsCheck,
    ImagesHaveAltCheck,
    InputsHaveLabelsCheck,
    Message,
    ParagraphCountCheck,
    QuestionCountCheck,
    RequiredPhrasesCheck,
    WhenAbsent,
    WordCountCheck,
)
from . import _checks_form as checks_form
from . import _checks_resources as checks_resources
from . import _checks_revision as checks_revision
from . import _checks_text as checks_text
from . import checks_rendered
from ._check_base import CheckResult, combine_turns, select_turns, turn_scope
from ._check_base import assistant_turns as _assistant_turns
from ._check_base import bounds as _bounds
from ._check_base import verbatim as _verbatim
from ._check_base import within as _within


def _absent(when_absent: WhenAbsent, what: str, vacuous: str) -> CheckResult:
    """The result when the page has none of what the check is about (`what`), as the item says;
    `vacuous` is suite 1.x's rationale for counting that as met."""
    if when_absent == "not_applicable":
        return CheckResult(None, "", f"{what}: the item does not apply", applicable=False)
    if when_absent == "not_met":
        return CheckResult(False, "", f"{what}, and the brief requires them: not met")
    return CheckResult(True, "", vacuous)


# The checks layer's API: running one check. Also public: the modules `checks_rendered` (checks
# decided on a rendered page), `task_checks` (a task's checks over a response) and the `render`
# package (the headless-browser renderer); the rest (`_check_base`, `_checks_*`) is private.
__all__ = ["CheckResult", "checks_rendered", "run_check"]

NO_HTML = (
    "no HTML found in the response (no ```html block, and neither a fenced block nor the text "
    "looks like HTML), so the HTML check is not met"
)


# --------------------------------------------------------------------------- text


def _word_count(check: WordCountCheck, transcript: list[Message], text: str) -> CheckResult:
    if check.turn is not None:
        return checks_text.word_count_per_turn(check, transcript, text)
    n = word_count(text)
    ok = _within(n, check.min, check.max)
    return CheckResult(ok, "", f"{n} words; {_bounds(check.min, check.max)} required")


def _paragraph_count(
    check: ParagraphCountCheck, transcript: list[Message], text: str
) -> CheckResult:
    n = len(paragraphs(text))
    ok = _within(n, check.min, check.max)
    return CheckResult(ok, "", f"{n} paragraphs; {_bounds(check.min, check.max)} required")


def _question_count(check: QuestionCountCheck, transcript: list[Message], text: str) -> CheckResult:
    turns = _assistant_turns(transcript, text)
    chosen = select_turns(check.turn, len(turns))
    if isinstance(chosen, str):
        return CheckResult(None, "", f"{chosen} to count questions in")
    parts: list[str] = []
    goods: list[bool] = []
    evidence = ""
    for i in chosen:
        qs = questions(turns[i])
        good = _within(len(qs), check.min, check.max)
        if check.turn == "any":
            if good and not any(goods) and check.min:
                evidence = qs[check.min - 1]  # the question that reaches the bound
        elif not good and all(goods) and check.max is not None and len(qs) > check.max:
            evidence = qs[check.max]  # the first failing turn's first question over the limit
        goods.append(good)
        parts.append(f"assistant turn {i + 1}: {len(qs)} question(s)" + ("" if good else " ✗"))
    rationale = (
        "; ".join(parts) + f" ({_bounds(check.min, check.max)} {turn_scope(check.turn)} required)"
    )
    return CheckResult(combine_turns(check.turn, goods), _verbatim(evidence, text), rationale)


def _banned_phrases(check: BannedPhrasesCheck, transcript: list[Message], text: str) -> CheckResult:
    found = phrase_hits(check.phrases, text)
    if not found:
        return CheckResult(True, "", f"none of the {len(check.phrases)} banned phrases occurs")
    return CheckResult(False, found[0][2], f"banned phrase(s) found: {listed_hits(found)}")


def _required_phrases(
    check: RequiredPhrasesCheck, transcript: list[Message], text: str
) -> CheckResult:
    missing = missing_phrases(check.phrases, text)
    if missing:
        return CheckResult(
            False, "", "missing required phrase(s): " + ", ".join(repr(p) for p in missing)
        )
    return CheckResult(True, "", f"all {len(check.phrases)} required phrases occur")


# --------------------------------------------------------------------------- HTML


def _with_html(
    fn: Callable[[Any, Document, str, str], CheckResult],
) -> Callable[[Any, list[Message], str], CheckResult]:
    def run(check: Any, transcript: list[Message], text: str) -> CheckResult:
        source = response_html(text)
        if source is None:
            return CheckResult(False, "", NO_HTML)
        return fn(check, parsed_html(source), source, text)

    return run


@_with_html
def _html_elements(check: HtmlElementsCheck, doc: Document, source: str, text: str) -> CheckResult:
    present = {e.tag for e in doc.elements() if not e.synthetic}
    missing = [t for t in check.required if t.lower() not in present]
    if missing:
        return CheckResult(
            False, "", "missing element(s): " + ", ".join(f"<{t.lower()}>" for t in missing)
        )
    return CheckResult(
        True, "", "all required elements present: " + ", ".join(f"<{t}>" for t in check.required)
    )


_DECORATIVE_ROLES = frozenset({"presentation", "none"})


@_with_html
def _images_have_alt(
    check: ImagesHaveAltCheck, doc: Document, source: str, text: str
) -> CheckResult:
    imgs = doc.find_all("img")
    if not imgs:
        return _absent(
            check.when_absent, "no <img> elements", "no <img> elements, so nothing lacks alt text"
        )
    bad = []
    for img in imgs:
        alt = img.attrs.get("alt")
        decorative = (
            alt is not None
            and not alt.strip()
            and (img.attrs.get("role", "").strip().lower() in _DECORATIVE_ROLES)
        )
        if (alt is None or not alt.strip()) and not decorative:
            bad.append(img)
    if bad:
        return CheckResult(
            False,
            _verbatim(bad[0].start_tag, text),
            f"{len(bad)} of {len(imgs)} <img> lack alt text (and are not marked decorative "
            'with alt="" and role="presentation")',
        )
    return CheckResult(True, "", f"all {len(imgs)} <img> have alt text or are marked decorative")


_UNLABELLED_INPUT_TYPES = frozenset({"hidden", "submit", "reset", "button", "image"})


@_with_html
def _inputs_have_labels(
    check: InputsHaveLabelsCheck, doc: Document, source: str, text: str
) -> CheckResult:
    ids = {e.attrs["id"] for e in doc.elements() if "id" in e.attrs}
    label_for = {e.attrs.get("for", "") for e in doc.find_all("label")}
    controls = [
        e
        for e in doc.elements()
        if e.tag in ("input", "select", "textarea")
        and "hidden" not in e.attrs
        and not (
            e.tag == "input" and e.attrs.get("type", "text").lower() in _UNLABELLED_INPUT_TYPES
        )
    ]
    if not controls:
        return _absent(
            check.when_absent,
            "no visible form controls",
            "no visible form controls, so none lacks a label",
        )

    def labelled(e: Any) -> bool:
        if e.attrs.get("aria-label", "").strip():
            return True
        if any(ref in ids for ref in e.attrs.get("aria-labelledby", "").split()):
            return True
        if e.attrs.get("id") and e.attrs["id"] in label_for:
            return True
        return any(a.tag == "label" for a in e.ancestors())

    bad = [e for e in controls if not labelled(e)]
    if bad:
        return CheckResult(
            False,
            _verbatim(bad[0].start_tag, text),
            f"{len(bad)} of {len(controls)} form control(s) have no label (label for=, a "
            "wrapping label, aria-label or aria-labelledby; placeholder and title do not count)",
        )
    return CheckResult(True, "", f"all {len(controls)} form control(s) are labelled")


def _contrast(check: ContrastCheck, transcript: list[Message], text: str) -> CheckResult:
    source = response_html(text)
    if source is None:
        return CheckResult(False, "", NO_HTML)
    report = contrast_report(source)
    skipped = f" Skipped: {'; '.join(report.skipped)}." if report.skipped else ""
    worst = report.worst()
    if worst is None:
        return _absent(
            check.when_absent,
            f"no text colour in the CSS could be paired with a background{skipped}",
            "no text colour in the CSS could be paired with a background, so nothing fails "
            f"(vacuously met).{skipped}",
        )
    lines = [
        f"{p.text!r} on {p.background!r} [{p.where}]: {format_ratio(p.ratio)}"
        + ("" if p.ratio >= check.min_ratio else " ✗")
        for p in report.pairs
    ]
    failing = sum(p.ratio < check.min_ratio for p in report.pairs)
    head = (
        f"{len(report.pairs)} text/background pair(s) checked against {check.min_ratio}:1 "
        f"(WCAG 2.x), {failing} below it: "
    )
    return CheckResult(
        failing == 0, _verbatim(worst.text, text), head + "; ".join(lines) + "." + skipped
    )


_RUNNERS: dict[str, Callable[[Any, list[Message], str], CheckResult]] = {
    "word_count": _word_count,
    "paragraph_count": _paragraph_count,
    "question_count": _question_count,
    "banned_phrases": _banned_phrases,
    "required_phrases": _required_phrases,
    "html_elements": _html_elements,
    "images_have_alt": _images_have_alt,
    "inputs_have_labels": _inputs_have_labels,
    "contrast": _contrast,
    **checks_form.RUNNERS,
    **checks_text.RUNNERS,
    **checks_revision.RUNNERS,
    **checks_resources.RUNNERS,
    **checks_rendered.RUNNERS,
}


def run_check(check: Check, transcript: list[Message], text: str) -> CheckResult:
    """Decide one programmatic rubric item on a response (True: the item is met)."""
    return _RUNNERS[check.type](check, transcript, text)
