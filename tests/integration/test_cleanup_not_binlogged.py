"""The cleanup between tests writes nothing into the binary log, as MTR's writes nothing: tests
print GTID positions and binlog events counted from their own first statement
(``binlog.start_alter_mysqlbinlog_replay`` showed ``0-1-7`` for ``0-1-5`` after a test that ended
with ``RESET MASTER``: the cleanup's ``DROP DATABASE test``/``CREATE DATABASE test``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from runner.server import hygiene
from runner.server.connect import open_connection
from runner.server.embedded import EmbeddedServer

pytestmark = pytest.mark.integration


def binlog_state(server: EmbeddedServer) -> tuple[str | None, ...]:
    conn = open_connection(server.address)
    try:
        position = tuple(conn.query_rows("SELECT @@gtid_binlog_pos")[0])
        return position + tuple(conn.query_rows("SHOW MASTER STATUS")[0][:2])
    finally:
        conn.close()


def test_the_cleanup_leaves_the_binary_log_as_it_was(private_server: EmbeddedServer, tmp_path: Path) -> None:
    if private_server.kind.kind != "mariadb":
        pytest.skip("needs MariaDB (GTID positions as MariaDB writes them)")
    address = private_server.restart(("--log-bin=master-bin",), fresh=True)
    conn = open_connection(address)
    try:
        conn.execute("CREATE DATABASE left_behind")
        conn.execute("CREATE USER left_behind@localhost")
        conn.execute("RESET MASTER")
    finally:
        conn.close()
    before = binlog_state(private_server)
    hygiene.reset_between_tests(private_server.address, tmp_path)
    assert binlog_state(private_server) == before
    conn = open_connection(private_server.address)
    try:
        assert conn.query_rows("SHOW DATABASES LIKE 'left_behind'") == []
        assert conn.query_rows("SHOW DATABASES LIKE 'test'") != []
    finally:
        conn.close()
