"""The keeper restarts the embedded server as mysql-test-run.pl would: for other options, after a
failed test, and when a test left the server changed — each time from fresh data."""

from __future__ import annotations

from pathlib import Path

import pytest

from runner.run import suite
from runner.server.connect import open_connection
from runner.server.embedded import EmbeddedServer
from runner.server.keeper import Keeper, ServerSetup
from tests.integration.conftest import mysql_test_dir_or_none


def scalar(server: EmbeddedServer, sql: str) -> str:
    conn = open_connection(server.address)
    try:
        return str(conn.query_rows(sql)[0][0])
    finally:
        conn.close()


def run_sql(server: EmbeddedServer, sql: str) -> None:
    conn = open_connection(server.address)
    try:
        conn.execute(sql)
    finally:
        conn.close()


def report(tmp_path: Path, status: str) -> suite.TestReport:
    return suite.TestReport(suite.TestCase(tmp_path / "t.test", "t", tmp_path / "t.result"), status, 0.1)  # type: ignore[arg-type]


def test_the_same_setup_keeps_the_server_and_other_options_restart_it(private_server: EmbeddedServer) -> None:
    server = private_server
    keeper = Keeper(server)
    keeper.baseline(server.address)
    assert keeper.prepare(ServerSetup()) is None
    restarted = keeper.prepare(ServerSetup(("--max-connections=77",)))
    assert restarted is not None
    assert scalar(server, "SELECT @@max_connections") == "77"
    assert keeper.prepare(ServerSetup(("--max-connections=77",))) is None
    assert keeper.restarts == 1


def test_after_a_failed_test_the_next_one_gets_fresh_data(private_server: EmbeddedServer, tmp_path: Path) -> None:
    server = private_server
    keeper = Keeper(server)
    run_sql(server, "CREATE DATABASE leftover")
    keeper.after(report(tmp_path, "fail"), server.address)
    assert keeper.prepare(ServerSetup()) is not None
    assert scalar(server, "SELECT COUNT(*) FROM information_schema.schemata WHERE schema_name='leftover'") == "0"


@pytest.mark.skipif(mysql_test_dir_or_none() is None, reason="mtr.check_testcase() comes with the mysql-test tree")
def test_a_test_that_leaves_the_server_changed_is_noted_and_restarted(
    private_server: EmbeddedServer, tmp_path: Path
) -> None:
    server = private_server
    keeper = Keeper(server)
    keeper.baseline(server.address)
    quiet = report(tmp_path, "pass")
    keeper.after(quiet, server.address)
    assert quiet.details == [] and not keeper.needs_fresh_start
    run_sql(server, "SET GLOBAL max_connections = 55")
    changed = report(tmp_path, "pass")
    keeper.after(changed, server.address)
    assert changed.status == "pass"  # as under MTR: a note, not a failure
    assert "left the server changed" in changed.details[0] and "MAX_CONNECTIONS\t55" in changed.details[0]
    assert keeper.prepare(ServerSetup()) is not None
    assert scalar(server, "SELECT @@max_connections") != "55"
