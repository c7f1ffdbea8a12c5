"""TiDB's directives and `tidbrun jobs` as a user meets them against MariaDB: failpoints are an
error (never a silent no-op), wait_until really waits and really times out."""

from __future__ import annotations

from pathlib import Path

import pytest

from runner.server.embedded import EmbeddedServer
from tests.conftest import run_tidbrun, server_args, write

pytestmark = pytest.mark.e2e






@pytest.mark.parametrize("dialect", ["mysqltest", "mysql-tester"])
def test_failpoint_against_mariadb_is_an_error(tmp_path: Path, embedded_server: EmbeddedServer, dialect: str) -> None:
    test = write(tmp_path / "t" / "fp.test", "--failpoint enable github.com/pingcap/tidb/pkg/ddl/x return(true)\n")
    write(tmp_path / "r" / "fp.result", "")
    run = run_tidbrun(test, "--dialect", dialect, *server_args(embedded_server))
    assert run.returncode == 1, run.output
    assert "fp.test:1: the server is MariaDB: it has no failpoint API" in run.output
    assert "note:" not in run.stderr  # no probe of a status port on MariaDB


def test_wait_until_polls_until_true(tmp_path: Path, embedded_server: EmbeddedServer) -> None:
    test = write(tmp_path / "wait.test", (
        "set @ready_at = now(6) + interval 0.6 second;\n"
        "let $started = `select unix_timestamp(now(6))`;\n"
        "--wait_until `select now(6) >= @ready_at` 10\n"
        "let $waited = `select unix_timestamp(now(6)) - $started >= 0.5`;\n"
        "--echo waited: $waited\n"
    ))  # fmt: skip
    write(tmp_path / "wait.result", "set @ready_at = now(6) + interval 0.6 second;\nwaited: 1\n")
    run = run_tidbrun(test, *server_args(embedded_server))
    assert run.returncode == 0, run.output


def test_wait_until_times_out(tmp_path: Path, embedded_server: EmbeddedServer) -> None:
    test = write(tmp_path / "wait.test", "--wait_until `select 1 = 0` 0.5\n")
    write(tmp_path / "wait.result", "")
    run = run_tidbrun(test, *server_args(embedded_server))
    assert run.returncode == 1, run.output
    assert "wait.test:1: wait_until: 'select 1 = 0' was not true within 0.5 s (last: '0')" in run.output


def test_wait_until_stops_on_a_query_error(tmp_path: Path, embedded_server: EmbeddedServer) -> None:
    test = write(tmp_path / "wait.test", "--wait_until select * from no_such_table\n")
    write(tmp_path / "wait.result", "")
    run = run_tidbrun(test, *server_args(embedded_server))
    assert run.returncode == 1, run.output
    assert "1146" in run.output and "no_such_table" in run.output


def test_wait_tiflash_replica_ready_needs_tidb(tmp_path: Path, embedded_server: EmbeddedServer) -> None:
    test = write(tmp_path / "tiflash.test", "--wait_tiflash_replica_ready 1\n")
    write(tmp_path / "tiflash.result", "")
    run = run_tidbrun(test, *server_args(embedded_server))
    assert run.returncode == 1, run.output
    assert "tiflash_replica" in run.output


def test_mysql_tester_files_may_use_tidbruns_directives(tmp_path: Path) -> None:
    test = write(tmp_path / "t" / "fp.test", (
        "--failpoint enable github.com/pingcap/tidb/pkg/ddl/x 1*return(true)\n"
        "--wait_until `select 1` 5\n"
        "select 1;\n"
    ))  # fmt: skip
    run = run_tidbrun(test, "--parse-only", "--dialect", "mysql-tester")
    assert run.returncode == 0, run.output
    assert run.stdout == "select 1;\n"


def test_jobs_subcommand_usage_and_an_unreachable_server(tmp_path: Path) -> None:
    helped = run_tidbrun("jobs", "--help")
    assert helped.returncode == 0
    assert "--duration" in helped.stdout and "--interval" in helped.stdout and "--details" in helped.stdout
    run = run_tidbrun("jobs", "--socket", str(tmp_path / "none.sock"), "--duration", "1")
    assert run.returncode == 2
    assert run.stderr.startswith(f"tidbrun: jobs: cannot connect to {tmp_path / 'none.sock'}")
    assert "Traceback" not in run.output


def test_parse_only_rejects_a_malformed_failpoint_term_at_its_line(tmp_path: Path) -> None:
    test = write(tmp_path / "fp.test", "select 1;\n--failpoint enable github.com/pingcap/tidb/pkg/x 2*retrun(1)\n")
    run = run_tidbrun(test, "--parse-only")
    assert run.returncode == 2
    assert f"{test}:2: bad failpoint term '2*retrun(1)'" in run.stderr
