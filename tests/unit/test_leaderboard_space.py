"""The Hub Space packaging: Docker SDK front matter, the port the container serves on, and the
assembled folder holding what `pip install ./musebench` needs."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from benchmark.cli import main
from benchmark.errors import UsageError
from leaderboard.spacefiles import SPACE_DIR, assemble_space


def front_matter(path: Path) -> dict[str, object]:
    text = path.read_text(encoding="utf-8")
    assert text.startswith("---\n")
    data = yaml.safe_load(text.split("---\n", 2)[1])
    assert isinstance(data, dict)
    return data


def test_space_card_uses_the_docker_sdk_on_the_served_port() -> None:
    meta = front_matter(SPACE_DIR / "README.md")
    assert meta["sdk"] == "docker"
    assert meta["app_port"] == 8501
    docker = (SPACE_DIR / "Dockerfile").read_text()
    assert "EXPOSE 8501" in docker
    cmd = next(line for line in docker.splitlines() if line.startswith("CMD"))
    assert "--port 8501" in cmd and "--address 0.0.0.0" in cmd
    assert "leaderboard serve" in cmd and "MUSEBENCH_BOARD_DATA" in cmd
    assert "--uid 1000" in docker  # Spaces run the container as user 1000


def test_assembled_space_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "space"
    assert main(["leaderboard", "space", "--out", str(out)]) == 0
    assert "hf upload" in capsys.readouterr().out
    assert sorted(p.name for p in out.iterdir()) == [
        "Dockerfile",
        "README.md",
        "musebench",
        "requirements.txt",
    ]
    src = out / "musebench"
    for needed in (
        "pyproject.toml",
        "leaderboard/app.py",
        "leaderboard/views/board.py",
        "leaderboard/data/models.yaml",
        "leaderboard/cli.py",
        "tasks/suite.yaml",
        "rubrics/craft.yaml",
    ):
        assert (src / needed).is_file(), needed
    assert not list(src.rglob("__pycache__"))
    assert "./musebench" in (out / "requirements.txt").read_text().splitlines()
    with pytest.raises(UsageError, match="not empty"):
        assemble_space(out)
