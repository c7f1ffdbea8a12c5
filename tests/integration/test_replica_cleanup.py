"""The cleanup between tests leaves no replica threads a test started: a ``Slave_IO`` thread still
connecting to a master that is gone (and its ``Slave_SQL``) would show in the processlist of every
later test on the same server (``main.wait_timeout`` waits for a processlist of one)."""

from __future__ import annotations

from pathlib import Path

import pytest

from runner.server import hygiene
from runner.server.address import free_port
from runner.server.connect import open_connection
from runner.server.embedded import EmbeddedServer, find_server_kind
from tests.conftest import run_tidbrun, write
from tests.integration.conftest import wait_for

pytestmark = pytest.mark.integration

_REPLICA_THREADS = (
    "SELECT COUNT(*) FROM INFORMATION_SCHEMA.PROCESSLIST "
    "WHERE COMMAND LIKE 'Slave%' OR STATE LIKE 'Connecting to master%'"
)


def _count(server: EmbeddedServer, sql: str) -> int:
    conn = open_connection(server.address)
    try:
        return len(conn.query_rows(sql)) if sql.startswith("SHOW") else int(str(conn.query_rows(sql)[0][0]))
    finally:
        conn.close()


def _start_replicas(server: EmbeddedServer) -> None:
    conn = open_connection(server.address)
    try:
        for name in ("", "'other'"):
            port = free_port()  # nobody listens there: the I/O thread keeps "Connecting to master"
            conn.execute(
                f"CHANGE MASTER {name} TO MASTER_HOST='127.0.0.1', MASTER_PORT={port}, MASTER_USER='root', "
                "MASTER_CONNECT_RETRY=1"
            )
            conn.execute(f"START SLAVE {name}")
    finally:
        conn.close()


def test_the_cleanup_stops_and_forgets_every_replica(private_server: EmbeddedServer, tmp_path: Path) -> None:
    if private_server.kind.kind != "mariadb":
        pytest.skip("multi-source replication (CHANGE MASTER 'name') is MariaDB's")
    _start_replicas(private_server)
    wait_for(lambda: _count(private_server, _REPLICA_THREADS) == 4)
    assert _count(private_server, "SHOW ALL SLAVES STATUS") == 2
    hygiene.reset_between_tests(private_server.address, tmp_path)
    assert _count(private_server, _REPLICA_THREADS) == 0
    assert _count(private_server, "SHOW ALL SLAVES STATUS") == 0


def test_the_cleanup_of_a_server_without_replicas_changes_nothing(
    private_server: EmbeddedServer, tmp_path: Path
) -> None:
    hygiene.reset_between_tests(private_server.address, tmp_path)
    assert _count(private_server, _REPLICA_THREADS) == 0


def test_a_test_after_one_that_left_a_replica_running_sees_a_processlist_of_one(tmp_path: Path) -> None:
    """The case from MariaDB's main suite: a test leaves a replica connecting to a master that is
    gone; a later test on the same server waits for ``processlist`` to hold its own connection
    only (``main.wait_timeout``)."""
    if find_server_kind() is None or find_server_kind().kind != "mariadb":  # type: ignore[union-attr]
        pytest.skip("needs MariaDB's server")
    port = free_port()
    write(tmp_path / "t" / "a_replica.test",
          f"CHANGE MASTER TO MASTER_HOST='127.0.0.1', MASTER_PORT={port}, MASTER_USER='root';\n"
          "--disable_query_log\nSTART SLAVE;\n--enable_query_log\n")
    write(tmp_path / "r" / "a_replica.result",
          f"CHANGE MASTER TO MASTER_HOST='127.0.0.1', MASTER_PORT={port}, MASTER_USER='root';\n")
    write(tmp_path / "t" / "b_alone.test", "SELECT COUNT(*) FROM information_schema.processlist;\n")
    write(tmp_path / "r" / "b_alone.result",
          "SELECT COUNT(*) FROM information_schema.processlist;\nCOUNT(*)\n1\n")
    run = run_tidbrun("--force", "--reject-dir", tmp_path / "rejects", tmp_path / "t")
    assert run.returncode == 0, run.output
    assert "2 passed" in run.stdout
