"""The demo's suggested commands paste whole into a shell: at 80 columns a long command used to
wrap with no `\\` continuation, so a pasted line ran half a command."""

from __future__ import annotations

import shlex
from pathlib import Path

from benchmark.engine.demo import next_commands


def _commands(lines: list[str]) -> list[list[str]]:
    """The shell commands in `lines`, continuations joined, comments and prose dropped."""
    script = "\n".join(line for line in lines if line.startswith("  "))
    joined = script.replace("\\\n", " ")
    return [
        shlex.split(cmd, comments=True)
        for cmd in joined.splitlines()
        if shlex.split(cmd, comments=True)
    ]


def test_each_command_is_whole_and_every_line_fits_80_columns() -> None:
    out = Path("musebench-demo")
    lines = next_commands(out, out / "illustrative-careful")
    assert max(len(line) for line in lines) <= 80
    assert _commands(lines) == [
        ["musebench", "report", "musebench-demo/illustrative-careful"],
        ["musebench", "demo", "--out", "musebench-demo", "--judge", "anthropic/claude-sonnet-4-5"],
        ["musebench", "validate", "--stats"],
        [
            "musebench", "run", "--model", "anthropic/claude-haiku-4-5",
            "--judge", "anthropic/claude-sonnet-4-5",
            "--out", "runs/haiku", "--tasks", "emotional_intelligence/*",
        ],
    ]  # fmt: skip


def test_a_path_with_a_space_is_quoted() -> None:
    out = Path("my runs/demo")
    [report, demo, *_] = _commands(next_commands(out, out / "illustrative-careful"))
    assert report == ["musebench", "report", "my runs/demo/illustrative-careful"]
    assert demo[:4] == ["musebench", "demo", "--out", "my runs/demo"]
