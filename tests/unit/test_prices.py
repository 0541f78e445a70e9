"""`--prices` overrides the shipped table entry by entry; missing cache prices come from the
provider's documented ratios (benchmark/data/cache_price_ratios.yaml)."""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmark.errors import UsageError
from benchmark.measure.cost import load_prices, price_usage
from benchmark.records.schemas import Usage


def _file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "prices.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_an_override_replaces_one_entry_and_keeps_the_rest(tmp_path: Path) -> None:
    shipped = load_prices()
    prices = load_prices(
        _file(
            tmp_path, 'models:\n  - {pattern: "anthropic/claude-sonnet-4*", input: 2, output: 10}\n'
        )
    )
    sonnet = prices.find("anthropic/claude-sonnet-4-5")
    assert sonnet is not None and (sonnet.input, sonnet.output) == (2.0, 10.0)
    # Anthropic's documented ratios: a 5-minute write 1.25 x input, a read 0.1 x input.
    assert sonnet.cache_write == pytest.approx(2.5) and sonnet.cache_read == pytest.approx(0.2)
    # Every other shipped entry is still there, unchanged (not replaced by the file).
    assert prices.find("anthropic/claude-haiku-4-5") == shipped.find("anthropic/claude-haiku-4-5")
    assert prices.find("openai/gpt-4o") == shipped.find("openai/gpt-4o")
    assert prices.batch_discount == shipped.batch_discount


def test_openai_entry_without_cache_prices_uses_the_models_discount(tmp_path: Path) -> None:
    prices = load_prices(
        _file(
            tmp_path,
            "batch_discount: 0.6\nmodels:\n"
            '  - {pattern: "openai/gpt-4.1-nano*", input: 0.1, output: 0.4}\n'
            '  - {pattern: "openai/my-local", input: 0.2, output: 0.2}\n',
        )
    )
    nano = prices.find("openai/gpt-4.1-nano")
    # gpt-4.1 family: cached input 75% off; writes billed as input.
    assert nano is not None and nano.cache_read == pytest.approx(0.025)
    assert nano.cache_write == pytest.approx(0.1)
    local = prices.find("openai/my-local")  # no documented discount: priced as input
    assert local is not None and (local.cache_write, local.cache_read) == (0.2, 0.2)
    assert prices.batch_discount == 0.6
    # 1M input + 1M cache read + 1M output on nano: 0.1 + 0.025 + 0.4, batch at 0.6.
    usage = Usage(input_tokens=1_000_000, cache_read_tokens=1_000_000, output_tokens=1_000_000)
    assert price_usage("openai/gpt-4.1-nano", usage, prices) == pytest.approx(0.525)
    assert price_usage("openai/gpt-4.1-nano", usage, prices, batch=True) == pytest.approx(0.315)


def test_explicit_cache_prices_win_over_the_ratios(tmp_path: Path) -> None:
    text = 'models:\n  - {pattern: "anthropic/x", input: 1, output: 1, cache_read: 0.3}\n'
    x = load_prices(_file(tmp_path, text)).find("anthropic/x")
    assert x is not None and (x.cache_write, x.cache_read) == (1.25, 0.3)


def test_a_malformed_entry_names_file_and_field(tmp_path: Path) -> None:
    bad = _file(tmp_path, 'models:\n  - {pattern: "a/*", input: 1, output: 1, cache_read: -1}\n')
    with pytest.raises(UsageError, match=r"^--prices .*prices.yaml:models.0.cache_read: "):
        load_prices(bad)
