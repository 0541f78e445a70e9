"""The shared HTML parse (benchmark/analysis/html_memo.py) changes no verdict, and the re-derivation's
cheap "plain quote" test is grounding's own normalisation test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from benchmark.analysis import html_memo
from benchmark.engine.demo import demo_models
from benchmark.engine.judging import check_judgments
from benchmark.engine.judging.grounding import MAPPED_CHARS, normalise
from benchmark.records.schemas import ResolvedTask, ResponseRecord
from benchmark.suite import load_suite
from leaderboard.rederive import quote_found


def _html_responses() -> Iterator[tuple[ResolvedTask, ResponseRecord]]:
    tasks = {t.id: t for t in load_suite().tasks}
    for m in demo_models():
        for r in m.records:
            task = tasks[r.task_id]
            if any(it.check is not None and it.check.type == "contrast" for it in task.items):
                yield task, r


def _fresh(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every HTML check extracts, parses and analyses its page again, as before the memo."""
    import benchmark.checks as checks

    for name in ("response_html", "parsed_html", "contrast_report"):
        monkeypatch.setattr(checks, name, getattr(html_memo, name).__wrapped__)


def test_demo_pages_get_the_same_verdicts_with_one_shared_parse(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    pairs = list(_html_responses())
    assert len(pairs) >= 30  # the visual-design tasks' demo answers, all samples
    shared = [check_judgments(t, r) for t, r in pairs]
    with monkeypatch.context() as m:
        _fresh(m)
        fresh = [check_judgments(t, r) for t, r in pairs]
    assert [j.model_dump() for js in shared for j in js] == [
        j.model_dump() for js in fresh for j in js
    ]
    assert any(j.verdict is False for js in fresh for j in js)  # not all vacuous
    assert any(j.verdict is True for js in fresh for j in js)


def test_one_parse_per_page_and_clear_forgets_it() -> None:
    html_memo.clear()
    text = "```html\n<html><body><p style='color:#777;background:#fff'>hi</p></body></html>\n```"
    source = html_memo.response_html(text)
    assert source is not None and source.startswith("<html>")
    assert html_memo.parsed_html(source) is html_memo.parsed_html(source)
    report = html_memo.contrast_report(source)
    assert [round(p.ratio, 2) for p in report.pairs] == [4.48]  # #777 on white: WCAG 4.48:1
    before = html_memo.parsed_html(source)
    html_memo.clear()
    assert html_memo.parsed_html(source) is not before


QUOTES = [
    "plain words here",
    "two  spaces\tand a tab",
    "line\nbreak",
    "non\u00a0breaking",
    "ends in a separator\x1f here",
    "soft\u00adhyphen",
    "zero\u200bwidth",
    "\u2018curly\u2019 and \u201cdouble\u201d",
    "dash \u2013 and \u2014 em",
    "ellipsis\u2026",
    "guillemets \u00abx\u00bb",
    "prime \u2032 and \u2033",
]


@pytest.mark.parametrize("quote", QUOTES)
def test_mapped_characters_test_is_normalisations_own(quote: str) -> None:
    assert MAPPED_CHARS.isdisjoint(quote) == (normalise(quote)[0] == " ".join(quote.split()))


@pytest.mark.parametrize("quote", QUOTES)
def test_quote_found_agrees_with_grounding_for_every_kind_of_quote(quote: str) -> None:
    from benchmark.engine.judging.grounding import locate

    for text in (f"Before {quote} after.", "Unrelated text.", f"&amp{quote}"):
        assert quote_found(quote, text) is (locate(quote, text) is not None)
