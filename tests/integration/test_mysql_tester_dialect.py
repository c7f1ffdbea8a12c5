"""The mysql-tester dialect end to end on a real server: tidbrun reads mysql-tester .test files and
must write the .result mysql-tester would.

The expected results under tests/data/mysql_tester/r/ were derived by hand from the mysql-tester
rules (mysql-tester's source, cross-checked with the TiDB corpus), with the server's own texts (MariaDB
error messages, info strings). Points they pin: one echo for ``select 1; select 2;`` but a result
set each; trimmed multi-line echo; ``Error N (STATE): msg``; ``Got one of the listed errors``;
--error kept across ``--echo``; ``--replace_regex`` turning empty cells into NULL; NULL sorting
first; warnings off by default and shown without the result log; info lines always both; the
per-test database ``dialect__basic``; the +08:00 session time zone; ``connect`` without a database;
``disconnect`` going back to ``default``; ``--let``/``$v`` echo; skipped commands (``--sleep 100``).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from runner.config.run_config import RunConfig, ServerSettings
from runner.dialects.mysql_tester.renderer import MysqlTesterDialect
from runner.run import suite
from runner.server.connect import open_connection
from runner.server.embedded import EmbeddedServer

pytestmark = pytest.mark.integration

DATA = Path(__file__).resolve().parents[1] / "data" / "mysql_tester"


def _runner(server: EmbeddedServer, root: Path, vardir: Path, *, record: bool = False) -> suite.SuiteRunner:
    address = server.address
    settings = ServerSettings(
        host=address.host, port=address.port, socket=address.socket, user=address.user, password=address.password
    )
    (vardir / "tmp").mkdir(parents=True, exist_ok=True)
    return suite.SuiteRunner(
        config=RunConfig(paths=[root], server=settings, dialect="mysql-tester", record=record),
        address=address,
        dialect=MysqlTesterDialect(),
        vardir=vardir,
    )


def _databases(server: EmbeddedServer) -> set[str]:
    conn = open_connection(server.address)
    try:
        rows = conn.query_rows("SHOW DATABASES")
        return {row[0] for row in rows}
    finally:
        conn.close()


CASES = suite.discover([DATA])


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_result_matches(embedded_server: EmbeddedServer, tmp_path: Path, case: suite.TestCase) -> None:
    before = _databases(embedded_server)
    report = _runner(embedded_server, DATA, tmp_path).run_one(case)
    expected = case.result.read_bytes().decode("latin-1")
    # The output compared first for a readable diff, then the verdict.
    assert report.output == expected, report.message
    assert report.status == "pass", report.message
    # mysql-tester's postProcess: the test's database, and every one it made, are gone.
    assert _databases(embedded_server) == before


def test_cases_found() -> None:
    assert {case.name for case in CASES} >= {"dialect/basic", "dialect/connections", "dialect/warnings_info"}


def _run_text(server: EmbeddedServer, tmp_path: Path, text: str) -> suite.TestReport:
    test = tmp_path / "suite" / "t" / "snippet.test"
    test.parent.mkdir(parents=True, exist_ok=True)
    test.write_bytes(text.encode("latin-1"))
    result = tmp_path / "suite" / "r" / "snippet.result"
    runner = _runner(server, tmp_path / "suite", tmp_path / "var", record=True)
    return runner.run_one(suite.TestCase(test, "snippet", result))


def test_unexpected_error_fails(embedded_server: EmbeddedServer, tmp_path: Path) -> None:
    report = _run_text(embedded_server, tmp_path, "select 1;\nselect * from nosuch;\nselect 2;\n")
    assert report.status == "fail"
    assert "snippet.test:2" in report.message
    assert report.output == "select 1;\n1\n1\nselect * from nosuch;\n"


def test_wrong_error_fails(embedded_server: EmbeddedServer, tmp_path: Path) -> None:
    report = _run_text(embedded_server, tmp_path, "--error 1064\nselect * from nosuch;\n")
    assert report.status == "fail"
    assert "1146" in report.message


def test_success_when_an_error_was_expected_fails(embedded_server: EmbeddedServer, tmp_path: Path) -> None:
    report = _run_text(embedded_server, tmp_path, "--error 1146\nselect 1;\n")
    assert report.status == "fail"
    assert "succeeded" in report.message


def test_load_error_runs_nothing(embedded_server: EmbeddedServer, tmp_path: Path) -> None:
    report = _run_text(embedded_server, tmp_path, "create table t (a int);\nselect 1; -- note\nselect 2;\n")
    assert report.status == "error"
    assert "snippet.test:2" in report.message
    assert report.output == ""


def test_database_that_exists_already_fails(embedded_server: EmbeddedServer, tmp_path: Path) -> None:
    conn = open_connection(embedded_server.address)
    try:
        conn.execute("CREATE DATABASE snippet")
        report = _run_text(embedded_server, tmp_path, "select 1;\n")
    finally:
        conn.execute("DROP DATABASE IF EXISTS snippet")
        conn.close()
    assert report.status == "fail"
    assert "already exists" in report.message
