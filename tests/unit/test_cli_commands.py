"""The apps add their `musebench` subcommands through the `musebench.commands` entry points;
the engine's CLI lists its own groups and never imports the apps."""

from __future__ import annotations

import argparse
from importlib.metadata import EntryPoint, entry_points
from typing import Any

import pytest

import benchmark.cli as cli

APP_COMMANDS = {"annotate", "submit", "leaderboard", "publish-suite", "view"}


def _commands(parser: argparse.ArgumentParser) -> set[str]:
    (sub,) = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    return set(sub.choices)


def test_the_installed_package_declares_the_apps_commands() -> None:
    found = {ep.name: ep.value for ep in entry_points(group=cli.ENTRY_POINT_GROUP)}
    assert found == {
        "annotate": "annotation_app.cli:register",
        "hub": "leaderboard.cli:register",
        "view": "leaderboard.viewer.cli:register",
    }


def test_help_lists_the_engines_and_the_apps_commands() -> None:
    commands = _commands(cli.build_parser())
    assert commands >= APP_COMMANDS
    assert {"validate", "run", "score", "report", "render", "pairwise"} <= commands


def test_any_registered_entry_point_adds_its_commands(monkeypatch: pytest.MonkeyPatch) -> None:
    def register(sub: Any) -> None:
        sub.add_parser("extra", help="a plugin's command")

    plugin = EntryPoint(name="extra", value="x:register", group=cli.ENTRY_POINT_GROUP)
    monkeypatch.setattr(EntryPoint, "load", lambda self: register)
    monkeypatch.setattr(cli, "entry_points", lambda group: [plugin])
    commands = _commands(cli.build_parser())
    assert "extra" in commands
    assert not APP_COMMANDS & commands  # only what the entry points name is added
