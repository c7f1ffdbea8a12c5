"""A syntax error stops a real run where the test reaches it, as in mysqltest: what comes before it
runs, a skip before it skips, and the error is the test's verdict (exit 2, no result recorded).

mariadb-test 10.11 on the same inputs: `--write_file` before `--frobnicate` writes its file and
the run stops "At line N"; `--skip` first exits 62 (skipped); --record leaves no result file.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from runner.server.embedded import EmbeddedServer
from tests.conftest import CliRun, run_tidbrun, server_args, write

pytestmark = pytest.mark.e2e


def write_marker(path: Path) -> str:
    return f"--write_file {path}\nran\nEOF\n"


def assert_stopped_at(run: CliRun, expected: str) -> None:
    assert "Traceback" not in run.output, run.output
    assert expected in run.lines(), run.output
    assert "[ error ]" in run.stdout, run.output
    assert run.returncode == 2, run.output


def test_what_precedes_the_error_runs_and_nothing_is_recorded(
    tmp_path: Path, embedded_server: EmbeddedServer
) -> None:
    marker = tmp_path / "marker"
    test = write(tmp_path / "x.test", f"select 1 as x;\n{write_marker(marker)}--frobnicate\nselect 2;\n")
    run = run_tidbrun(test, "--record", *server_args(embedded_server))
    assert_stopped_at(run, f"{test}:5: '--frobnicate' is not a mysqltest command (use '#' for a comment)")
    assert marker.read_bytes() == b"ran\n"
    assert not (tmp_path / "x.result").exists()


def test_a_skip_before_the_error_skips_the_test(tmp_path: Path, embedded_server: EmbeddedServer) -> None:
    test = write(tmp_path / "x.test", "--skip Need something special\nselect 1;\nselect 2\n")
    run = run_tidbrun(test, "--record", *server_args(embedded_server))
    assert run.returncode == 0, run.output
    assert "[ skip ]" in run.stdout and "Need something special" in run.stdout, run.output
    assert not (tmp_path / "x.result").exists()


def test_an_error_inside_a_skipped_block_still_stops_the_test(
    tmp_path: Path, embedded_server: EmbeddedServer
) -> None:
    marker = tmp_path / "marker"
    test = write(tmp_path / "x.test", f"if (0)\n{{\n  select 1\n}}\n{write_marker(marker)}")
    run = run_tidbrun(test, *server_args(embedded_server))
    # The statement swallows the rest of the file looking for its `;`: nothing after it runs.
    assert_stopped_at(run, f"{test}:3: statement is not terminated by the delimiter ';' before the end of the file")
    assert not marker.exists()


def test_an_error_in_a_sourced_file_runs_the_lines_before_it(
    tmp_path: Path, embedded_server: EmbeddedServer
) -> None:
    marker = tmp_path / "marker"
    inc = write(tmp_path / "bad.inc", f"{write_marker(marker)}}}\n")
    test = write(tmp_path / "x.test", "select 1 as x;\n--source bad.inc\n")
    run = run_tidbrun(test, *server_args(embedded_server))
    assert_stopped_at(run, f"{inc}:4 (sourced from {test}:2): '}}' closes a block that was never opened")
    assert marker.read_bytes() == b"ran\n"


def test_parse_only_still_reports_the_error_before_printing_anything(tmp_path: Path) -> None:
    test = write(tmp_path / "x.test", "--echo before\n--frobnicate\n")
    run = run_tidbrun(test, "--parse-only")
    assert run.stdout == ""
    assert run.stderr.strip() == f"{test}:2: '--frobnicate' is not a mysqltest command (use '#' for a comment)"
    assert run.returncode == 2
