"""A replication test's second server on real MariaDB: the keeper starts mysqld.2 beside mysqld.1 from
suite/rpl/my.cnf, the two replicate, mysqld.2 restarts through its own expect file, and it stops
when the next test needs one server."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from runner.run.suite import TestCase as Case
from runner.run.suite import TestReport as Report
from runner.server import mycnf
from runner.server.embedded import EmbeddedServer, find_server_kind
from runner.server.keeper import Keeper, ServerSetup
from runner.sessions.driver import ConnectParams, connect
from tests.integration.conftest import mysql_test_dir_or_none, wait_for

pytestmark = pytest.mark.integration


def tcp_params(port: int) -> ConnectParams:
    return ConnectParams(host="127.0.0.1", user="root", port=port, database="test")


def run(port: int, *statements: str) -> list[tuple[str | None, ...]]:
    """The rows of the last statement, run over TCP as rpl tests connect (127.0.0.1, $SLAVE_MYPORT)."""
    conn = connect(tcp_params(port))
    try:
        rows: list[tuple[str | None, ...]] = []
        for sql in statements:
            outcome = conn.execute(sql)
            assert outcome.error is None, (sql, outcome.error)
            rows = outcome.results[0].rows if outcome.results else []
        return rows
    finally:
        conn.close()


@pytest.fixture
def tree() -> Path:
    found = mysql_test_dir_or_none()
    kind = find_server_kind()
    if found is None or kind is None or kind.kind != "mariadb":
        pytest.skip("needs MariaDB and its mysql-test tree")
    return found


@pytest.fixture
def lead(tree: Path, tmp_path: Path) -> Iterator[EmbeddedServer]:
    server = EmbeddedServer(mysql_test_dir=tree, vardir=tmp_path / "var", skip_optional_plugins=True)
    server.start()
    try:
        yield server
    finally:
        server.stop()


def passed() -> Report:
    return Report(Case(Path("rpl.test"), "rpl", Path("rpl.result")), "pass", 0.1)


def test_replication_pair(tree: Path, lead: EmbeddedServer) -> None:
    keeper = Keeper(lead)
    setup = ServerSetup(("--log-bin=master-bin",), None, tree / "suite/rpl/my.cnf", ("--log-bin=slave-bin",))
    address = keeper.prepare(setup)
    assert address is not None
    (second,) = keeper.companions.running
    env = keeper.environment()
    assert env["MASTER_MYPORT"] == str(address.port) and env["MASTER_MYSOCK"] == address.socket
    slave_port = int(env["SLAVE_MYPORT"])
    # MTR's ports are in a row: include/write_result_to_file.inc numbers the server it runs on
    # as 1 + @@PORT - $MASTER_MYPORT.
    assert slave_port == address.port + 1
    assert env["SLAVE_MYSOCK"] == second.address.socket == str(lead.vardir / "tmp" / "mysqld.2.sock")
    assert second.datadir == lead.vardir / "mysqld.2" / "data"

    # Each server as the template and the test's options made it.
    assert run(address.port, "SELECT @@server_id, @@log_bin_basename, @@relay_log_basename") == [
        ("1", str(lead.datadir / "master-bin"), str(lead.datadir / "master-relay-bin"))
    ]
    assert run(slave_port, "SELECT @@server_id, @@log_bin_basename, @@report_port, @@log_slave_updates") == [
        ("2", str(second.datadir / "slave-bin"), str(slave_port), "1")
    ]
    # The client tools reach mysqld.2 through my.cnf's [client.2] ($MYSQL_SLAVE).
    tool = subprocess.run(
        ["mariadb", f"--defaults-file={lead.config_file}", "--defaults-group-suffix=.2", "-N", "-e",
         "SELECT @@server_id"],
        capture_output=True, text=True, timeout=30, check=False,
    )
    assert tool.stdout.strip() == "2", tool.stderr
    groups = {g.name for g in mycnf.read_option_file(lead.config_file)}
    assert {"mysqld.1", "mysqld.2", "client.1", "client.2"} <= groups

    # They replicate.
    run(slave_port, f"CHANGE MASTER TO MASTER_HOST='127.0.0.1', MASTER_PORT={address.port}, MASTER_USER='root'",
        "START SLAVE")
    file, pos = run(address.port, "CREATE TABLE t1 (a INT)", "INSERT INTO t1 VALUES (7)", "SHOW MASTER STATUS")[0][:2]
    assert run(slave_port, f"SELECT MASTER_POS_WAIT('{file}', {pos}, 60)")[0][0] not in (None, "-1")
    assert run(slave_port, "SELECT a FROM t1") == [("7",)]

    file, pos = run(address.port, "DROP TABLE t1", "SHOW MASTER STATUS")[0][:2]
    assert run(slave_port, f"SELECT MASTER_POS_WAIT('{file}', {pos}, 60)")[0][0] not in (None, "-1")
    run(slave_port, "STOP SLAVE")
    keeper.after(passed(), address)
    assert not keeper.needs_fresh_start, keeper.why  # both as they were: they go on as they are
    assert keeper.prepare(setup) is None

    # A stop the test announces in tmp/mysqld.2.expect, then the restart it asks for.
    run(slave_port, "CREATE TABLE t2 (a INT)")
    expect = lead.vardir / "tmp" / "mysqld.2.expect"
    expect.write_text("wait\n")
    pid = second.pid
    conn = connect(tcp_params(slave_port))
    conn.execute("SHUTDOWN")
    conn.close()
    wait_for(lambda: second.exited())
    expect.write_text("restart\n")

    def restarted() -> bool:
        with second.lifecycle:  # held while the watcher restarts it
            return second.is_alive() and second.pid != pid

    wait_for(restarted)
    assert second.address.port == slave_port and not expect.exists()
    assert run(slave_port, "SHOW TABLES") == [("t2",)]  # same data: a restart, not a fresh start
    report = passed()
    keeper.after(report, address)
    assert report.status == "pass", report.message
    # ... but the test left mysqld.2 changed (mtr.check_testcase()): both start afresh next time.
    assert keeper.needs_fresh_start and any("mysqld.2 changed" in detail for detail in report.details)

    # The next test needs one server: mysqld.2 stops and my.cnf has one server again.
    keeper.prepare(ServerSetup())
    assert not second.is_alive()
    assert keeper.environment() == {}
    assert "mysqld.2" not in {g.name for g in mycnf.read_option_file(lead.config_file)}


def test_an_unannounced_death_fails_the_test(tree: Path, lead: EmbeddedServer) -> None:
    keeper = Keeper(lead, check_testcase=False)
    setup = ServerSetup((), None, tree / "suite/rpl/my.cnf", ())
    address = keeper.prepare(setup)
    assert address is not None
    (second,) = keeper.companions.running
    assert second.pid is not None
    subprocess.run(["kill", "-9", str(second.pid)], check=True)
    wait_for(lambda: second.exited())
    report = passed()
    keeper.after(report, address)
    assert report.status == "fail" and "mysqld.2" in report.message
    first_again = keeper.prepare(setup)  # both from fresh data
    assert first_again is not None and second.is_alive()
    lead.stop()
    assert not second.is_alive()  # stopped with mysqld.1
