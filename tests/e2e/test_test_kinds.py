"""A kind of test file a plugin adds (``examples/tidbrun_sqlt_kind.py``: ``x.sqlt``, one statement
a line) as a user meets it: collected beside the ``.test`` files, named, run, compared with its
result, reported, checked by ``--parse-only``, and a failure at its file and line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from runner.server.embedded import EmbeddedServer
from tests.conftest import REPO, run_tidbrun, server_args, write

pytestmark = pytest.mark.e2e

SQLT = REPO / "examples" / "tidbrun_sqlt_kind.py"
STATEMENTS = (
    "# rows in, rows out\n"
    "create table t1 (a int, b varchar(10));\n"
    "insert into t1 values (1, 'x'), (2, NULL);\n"
    "\n"
    "select * from t1 order by a;\n"
    "drop table t1;\n"
)
OUTPUT = (
    "create table t1 (a int, b varchar(10));\n"
    "insert into t1 values (1, 'x'), (2, NULL);\n"
    "select * from t1 order by a;\n"
    "a\tb\n1\tx\n2\tNULL\n"
    "drop table t1;\n"
)


def _suite(root: Path, result: str = OUTPUT) -> Path:
    write(root / "suite" / "t" / "rows.sqlt", STATEMENTS)
    write(root / "suite" / "r" / "rows.result", result)
    write(root / "suite" / "t" / "plain.test", "select 1 as one;\n")
    write(root / "suite" / "r" / "plain.result", "select 1 as one;\none\n1\n")
    return root / "suite"


def test_the_plugins_kind_is_collected_beside_the_test_files_and_only_with_the_plugin(tmp_path: Path) -> None:
    suite = _suite(tmp_path)
    run = run_tidbrun(suite, "--plugin", SQLT, "--collect-only")
    assert run.returncode == 0, run.output
    assert run.stdout.split() == ["suite.plain", "suite.rows"]
    without = run_tidbrun(suite, "--collect-only")
    assert without.stdout.split() == ["suite.plain"]
    by_name = run_tidbrun("suite.rows", "--plugin", SQLT, "--collect-only", cwd=tmp_path)
    assert by_name.returncode == 0, by_name.output
    assert by_name.stdout.split() == ["suite.rows"]


def test_the_plugins_kind_runs_and_is_compared_and_reported_like_a_test(
    tmp_path: Path, embedded_server: EmbeddedServer
) -> None:
    suite = _suite(tmp_path)
    report = tmp_path / "run.json"
    run = run_tidbrun(suite, "--plugin", SQLT, "--report-file", report, *server_args(embedded_server))
    assert run.returncode == 0, run.output
    assert "2 passed" in run.stdout
    tests = json.loads(report.read_text())["tests"]
    assert sorted((t["name"], t["status"]) for t in tests) == [("plain", "pass"), ("rows", "pass")]

    write(suite / "r" / "rows.result", OUTPUT.replace("2\tNULL", "2\ty"))
    failed = run_tidbrun(suite / "t" / "rows.sqlt", "--plugin", SQLT, *server_args(embedded_server))
    assert failed.returncode == 1, failed.output
    assert "-2\ty" in failed.stdout and "+2\tNULL" in failed.stdout


def test_a_statement_the_server_refuses_fails_at_its_line(tmp_path: Path, embedded_server: EmbeddedServer) -> None:
    test = write(tmp_path / "t" / "bad.sqlt", "select 1;\n\nselect * from no_such_table;\n")
    run = run_tidbrun(test, "--plugin", SQLT, *server_args(embedded_server))
    assert run.returncode == 1, run.output
    assert f"{test}:3:" in run.output and "1146" in run.output


def test_parse_only_checks_the_kind_with_its_own_rules(tmp_path: Path) -> None:
    suite = _suite(tmp_path)
    run = run_tidbrun(suite / "t", "--plugin", SQLT, "--parse-only")
    assert run.returncode == 0, run.output
    assert run.stdout == "select 1 as one;\n" + "".join(
        line + "\n" for line in STATEMENTS.splitlines() if line.endswith(";"))
    bad = write(tmp_path / "bad.sqlt", "select 1;\nselect 2\n")
    refused = run_tidbrun(bad, "--plugin", SQLT, "--parse-only")
    assert refused.returncode == 2
    assert refused.stderr.strip() == f"{bad}:2: a statement ends with ';'"


def test_under_pytest_every_kinds_files_are_items_a_templates_combinations_each_one(tmp_path: Path) -> None:
    from tests.e2e.test_pytest_plugin import pytest_run

    suite = _suite(tmp_path)
    write(suite / "t" / "matrix.test.j2", '{# tidbrun\n[matrix]\nrows = [1, 2]\n#}\nselect {{ rows }};\n')
    run = pytest_run("--tidbrun", "--tidbrun-plugin", SQLT, "--collect-only", "-q", suite / "t", cwd=tmp_path)
    assert run.returncode == 0, run.stdout + run.stderr
    items = [line.rsplit("/", 1)[-1] for line in run.stdout.splitlines() if "::" in line]
    assert items == ["matrix.test.j2::matrix 'rows=1'", "matrix.test.j2::matrix 'rows=2'",
                     "plain.test::plain", "rows.sqlt::rows"]
