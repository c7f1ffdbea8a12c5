"""Per-flavour results: which result a run compares with, and what --record writes."""

from __future__ import annotations

from pathlib import Path

import pytest

from runner.config.run_config import parse_variables
from runner.judge.compare import expected_result_path, flavour_result_path, record_result


def test_flavour_result_path_keeps_the_folder_and_inner_dots(tmp_path: Path) -> None:
    assert flavour_result_path(tmp_path / "r" / "a.b.result", "tidb") == tmp_path / "r" / "a.b.tidb.result"


def test_the_flavour_file_wins_only_when_it_exists(tmp_path: Path) -> None:
    default = tmp_path / "x.result"
    default.write_text("default\n")
    assert expected_result_path(default, "mariadb") == default
    assert expected_result_path(default, None) == default
    (tmp_path / "x.mariadb.result").write_text("mariadb\n")
    assert expected_result_path(default, "mariadb") == tmp_path / "x.mariadb.result"
    assert expected_result_path(default, "mysql") == default


def test_record_writes_the_default_when_there_is_none(tmp_path: Path) -> None:
    default = tmp_path / "x.result"
    recorded = record_result(default, "tidb", "out\n")
    assert recorded.path == default and recorded.note == ""
    assert default.read_text() == "out\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.result"]


def test_record_leaves_an_equal_default_alone(tmp_path: Path) -> None:
    default = tmp_path / "x.result"
    default.write_text("same\n")
    recorded = record_result(default, "mariadb", "same\n", split=True)
    assert recorded.path == default and recorded.note == "unchanged x.result"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.result"]


def test_record_writes_the_flavour_file_when_the_output_differs(tmp_path: Path) -> None:
    default = tmp_path / "x.result"
    default.write_text("mariadb says\n")
    recorded = record_result(default, "tidb", "tidb says\n", split=True)
    assert recorded.path == tmp_path / "x.tidb.result"
    assert recorded.note == "x.tidb.result: differs from x.result"
    assert default.read_text() == "mariadb says\n"
    assert (tmp_path / "x.tidb.result").read_text() == "tidb says\n"
    # Recording again updates the flavour file, never the default.
    record_result(default, "tidb", "tidb now says\n")
    assert (tmp_path / "x.tidb.result").read_text() == "tidb now says\n"
    assert default.read_text() == "mariadb says\n"


def test_record_without_split_updates_the_default_when_no_flavour_file_exists(tmp_path: Path) -> None:
    default = tmp_path / "x.result"
    default.write_text("before the test was edited\n")
    recorded = record_result(default, "mariadb", "after\n")
    assert recorded.path == default
    assert default.read_text() == "after\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.result"]


def test_record_removes_a_flavour_file_that_equals_the_default(tmp_path: Path) -> None:
    default = tmp_path / "x.result"
    default.write_text("common\n")
    (tmp_path / "x.tidb.result").write_text("old tidb\n")
    recorded = record_result(default, "tidb", "common\n")
    assert recorded.path == default
    assert recorded.note == "same as x.result: removed x.tidb.result"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.result"]


def test_without_a_flavour_record_writes_the_default(tmp_path: Path) -> None:
    default = tmp_path / "x.result"
    default.write_text("old\n")
    assert record_result(default, None, "new\n").path == default
    assert default.read_text() == "new\n"


def test_var_options() -> None:
    assert parse_variables([]) == {}
    assert parse_variables(["rows=10", "isolation=READ COMMITTED", "$x=", "rows=20", "eq=a=b"]) == {
        "rows": "20", "isolation": "READ COMMITTED", "x": "", "eq": "a=b"
    }


@pytest.mark.parametrize("bad", ["rows", "=1", "bad name=1", "a-b=1"])
def test_bad_var_options(bad: str) -> None:
    with pytest.raises(ValueError, match="NAME=VALUE"):
        parse_variables([bad])


def test_the_config_files_test_table_holds_variables(tmp_path: Path) -> None:
    from runner.config.file import ConfigFileError
    from runner.config.sources import parse_values

    values = parse_values(b'[test]\nvar = { rows = 1000, isolation = "SERIALIZABLE", big = true }\n', Path("x.toml"))
    assert parse_variables(values["var"]) == {"rows": "1000", "isolation": "SERIALIZABLE", "big": "true"}
    with pytest.raises(ConfigFileError, match=r"x.toml:2: \[test\] var must be a table of NAME = value"):
        parse_values(b"[test]\nvar = { rows = [1] }\n", Path("x.toml"))
