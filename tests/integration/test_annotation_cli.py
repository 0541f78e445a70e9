"""`musebench annotate import|user|export|serve` in-process: output contracts (--json is one
document on stdout; the token alone on stdout) and one-line errors with exit 2."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from annotation_app import assignments as q
from annotation_app import auth
from annotation_app.store import open_store
from benchmark.cli import main
from tests.annotation_support import cheap_token_hashing as cheap_token_hashing
from tests.annotation_support import db_url, make_run
from tests.fakes_hub.server import serve

pytestmark = pytest.mark.usefixtures("cheap_token_hashing")


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.slow
def test_import_user_export_round_trip(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = db_url(tmp_path / "a.sqlite")
    run = make_run(tmp_path / "run", n_tasks=1, samples=2)
    code, out, _ = _run(
        capsys, "annotate", "import", str(run), "--db", db, "--overlap", "1", "--json"
    )
    assert code == 0
    report = json.loads(out)
    assert report["units_added"] == 2 and report["overlap"] == 1

    code, out, err = _run(
        capsys, "annotate", "user", "add", "alice", "--role", "annotator", "--db", db
    )
    assert code == 0 and "shown only this once" in err
    token = out.strip()
    assert token.startswith("mb_") and "\n" not in token
    code, out, _ = _run(
        capsys, "annotate", "user", "add", "root", "--role", "admin", "--db", db, "--json"
    )
    assert json.loads(out)["role"] == "admin"
    code, out, _ = _run(capsys, "annotate", "user", "list", "--db", db, "--json")
    assert [(u["name"], u["role"]) for u in json.loads(out)] == [
        ("alice", "annotator"),
        ("root", "admin"),
    ]

    store = open_store(db)
    alice = auth.authenticate(store, token)
    while (view := q.claim_next(store, alice.id)) is not None:
        q.submit(store, view.assignment_id, alice.id, {i.item_id: "met" for i in view.items})
    store.dispose()

    out_file = tmp_path / "ratings.csv"
    code, out, _ = _run(capsys, "annotate", "export", "--db", db, "--out", str(out_file), "--json")
    assert code == 0
    doc = json.loads(out)
    assert doc["raters"] == 1 and doc["units"] == 2 and doc["out"] == str(out_file)
    assert out_file.read_text().startswith("unit_id,criterion,rater_id,value")


def test_user_reset_and_disable(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = db_url(tmp_path / "a.sqlite")
    _run(capsys, "annotate", "user", "add", "alice", "--role", "annotator", "--db", db)
    code, out, _ = _run(capsys, "annotate", "user", "reset-token", "alice", "--db", db, "--json")
    new = json.loads(out)["token"]
    assert code == 0
    code, _, _ = _run(capsys, "annotate", "user", "disable", "alice", "--db", db)
    assert code == 0
    store = open_store(db)
    with pytest.raises(auth.AuthError, match="disabled"):
        auth.authenticate(store, new)
    store.dispose()


def test_export_and_push_to_the_fake_hub(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    db = db_url(tmp_path / "a.sqlite")
    _run(
        capsys,
        "annotate",
        "import",
        str(make_run(tmp_path / "run", n_tasks=1, samples=1)),
        "--db",
        db,
        "--overlap",
        "1",
    )
    code, out, _ = _run(
        capsys, "annotate", "user", "add", "alice", "--role", "annotator", "--db", db
    )
    store = open_store(db)
    alice = auth.authenticate(store, out.strip())
    view = q.claim_next(store, alice.id)
    assert view is not None
    q.submit(store, view.assignment_id, alice.id, {i.item_id: "not_met" for i in view.items})
    store.dispose()
    with serve(token="hf_cli") as hub:
        monkeypatch.setenv("HF_ENDPOINT", hub.url)
        monkeypatch.setenv("HF_TOKEN", "hf_cli")
        out_file = tmp_path / "r.parquet"
        code, out, err = _run(
            capsys,
            "annotate",
            "export",
            "--db",
            db,
            "--out",
            str(out_file),
            "--push",
            "org/ratings",
            "--json",
        )
        assert code == 0, err
        doc = json.loads(out)
        assert doc["anonymized"] is True and doc["pushed_to"].startswith(hub.url)
        assert set(hub.repos["org/ratings"]) == {"README.md", "data/ratings.parquet"}


@pytest.mark.parametrize(
    ("argv", "fragment"),
    [
        (["annotate", "import", "{tmp}/nope", "--db", "{db}"], "run directory not found"),
        (["annotate", "import", "{tmp}", "--db", "{db}"], "not a run directory"),
        (
            ["annotate", "import", "{run}", "--db", "annotations.sqlite"],
            "--db: malformed database URL",
        ),
        (["annotate", "import", "{run}", "--db", "oracle://x/y"], "unsupported database 'oracle'"),
        (["annotate", "export", "--db", "{db}", "--out", "{tmp}/r.csv"], "no annotation store"),
        (["annotate", "user", "list", "--db", "{db}"], "no annotation store"),
        (["annotate", "serve", "--db", "{db}"], "no annotation store"),
        (["annotate", "serve", "--db", "sqlite://"], "names no file"),
        (
            ["annotate", "user", "add", "bad name", "--role", "annotator", "--db", "{db}"],
            "user name",
        ),
        (
            ["annotate", "export", "--db", "{db}", "--out", "{tmp}/r.csv", "--push", "no-slash"],
            "not a Hub dataset name",
        ),
    ],
)
def test_bad_input_is_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str], fragment: str
) -> None:
    run = make_run(tmp_path / "run", n_tasks=1, samples=1)
    db = db_url(tmp_path / "store.sqlite")
    args = [a.format(tmp=tmp_path, db=db, run=run) for a in argv]
    code, out, err = _run(capsys, *args)
    assert code == 2 and out == ""
    assert err.startswith("musebench: error: ") and fragment in err and err.count("\n") == 1
    assert not (tmp_path / "r.csv").exists()
    assert not (tmp_path / "store.sqlite").exists()  # no store created on the way to the error


def test_wrong_flag_values_are_argparse_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for argv in (
        ["annotate", "import", str(tmp_path), "--overlap", "0"],
        ["annotate", "import", str(tmp_path), "--sample", "many"],
        ["annotate", "user", "add", "x", "--role", "owner"],
        ["annotate", "serve", "--timeout-minutes", "-1"],
    ):
        with pytest.raises(SystemExit) as info:
            main(argv)
        assert info.value.code == 2
        assert "error:" in capsys.readouterr().err
