"""Which tests run on the pure-Python protocol (what only it shows as mariadb-test does), found in
the test or in a file it sources."""

from __future__ import annotations

from pathlib import Path

import pytest

from runner.run.suite import _needs_complete_protocol


@pytest.mark.parametrize(
    "text",
    ["--enable_info\n", "--enable_metadata\n", "--enable_session_track_info\n",
     "select * from information_schema.query_cache_info;\n"],
)
def test_a_test_that_shows_it(tmp_path: Path, text: str) -> None:
    test = tmp_path / "t.test"
    test.write_text("select 1;\n" + text)
    assert _needs_complete_protocol(test, tmp_path, test.read_bytes())


def test_found_in_a_sourced_file(tmp_path: Path) -> None:
    (tmp_path / "include").mkdir()
    (tmp_path / "include" / "x.inc").write_text("--enable_metadata\n")
    test = tmp_path / "t.test"
    test.write_text("--source include/x.inc\nselect 1;\n")
    assert _needs_complete_protocol(test, tmp_path, test.read_bytes())


def test_found_in_a_file_of_the_suites_own_include_folder(tmp_path: Path) -> None:
    # suite/binlog/t/x.test sources include/y.inc, which is suite/binlog/include/y.inc
    suite = tmp_path / "suite" / "binlog"
    (suite / "include").mkdir(parents=True)
    (suite / "include" / "y.inc").write_text("--enable_info\n")
    (suite / "t").mkdir()
    test = suite / "t" / "x.test"
    test.write_text("--source include/y.inc\n")
    assert _needs_complete_protocol(test, tmp_path, test.read_bytes())


def test_a_plain_test_stays_on_the_c_extension(tmp_path: Path) -> None:
    test = tmp_path / "t.test"
    test.write_text("select 1;\n--echo info\n")
    assert not _needs_complete_protocol(test, tmp_path, test.read_bytes())


def test_sourced_files_are_scanned_once_per_run_and_again_when_changed(tmp_path: Path) -> None:
    import os

    (tmp_path / "include").mkdir()
    include = tmp_path / "include" / "x.inc"
    include.write_text("--source include/y.inc\n")
    (tmp_path / "include" / "y.inc").write_text("select 2;\n")
    test = tmp_path / "t.test"
    test.write_text("--source include/x.inc\nselect 1;\n")
    scans: dict = {}
    assert not _needs_complete_protocol(test, tmp_path, test.read_bytes(), scans)
    assert sorted(key[0].name for key in scans) == ["x.inc", "y.inc"]
    include.write_text("--enable_info\n")
    stat = include.stat()
    os.utime(include, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
    assert _needs_complete_protocol(test, tmp_path, test.read_bytes(), scans)
