"""The ratings long format: load, validate, write (CSV, JSONL, Parquet)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from benchmark.errors import RatingsError, UsageError
from benchmark.measure.ratings import load_ratings, validate_ratings, write_ratings


def _frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "unit_id": ["007", "007", "008", "008", "007", "008"],
            "criterion": ["tone", "tone", "tone", "tone", "label", "label"],
            "rater_id": ["a", "b", "a", "b", "a", "a"],
            "value": [3, 4, 5, 5, "sad", "happy"],
            "rater_type": ["human"] * 6,
            "system": ["m1", "m1", "m2", "m2", "m1", "m2"],
        }
    )


@pytest.mark.parametrize("ext", ["csv", "jsonl", "parquet"])
def test_round_trip_keeps_ids_and_types(tmp_path: Path, ext: str) -> None:
    path = write_ratings(_frame(), tmp_path / f"r.{ext}")
    back = load_ratings(path)
    assert list(back.columns) == [
        "unit_id",
        "criterion",
        "rater_id",
        "value",
        "rater_type",
        "system",
    ]
    assert set(back["unit_id"]) == {"007", "008"}  # leading zeros survive CSV
    tone = back.loc[back["criterion"] == "tone", "value"].tolist()
    assert tone == [3.0, 4.0, 5.0, 5.0]
    assert all(isinstance(v, float) for v in tone)
    assert back.loc[back["criterion"] == "label", "value"].tolist() == ["sad", "happy"]
    assert back.attrs["source"] == str(path)


def test_booleans_become_numbers_and_empty_values_are_dropped(tmp_path: Path) -> None:
    path = tmp_path / "v.jsonl"
    rows = [
        {"unit_id": "u1", "criterion": "asks_first", "rater_id": "j", "value": True},
        {"unit_id": "u2", "criterion": "asks_first", "rater_id": "j", "value": False},
        {"unit_id": "u3", "criterion": "asks_first", "rater_id": "j", "value": None},
    ]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    df = load_ratings(path)
    assert df["value"].tolist() == [1.0, 0.0]
    assert df.attrs["n_empty_values"] == 1
    csv = tmp_path / "v.csv"
    csv.write_text("unit_id,criterion,rater_id,value\nu1,c,a,TRUE\nu2,c,a,false\nu3,c,a,1\n")
    assert load_ratings(csv)["value"].tolist() == [1.0, 0.0, 1.0]


def test_missing_column_names_file_and_column(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("unit_id,criterion,rater,value\nu1,c,a,1\n")
    with pytest.raises(RatingsError) as err:
        load_ratings(path)
    msg = str(err.value)
    assert str(path) in msg and "'rater_id'" in msg and "\n" not in msg


def test_empty_and_header_only_files(tmp_path: Path) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    with pytest.raises(RatingsError, match="empty file"):
        load_ratings(empty)
    header = tmp_path / "header.csv"
    header.write_text("unit_id,criterion,rater_id,value\n")
    with pytest.raises(RatingsError, match="no rows"):
        load_ratings(header)


def test_mixed_value_types_in_one_criterion(tmp_path: Path) -> None:
    path = tmp_path / "mixed.csv"
    path.write_text("unit_id,criterion,rater_id,value\nu1,tone,a,3\nu1,tone,b,warm\nu1,x,a,y\n")
    with pytest.raises(RatingsError) as err:
        load_ratings(path)
    msg = str(err.value)
    assert str(path) in msg and "'value'" in msg and "'tone'" in msg
    mixed_bool = tmp_path / "mb.csv"
    mixed_bool.write_text("unit_id,criterion,rater_id,value\nu1,c,a,true\nu1,c,b,3\n")
    with pytest.raises(RatingsError, match="booleans and numbers"):
        load_ratings(mixed_bool)


def test_other_bad_inputs(tmp_path: Path) -> None:
    with pytest.raises(RatingsError, match="unknown ratings format"):
        load_ratings(tmp_path / "r.xlsx")
    with pytest.raises(RatingsError, match="no such ratings file"):
        load_ratings(tmp_path / "absent.csv")
    bad_json = tmp_path / "b.jsonl"
    bad_json.write_text('{"unit_id": "u"}\n{not json\n')
    with pytest.raises(RatingsError, match=r"b\.jsonl:2: not valid JSON"):
        load_ratings(bad_json)
    blank_id = tmp_path / "id.csv"
    blank_id.write_text("unit_id,criterion,rater_id,value\nu1,c,a,1\n,c,b,2\n")
    with pytest.raises(RatingsError, match="column 'unit_id': empty in data row 2"):
        load_ratings(blank_id)
    bad_type = tmp_path / "t.csv"
    bad_type.write_text("unit_id,criterion,rater_id,value,rater_type\nu1,c,a,1,robot\n")
    with pytest.raises(RatingsError, match="'rater_type'"):
        load_ratings(bad_type)
    assert issubclass(RatingsError, UsageError)  # the CLI turns it into exit 2


def test_write_validates_first_and_keeps_existing_file(tmp_path: Path) -> None:
    path = write_ratings(_frame(), tmp_path / "keep.csv")
    before = path.read_text()
    bad = _frame().drop(columns=["value"])
    with pytest.raises(RatingsError, match="'value'"):
        write_ratings(bad, path)
    assert path.read_text() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["keep.csv"]  # no temp file left


def test_validate_ratings_on_a_frame() -> None:
    df = validate_ratings(_frame(), "in-memory")
    assert df.attrs["source"] == "in-memory"
    assert len(df) == 6
